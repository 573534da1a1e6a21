package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/internal/testdb"
)

// lastEvent is the newest audit event of action.
func (s *apiServer) lastEvent(action string) *ent.AuditEvent {
	s.t.Helper()
	return must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action(action)).Order(ent.Desc(auditevent.FieldID)).First(sys()))
}

// TestAuditEventSaysWhatChanged: each change's event carries the fields it
// changed, old and new values, and no value of a PHI field (issue 17.6).
func TestAuditEventSaysWhatChanged(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin, clinician := s.token(f.admin), s.token(f.clinicianUser)

		const policy = `mutation($in: UpdatePolicyInput!) { updatePolicy(input: $in) { practice { id } userErrors { field message code } } }`
		s.mustDo(admin, policy, map[string]any{"in": map[string]any{"strikeLimit": 2, "inactivityDays": 45}})
		ev := s.lastEvent("updatePolicy")
		want := fmt.Sprintf(`{"changes":[{"type":"Practice","id":%d,"field":"policy.inactivityDays","old":30,"new":45},{"type":"Practice","id":%[1]d,"field":"policy.strikeLimit","old":3,"new":2}]}`, f.practice.ID)
		if ev.Outcome != auditevent.OutcomeSUCCESS || ev.Detail != want {
			t.Errorf("policy change: %s %s, want SUCCESS %s", ev.Outcome, ev.Detail, want)
		}

		// An excuse withdrawn (an admin's correction): excused true -> false,
		// the reason's removal named without its text.
		const reasonText = "Flu, and a custody hearing that morning"
		own := must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(f.ownClients[0].ID)).First(sys()))
		must(own.Update().SetStatus(appointment.StatusNO_SHOW).SetExcused(true).SetExcuseReason(reasonText).Save(sys()))
		const correct = `mutation($in: UpdateAppointmentInput!) { updateAppointment(input: $in) { appointment { id } userErrors { field message code } } }`
		s.mustDo(admin, correct, map[string]any{"in": map[string]any{"appointmentID": encodeID(own.ID), "excused": false, "clearExcuseReason": true}})
		ev = s.lastEvent("updateAppointment")
		want = fmt.Sprintf(`{"changes":[{"type":"Appointment","id":%d,"field":"excused","old":true,"new":false},{"type":"Appointment","id":%[1]d,"field":"excuseReason","changed":true}]}`, own.ID)
		if ev.Detail != want {
			t.Errorf("excuse withdrawn: %s, want %s", ev.Detail, want)
		}

		// Clinical text and names: the field, never the value.
		const cancelText = "Client disclosed a relapse"
		s.mustDo(admin, correct, map[string]any{"in": map[string]any{"appointmentID": encodeID(own.ID), "cancelReason": cancelText}})
		ev = s.lastEvent("updateAppointment")
		want = fmt.Sprintf(`{"changes":[{"type":"Appointment","id":%d,"field":"cancelReason","changed":true}]}`, own.ID)
		if ev.Detail != want {
			t.Errorf("cancel reason: %s, want %s", ev.Detail, want)
		}
		c := must(s.main.DB.Ent.Contact.Create().SetPracticeID(f.practice.ID).SetClientID(f.ownClients[0].ID).SetClinicianID(f.clinician.ID).
			SetChannel(contact.ChannelPHONE).SetDirection(contact.DirectionOUTBOUND).SetPurpose(contact.PurposeOTHER).
			SetOccurredAt(testNow.Add(-time.Hour)).SetNote("first note").Save(sys()))
		const noteText = "Talked about the divorce"
		s.mustDo(clinician, `mutation($in: UpdateContactInput!) { updateContact(input: $in) { contact { id } userErrors { field message code } } }`,
			map[string]any{"in": map[string]any{"contactID": encodeID(c.ID), "note": noteText, "billableMinutes": 15}})
		ev = s.lastEvent("updateContact")
		want = fmt.Sprintf(`{"changes":[{"type":"Contact","id":%d,"field":"billableMinutes","old":0,"new":15},{"type":"Contact","id":%[1]d,"field":"note","changed":true}]}`, c.ID)
		if ev.Detail != want {
			t.Errorf("contact note: %s, want %s", ev.Detail, want)
		}
		s.mustDo(clinician, `mutation($in: UpdateClientInput!) { updateClient(input: $in) { client { id } userErrors { field message code } } }`,
			map[string]any{"in": map[string]any{"clientID": encodeID(f.ownClients[0].ID), "firstName": "Annabel"}})
		if ev = s.lastEvent("updateClient"); !strings.Contains(ev.Detail, `"field":"firstName","changed":true`) {
			t.Errorf("a name change: %s, want firstName named without its value", ev.Detail)
		}

		// Refused, failed or rolled back: no changes, and the policy stands.
		r := s.do(admin, policy, map[string]any{"in": map[string]any{"strikeLimit": 0}})
		if r.code() != "BAD_USER_INPUT" {
			t.Fatalf("refused policy: %+v %+v", r.Errors, r.refusals())
		}
		if ev = s.lastEvent("updatePolicy"); ev.Outcome == auditevent.OutcomeSUCCESS || strings.Contains(ev.Detail, "changes") {
			t.Errorf("a refused change: %s %q, want no changes", ev.Outcome, ev.Detail)
		}
		r = s.do(admin, `mutation { a: updatePolicy(input: {strikeLimit: 5}) { practice { id } userErrors { code } } b: updatePolicy(input: {strikeLimit: 0}) { practice { id } userErrors { code } } }`, nil)
		if len(r.refusals()) == 0 {
			t.Fatalf("the second half of the operation was not refused: %+v", r.Errors)
		}
		events := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action("updatePolicy")).Order(ent.Desc(auditevent.FieldID)).Limit(2).All(sys()))
		for _, ev := range events {
			if ev.Outcome == auditevent.OutcomeSUCCESS || strings.Contains(ev.Detail, "changes") {
				t.Errorf("rolled back with the operation: %s %q, want no changes", ev.Outcome, ev.Detail)
			}
		}
		if got := must(s.main.DB.Ent.Practice.Get(sys(), f.practice.ID)).Policy.StrikeLimit; got != 2 {
			t.Errorf("strike limit %d after the rolled-back change, want 2", got)
		}

		// No text of the record is anywhere in the log.
		for _, e := range must(s.main.DB.Ent.AuditEvent.Query().All(sys())) {
			for _, text := range []string{reasonText, cancelText, noteText, "first note", "Annabel", "Flu", "relapse", "divorce"} {
				if strings.Contains(e.Detail, text) {
					t.Errorf("event %s %d holds %q: %s", e.Action, e.ID, text, e.Detail)
				}
			}
			if e.Detail != "" && strings.HasPrefix(e.Detail, "{") && !json.Valid([]byte(e.Detail)) {
				t.Errorf("event %s %d: detail not JSON: %s", e.Action, e.ID, e.Detail)
			}
		}
	})
}

