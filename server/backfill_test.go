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

		const pref = `mutation($id: ID!, $w: [AvailabilityWindowInput!]) { setBackfillPreference(clientId: $id, wantsEarlier: true, availability: $w) { backfillEligible availability { weekday startMinute endMinute } } }`
		p := s.mustDo(tok, pref, map[string]any{"id": encodeID(ben.ID), "w": []any{map[string]any{"weekday": "WEDNESDAY", "startMinute": 7 * 60, "endMinute": 9 * 60}}})["setBackfillPreference"].(map[string]any)
		if p["backfillEligible"] != true || len(p["availability"].([]any)) != 1 {
			t.Errorf("preference = %v", p)
		}
		// Cy can come only on Fridays: not for a Wednesday slot.
		s.mustDo(tok, pref, map[string]any{"id": encodeID(cy.ID), "w": []any{map[string]any{"weekday": "FRIDAY", "startMinute": 0, "endMinute": 1440}}})
		if r := s.do(tok, pref, map[string]any{"id": encodeID(cy.ID), "w": []any{map[string]any{"weekday": "FRIDAY", "startMinute": 600, "endMinute": 500}}}); r.code() != "BAD_USER_INPUT" {
			t.Errorf("a window ending before it starts: %+v, want BAD_USER_INPUT", r.Errors)
		}

		const fill = `mutation($a: ID!, $c: ID!) { fillSlot(canceledAppointmentId: $a, clientId: $c, keepLaterAppointment: false) { id startsAt filledFrom { id } client { firstName } } }`
		if r := s.do(tok, fill, map[string]any{"a": freed, "c": encodeID(ben.ID)}); r.code() != "POLICY_VIOLATION" {
			t.Errorf("filling a slot that is not cancelled: %+v, want POLICY_VIOLATION", r.Errors)
		}
		s.mustDo(tok, `mutation($id: ID!) { cancelAppointment(id: $id, by: CLIENT) { isLateCancel } }`, map[string]any{"id": freed})

		cands := s.mustDo(tok, `query($id: ID!) { backfillCandidates(appointmentID: $id) { client { firstName } waitDays } }`, map[string]any{"id": freed})
		if got := cands["backfillCandidates"].([]any); len(got) != 1 || got[0].(map[string]any)["client"].(map[string]any)["firstName"] != "Ben" {
			t.Errorf("candidates = %v, want only Ben (Cy's window is on Fridays)", got)
		}
		r := s.do(tok, fill, map[string]any{"a": freed, "c": encodeID(cy.ID)})
		if r.code() != "POLICY_VIOLATION" || !strings.Contains(r.Errors[0].Message, "availability") {
			t.Errorf("an ineligible client: %+v, want POLICY_VIOLATION naming the availability windows", r.Errors)
		}

		booked := s.mustDo(tok, fill, map[string]any{"a": freed, "c": encodeID(ben.ID)})["fillSlot"].(map[string]any)
		if booked["filledFrom"].(map[string]any)["id"] != freed || booked["startsAt"] != slot.Format(time.RFC3339) {
			t.Errorf("filled = %v", booked)
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
		if r := s.do(tok, fill, map[string]any{"a": freed, "c": encodeID(ben.ID)}); r.code() != "CONFLICT" {
			t.Errorf("filling a filled slot: %+v, want CONFLICT", r.Errors)
		}
	})
}
