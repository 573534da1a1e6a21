package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/internal/testdb"
)

const schedule = `mutation($in: ScheduleAppointmentInput!) { scheduleAppointment(input: $in) { appointment { id status startsAt episode { id } clinician { name } } userErrors { field message code } } }`

func slotInput(clientID int, start time.Time) map[string]any {
	return map[string]any{"in": map[string]any{
		"clientID": encodeID(clientID), "startsAt": start.Format(time.RFC3339), "endsAt": start.Add(50 * time.Minute).Format(time.RFC3339),
	}}
}

func TestSchedulingWorkflow(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann, ben := f.ownClients[0], f.ownClients[1]
		tomorrow := testNow.Add(24 * time.Hour)

		a := s.mustDo(tok, schedule, slotInput(ann.ID, tomorrow))["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)
		if a["status"] != "SCHEDULED" || a["episode"] == nil || a["clinician"].(map[string]any)["name"] != f.clinician.Name {
			t.Fatalf("booked = %v", a)
		}
		id := a["id"]

		// Refusals, each with its code; none writes anything.
		for _, c := range []struct {
			name string
			vars map[string]any
			code string
		}{
			{"the clinician is busy", slotInput(ben.ID, tomorrow.Add(30*time.Minute)), "CONFLICT"},
			{"the client is busy", map[string]any{"in": map[string]any{"clientID": encodeID(ann.ID), "clinicianID": encodeID(f.other.ID),
				"startsAt": tomorrow.Add(10 * time.Minute).Format(time.RFC3339), "endsAt": tomorrow.Add(70 * time.Minute).Format(time.RFC3339)}}, "NOT_FOUND"},
			{"in the past, as a clinician", slotInput(ben.ID, testNow.Add(-48*time.Hour)), "POLICY_VIOLATION"},
			{"another clinician's client", slotInput(f.otherClients[0].ID, tomorrow.Add(3*time.Hour)), "NOT_FOUND"},
		} {
			before := must(s.main.DB.Ent.Appointment.Query().Count(sys()))
			if r := s.do(tok, schedule, c.vars); r.code() != c.code {
				t.Errorf("%s: %+v %+v, want %s", c.name, r.Errors, r.refusals(), c.code)
			}
			if after := must(s.main.DB.Ent.Appointment.Query().Count(sys())); after != before {
				t.Errorf("%s: a refused booking wrote %d sessions", c.name, after-before)
			}
		}
		// The admin books the client with another clinician at the same time: the client is busy.
		r := s.do(s.token(f.admin), schedule, map[string]any{"in": map[string]any{"clientID": encodeID(ann.ID), "clinicianID": encodeID(f.other.ID),
			"startsAt": tomorrow.Add(10 * time.Minute).Format(time.RFC3339), "endsAt": tomorrow.Add(70 * time.Minute).Format(time.RFC3339)}})
		if r.code() != "CONFLICT" || r.message() != "the client already has a session at that time" {
			t.Errorf("client double-booked across clinicians: %+v %+v, want CONFLICT", r.Errors, r.refusals())
		}
		// An admin may back-enter history.
		s.mustDo(s.token(f.admin), schedule, slotInput(ben.ID, testNow.Add(-72*time.Hour)))

		// Reschedule, then cancel late as the client: a strike.
		later := testNow.Add(20 * time.Hour) // inside the 24-hour late-cancel window
		data := s.mustDo(tok, `mutation($id: ID!, $s: DateTime!, $e: DateTime!) { rescheduleAppointment(input: {appointmentID: $id, startsAt: $s, endsAt: $e}) {
			appointment { startsAt reminderDue } userErrors { field message code } } }`,
			map[string]any{"id": id, "s": later.Format(time.RFC3339), "e": later.Add(50 * time.Minute).Format(time.RFC3339)})
		if got := data["rescheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["startsAt"]; got != later.Format(time.RFC3339) {
			t.Errorf("rescheduled to %v, want %v", got, later.Format(time.RFC3339))
		}
		const cancel = `mutation($id: ID!, $by: AppointmentCanceledBy!) { cancelAppointment(input: {appointmentID: $id, by: $by, reason: "sick"}) {
			appointment { status canceledBy isLateCancel countsAsStrike client { strikeCount } } userErrors { field message code } } }`
		data = s.mustDo(tok, cancel, map[string]any{"id": id, "by": "CLIENT"})
		c := data["cancelAppointment"].(map[string]any)["appointment"].(map[string]any)
		if c["status"] != "CANCELED" || c["isLateCancel"] != true || c["countsAsStrike"] != true || c["client"].(map[string]any)["strikeCount"] != float64(1) {
			t.Errorf("late client cancellation = %v, want a strike", c)
		}
		wantUserErrors(t, s.do(tok, cancel, map[string]any{"id": id, "by": "CLIENT"}), "cancelAppointment", "appointment", "POLICY_VIOLATION input.appointmentID")
		// The freed slot can be booked again.
		s.mustDo(tok, schedule, slotInput(ben.ID, later))

		// Excuse the strike.
		const excuse = `mutation($id: ID!, $r: String!) { excuseStrike(input: {appointmentID: $id, reason: $r}) {
			appointment { countsAsStrike client { strikeCount } } userErrors { field message code } } }`
		data = s.mustDo(tok, excuse, map[string]any{"id": id, "r": "hospital"})
		if e := data["excuseStrike"].(map[string]any)["appointment"].(map[string]any); e["countsAsStrike"] != false || e["client"].(map[string]any)["strikeCount"] != float64(0) {
			t.Errorf("excused = %v, want no strike", e)
		}

		// A clinician's cancellation a week ahead is no strike; nor can it be excused.
		week := s.mustDo(tok, schedule, slotInput(ann.ID, testNow.AddDate(0, 0, 7)))["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["id"]
		data = s.mustDo(tok, cancel, map[string]any{"id": week, "by": "CLINICIAN"})
		if data["cancelAppointment"].(map[string]any)["appointment"].(map[string]any)["countsAsStrike"] != false {
			t.Errorf("clinician's cancellation counts as a strike")
		}
		wantUserErrors(t, s.do(tok, excuse, map[string]any{"id": week, "r": "x"}), "excuseStrike", "appointment", "POLICY_VIOLATION input.appointmentID")

		// Attendance only once a session has started.
		const record = `mutation($id: ID!, $o: AttendanceOutcome!, $m: Int) { recordAttendance(input: {appointmentID: $id, outcome: $o, minutesLate: $m}) {
			appointment { status minutesLate noteStatus } userErrors { field message code } } }`
		future := s.mustDo(tok, schedule, slotInput(ann.ID, testNow.AddDate(0, 0, 2)))["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["id"]
		wantUserErrors(t, s.do(tok, record, map[string]any{"id": future, "o": "ATTENDED"}), "recordAttendance", "appointment", "POLICY_VIOLATION input.appointmentID")
		past := must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(ann.ID), appointment.StartsAtLT(testNow)).First(sys()))
		wantUserErrors(t, s.do(tok, record, map[string]any{"id": encodeID(past.ID), "o": "NO_SHOW", "m": 5}), "recordAttendance", "appointment", "BAD_USER_INPUT input.minutesLate")
		data = s.mustDo(tok, record, map[string]any{"id": encodeID(past.ID), "o": "ATTENDED", "m": 12})
		if got := data["recordAttendance"].(map[string]any)["appointment"].(map[string]any); got["status"] != "ATTENDED" || got["minutesLate"] != float64(12) || got["noteStatus"] != "MISSING" {
			t.Errorf("recorded = %v", got)
		}
	})
}

