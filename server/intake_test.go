package main

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/newclientrequest"
	"github.com/caseload/caseload/internal/testdb"
)

const (
	requestClients = `mutation($n: Int, $note: String, $who: ID) { requestNewClients(count: $n, note: $note, clinicianId: $who) { id count note status assignedCount clinician { name } } }`
	assignClient   = `mutation($in: AssignClientInput!) { assignClient(input: $in) {
  client { status clinician { name } strikeCount daysSinceSeen nextAppointment { kind startsAt } }
  episode { openedAt closedAt }
  intake { kind status startsAt episode { id } }
  request { status assignedCount count closedAt }
} }`
)

func (s *apiServer) waitlisted(f *practiceFixture, first string) *ent.ClientProfile {
	return must(s.main.DB.Ent.ClientProfile.Create().SetPracticeID(f.practice.ID).SetFirstName(first).SetLastName("Waiting").
		SetStatus(clientprofile.StatusWAITLIST).Save(sys()))
}

func assignInput(clientID, clinicianID int, start time.Time) map[string]any {
	return map[string]any{"in": map[string]any{
		"clientID": encodeID(clientID), "clinicianID": encodeID(clinicianID),
		"intakeStartsAt": start.Format(time.RFC3339), "intakeEndsAt": start.Add(time.Hour).Format(time.RFC3339),
	}}
}

