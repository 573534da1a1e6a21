package main

import (
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/internal/testdb"
)

func TestFillACancelledSlotFromTheBackfillList(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann, ben, cy := f.ownClients[0], f.ownClients[1], f.ownClients[2]
		slot := testNow.Add(20 * time.Hour) // Wednesday 2026-03-11 07:00 New York
		freed := s.mustDo(tok, schedule, slotInput(ann.ID, slot))["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["id"]
		benLater := s.mustDo(tok, schedule, slotInput(ben.ID, testNow.AddDate(0, 0, 9)))["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["id"]
		s.mustDo(tok, schedule, slotInput(cy.ID, testNow.AddDate(0, 0, 5)))

		const pref = `mutation($id: ID!, $w: [AvailabilityWindowInput!]) { setBackfillPreference(input: {clientID: $id, wantsEarlier: true, availability: $w}) {
			client { backfillEligible availability { weekday startMinute endMinute } } userErrors { field message code } } }`
		p := s.mustDo(tok, pref, map[string]any{"id": encodeID(ben.ID), "w": []any{map[string]any{"weekday": "WEDNESDAY", "startMinute": 7 * 60, "endMinute": 9 * 60}}})["setBackfillPreference"].(map[string]any)["client"].(map[string]any)
		if p["backfillEligible"] != true || len(p["availability"].([]any)) != 1 {
			t.Errorf("preference = %v", p)
		}
		// Cy can come only on Fridays: not for a Wednesday slot.
		s.mustDo(tok, pref, map[string]any{"id": encodeID(cy.ID), "w": []any{map[string]any{"weekday": "FRIDAY", "startMinute": 0, "endMinute": 1440}}})
		wantUserErrors(t, s.do(tok, pref, map[string]any{"id": encodeID(cy.ID), "w": []any{map[string]any{"weekday": "FRIDAY", "startMinute": 600, "endMinute": 500}}}),
			"setBackfillPreference", "client", "BAD_USER_INPUT input.availability.0.endMinute")

		const fill = `mutation($a: ID!, $c: ID!) { fillSlot(input: {canceledAppointmentID: $a, clientID: $c, keepLaterAppointment: false}) {
			appointment { id startsAt filledFrom { id } client { firstName } } canceledAppointment { id status } laterAppointment { id status }
			userErrors { field message code } } }`
		wantUserErrors(t, s.do(tok, fill, map[string]any{"a": freed, "c": encodeID(ben.ID)}),
			"fillSlot", "appointment", "POLICY_VIOLATION input.canceledAppointmentID")
		s.mustDo(tok, `mutation($id: ID!) { cancelAppointment(input: {appointmentID: $id, by: CLIENT}) { appointment { isLateCancel } userErrors { code } } }`, map[string]any{"id": freed})

		cands := s.mustDo(tok, `query($id: ID!) { backfillCandidates(appointmentID: $id) { client { firstName } waitDays } }`, map[string]any{"id": freed})
		if got := cands["backfillCandidates"].([]any); len(got) != 1 || got[0].(map[string]any)["client"].(map[string]any)["firstName"] != "Ben" {
			t.Errorf("candidates = %v, want only Ben (Cy's window is on Fridays)", got)
		}
		r := s.do(tok, fill, map[string]any{"a": freed, "c": encodeID(cy.ID)})
		wantUserErrors(t, r, "fillSlot", "appointment", "POLICY_VIOLATION input.clientID")
		if !strings.Contains(r.message(), "availability") {
			t.Errorf("an ineligible client: %q, want the reason naming the availability windows", r.message())
		}

		filled := s.mustDo(tok, fill, map[string]any{"a": freed, "c": encodeID(ben.ID)})["fillSlot"].(map[string]any)
		booked := filled["appointment"].(map[string]any)
		if booked["filledFrom"].(map[string]any)["id"] != freed || booked["startsAt"] != slot.Format(time.RFC3339) {
			t.Errorf("filled = %v", booked)
		}
		if c := filled["canceledAppointment"].(map[string]any); c["id"] != freed || c["status"] != "CANCELED" {
			t.Errorf("the cancelled session of the payload = %v, want %v", c, freed)
		}
		if l := filled["laterAppointment"].(map[string]any); l["id"] != benLater || l["status"] != "CANCELED" {
			t.Errorf("the later session of the payload = %v, want %v cancelled", l, benLater)
		}
		lid, _ := decodeForTest(benLater)
		later := must(s.main.DB.Ent.Appointment.Get(sys(), lid))
		if later.Status != appointment.StatusCANCELED || *later.CanceledBy != appointment.CanceledByCLIENT || !later.Excused {
			t.Errorf("Ben's later session: %s by %v excused=%v, want cancelled by the client, excused", later.Status, later.CanceledBy, later.Excused)
		}
		strikes := s.mustDo(tok, `query($id: ID!) { node(id: $id) { ... on Client { strikeCount } } }`, map[string]any{"id": encodeID(ben.ID)})
		if strikes["node"].(map[string]any)["strikeCount"] != float64(0) {
			t.Errorf("moving up from the backfill list cost a strike: %v", strikes)
		}
		sessions := func() int { return must(s.main.DB.Ent.Appointment.Query().Count(sys())) }
		before := sessions()
		// Ben again: the slot is taken, by him, and so his next session is
		// the slot itself.
		wantUserErrors(t, s.do(tok, fill, map[string]any{"a": freed, "c": encodeID(ben.ID)}),
			"fillSlot", "appointment", "CONFLICT input.canceledAppointmentID", "CONFLICT null", "POLICY_VIOLATION input.clientID")
		wantRows(t, "sessions after filling a filled slot", sessions(), before)
	})
}