// TestConcurrentBookingsOfOneSlot: 20 requests book the same clinician's
// slot at once; exactly one wins, every other gets CONFLICT, and one session
// is written.
func TestConcurrentBookingsOfOneSlot(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		c := s.main.DB.Ent
		var clients []int
		for i := 0; i < 20; i++ {
			cl := must(c.ClientProfile.Create().SetPracticeID(f.practice.ID).SetFirstName("Racer").SetLastName("X").
				SetClinicianID(f.clinician.ID).SetStatus("ACTIVE").Save(sys()))
			clients = append(clients, cl.ID)
		}
		tok := s.token(f.clinicianUser)
		slot := testNow.Add(72 * time.Hour)
		var wg sync.WaitGroup
		codes := make(chan string, len(clients))
		start := make(chan struct{})
		for _, id := range clients {
			wg.Add(1)
			go func(id int) {
				defer wg.Done()
				<-start
				r := s.do(tok, schedule, slotInput(id, slot))
				codes <- r.code()
			}(id)
		}
		close(start)
		wg.Wait()
		close(codes)
		count := map[string]int{}
		for code := range codes {
			count[code]++
		}
		if count[""] != 1 || count["CONFLICT"] != len(clients)-1 {
			t.Errorf("outcomes %v, want exactly one success and %d CONFLICT", count, len(clients)-1)
		}
		n := must(c.Appointment.Query().Where(appointment.StartsAt(slot)).Count(sys()))
		if n != 1 {
			t.Errorf("%d sessions written for the slot, want 1", n)
		}
	})
}

