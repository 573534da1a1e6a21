package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/internal/testdb"
)

// The front ends' contract (issue 15): createClient and scheduleAppointment
// answer with a payload whose userErrors hold every refusal of the input at
// once, each on its field path with its code, and write nothing; what is
// not the user's to fix stays a top-level error.

const createClientOp = `mutation($in: CreateClientInput!) { createClient(input: $in) { client { id firstName } userErrors { field message code } } }`

// wantUserErrors checks that r answered field with exactly the refusals
// want ("CODE input.path"), no top-level error and a null object.
func wantUserErrors(t *testing.T, r *gqlResponse, field, object string, want ...string) {
	t.Helper()
	if len(r.Errors) > 0 || r.Status != 200 {
		t.Fatalf("top-level errors (%d): %+v, want userErrors only", r.Status, r.Errors)
	}
	payload, _ := r.Data[field].(map[string]any)
	if payload == nil || payload[object] != nil {
		t.Errorf("payload %v, want one with a null %s", r.Data[field], object)
	}
	var got []string
	for _, ue := range r.userErrors(field) {
		path := "null"
		if ue.Field != nil {
			path = strings.Join(ue.Field, ".")
		}
		got = append(got, ue.Code+" "+path)
		if ue.Message == "" {
			t.Errorf("userError %+v has no message", ue)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("userErrors %v, want %v (all of them in one response)", got, want)
	}
}

// wantTopLevel checks that r refused what with a top-level error of code,
// and no payload.
func wantTopLevel(t *testing.T, what, code, field string, r *gqlResponse) {
	t.Helper()
	if len(r.Errors) == 0 || r.code() != code || r.Data[field] != nil {
		t.Errorf("%s: %+v %v, want a top-level %s and no payload", what, r.Errors, r.Data, code)
	}
}

// wantRows checks a count of rows.
func wantRows(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Errorf("%s: %d, want %d", what, got, want)
	}
}

func TestCreateClientReportsEveryInvalidField(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin := s.token(f.admin)
		clients := func() int { return must(s.main.DB.Ent.ClientProfile.Query().Count(sys())) }
		before := clients()

		r := s.do(admin, createClientOp, map[string]any{"in": map[string]any{
			"firstName": "", "lastName": "Four", "email": "not-an-email", "phone": "call me", "dateOfBirth": "2030-01-01",
		}})
		wantUserErrors(t, r, "createClient", "client",
			"BAD_USER_INPUT input.firstName", "BAD_USER_INPUT input.email", "BAD_USER_INPUT input.phone", "BAD_USER_INPUT input.dateOfBirth")
		if got := r.userErrors("createClient"); len(got) > 0 && got[0].Message != "firstName: must not be empty" {
			t.Errorf("message %q, want ent's refusal worded for a person", got[0].Message)
		}
		wantRows(t, "clients after a refused createClient", clients(), before)
		// The refused attempt is audited as such, after the rollback.
		ev, err := s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action("createClient")).Only(sys())
		if err != nil || ev.Outcome != auditevent.OutcomeFAILED || ev.Detail != "BAD_USER_INPUT" {
			t.Errorf("audit event %+v (%v), want createClient FAILED BAD_USER_INPUT", ev, err)
		}

		// A refusal the database makes (a clinician out of the caller's
		// scope) is a userError too.
		r = s.do(s.token(f.clinicianUser), createClientOp, map[string]any{"in": map[string]any{
			"firstName": "X", "lastName": "Y", "clinicianID": encodeID(f.other.ID),
		}})
		if r.code() != "NOT_FOUND" || len(r.Errors) > 0 {
			t.Errorf("a client on another caseload: %+v %+v, want a NOT_FOUND userError", r.Errors, r.refusals())
		}

		// A valid call: the client, and an empty list of userErrors.
		r = s.do(admin, createClientOp, map[string]any{"in": map[string]any{"firstName": "Val", "lastName": "Id"}})
		payload, _ := r.Data["createClient"].(map[string]any)
		if len(r.Errors) > 0 || payload == nil || payload["client"] == nil {
			t.Fatalf("valid createClient: %+v %v", r.Errors, r.Data)
		}
		if ue, ok := payload["userErrors"].([]any); !ok || len(ue) != 0 {
			t.Errorf("userErrors of a success = %v, want []", payload["userErrors"])
		}
		wantRows(t, "clients after a valid createClient", clients(), before+1)

		// Not the user's to fix: no session is a top-level error.
		wantTopLevel(t, "createClient without a session", "UNAUTHENTICATED", "createClient",
			s.do("", createClientOp, map[string]any{"in": map[string]any{"firstName": "No", "lastName": "Token"}}))
		// A value the schema's types refuse never reaches the mutation.
		wantTopLevel(t, "a malformed Date", "BAD_USER_INPUT", "createClient",
			s.do(admin, createClientOp, map[string]any{"in": map[string]any{"firstName": "A", "lastName": "B", "dateOfBirth": "yesterday"}}))
		wantRows(t, "clients after the refusals", clients(), before+1)

		// A refused request is not remembered under its idempotency key:
		// the corrected request may be sent with the same key, and its
		// retry replays.
		key := map[string]string{graph.IdempotencyKeyHeader: "3b0e-new-client"}
		send := func(first string) *gqlResponse {
			return s.doWith(s.token(f.clinicianUser), map[string]any{"query": createClientOp, "variables": map[string]any{"in": map[string]any{
				"firstName": first, "lastName": "Keyed", "status": "WAITLIST",
			}}}, key)
		}
		refused := send("")
		if refused.code() != "BAD_USER_INPUT" || refused.Extensions["idempotentReplay"] != nil {
			t.Fatalf("refused request: %+v %+v %v", refused.Errors, refused.refusals(), refused.Extensions)
		}
		again := send("")
		if again.code() != "BAD_USER_INPUT" || again.Extensions["idempotentReplay"] != nil {
			t.Errorf("the refused request sent again: %v, want it run again, not replayed", again.Extensions)
		}
		corrected := send("Kay")
		if len(corrected.Errors) > 0 || len(corrected.refusals()) > 0 || corrected.Extensions["idempotentReplay"] != nil {
			t.Fatalf("the corrected request with the same key: %+v %+v %v, want it run", corrected.Errors, corrected.refusals(), corrected.Extensions)
		}
		retry := send("Kay")
		if retry.Extensions["idempotentReplay"] != true || toJSON(retry.Data) != toJSON(corrected.Data) {
			t.Errorf("retry of the corrected request: %v %v, want the first answer replayed", retry.Extensions, retry.Data)
		}
		wantRows(t, "clients written under the key", must(s.main.DB.Ent.ClientProfile.Query().Where(clientprofile.LastName("Keyed")).Count(sys())), 1)
	})
}

