package main

import (
	"strings"
	"testing"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/testdb"
)

func TestWarnCloseAndReopen(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann := f.ownClients[0]
		id := encodeID(ann.ID)
		future := s.mustDo(tok, schedule, slotInput(ann.ID, testNow.AddDate(0, 0, 3)))["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["id"]

		// Warn: the close-by date defaults to today + 14 days, and must lie ahead.
		w := s.mustDo(tok, `mutation($id: ID!) { sendClosureWarning(clientId: $id, channel: EMAIL) { message contact { purpose direction closeBy } } }`,
			map[string]any{"id": id})["sendClosureWarning"].(map[string]any)
		if got := w["contact"].(map[string]any)["closeBy"]; got != "2026-03-24" {
			t.Errorf("default close-by %v, want 2026-03-24 (today + 14 days)", got)
		}
		if !strings.Contains(w["message"].(string), "Tuesday, March 24, 2026") {
			t.Errorf("message %q does not name the close-by date", w["message"])
		}
		if r := s.do(tok, `mutation($id: ID!) { sendClosureWarning(clientId: $id, channel: EMAIL, closeBy: "2026-03-10") { message } }`, map[string]any{"id": id}); r.code() != "BAD_USER_INPUT" {
			t.Errorf("close-by today: %+v, want BAD_USER_INPUT", r.Errors)
		}

		// Close: episode closed, future session cancelled by the practice, off the backfill list, termination note due.
		must(ann.Update().SetWantsEarlierAppointment(true).Save(sys()))
		c := s.mustDo(tok, `mutation($id: ID!) { closeCase(clientId: $id, reason: INACTIVE) { status backfillEligible episodes { closedAt closeReason }
			paperworkDue { documentKind } terminationRecommendation { action } } }`, map[string]any{"id": id})["closeCase"].(map[string]any)
		if c["status"] != "CLOSED" || c["backfillEligible"] != false || c["terminationRecommendation"].(map[string]any)["action"] != "NONE" {
			t.Errorf("closed client = %v", c)
		}
		if ep := c["episodes"].([]any)[0].(map[string]any); ep["closeReason"] != "INACTIVE" || ep["closedAt"] == nil {
			t.Errorf("episode = %v", ep)
		}
		kinds := []string{}
		for _, p := range c["paperworkDue"].([]any) {
			kinds = append(kinds, p.(map[string]any)["documentKind"].(string))
		}
		if !strings.Contains(strings.Join(kinds, " "), "TERMINATION_NOTE") {
			t.Errorf("paperwork after closing = %v, want a TERMINATION_NOTE", kinds)
		}
		fid, _ := decodeForTest(future)
		a := must(s.main.DB.Ent.Appointment.Get(sys(), fid))
		if a.Status != appointment.StatusCANCELED || a.CanceledBy == nil || *a.CanceledBy != appointment.CanceledByPRACTICE {
			t.Errorf("future session after closing: %s by %v, want CANCELED by PRACTICE", a.Status, a.CanceledBy)
		}
		if r := s.do(tok, `mutation($id: ID!) { closeCase(clientId: $id, reason: INACTIVE) { id } }`, map[string]any{"id": id}); r.code() != "POLICY_VIOLATION" {
			t.Errorf("closing a closed case: %+v, want POLICY_VIOLATION", r.Errors)
		}

		// Reopen: a new episode, strikes start again.
		r := s.mustDo(tok, `mutation($id: ID!) { reopenCase(clientId: $id) { status strikeCount episodes { closedAt } } }`, map[string]any{"id": id})["reopenCase"].(map[string]any)
		if r["status"] != "ACTIVE" || r["strikeCount"] != float64(0) || len(r["episodes"].([]any)) != 2 {
			t.Errorf("reopened = %v", r)
		}
	})
}

func TestCloseCasesIsAllOrNothing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		closed := f.otherClients[0]
		must(closed.Update().SetStatus(clientprofile.StatusCLOSED).Save(sys()))
		const sweep = `mutation($ids: [ID!]!) { closeCases(clientIds: $ids, reason: INACTIVE) { id status } }`
		ids := []string{encodeID(f.ownClients[0].ID), encodeID(f.ownClients[1].ID), encodeID(closed.ID)}
		if r := s.do(s.token(f.admin), sweep, map[string]any{"ids": ids}); r.code() != "POLICY_VIOLATION" {
			t.Fatalf("sweep with a closed client: %+v, want POLICY_VIOLATION", r.Errors)
		}
		if n := must(s.main.DB.Ent.ClientProfile.Query().Where(clientprofile.StatusEQ(clientprofile.StatusCLOSED)).Count(sys())); n != 1 {
			t.Errorf("%d clients closed after a refused sweep, want only the one already closed", n)
		}
		if r := s.do(s.token(f.clinicianUser), sweep, map[string]any{"ids": ids[:2]}); r.code() != "FORBIDDEN" {
			t.Errorf("a clinician's sweep: %+v, want FORBIDDEN", r.Errors)
		}
		data := s.mustDo(s.token(f.admin), sweep, map[string]any{"ids": ids[:2]})
		if got := len(data["closeCases"].([]any)); got != 2 {
			t.Errorf("closed %d, want 2", got)
		}
	})
}