// TestPostgresRefusesOverlapsOnItsOwn writes an overlapping session with
// plain SQL, past the ent hook: the exclusion constraint refuses it, and a
// cancelled session frees its slot. (SQLite has no such constraint: its
// write transactions are serialized, so the hook's check cannot race.)
func TestPostgresRefusesOverlapsOnItsOwn(t *testing.T) {
	s := newAPIServer(t, "postgres")
	f := s.seedPractice("North", "north.example")
	a := must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(f.ownClients[0].ID)).First(sys()))
	insert := `INSERT INTO appointments (created_at, updated_at, practice_id, client_id, clinician_id, starts_at, ends_at, kind, status, excused)
		VALUES (now(), now(), $1, $2, $3, $4, $5, 'THERAPY', $6, false)`
	_, err := s.main.DB.SQL.Exec(insert, f.practice.ID, f.ownClients[1].ID, f.clinician.ID, a.StartsAt.Add(10*time.Minute), a.EndsAt, "SCHEDULED")
	if err == nil || !strings.Contains(err.Error(), "appointments_clinician_no_overlap") {
		t.Errorf("overlapping insert: %v, want the clinician exclusion constraint", err)
	}
	_, err = s.main.DB.SQL.Exec(insert, f.practice.ID, f.ownClients[0].ID, f.other.ID, a.StartsAt, a.EndsAt, "SCHEDULED")
	if err == nil || !strings.Contains(err.Error(), "appointments_client_no_overlap") {
		t.Errorf("client double-booked: %v, want the client exclusion constraint", err)
	}
	if _, err := s.main.DB.SQL.Exec(insert, f.practice.ID, f.ownClients[1].ID, f.clinician.ID, a.StartsAt, a.EndsAt, "CANCELED"); err != nil {
		t.Errorf("a cancelled session in the same slot: %v, want it accepted", err)
	}
	if _, err := s.main.DB.SQL.Exec(insert, f.practice.ID, f.ownClients[1].ID, f.clinician.ID, a.EndsAt, a.EndsAt.Add(5*time.Minute), "SCHEDULED"); err != nil {
		t.Errorf("a session starting when the other ends: %v, want it accepted", err)
	}
}