// setBackfillPreference names each bad window of the list by its index,
// every one in the same response, and writes nothing of the good ones.
func TestSetBackfillPreferenceReportsEachBadWindow(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann := f.ownClients[0]
		const pref = `mutation($in: SetBackfillPreferenceInput!) { setBackfillPreference(input: $in) { client { id availability { weekday } } userErrors { field message code } } }`
		window := func(day string, start, end int) map[string]any {
			return map[string]any{"weekday": day, "startMinute": start, "endMinute": end}
		}
		r := s.do(tok, pref, map[string]any{"in": map[string]any{"clientID": encodeID(ann.ID), "wantsEarlier": true, "availability": []any{
			window("MONDAY", 9*60, 12*60),
			window("TUESDAY", 12*60, 9*60),
			window("WEDNESDAY", 9*60, 10*60),
			window("THURSDAY", -5, 24*60+1),
			window("FRIDAY", 600, 600),
		}}})
		wantUserErrors(t, r, "setBackfillPreference", "client",
			"BAD_USER_INPUT input.availability.1.endMinute", "BAD_USER_INPUT input.availability.3.startMinute",
			"BAD_USER_INPUT input.availability.3.endMinute", "BAD_USER_INPUT input.availability.4.endMinute")
		for _, ue := range r.userErrors("setBackfillPreference") {
			if !strings.HasPrefix(ue.Message, strings.Join(ue.Field[1:], ".")+": ") || !strings.Contains(ue.Message, "must") {
				t.Errorf("message %q of %v, want a sentence naming the window's field", ue.Message, ue.Field)
			}
		}
		got := must(s.main.DB.Ent.ClientProfile.Get(sys(), ann.ID))
		if got.WantsEarlierAppointment || len(got.Availability) != 0 {
			t.Errorf("after a refusal: wants earlier %v, windows %v; want nothing written", got.WantsEarlierAppointment, got.Availability)
		}

		// A client out of the caller's scope and a bad window, at once.
		r = s.do(tok, pref, map[string]any{"in": map[string]any{"clientID": encodeID(f.otherClients[0].ID), "wantsEarlier": true,
			"availability": []any{window("MONDAY", 600, 500)}}})
		wantUserErrors(t, r, "setBackfillPreference", "client", "BAD_USER_INPUT input.availability.0.endMinute", "NOT_FOUND input.clientID")
		if other := must(s.main.DB.Ent.ClientProfile.Get(sys(), f.otherClients[0].ID)); other.WantsEarlierAppointment {
			t.Error("another clinician's client was put on the list")
		}
	})
}
