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
	requestClients = `mutation($n: Int, $note: String, $who: ID) { requestNewClients(input: {count: $n, note: $note, clinicianID: $who}) {
  request { id count note status assignedCount clinician { name } }
  userErrors { field message code }
} }`
	assignClient = `mutation($in: AssignClientInput!) { assignClient(input: $in) {
  client { status clinician { name } strikeCount daysSinceSeen nextAppointment { kind startsAt } }
  episode { openedAt closedAt }
  intake { kind status startsAt episode { id } }
  request { status assignedCount count closedAt }
  userErrors { field message code }
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
		req := s.mustDo(clin, requestClients, map[string]any{"note": "  adolescents welcome  "})["requestNewClients"].(map[string]any)["request"].(map[string]any)
		if req["count"] != health["newClientsToRequest"] || req["status"] != "OPEN" || req["note"] != "adolescents welcome" || req["clinician"].(map[string]any)["name"] != "Cli Nician" {
			t.Errorf("request = %v, want the recommended %v", req, health["newClientsToRequest"])
		}
		r := s.do(clin, requestClients, map[string]any{"n": 2})
		wantUserErrors(t, r, "requestNewClients", "request", "POLICY_VIOLATION null")
		if !strings.Contains(r.message(), "open request") {
			t.Errorf("a second open request: %q, want it named", r.message())
		}
		wantUserErrors(t, s.do(clin, requestClients, map[string]any{"n": 2, "who": encodeID(f.other.ID)}),
			"requestNewClients", "request", "FORBIDDEN input.clinicianID")
		wantUserErrors(t, s.do(s.token(f.otherUser), requestClients, map[string]any{"n": 0}),
			"requestNewClients", "request", "BAD_USER_INPUT input.count")
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
		wantUserErrors(t, s.do(clin, assignClient, assignInput(wait.ID, f.clinician.ID, intakeAt)), "assignClient", "client", "FORBIDDEN null")
		// An intake at a time the clinician is busy: CONFLICT, nothing written.
		busy := time.Date(2026, time.March, 12, 14, 0, 0, 0, time.UTC)
		s.mustDo(clin, schedule, slotInput(f.ownClients[0].ID, busy))
		wantUserErrors(t, s.do(admin, assignClient, assignInput(wait.ID, f.clinician.ID, busy.Add(-30*time.Minute))), "assignClient", "client", "CONFLICT null")
		if c := must(s.main.DB.Ent.ClientProfile.Get(sys(), wait.ID)); c.Status != clientprofile.StatusWAITLIST || c.ClinicianID != nil {
			t.Errorf("after a refused assignment the client is %s with clinician %v, want untouched", c.Status, c.ClinicianID)
		}
		if n := must(s.main.DB.Ent.ClientProfile.QueryEpisodes(wait).Count(sys())); n != 0 {
			t.Errorf("a refused assignment left %d episodes", n)
		}
		wantUserErrors(t, s.do(admin, assignClient, assignInput(wait.ID, f.clinician.ID, testNow.Add(-time.Hour))), "assignClient", "client", "BAD_USER_INPUT input.intakeStartsAt")
		// Every refusal at once: a client that exists nowhere, an unknown
		// request and an intake ending before it starts.
		bad := assignInput(1<<30, f.clinician.ID, intakeAt)
		bad["in"].(map[string]any)["requestID"] = encodeID(1 << 30)
		bad["in"].(map[string]any)["intakeEndsAt"] = intakeAt.Add(-time.Hour).Format(time.RFC3339)
		wantUserErrors(t, s.do(admin, assignClient, bad), "assignClient", "client",
			"BAD_USER_INPUT input.intakeEndsAt", "NOT_FOUND input.clientID", "NOT_FOUND input.requestID")

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
		wantUserErrors(t, s.do(admin, assignClient, assignInput(wait.ID, f.clinician.ID, intakeAt.Add(24*time.Hour))), "assignClient", "client", "POLICY_VIOLATION input.clientID")

		// A request for one is fulfilled by one assignment.
		other := s.mustDo(s.token(f.otherUser), requestClients, map[string]any{"n": 1})["requestNewClients"].(map[string]any)["request"].(map[string]any)
		second := s.waitlisted(f, "Yara")
		in := assignInput(second.ID, f.other.ID, intakeAt)
		in["in"].(map[string]any)["requestID"] = other["id"]
		done := s.mustDo(admin, assignClient, in)["assignClient"].(map[string]any)["request"].(map[string]any)
		if done["status"] != "FULFILLED" || done["assignedCount"] != float64(1) || done["closedAt"] == nil {
			t.Errorf("request after its one assignment = %v, want FULFILLED", done)
		}

		const cancel = `mutation($id: ID!) { cancelNewClientRequest(input: {requestID: $id}) { request { status closedAt } userErrors { field message code } } }`
		wantUserErrors(t, s.do(s.token(f.otherUser), cancel, map[string]any{"id": req["id"]}), "cancelNewClientRequest", "request", "NOT_FOUND input.requestID")
		if c := s.mustDo(clin, cancel, map[string]any{"id": req["id"]})["cancelNewClientRequest"].(map[string]any)["request"].(map[string]any); c["status"] != "CANCELED" || c["closedAt"] == nil {
			t.Errorf("cancelled request = %v", c)
		}
		wantUserErrors(t, s.do(clin, cancel, map[string]any{"id": req["id"]}), "cancelNewClientRequest", "request", "POLICY_VIOLATION input.requestID")
	})
}

// Every invalid field of a request in one response, and nothing written.
func TestRequestNewClientsReportsEveryRefusal(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		g := s.seedPractice("South", "south.example")
		requests := func() int { return must(s.main.DB.Ent.NewClientRequest.Query().Count(sys())) }
		before := requests()
		// Too many clients, a note too long, for a clinician of another
		// practice (read as one that exists nowhere).
		r := s.do(s.token(f.admin), requestClients, map[string]any{"n": 51, "note": strings.Repeat("x", 1001), "who": encodeID(g.clinician.ID)})
		wantUserErrors(t, r, "requestNewClients", "request", "NOT_FOUND input.clinicianID", "BAD_USER_INPUT input.count", "BAD_USER_INPUT input.note")
		for _, ue := range r.userErrors("requestNewClients") {
			if ue.Code == "BAD_USER_INPUT" && !strings.HasPrefix(ue.Message, ue.Field[1]+": ") {
				t.Errorf("message %q, want it to name its field", ue.Message)
			}
		}
		missing := s.do(s.token(f.admin), requestClients, map[string]any{"n": 51, "note": strings.Repeat("x", 1001), "who": encodeID(1 << 30)})
		if toJSON(missing.Data) != toJSON(r.Data) {
			t.Errorf("another practice's clinician %v, one that exists nowhere %v: the answers must not differ", r.Data, missing.Data)
		}
		// Without a count, a clinician whose caseload needs no one, and an
		// open request already.
		s.mustDo(s.token(f.clinicianUser), requestClients, map[string]any{"n": 2})
		must(s.main.DB.Ent.Clinician.UpdateOneID(f.clinician.ID).SetWeeklySlots(0).Save(sys()))
		wantUserErrors(t, s.do(s.token(f.clinicianUser), requestClients, nil), "requestNewClients", "request",
			"POLICY_VIOLATION input.count", "POLICY_VIOLATION null")
		wantRows(t, "requests after the refusals", requests(), before+1)
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