// The scheduling mutations of the payload shape (issue 15): every refusal
// of the input arrives at once as userErrors, each with its code and its
// field, the payload's session is null, and nothing is written.
func TestSchedulingMutationsReportEveryRefusal(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann := f.ownClients[0]
		book := func(start time.Time) string {
			return s.mustDo(tok, schedule, slotInput(ann.ID, start))["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["id"].(string)
		}
		booked := book(testNow.Add(48 * time.Hour))
		bookedID, _ := decodeForTest(booked)
		unchanged := func(what string) {
			t.Helper()
			a := must(s.main.DB.Ent.Appointment.Get(sys(), bookedID))
			if a.Status != appointment.StatusSCHEDULED || !a.StartsAt.Equal(testNow.Add(48*time.Hour)) || a.CancelReason != nil {
				t.Errorf("%s wrote to the session: %s at %v (%v)", what, a.Status, a.StartsAt, a.CancelReason)
			}
		}
		// A session of another clinician's client: NOT_FOUND, as one that
		// does not exist.
		strangers := encodeID(must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(f.otherClients[0].ID)).First(sys())).ID)
		ts := func(t time.Time) string { return t.Format(time.RFC3339) }

		// rescheduleAppointment: an end before the start and a session not found.
		const reschedule = `mutation($in: RescheduleAppointmentInput!) { rescheduleAppointment(input: $in) { appointment { id } userErrors { field message code } } }`
		later := testNow.Add(72 * time.Hour)
		wantUserErrors(t, s.do(tok, reschedule, map[string]any{"in": map[string]any{"appointmentID": strangers, "startsAt": ts(later), "endsAt": ts(later.Add(-time.Hour))}}),
			"rescheduleAppointment", "appointment", "BAD_USER_INPUT input.endsAt", "NOT_FOUND input.appointmentID")
		// A start in the past and a session that is no longer booked.
		canceled := book(testNow.Add(96 * time.Hour))
		s.mustDo(tok, `mutation($id: ID!) { cancelAppointment(input: {appointmentID: $id, by: CLINICIAN}) { appointment { id } userErrors { code } } }`, map[string]any{"id": canceled})
		wantUserErrors(t, s.do(tok, reschedule, map[string]any{"in": map[string]any{"appointmentID": canceled, "startsAt": ts(testNow.Add(-time.Hour)), "endsAt": ts(testNow)}}),
			"rescheduleAppointment", "appointment", "BAD_USER_INPUT input.startsAt", "POLICY_VIOLATION input.appointmentID")
		// A move onto another session of the clinician: CONFLICT, about the input as a whole.
		other := book(later)
		wantUserErrors(t, s.do(tok, reschedule, map[string]any{"in": map[string]any{"appointmentID": booked, "startsAt": ts(later.Add(10 * time.Minute)), "endsAt": ts(later.Add(60 * time.Minute))}}),
			"rescheduleAppointment", "appointment", "CONFLICT null")
		unchanged("refused reschedules")

		// cancelAppointment: a session that has started and a reason too long.
		const cancel = `mutation($in: CancelAppointmentInput!) { cancelAppointment(input: $in) { appointment { id status } userErrors { field message code } } }`
		started := encodeID(must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(ann.ID), appointment.StartsAtLT(testNow)).First(sys())).ID)
		r := s.do(tok, cancel, map[string]any{"in": map[string]any{"appointmentID": started, "by": "CLIENT", "reason": strings.Repeat("x", 501)}})
		wantUserErrors(t, r, "cancelAppointment", "appointment", "POLICY_VIOLATION input.appointmentID", "BAD_USER_INPUT input.reason")
		if ue := r.userErrors("cancelAppointment"); len(ue) == 2 && (ue[0].Message != "the session has started: record attendance instead" || ue[1].Message != "reason: is too long: at most 500 characters") {
			t.Errorf("messages %q, %q: want each sentence on its field", ue[0].Message, ue[1].Message)
		}
		wantUserErrors(t, s.do(tok, cancel, map[string]any{"in": map[string]any{"appointmentID": strangers, "by": "CLIENT", "reason": strings.Repeat("x", 501)}}),
			"cancelAppointment", "appointment", "NOT_FOUND input.appointmentID", "BAD_USER_INPUT input.reason")
		wantUserErrors(t, s.do(tok, cancel, map[string]any{"in": map[string]any{"appointmentID": booked, "by": "CLIENT", "reason": strings.Repeat("x", 501)}}),
			"cancelAppointment", "appointment", "BAD_USER_INPUT input.reason")
		unchanged("refused cancellations")
		// Each refused call is audited on the session it named; the one not
		// found as a denial.
		ev := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action("cancelAppointment"), auditevent.OutcomeNEQ(auditevent.OutcomeSUCCESS)).
			Order(auditevent.ByID()).All(sys()))
		var audited []string
		for _, e := range ev {
			id := 0
			if e.EntityID != nil {
				id = *e.EntityID
			}
			audited = append(audited, fmt.Sprintf("%s %s %s %d", e.Outcome, e.Detail, e.EntityType, id))
		}
		startedID, _ := decodeForTest(started)
		strangersID, _ := decodeForTest(strangers)
		if want := []string{
			fmt.Sprintf("FAILED POLICY_VIOLATION Appointment %d", startedID),
			fmt.Sprintf("DENIED NOT_FOUND Appointment %d", strangersID),
			fmt.Sprintf("FAILED BAD_USER_INPUT Appointment %d", bookedID),
		}; !slices.Equal(audited, want) {
			t.Errorf("audit of refused cancellations:\n%s\nwant\n%s", strings.Join(audited, "\n"), strings.Join(want, "\n"))
		}

		// recordAttendance: a session not started, with minutes late on a no-show.
		const record = `mutation($in: RecordAttendanceInput!) { recordAttendance(input: $in) { appointment { id status } userErrors { field message code } } }`
		r = s.do(tok, record, map[string]any{"in": map[string]any{"appointmentID": booked, "outcome": "NO_SHOW", "minutesLate": 5}})
		wantUserErrors(t, r, "recordAttendance", "appointment", "POLICY_VIOLATION input.appointmentID", "BAD_USER_INPUT input.minutesLate")
		if ue := r.userErrors("recordAttendance"); len(ue) == 2 && ue[1].Message != "minutesLate: only an attended session has minutes late" {
			t.Errorf("message %q, want it on minutesLate", ue[1].Message)
		}
		wantUserErrors(t, s.do(tok, record, map[string]any{"in": map[string]any{"appointmentID": strangers, "outcome": "ATTENDED", "minutesLate": -1}}),
			"recordAttendance", "appointment", "NOT_FOUND input.appointmentID", "BAD_USER_INPUT input.minutesLate")
		unchanged("refused attendance")

		// excuseStrike: a blank reason for a session that is no strike.
		wantUserErrors(t, s.do(tok, `mutation($in: ExcuseStrikeInput!) { excuseStrike(input: $in) { appointment { id } userErrors { field message code } } }`,
			map[string]any{"in": map[string]any{"appointmentID": booked, "reason": " "}}),
			"excuseStrike", "appointment", "BAD_USER_INPUT input.reason", "POLICY_VIOLATION input.appointmentID")
		if a := must(s.main.DB.Ent.Appointment.Get(sys(), bookedID)); a.Excused {
			t.Error("a refused excuseStrike excused the session")
		}

		// Only the setup's writes stand: the cancelled session, the other
		// booking, no contact.
		for id, want := range map[string]appointment.Status{canceled: appointment.StatusCANCELED, other: appointment.StatusSCHEDULED} {
			n, _ := decodeForTest(id)
			if got := must(s.main.DB.Ent.Appointment.Get(sys(), n)).Status; got != want {
				t.Errorf("session %s is %s, want %s", id, got, want)
			}
		}
	})
}
