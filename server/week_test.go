package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/internal/testdb"
)

// at walks a decoded response along a dotted path; a number indexes a list.
func at(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		if i, err := strconv.Atoi(k); err == nil {
			v = v.([]any)[i]
		} else {
			v = v.(map[string]any)[k]
		}
	}
	return v
}

// TestAClinicianRunsAWeek runs the fixture clinician's week (Mon 9 to Fri 13
// March 2026; the clock stands at Tuesday 11:00 in New York) through the API:
// bookings, a reminder and a confirmation, attendance, a late cancellation
// backfilled from the list, the notes, and a case closed and reopened. After
// every step the derived rule fields and the To-Do list are checked.
func TestAClinicianRunsAWeek(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok, admin := s.token(f.clinicianUser), s.token(f.admin)
		ann, ben, cy, dee := f.ownClients[0], f.ownClients[1], f.ownClients[2], f.otherClients[0]
		ny := must(time.LoadLocation("America/New_York"))
		on := func(day, hour int) time.Time { return time.Date(2026, time.March, day, hour, 0, 0, 0, ny).UTC() }
		rfc := func(t time.Time) string { return t.Format(time.RFC3339) }

		check := func(what string, got, want any) {
			t.Helper()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s = %v, want %v", what, got, want)
			}
		}
		// refused checks that a mutation was refused with exactly one
		// userError: its code, the input field it names ("" for the input
		// as a whole) and what its message says.
		refused := func(what, token, query string, vars map[string]any, code, field, says string) {
			t.Helper()
			r := s.do(token, query, vars)
			refusals := r.refusals()
			if len(r.Errors) > 0 || len(refusals) != 1 {
				t.Errorf("%s: errors %+v, userErrors %+v; want one %s userError", what, r.Errors, refusals, code)
				return
			}
			got := refusals[0]
			if got.Code != code || strings.Join(got.Field, ".") != field || !strings.Contains(got.Message, says) {
				t.Errorf("%s: %s on %q saying %q; want %s on %q saying %q", what, got.Code, strings.Join(got.Field, "."), got.Message, code, field, says)
			}
		}
		do := func(query string, vars map[string]any, path string) map[string]any {
			t.Helper()
			return at(s.mustDo(tok, query, vars), path).(map[string]any)
		}
		client := func(c *ent.ClientProfile, fields string) map[string]any {
			t.Helper()
			return do(`query($id: ID!) { node(id: $id) { ... on Client { `+fields+` } } }`, map[string]any{"id": encodeID(c.ID)}, "node")
		}
		session := func(id, fields string) map[string]any {
			t.Helper()
			return do(`query($id: ID!) { node(id: $id) { ... on Appointment { `+fields+` } } }`, map[string]any{"id": id}, "node")
		}
		const todoQuery = `{ myTodo { kind documentKind overdue client { id } appointment { id noteStatus } } }`
		// todo checks the To-Do list's items by kind, e.g. "PAPERWORK:3 SEND_REMINDER:1".
		todo := func(step, want string) []any {
			t.Helper()
			items := s.mustDo(tok, todoQuery, nil)["myTodo"].([]any)
			count := map[string]int{}
			for _, it := range items {
				count[at(it, "kind").(string)]++
			}
			var got []string
			for k, n := range count {
				got = append(got, fmt.Sprintf("%s:%d", k, n))
			}
			sort.Strings(got)
			check("To-Do list "+step, strings.Join(got, " "), want)
			return items
		}
		book := func(token string, c *ent.ClientProfile, start time.Time) string {
			t.Helper()
			return at(s.mustDo(token, schedule, slotInput(c.ID, start)), "scheduleAppointment.appointment.id").(string)
		}
		fixture := func(c *ent.ClientProfile) string { // the session a week ago
			return encodeID(must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(c.ID)).Only(sys())).ID)
		}
		annOld, benOld, cyOld, deeOld := fixture(ann), fixture(ben), fixture(cy), fixture(dee)

		// Monday morning: nobody seen in this episode (opened 59 days ago), nothing booked.
		todo("before the week", "CLOSE_CASE:3 PAPERWORK:3 RECORD_ATTENDANCE:3")
		a := client(ann, `daysSinceSeen nextAppointment { id } terminationRecommendation { action reason }`)
		check("Ann before the week", a, map[string]any{"daysSinceSeen": 59, "nextAppointment": nil,
			"terminationRecommendation": map[string]any{"action": "CLOSE", "reason": "INACTIVE"}})

		// 1. Bookings: the admin back-enters Monday and Tuesday morning, the clinician books ahead.
		annMon, cyMon, benTue := book(admin, ann, on(9, 9)), book(admin, cy, on(9, 12)), book(admin, ben, on(10, 9))
		benWed, annWed := book(tok, ben, on(11, 8)), book(tok, ann, on(11, 9))
		benThu, cyFri := book(tok, ben, on(12, 10)), book(tok, cy, on(13, 14))
		refused("double-booking the clinician", tok, schedule, slotInput(cy.ID, on(11, 9).Add(30*time.Minute)), "CONFLICT", "", "already has a session at that time")
		refused("a clinician booking the past", tok, schedule, slotInput(cy.ID, on(9, 15)), "POLICY_VIOLATION", "input.startsAt", "only an admin enters past sessions")
		refused("another clinician's client", tok, schedule, slotInput(dee.ID, on(13, 9)), "NOT_FOUND", "input.clientID", "not found")
		refused("ending before it starts", tok, schedule, map[string]any{"in": map[string]any{"clientID": encodeID(cy.ID),
			"startsAt": rfc(on(13, 9)), "endsAt": rfc(on(13, 8))}}, "BAD_USER_INPUT", "input.endsAt", "must be after startsAt")
		a = client(ann, `nextAppointment { id startsAt reminderDue } terminationRecommendation { action }`)
		check("Ann's next session", a["nextAppointment"], map[string]any{"id": annWed, "startsAt": rfc(on(11, 9)), "reminderDue": true})
		check("Ann's recommendation once booked", at(a, "terminationRecommendation.action"), "NONE")
		todo("after booking", "PAPERWORK:3 RECORD_ATTENDANCE:6 SEND_REMINDER:2")

		// 2. Ann is reminded and confirms; Ben's reminder is still to send.
		r := do(`mutation($id: ID!) { recordReminder(input: {appointmentID: $id, channel: TEXT}) { appointment { reminderDue reminderChannel }
			contact { purpose direction } recipient { role } userErrors { field message code } } }`, map[string]any{"id": annWed}, "recordReminder")
		check("reminder", r, map[string]any{"appointment": map[string]any{"reminderDue": false, "reminderChannel": "TEXT"},
			"contact": map[string]any{"purpose": "REMINDER", "direction": "OUTBOUND"}, "recipient": map[string]any{"role": "CLIENT"}, "userErrors": []any{}})
		const confirm = `mutation($id: ID!) { confirmAppointment(input: {appointmentID: $id}) { appointment { status confirmedAt reminderDue } userErrors { field message code } } }`
		check("confirmed", do(confirm, map[string]any{"id": annWed}, "confirmAppointment.appointment"),
			map[string]any{"status": "CONFIRMED", "confirmedAt": rfc(testNow), "reminderDue": false})
		wantUserErrors(t, s.do(tok, confirm, map[string]any{"id": annMon}), "confirmAppointment", "appointment", "POLICY_VIOLATION input.appointmentID")
		wantUserErrors(t, s.do(tok, `mutation($id: ID!) { recordReminder(input: {appointmentID: $id, channel: TEXT}) { contact { id } userErrors { field message code } } }`,
			map[string]any{"id": deeOld}), "recordReminder", "contact", "NOT_FOUND input.appointmentID")
		todo("after the reminder", "PAPERWORK:3 RECORD_ATTENDANCE:6 SEND_REMINDER:1")

		// 3. Attendance of the past sessions.
		const record = `mutation($id: ID!, $o: AttendanceOutcome!, $m: Int) { recordAttendance(input: {appointmentID: $id, outcome: $o, minutesLate: $m}) {
			appointment { status noteStatus noteOverdue countsAsStrike client { strikeCount daysSinceSeen } } userErrors { field message code } } }`
		attend := func(id, outcome string, late any) map[string]any {
			t.Helper()
			return do(record, map[string]any{"id": id, "o": outcome, "m": late}, "recordAttendance.appointment")
		}
		wantUserErrors(t, s.do(tok, record, map[string]any{"id": annWed, "o": "ATTENDED"}), "recordAttendance", "appointment", "POLICY_VIOLATION input.appointmentID")
		wantUserErrors(t, s.do(tok, record, map[string]any{"id": benTue, "o": "NO_SHOW", "m": 5}), "recordAttendance", "appointment", "BAD_USER_INPUT input.minutesLate")
		seen := func(strikes, days int) map[string]any {
			return map[string]any{"strikeCount": strikes, "daysSinceSeen": days}
		}
		check("Ann, a week ago", attend(annOld, "ATTENDED", 0)["client"], seen(0, 7))
		check("Ann, Monday, 12 minutes late", attend(annMon, "ATTENDED", 12), map[string]any{"status": "ATTENDED", "noteStatus": "MISSING",
			"noteOverdue": true, "countsAsStrike": false, "client": seen(0, 1)})
		check("Ben, a week ago", attend(benOld, "NO_SHOW", nil), map[string]any{"status": "NO_SHOW", "noteStatus": "NOT_REQUIRED",
			"noteOverdue": false, "countsAsStrike": true, "client": seen(1, 59)})
		check("Ben, Tuesday", attend(benTue, "NO_SHOW", nil)["client"], seen(2, 59))
		check("Cy, a week ago, 5 minutes late", attend(cyOld, "ATTENDED", 5)["client"], seen(0, 7))
		check("Cy, Monday noon (note due Tuesday 12:50)", attend(cyMon, "ATTENDED", 0), map[string]any{"status": "ATTENDED",
			"noteStatus": "MISSING", "noteOverdue": false, "countsAsStrike": false, "client": seen(0, 1)})
		const recurring = `recurringEligibility { eligible consecutiveOnTime needed }`
		check("Ann's recurring (late on Monday)", client(ann, recurring)["recurringEligibility"], map[string]any{"eligible": false, "consecutiveOnTime": 0, "needed": 3})
		check("Cy's recurring (5 minutes is on time)", client(cy, recurring)["recurringEligibility"], map[string]any{"eligible": false, "consecutiveOnTime": 2, "needed": 3})
		todo("after attendance", "PAPERWORK:7 SEND_REMINDER:1")

		// 4. Ben cancels Wednesday 08:00 at 11:00 the day before: late, his third strike.
		const pref = `mutation($id: ID!, $w: [AvailabilityWindowInput!]) { setBackfillPreference(input: {clientID: $id, wantsEarlier: true, availability: $w}) {
			client { backfillEligible } userErrors { field message code } } }`
		check("Cy on the list", do(pref, map[string]any{"id": encodeID(cy.ID), "w": []any{map[string]any{"weekday": "WEDNESDAY", "startMinute": 480, "endMinute": 720}}},
			"setBackfillPreference.client")["backfillEligible"], true)
		check("Ann on the list", do(pref, map[string]any{"id": encodeID(ann.ID)}, "setBackfillPreference.client")["backfillEligible"], true)
		const cancel = `mutation($id: ID!) { cancelAppointment(input: {appointmentID: $id, by: CLIENT, reason: "work"}) { appointment { status isLateCancel countsAsStrike
			client { strikeCount backfillEligible terminationRecommendation { action reason } } } userErrors { field message code } } }`
		check("Ben's late cancellation", do(cancel, map[string]any{"id": benWed}, "cancelAppointment.appointment"), map[string]any{"status": "CANCELED",
			"isLateCancel": true, "countsAsStrike": true, "client": map[string]any{"strikeCount": 3, "backfillEligible": false,
				"terminationRecommendation": map[string]any{"action": "CLOSE", "reason": "STRIKES"}}})
		wantUserErrors(t, s.do(tok, cancel, map[string]any{"id": benWed}), "cancelAppointment", "appointment", "POLICY_VIOLATION input.appointmentID")
		cands := s.mustDo(tok, `query($id: ID!) { backfillCandidates(appointmentID: $id) { client { id } waitDays strikeCount daysSinceSeen } }`,
			map[string]any{"id": benWed})["backfillCandidates"]
		check("candidates for Wednesday 08:00 (Cy waits till Friday, Ann an hour)", cands, []any{
			map[string]any{"client": map[string]any{"id": encodeID(cy.ID)}, "waitDays": 2, "strikeCount": 0, "daysSinceSeen": 1},
			map[string]any{"client": map[string]any{"id": encodeID(ann.ID)}, "waitDays": 0, "strikeCount": 0, "daysSinceSeen": 1}})
		const fill = `mutation($a: ID!, $c: ID!) { fillSlot(input: {canceledAppointmentID: $a, clientID: $c, keepLaterAppointment: false}) {
			appointment { startsAt reminderDue filledFrom { id } client { strikeCount nextAppointment { startsAt } } } userErrors { field message code } } }`
		// Ben is not on the list and has three strikes: each reason on its own.
		barred := s.do(tok, fill, map[string]any{"a": benWed, "c": encodeID(ben.ID)})
		wantUserErrors(t, barred, "fillSlot", "appointment", "POLICY_VIOLATION input.clientID", "POLICY_VIOLATION input.clientID")
		if ue := barred.userErrors("fillSlot"); len(ue) == 2 && (!strings.Contains(ue[0].Message, "not asked for an earlier") || !strings.Contains(ue[1].Message, "3 strikes")) {
			t.Errorf("reasons %q, %q: want the list and the strikes, one each", ue[0].Message, ue[1].Message)
		}
		check("Cy fills the slot", do(fill, map[string]any{"a": benWed, "c": encodeID(cy.ID)}, "fillSlot.appointment"), map[string]any{"startsAt": rfc(on(11, 8)),
			"reminderDue": true, "filledFrom": map[string]any{"id": benWed}, "client": map[string]any{"strikeCount": 0,
				"nextAppointment": map[string]any{"startsAt": rfc(on(11, 8))}}})
		wantUserErrors(t, s.do(tok, fill, map[string]any{"a": benWed, "c": encodeID(ann.ID)}), "fillSlot", "appointment", "CONFLICT input.canceledAppointmentID")
		check("Cy's Friday session", session(cyFri, `status canceledBy excused isLateCancel countsAsStrike`), map[string]any{
			"status": "CANCELED", "canceledBy": "CLIENT", "excused": true, "isLateCancel": false, "countsAsStrike": false})
		items := todo("after the backfill", "CLOSE_CASE:1 PAPERWORK:7 SEND_REMINDER:1")

		// 5. Every note and plan written and signed: MISSING -> DRAFT -> SIGNED.
		const create = `mutation($k: DocumentKind!, $c: ID!, $a: ID) { createDocument(input: {kind: $k, clientID: $c, appointmentID: $a, body: "note"}) {
			document { id version status appointment { noteStatus } } userErrors { field message code } } }`
		const sign = `mutation($id: ID!, $v: Int!) { signDocument(input: {documentID: $id, version: $v}) { document { status signedAt appointment { noteStatus noteOverdue } } userErrors { field message code } } }`
		kinds, overdue, first := map[string]int{}, 0, true
		for _, it := range items {
			if at(it, "kind") != "PAPERWORK" {
				continue
			}
			kind, appt := at(it, "documentKind").(string), at(it, "appointment")
			kinds[kind]++
			if at(it, "overdue") == true {
				overdue++
			}
			vars := map[string]any{"k": kind, "c": at(it, "client.id"), "a": nil}
			if appt != nil {
				vars["a"] = at(appt, "id")
				check("note status before writing", at(appt, "noteStatus"), "MISSING")
			}
			doc := do(create, vars, "createDocument.document")
			check("a new "+kind, doc["status"], "DRAFT")
			if appt != nil {
				check("note status of a draft", at(doc, "appointment.noteStatus"), "DRAFT")
			}
			if first {
				refused("signing a stale version", tok, sign, map[string]any{"id": doc["id"], "v": 2}, "CONFLICT", "", "changed since it was read (now at version 1)")
			}
			signed := do(sign, map[string]any{"id": doc["id"], "v": doc["version"]}, "signDocument.document")
			check("signed "+kind, signed["status"], "SIGNED")
			if appt != nil {
				check("note of a signed "+kind, signed["appointment"], map[string]any{"noteStatus": "SIGNED", "noteOverdue": false})
			}
			if first {
				first = false
				refused("signing twice", tok, sign, map[string]any{"id": doc["id"], "v": 2}, "POLICY_VIOLATION", "", "already signed")
			}
		}
		check("paperwork due (3 plans due 9 February; Cy's Monday note not yet)", fmt.Sprint(kinds, " overdue ", overdue),
			"map[PROGRESS_NOTE:4 TREATMENT_PLAN:3] overdue 6")
		check("Ann's sessions' notes", session(annMon, `noteStatus noteOverdue`), map[string]any{"noteStatus": "SIGNED", "noteOverdue": false})
		check("Cy after signing", client(cy, `paperworkDue { documentKind } treatmentPlanReviewDueOn`),
			map[string]any{"paperworkDue": []any{}, "treatmentPlanReviewDueOn": "2026-06-10"})
		todo("after the paperwork", "CLOSE_CASE:1 SEND_REMINDER:1")

		// 6. Ben is warned, closed for his strikes, and comes back.
		const warn = `mutation($id: ID!, $by: Date) { sendClosureWarning(input: {clientID: $id, channel: EMAIL, closeBy: $by}) {
			contact { purpose direction closeBy } client { terminationRecommendation { action reason } } userErrors { field message code } } }`
		refused("a close-by date of today", tok, warn, map[string]any{"id": encodeID(ben.ID), "by": "2026-03-10"}, "BAD_USER_INPUT", "input.closeBy", "must be after today (2026-03-10)")
		check("warning", do(warn, map[string]any{"id": encodeID(ben.ID)}, "sendClosureWarning"), map[string]any{
			"contact":    map[string]any{"purpose": "CLOSURE_WARNING", "direction": "OUTBOUND", "closeBy": "2026-03-24"},
			"client":     map[string]any{"terminationRecommendation": map[string]any{"action": "CLOSE", "reason": "STRIKES"}},
			"userErrors": []any{}})
		const closeCase = `mutation($id: ID!) { closeCase(input: {clientID: $id, reason: STRIKES, terminationNote: "Three missed sessions; informed."}) {
			client { status strikeCount nextAppointment { id } paperworkDue { documentKind } terminationRecommendation { action } episodes { closeReason } }
			userErrors { field message code } } }`
		// The case closes a minute after Ben's late cancellation: a session
		// belongs to the episode whose span [opened, closed) contains its
		// clinical time (for a cancelled one, when it was cancelled), so on a
		// clock frozen at one instant the cancellation would fall at the
		// closing, outside the closed episode.
		closing := testNow.Add(time.Minute)
		s.main.Now = func() time.Time { return closing }
		s.handler = s.main.Handler()
		refused("closing another clinician's client", tok, closeCase, map[string]any{"id": encodeID(dee.ID)}, "NOT_FOUND", "input.clientID", "not found")
		check("Ben closed", do(closeCase, map[string]any{"id": encodeID(ben.ID)}, "closeCase.client"), map[string]any{"status": "CLOSED",
			"strikeCount": 3, "nextAppointment": nil, "paperworkDue": []any{}, "terminationRecommendation": map[string]any{"action": "NONE"},
			"episodes": []any{map[string]any{"closeReason": "STRIKES"}}})
		check("Ben's Thursday session", session(benThu, `status canceledBy countsAsStrike`), map[string]any{
			"status": "CANCELED", "canceledBy": "PRACTICE", "countsAsStrike": false})
		refused("closing a closed case", tok, closeCase, map[string]any{"id": encodeID(ben.ID)}, "POLICY_VIOLATION", "input.clientID", "is CLOSED, not ACTIVE")
		todo("after closing", "SEND_REMINDER:1")
		// Ben comes back an hour later (the clock moves on: records of the
		// first episode are placed in it by when they were written).
		later := testNow.Add(time.Hour)
		s.main.Now = func() time.Time { return later }
		s.handler = s.main.Handler()
		check("Ben reopened", do(`mutation($id: ID!) { reopenCase(input: {clientID: $id}) { client { status strikeCount daysSinceSeen backfillEligible
			terminationRecommendation { action } } userErrors { field message code } } }`, map[string]any{"id": encodeID(ben.ID)}, "reopenCase.client"),
			map[string]any{"status": "ACTIVE", "strikeCount": 0, "daysSinceSeen": 0, "backfillEligible": false, "terminationRecommendation": map[string]any{"action": "NONE"}})
		var reasons []string
		for _, e := range client(ben, `episodes { closeReason }`)["episodes"].([]any) {
			reasons = append(reasons, fmt.Sprint(at(e, "closeReason")))
		}
		sort.Strings(reasons)
		check("Ben's episodes (one closed for strikes, one open)", reasons, []string{"<nil>", "STRIKES"})
		t.Run("the new episode owes its treatment plan, the closed one nothing", func(t *testing.T) {
			got := fmt.Sprint(client(ben, `paperworkDue { documentKind status }`)["paperworkDue"])
			if want := "[map[documentKind:TREATMENT_PLAN status:MISSING]]"; got != want {
				t.Errorf("Ben's paperwork after reopening = %s, want %s (rule 6: an initial TREATMENT_PLAN per episode)", got, want)
			}
		})
		todo("at the end of the week", "PAPERWORK:1 SEND_REMINDER:1")

		// Caseload health: 3 active weekly clients; Ann and Cy came every time, Ben never (rate 0):
		// 2 expected weekly sessions leave 28 of 30 slots open, so 28 + 2 new clients (rule 9).
		check("caseload health", at(s.mustDo(tok, `{ me { clinician { caseloadHealth { activeClients weeklySlots expectedWeeklySessions
			recommendedMin recommendedMax status newClientsToRequest } } } }`, nil), "me.clinician.caseloadHealth"), map[string]any{
			"activeClients": 3, "weeklySlots": 30, "expectedWeeklySessions": 2, "recommendedMin": 39, "recommendedMax": 51,
			"status": "UNDER", "newClientsToRequest": 30})
	})
}
