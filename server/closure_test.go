package main

import (
	"strings"
	"testing"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
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
		w := s.mustDo(tok, `mutation($id: ID!) { sendClosureWarning(input: {clientID: $id, channel: EMAIL}) { message contact { purpose direction closeBy } userErrors { field message code } } }`,
			map[string]any{"id": id})["sendClosureWarning"].(map[string]any)
		if got := w["contact"].(map[string]any)["closeBy"]; got != "2026-03-24" {
			t.Errorf("default close-by %v, want 2026-03-24 (today + 14 days)", got)
		}
		if !strings.Contains(w["message"].(string), "Tuesday, March 24, 2026") {
			t.Errorf("message %q does not name the close-by date", w["message"])
		}
		contacts := func() int { return must(s.main.DB.Ent.Contact.Query().Count(sys())) }
		before := contacts()
		r := s.do(tok, `mutation($id: ID!) { sendClosureWarning(input: {clientID: $id, channel: EMAIL, closeBy: "2026-03-10"}) { message contact { id } userErrors { field message code } } }`, map[string]any{"id": id})
		wantUserErrors(t, r, "sendClosureWarning", "contact", "BAD_USER_INPUT input.closeBy")
		if p := r.Data["sendClosureWarning"].(map[string]any); p["message"] != nil {
			t.Errorf("a refused warning's message = %v, want null", p["message"])
		}
		wantRows(t, "contacts after a refused warning", contacts(), before)

		// Close: episode closed, future session cancelled by the practice, off the backfill list, termination note due.
		must(ann.Update().SetWantsEarlierAppointment(true).Save(sys()))
		c := s.mustDo(tok, `mutation($id: ID!) { closeCase(input: {clientID: $id, reason: INACTIVE}) { client { status backfillEligible episodes { closedAt closeReason }
			paperworkDue { documentKind } terminationRecommendation { action } } userErrors { field message code } } }`, map[string]any{"id": id})["closeCase"].(map[string]any)["client"].(map[string]any)
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
		wantUserErrors(t, s.do(tok, `mutation($id: ID!) { closeCase(input: {clientID: $id, reason: INACTIVE}) { client { id } userErrors { field message code } } }`, map[string]any{"id": id}),
			"closeCase", "client", "POLICY_VIOLATION input.clientID")

		// Reopen: a new episode, strikes start again.
		const reopen = `mutation($id: ID!) { reopenCase(input: {clientID: $id}) { client { status strikeCount episodes { closedAt } } userErrors { field message code } } }`
		re := s.mustDo(tok, reopen, map[string]any{"id": id})["reopenCase"].(map[string]any)["client"].(map[string]any)
		if re["status"] != "ACTIVE" || re["strikeCount"] != float64(0) || len(re["episodes"].([]any)) != 2 {
			t.Errorf("reopened = %v", re)
		}
		wantUserErrors(t, s.do(tok, reopen, map[string]any{"id": id}), "reopenCase", "client", "POLICY_VIOLATION input.clientID")
	})
}

func TestCloseCasesIsAllOrNothing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		g := s.seedPractice("South", "south.example")
		closed := f.otherClients[0]
		must(closed.Update().SetStatus(clientprofile.StatusCLOSED).Save(sys()))
		waiting := must(s.main.DB.Ent.ClientProfile.Create().SetPracticeID(f.practice.ID).SetFirstName("Wai").SetLastName("Ting").Save(sys()))
		const sweep = `mutation($ids: [ID!]!) { closeCases(input: {clientIDs: $ids, reason: INACTIVE}) { clients { id status } userErrors { field message code } } }`
		closedCount := func() int {
			return must(s.main.DB.Ent.ClientProfile.Query().Where(clientprofile.StatusEQ(clientprofile.StatusCLOSED)).Count(sys()))
		}
		closedEpisodes := func() int { return must(s.main.DB.Ent.Episode.Query().Where(episode.ClosedAtNotNil()).Count(sys())) }
		before, episodesBefore := closedCount(), closedEpisodes()
		admin := s.token(f.admin)

		// Two closable clients among a closed one, one of another practice,
		// one that exists nowhere, a waitlisted one and a repeat: a
		// userError on each bad index, in one response, and none closed.
		ids := []string{encodeID(f.ownClients[0].ID), encodeID(closed.ID), encodeID(f.ownClients[1].ID),
			encodeID(g.ownClients[0].ID), encodeID(1 << 30), encodeID(waiting.ID), encodeID(f.ownClients[0].ID)}
		r := s.do(admin, sweep, map[string]any{"ids": ids})
		wantUserErrors(t, r, "closeCases", "clients",
			"POLICY_VIOLATION input.clientIDs.1", "NOT_FOUND input.clientIDs.3", "NOT_FOUND input.clientIDs.4",
			"POLICY_VIOLATION input.clientIDs.5", "BAD_USER_INPUT input.clientIDs.6")
		for _, ue := range r.userErrors("closeCases") {
			if !strings.Contains(ue.Message, " ") && ue.Message != "not found" {
				t.Errorf("userError message %q, want a sentence", ue.Message)
			}
			for _, name := range []string{closed.FirstName, waiting.FirstName, f.ownClients[0].FirstName} {
				if strings.Contains(ue.Message, name) {
					t.Errorf("userError message %q names a client", ue.Message)
				}
			}
		}
		wantRows(t, "closed clients after a refused sweep", closedCount(), before)
		wantRows(t, "closed episodes after a refused sweep", closedEpisodes(), episodesBefore)

		// Not an admin: FORBIDDEN, about the call as a whole.
		wantUserErrors(t, s.do(s.token(f.clinicianUser), sweep, map[string]any{"ids": ids[:1]}), "closeCases", "clients", "FORBIDDEN null")
		// More than a page of clients: a limit of every list argument,
		// refused before the mutation runs (top-level, like the others).
		many := make([]string, 101)
		for i := range many {
			many[i] = ids[0]
		}
		wantTopLevel(t, "101 clients", "BAD_USER_INPUT", "closeCases", s.do(admin, sweep, map[string]any{"ids": many}))

		data := s.mustDo(admin, sweep, map[string]any{"ids": []string{ids[0], ids[2]}})
		if got := data["closeCases"].(map[string]any)["clients"].([]any); len(got) != 2 || got[0].(map[string]any)["status"] != "CLOSED" {
			t.Errorf("closed %v, want both", got)
		}
		wantRows(t, "closed clients after the sweep", closedCount(), before+2)
		// Audited per client, as before the payload.
		evs := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action("closeCases"), auditevent.OutcomeEQ(auditevent.OutcomeSUCCESS)).All(sys()))
		if len(evs) != 2 || evs[0].EntityType != "Client" || evs[0].ClientID == nil {
			t.Errorf("audit events of the sweep %+v, want one per client", evs)
		}
	})
}