func TestNewClientsFromRequestToIntake(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		clin, admin := s.token(f.clinicianUser), s.token(f.admin)

		// The default count is caseload health's recommendation.
		health := s.mustDo(clin, `{ me { clinician { caseloadHealth { status newClientsToRequest } } } }`, nil)["me"].(map[string]any)["clinician"].(map[string]any)["caseloadHealth"].(map[string]any)
		if health["status"] != "UNDER" || health["newClientsToRequest"].(float64) < 1 {
			t.Fatalf("fixture health = %v, want UNDER with clients to request", health)
		}
		req := s.mustDo(clin, requestClients, map[string]any{"note": "  adolescents welcome  "})["requestNewClients"].(map[string]any)
		if req["count"] != health["newClientsToRequest"] || req["status"] != "OPEN" || req["note"] != "adolescents welcome" || req["clinician"].(map[string]any)["name"] != "Cli Nician" {
			t.Errorf("request = %v, want the recommended %v", req, health["newClientsToRequest"])
		}
		if r := s.do(clin, requestClients, map[string]any{"n": 2}); r.code() != "POLICY_VIOLATION" || !strings.Contains(r.Errors[0].Message, "open request") {
			t.Errorf("a second open request: %+v, want POLICY_VIOLATION", r.Errors)
		}
		if r := s.do(clin, requestClients, map[string]any{"n": 2, "who": encodeID(f.other.ID)}); r.code() != "FORBIDDEN" {
			t.Errorf("asking for another clinician: %+v, want FORBIDDEN", r.Errors)
		}
		if r := s.do(s.token(f.otherUser), requestClients, map[string]any{"n": 0}); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "count" {
			t.Errorf("asking for none: %+v, want BAD_USER_INPUT on count", r.Errors)
		}
		if r := s.do(s.token(f.analyst), requestClients, map[string]any{"n": 1}); r.code() == "" {
			t.Errorf("an analyst asked for clients: %+v", r.Data)
		}

		// Intake sees every open request; a clinician only their own.
		const open = `{ newClientRequests(first: 10, where: {status: OPEN}) { totalCount edges { node { clinician { name } } } } }`
		if n := s.mustDo(admin, open, nil)["newClientRequests"].(map[string]any)["totalCount"]; n != float64(1) {
			t.Errorf("admin sees %v open requests, want 1", n)
		}
		if n := s.mustDo(s.token(f.otherUser), open, nil)["newClientRequests"].(map[string]any)["totalCount"]; n != float64(0) {
			t.Errorf("another clinician sees %v open requests, want 0", n)
		}

		wait := s.waitlisted(f, "Wren")
		intakeAt := time.Date(2026, time.March, 12, 18, 0, 0, 0, time.UTC)
		if r := s.do(clin, assignClient, assignInput(wait.ID, f.clinician.ID, intakeAt)); r.code() != "FORBIDDEN" {
			t.Errorf("a clinician assigning: %+v, want FORBIDDEN", r.Errors)
		}
		// An intake at a time the clinician is busy: CONFLICT, nothing written.
		busy := time.Date(2026, time.March, 12, 14, 0, 0, 0, time.UTC)
		s.mustDo(clin, schedule, slotInput(f.ownClients[0].ID, busy))
		if r := s.do(admin, assignClient, assignInput(wait.ID, f.clinician.ID, busy.Add(-30*time.Minute))); r.code() != "CONFLICT" {
			t.Errorf("an intake that collides: %+v, want CONFLICT", r.Errors)
		}
		if c := must(s.main.DB.Ent.ClientProfile.Get(sys(), wait.ID)); c.Status != clientprofile.StatusWAITLIST || c.ClinicianID != nil {
			t.Errorf("after a refused assignment the client is %s with clinician %v, want untouched", c.Status, c.ClinicianID)
		}
		if n := must(s.main.DB.Ent.ClientProfile.QueryEpisodes(wait).Count(sys())); n != 0 {
			t.Errorf("a refused assignment left %d episodes", n)
		}
		if r := s.do(admin, assignClient, assignInput(wait.ID, f.clinician.ID, testNow.Add(-time.Hour))); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "intakeStartsAt" {
			t.Errorf("an intake in the past: %+v, want BAD_USER_INPUT on intakeStartsAt", r.Errors)
		}

		got := s.mustDo(admin, assignClient, assignInput(wait.ID, f.clinician.ID, intakeAt))["assignClient"].(map[string]any)
		client, intake, request := got["client"].(map[string]any), got["intake"].(map[string]any), got["request"].(map[string]any)
		if client["status"] != "ACTIVE" || client["clinician"].(map[string]any)["name"] != "Cli Nician" || client["strikeCount"] != float64(0) || client["daysSinceSeen"] != float64(0) {
			t.Errorf("assigned client = %v", client)
		}
		if next, _ := client["nextAppointment"].(map[string]any); next == nil || next["kind"] != "INTAKE" {
			t.Errorf("the client's next appointment = %v, want the intake", client["nextAppointment"])
		}
		if intake["kind"] != "INTAKE" || intake["status"] != "SCHEDULED" || intake["startsAt"] != intakeAt.Format(time.RFC3339) || intake["episode"] == nil {
			t.Errorf("intake = %v", intake)
		}
		if got["episode"].(map[string]any)["closedAt"] != nil {
			t.Errorf("episode = %v, want open", got["episode"])
		}
		if request["assignedCount"] != float64(1) {
			t.Errorf("request after one assignment = %v", request)
		}
		// The clinician now sees the client.
		if r := s.mustDo(clin, `query($id: ID!) { node(id: $id) { ... on Client { firstName } } }`, map[string]any{"id": encodeID(wait.ID)}); r["node"] == nil {
			t.Errorf("the clinician cannot see the assigned client")
		}
		if r := s.do(admin, assignClient, assignInput(wait.ID, f.clinician.ID, intakeAt.Add(24*time.Hour))); r.code() != "POLICY_VIOLATION" {
			t.Errorf("assigning an ACTIVE client: %+v, want POLICY_VIOLATION", r.Errors)
		}

		// A request for one is fulfilled by one assignment.
		other := s.mustDo(s.token(f.otherUser), requestClients, map[string]any{"n": 1})["requestNewClients"].(map[string]any)
		second := s.waitlisted(f, "Yara")
		in := assignInput(second.ID, f.other.ID, intakeAt)
		in["in"].(map[string]any)["requestID"] = other["id"]
		done := s.mustDo(admin, assignClient, in)["assignClient"].(map[string]any)["request"].(map[string]any)
		if done["status"] != "FULFILLED" || done["assignedCount"] != float64(1) || done["closedAt"] == nil {
			t.Errorf("request after its one assignment = %v, want FULFILLED", done)
		}

		const cancel = `mutation($id: ID!) { cancelNewClientRequest(id: $id) { status closedAt } }`
		if r := s.do(s.token(f.otherUser), cancel, map[string]any{"id": req["id"]}); r.code() != "NOT_FOUND" {
			t.Errorf("cancelling another clinician's request: %+v, want NOT_FOUND", r.Errors)
		}
		if c := s.mustDo(clin, cancel, map[string]any{"id": req["id"]})["cancelNewClientRequest"].(map[string]any); c["status"] != "CANCELED" || c["closedAt"] == nil {
			t.Errorf("cancelled request = %v", c)
		}
		if r := s.do(clin, cancel, map[string]any{"id": req["id"]}); r.code() != "POLICY_VIOLATION" {
			t.Errorf("cancelling twice: %+v, want POLICY_VIOLATION", r.Errors)
		}
	})
}

// Ten requests sent at once: the database keeps one open request.
func TestConcurrentNewClientRequests(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		var wg sync.WaitGroup
		codes := make([]string, 10)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = s.do(tok, requestClients, map[string]any{"n": 2}).code()
			}()
		}
		wg.Wait()
		won := 0
		for _, c := range codes {
			switch c {
			case "":
				won++
			case "POLICY_VIOLATION", "CONFLICT":
			default:
				t.Errorf("a losing request got %q, want POLICY_VIOLATION or CONFLICT", c)
			}
		}
		n := must(s.main.DB.Ent.NewClientRequest.Query().Where(newclientrequest.StatusEQ(newclientrequest.StatusOPEN)).Count(sys()))
		if won != 1 || n != 1 {
			t.Errorf("%d requests succeeded and %d are open, want 1 and 1 (codes %v)", won, n, codes)
		}
	})
}