// TestBulkChangesListEachRowWithinTheLimit: closing a case cancels its
// future sessions in one bulk update; the event lists each session's new
// status, and a detail too long for the log leaves whole changes out and
// counts them, staying JSON.
func TestBulkChangesListEachRowWithinTheLimit(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		client := f.ownClients[1]
		for i := 0; i < 20; i++ {
			start := testNow.AddDate(0, 0, 2+i)
			must(s.main.DB.Ent.Appointment.Create().SetPracticeID(f.practice.ID).SetClientID(client.ID).SetClinicianID(f.clinician.ID).
				SetStartsAt(start).SetEndsAt(start.Add(50 * time.Minute)).Save(sys()))
		}
		r := s.do(s.token(f.clinicianUser), `mutation($in: CloseCaseInput!) { closeCase(input: $in) { client { id status } userErrors { field message code } } }`,
			map[string]any{"in": map[string]any{"clientID": encodeID(client.ID), "reason": "CLIENT_REQUEST"}})
		if len(r.Errors) > 0 || len(r.refusals()) > 0 {
			t.Fatalf("closeCase: %+v %+v", r.Errors, r.refusals())
		}
		ev := s.lastEvent("closeCase")
		var detail struct {
			Changes []struct {
				Type, Field string
				ID          int
				Old, New    any
			}
			More int
		}
		if err := json.Unmarshal([]byte(ev.Detail), &detail); err != nil || len(ev.Detail) > 1000 {
			t.Fatalf("detail of %d bytes, not JSON within 1000 (%v): %s", len(ev.Detail), err, ev.Detail)
		}
		canceled := 0
		for _, c := range detail.Changes {
			if c.Type == "Appointment" && c.Field == "status" && c.New == "CANCELED" && c.Old == nil {
				canceled++
			}
		}
		if canceled == 0 || detail.More == 0 {
			t.Errorf("closeCase: %d sessions canceled in the detail and %d more, want both: %s", canceled, detail.More, ev.Detail)
		}
	})
}