func TestScheduleAppointmentReportsEveryRefusal(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann := f.ownClients[0]
		sessions := func() int { return must(s.main.DB.Ent.Appointment.Query().Count(sys())) }
		before := sessions()

		// Another clinician's client, a start in the past, and an end before
		// it: three refusals at once.
		past := testNow.Add(-48 * time.Hour)
		r := s.do(tok, schedule, map[string]any{"in": map[string]any{
			"clientID": encodeID(f.otherClients[0].ID),
			"startsAt": past.Format(time.RFC3339), "endsAt": past.Add(-time.Hour).Format(time.RFC3339),
		}})
		wantUserErrors(t, r, "scheduleAppointment", "appointment",
			"BAD_USER_INPUT input.endsAt", "POLICY_VIOLATION input.startsAt", "NOT_FOUND input.clientID")
		// A waitlisted client (booked by the admin, who may name any
		// clinician) and a session longer than the longest allowed.
		waiting := must(s.main.DB.Ent.ClientProfile.Create().SetPracticeID(f.practice.ID).SetFirstName("Wai").SetLastName("Ting").Save(sys()))
		later := testNow.Add(72 * time.Hour)
		r = s.do(s.token(f.admin), schedule, map[string]any{"in": map[string]any{
			"clientID": encodeID(waiting.ID), "startsAt": later.Format(time.RFC3339), "endsAt": later.Add(24 * time.Hour).Format(time.RFC3339),
		}})
		wantUserErrors(t, r, "scheduleAppointment", "appointment",
			"BAD_USER_INPUT input.endsAt", "POLICY_VIOLATION input.clientID", "BAD_USER_INPUT input.clinicianID")
		wantRows(t, "sessions after refused bookings", sessions(), before)

		// A double booking: CONFLICT, about the input as a whole.
		slot := testNow.Add(24 * time.Hour)
		s.mustDo(tok, schedule, slotInput(ann.ID, slot))
		r = s.do(tok, schedule, slotInput(f.ownClients[1].ID, slot.Add(20*time.Minute)))
		wantUserErrors(t, r, "scheduleAppointment", "appointment", "CONFLICT null")
		wantRows(t, "sessions after a booking and a conflict", sessions(), before+1)

		// A valid call returns the session with no userErrors.
		r = s.do(tok, schedule, slotInput(ann.ID, slot.Add(24*time.Hour)))
		a, _ := r.Data["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)
		if len(r.Errors) > 0 || len(r.refusals()) > 0 || a["status"] != "SCHEDULED" {
			t.Errorf("valid booking: %+v %+v %v", r.Errors, r.refusals(), r.Data)
		}
		wantTopLevel(t, "booking without a session", "UNAUTHENTICATED", "scheduleAppointment",
			s.do("", schedule, slotInput(ann.ID, slot.Add(48*time.Hour))))
		wantRows(t, "sessions after two bookings and the refusals", sessions(), before+2)
	})
}
