package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/testdb"
)

func TestLogin(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		const login = `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token expiresAt user { email role } userErrors { field message code } } }`

		data := s.mustDo("", login, map[string]any{"e": "  Clinician@North.example ", "p": testPassword})
		payload := data["login"].(map[string]any)
		if got := payload["user"].(map[string]any)["email"]; got != "clinician@north.example" {
			t.Errorf("login user = %v, want clinician@north.example", got)
		}
		if got, want := payload["expiresAt"], testNow.Add(time.Hour).Format(time.RFC3339); got != want {
			t.Errorf("expiresAt = %v, want %v", got, want)
		}
		s.sql.Reset()
		me := s.mustDo(payload["token"].(string), `{ me { email role clinician { name } } }`, nil)["me"].(map[string]any)
		if me["role"] != "CLINICIAN" || me["clinician"].(map[string]any)["name"] != f.clinician.Name {
			t.Errorf("me = %v", me)
		}
		// me is the user (and clinician) the token check read: no reads of its own.
		if n := s.sql.Count(); n > 2 {
			t.Errorf("me sent %d statements, want the token check's 2:\n%s", n, strings.Join(s.sql.Statements(), "\n"))
		}

		// Wrong password, unknown email and a deactivated user get the same answer.
		must(f.otherUser.Update().SetActive(false).Save(sys()))
		for _, c := range []struct{ name, email, password string }{
			{"wrong password", "clinician@north.example", "not the password"},
			{"unknown email", "nobody@north.example", testPassword},
			{"inactive user", "other@north.example", testPassword},
		} {
			r := s.do("", login, map[string]any{"e": c.email, "p": c.password})
			if r.code() != "UNAUTHENTICATED" || r.Errors[0].Message != "invalid email or password" || r.Data["login"] != nil {
				t.Errorf("%s: got %+v, want UNAUTHENTICATED invalid email or password", c.name, r.Errors)
			}
		}
		// A deactivated user's existing token stops working at once.
		if r := s.do(s.token(f.otherUser), `{ me { email } }`, nil); r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
			t.Errorf("deactivated user's token: status %d code %q, want 401 UNAUTHENTICATED", r.Status, r.code())
		}
	})
}

const clientsQuery = `{ clients(first: 50) { totalCount edges { node { id firstName clinician { name } } } } }`

func clientNames(data map[string]any) []string {
	var names []string
	for _, e := range data["clients"].(map[string]any)["edges"].([]any) {
		names = append(names, e.(map[string]any)["node"].(map[string]any)["firstName"].(string))
	}
	return names
}

func TestEachRoleSeesItsShareOfThePractice(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		g := s.seedPractice("South", "south.example")
		for _, c := range []struct {
			name string
			tok  string
			want string
		}{
			{"admin sees the practice", s.token(f.admin), "Ann Ben Cy Dee Eve"},
			{"clinician sees their caseload", s.token(f.clinicianUser), "Ann Ben Cy"},
			{"other clinician sees theirs", s.token(f.otherUser), "Dee Eve"},
			{"supervisor sees supervisees", s.token(f.supervisor), "Ann Ben Cy"},
			{"other practice's admin", s.token(g.admin), "Ann Ben Cy Dee Eve"},
		} {
			names := clientNames(s.mustDo(c.tok, clientsQuery, nil))
			if got := strings.Join(names, " "); got != c.want {
				t.Errorf("%s: clients %q, want %q", c.name, got, c.want)
			}
		}
		// The analyst sees the whole practice, without names (phi_test.go).
		r := s.do(s.token(f.analyst), `{ clients(first: 50) { totalCount edges { node { id status } } } }`, nil)
		if r.code() != "" || r.Data["clients"].(map[string]any)["totalCount"] != float64(5) {
			t.Errorf("analyst: %+v %v, want the practice's 5 clients", r.Errors, r.Data)
		}
		// The other practice's clients are other rows with the same names:
		// check by id that none of them leaks into North.
		data := s.mustDo(s.token(f.admin), clientsQuery, nil)
		for _, e := range data["clients"].(map[string]any)["edges"].([]any) {
			id, _ := scalar.DecodeID(e.(map[string]any)["node"].(map[string]any)["id"].(string))
			for _, c := range append(g.ownClients, g.otherClients...) {
				if c.ID == id {
					t.Errorf("North's admin sees South's client %d", id)
				}
			}
		}
	})
}

func TestRecordsOutOfScopeAreNotFound(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		g := s.seedPractice("South", "south.example")
		clinician := s.token(f.clinicianUser)
		const node = `query($id: ID!) { node(id: $id) { id ... on Client { firstName } } }`

		missing := s.do(clinician, node, map[string]any{"id": scalar.EncodeID(1 << 40)})
		for _, c := range []struct {
			name string
			tok  string
			id   int
		}{
			{"another clinician's client", clinician, f.otherClients[0].ID},
			{"another practice's client", clinician, g.ownClients[0].ID},
			{"another practice's client, as admin", s.token(f.admin), g.ownClients[0].ID},
		} {
			r := s.do(c.tok, node, map[string]any{"id": scalar.EncodeID(c.id)})
			if r.code() != "NOT_FOUND" || r.Errors[0].Message != missing.Errors[0].Message || r.Data["node"] != nil {
				t.Errorf("%s: %+v, want the same NOT_FOUND as a missing id (%+v)", c.name, r.Errors, missing.Errors)
			}
		}

		// Nested edges are confined too: the other clinician's caseload is empty to me.
		data := s.mustDo(clinician, `{ clinicians(first: 10, where: {name: "Oth Er"}) { edges { node { clients(first: 10) { totalCount } } } } }`, nil)
		edges := data["clinicians"].(map[string]any)["edges"].([]any)
		if len(edges) != 1 {
			t.Fatalf("clinicians = %v", edges)
		}
		if n := edges[0].(map[string]any)["node"].(map[string]any)["clients"].(map[string]any)["totalCount"]; n != float64(0) {
			t.Errorf("another clinician's clients through the nested edge: %v, want 0", n)
		}

		// Writes out of scope change nothing: a client the caller cannot
		// see looks like a missing record (NOT_FOUND); one they read but may
		// not change is FORBIDDEN (issue 17.5). Both on the client's field.
		const rename = `mutation($id: ID!) { updateClient(input: {clientID: $id, firstName: "Hacked"}) { client { id } userErrors { field message code } } }`
		for _, c := range []struct {
			name string
			tok  string
			id   int
			code string
		}{
			{"clinician on another's client", clinician, f.otherClients[0].ID, "NOT_FOUND"},
			{"supervisor on a supervisee's client", s.token(f.supervisor), f.ownClients[0].ID, "FORBIDDEN"},
			{"supervisor on an unrelated clinician's client", s.token(f.supervisor), f.otherClients[0].ID, "NOT_FOUND"},
			{"analyst", s.token(f.analyst), f.ownClients[0].ID, "FORBIDDEN"},
			{"analyst on another practice's client", s.token(g.analyst), f.ownClients[0].ID, "NOT_FOUND"},
			{"admin of another practice", s.token(g.admin), f.ownClients[0].ID, "NOT_FOUND"},
		} {
			r := s.do(c.tok, rename, map[string]any{"id": scalar.EncodeID(c.id)})
			if r.code() != c.code || len(r.Errors) > 0 || r.field() != "input.clientID" {
				t.Errorf("%s: %+v %+v, want a %s userError on input.clientID", c.name, r.Errors, r.refusals(), c.code)
			}
			if ev := s.lastEvent("updateClient"); ev.Outcome != auditevent.OutcomeDENIED || ev.Detail != c.code {
				t.Errorf("%s: audited %s %q, want DENIED %s", c.name, ev.Outcome, ev.Detail, c.code)
			}
			got := must(s.main.DB.Ent.ClientProfile.Get(sys(), c.id))
			if got.FirstName == "Hacked" {
				t.Errorf("%s: the client was renamed", c.name)
			}
		}

		// Booking for another clinician's client is refused.
		start := testNow.Add(48 * time.Hour)
		r := s.do(clinician, schedule, map[string]any{"in": map[string]any{
			"clientID": scalar.EncodeID(f.otherClients[0].ID), "clinicianID": scalar.EncodeID(f.clinician.ID),
			"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(50 * time.Minute).Format(time.RFC3339),
		}})
		if r.code() != "NOT_FOUND" {
			t.Errorf("booking another clinician's client: %+v, want NOT_FOUND", r.Errors)
		}
		// The record-correction mutations are an admin's: they step around the policy.
		r = s.do(clinician, `mutation($in: CreateAppointmentInput!) { createAppointment(input: $in) { appointment { id } userErrors { field message code } } }`, map[string]any{"in": map[string]any{
			"clientID": scalar.EncodeID(f.ownClients[0].ID), "clinicianID": scalar.EncodeID(f.clinician.ID),
			"startsAt": testNow.Add(-72 * time.Hour).Format(time.RFC3339), "endsAt": testNow.Add(-71 * time.Hour).Format(time.RFC3339), "status": "ATTENDED",
		}})
		if r.code() != "FORBIDDEN" || len(r.Errors) > 0 {
			t.Errorf("a clinician entering a past session directly: %+v %+v, want a FORBIDDEN userError", r.Errors, r.refusals())
		}
		own := must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(f.ownClients[0].ID)).First(sys()))
		r = s.do(clinician, `mutation($id: ID!) { updateAppointment(input: {appointmentID: $id, status: NO_SHOW, excused: true}) { appointment { id } userErrors { field message code } } }`, map[string]any{"id": scalar.EncodeID(own.ID)})
		if r.code() != "FORBIDDEN" || len(r.Errors) > 0 {
			t.Errorf("a clinician editing a session directly: %+v %+v, want a FORBIDDEN userError", r.Errors, r.refusals())
		}
		if got := must(s.main.DB.Ent.Appointment.Get(sys(), own.ID)); got.Status != own.Status || got.Excused != own.Excused {
			t.Errorf("a refused correction changed the session: %s excused %v, want %s excused %v", got.Status, got.Excused, own.Status, own.Excused)
		}
	})
}

func TestClinicianWritesOwnCaseload(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		clinician := s.token(f.clinicianUser)

		data := s.mustDo(clinician, `mutation { createClient(input: {firstName: "New", lastName: "Client", status: ACTIVE, email: "new@example.org"}) { client { id status clinician { name } episodes { openedAt closedAt } } userErrors { field message code } } }`, nil)
		c := data["createClient"].(map[string]any)["client"].(map[string]any)
		if c["clinician"].(map[string]any)["name"] != f.clinician.Name {
			t.Errorf("new client's clinician = %v, want the signed-in clinician", c["clinician"])
		}
		if eps := c["episodes"].([]any); len(eps) != 1 || eps[0].(map[string]any)["closedAt"] != nil {
			t.Errorf("an ACTIVE client needs one open episode, got %v", eps)
		}
		id := c["id"].(string)
		start := testNow.Add(48 * time.Hour)
		data = s.mustDo(clinician, schedule, map[string]any{"in": map[string]any{
			"clientID": id, "startsAt": start.Format(time.RFC3339), "endsAt": start.Add(50 * time.Minute).Format(time.RFC3339),
		}})
		a := data["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)
		if a["status"] != "SCHEDULED" || a["episode"] == nil || a["startsAt"] != start.Format(time.RFC3339) {
			t.Errorf("appointment = %v", a)
		}
		// A clinician cannot put a client on someone else's caseload.
		r := s.do(clinician, `mutation($c: ID!) { createClient(input: {firstName: "X", lastName: "Y", clinicianID: $c}) { client { id } userErrors { field message code } } }`, map[string]any{"c": scalar.EncodeID(f.other.ID)})
		if r.code() != "NOT_FOUND" {
			t.Errorf("client on another caseload: %+v, want NOT_FOUND", r.Errors)
		}
		// An analyst changes nothing: FORBIDDEN, as is a supervisor adding a
		// client to a supervisee's caseload, which they read (issue 17.5).
		r = s.do(s.token(f.analyst), `mutation { createClient(input: {firstName: "X", lastName: "Y"}) { client { id } userErrors { field message code } } }`, nil)
		if r.code() != "FORBIDDEN" {
			t.Errorf("analyst creating a client: %+v %+v, want FORBIDDEN", r.Errors, r.refusals())
		}
		r = s.do(s.token(f.supervisor), `mutation($c: ID!) { createClient(input: {firstName: "X", lastName: "Y", clinicianID: $c}) { client { id } userErrors { field message code } } }`, map[string]any{"c": scalar.EncodeID(f.clinician.ID)})
		if r.code() != "FORBIDDEN" || r.field() != "input.clinicianID" {
			t.Errorf("supervisor adding a client to a supervisee's caseload: %+v %+v, want FORBIDDEN on input.clinicianID", r.Errors, r.refusals())
		}
		n := must(s.main.DB.Ent.ClientProfile.Query().Where(clientprofile.FirstName("X")).Count(sys()))
		if n != 0 {
			t.Errorf("%d refused clients were written", n)
		}
	})
}

func TestBadInputNamesTheField(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin := s.token(f.admin)
		start := testNow.Add(24 * time.Hour)
		for _, c := range []struct {
			name, query string
			vars        map[string]any
			code, field string
		}{
			{"bad email", `mutation { createClient(input: {firstName: "A", lastName: "B", email: "not-an-email"}) { client { id } userErrors { field message code } } }`, nil, "BAD_USER_INPUT", "input.email"},
			{"empty name", `mutation { createClient(input: {firstName: "", lastName: "B"}) { client { id } userErrors { field message code } } }`, nil, "BAD_USER_INPUT", "input.firstName"},
			{"active without clinician", `mutation { createClient(input: {firstName: "A", lastName: "B", status: ACTIVE}) { client { id } userErrors { field message code } } }`, nil, "BAD_USER_INPUT", "input.clinicianID"},
			{"future birth date", `mutation { createClient(input: {firstName: "A", lastName: "B", dateOfBirth: "2030-01-01"}) { client { id } userErrors { field message code } } }`, nil, "BAD_USER_INPUT", "input.dateOfBirth"},
			{"bad phone", `mutation { createClient(input: {firstName: "A", lastName: "B", phone: "call me"}) { client { id } userErrors { field message code } } }`, nil, "BAD_USER_INPUT", "input.phone"},
			{"weekly slots out of range", `mutation { createClinician(input: {name: "A", weeklySlots: 500}) { clinician { id } userErrors { field message code } } }`, nil, "BAD_USER_INPUT", "input.weeklySlots"},
			{"ends before it starts", `mutation($in: CreateAppointmentInput!) { createAppointment(input: $in) { appointment { id } userErrors { field message code } } }`, map[string]any{"in": map[string]any{
				"clientID": scalar.EncodeID(f.ownClients[0].ID), "clinicianID": scalar.EncodeID(f.clinician.ID),
				"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(-time.Minute).Format(time.RFC3339),
			}}, "BAD_USER_INPUT", "input.endsAt"},
			{"unbounded connection", `{ clients { totalCount } }`, nil, "BAD_USER_INPUT", "first"},
			{"page too large", `{ clients(first: 101) { totalCount } }`, nil, "BAD_USER_INPUT", "first"},
			{"unbounded nested connection", `{ clients(first: 5) { edges { node { appointments { totalCount } } } } }`, nil, "BAD_USER_INPUT", "first"},
			{"unbounded connection in a fragment", `{ ...F } fragment F on Query { documents(last: 0) { totalCount } }`, nil, "BAD_USER_INPUT", "last"},
		} {
			before := must(s.main.DB.Ent.ClientProfile.Query().Count(sys()))
			s.sql.Reset()
			r := s.do(admin, c.query, c.vars)
			if r.code() != c.code || r.field() != c.field {
				t.Errorf("%s: %+v %+v, want %s on %s", c.name, r.Errors, r.refusals(), c.code, c.field)
			}
			if strings.HasPrefix(c.name, "unbounded") || strings.HasPrefix(c.name, "page") {
				if n := s.sql.Count(); n > 2 { // the viewer lookup only
					t.Errorf("%s: ran %d SQL statements before refusing", c.name, n)
				}
			}
			if after := must(s.main.DB.Ent.ClientProfile.Query().Count(sys())); after != before {
				t.Errorf("%s: refused input wrote %d clients", c.name, after-before)
			}
		}
	})
}

func TestDocumentVersionsAndSigning(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		clinician := s.token(f.clinicianUser)
		data := s.mustDo(clinician, `mutation($c: ID!) { createDocument(input: {kind: PROGRESS_NOTE, clientID: $c, body: "first draft"}) { document { id version status author { email } } userErrors { field message code } } }`,
			map[string]any{"c": scalar.EncodeID(f.ownClients[0].ID)})
		doc := data["createDocument"].(map[string]any)["document"].(map[string]any)
		if doc["version"] != float64(1) || doc["status"] != "DRAFT" || doc["author"].(map[string]any)["email"] != f.clinicianUser.Email {
			t.Fatalf("new document = %v", doc)
		}
		const update = `mutation($id: ID!, $v: Int!, $b: String!) { updateDocument(input: {documentID: $id, version: $v, body: $b}) { document { version body } userErrors { field message code } } }`
		data = s.mustDo(clinician, update, map[string]any{"id": doc["id"], "v": 1, "b": "second draft"})
		if got := data["updateDocument"].(map[string]any)["document"].(map[string]any); got["version"] != float64(2) || got["body"] != "second draft" {
			t.Errorf("updated = %v", got)
		}
		r := s.do(clinician, update, map[string]any{"id": doc["id"], "v": 1, "b": "stale edit"})
		wantUserErrors(t, r, "updateDocument", "document", "CONFLICT null")
		id, _ := scalar.DecodeID(doc["id"].(string))
		must(s.main.DB.Ent.Document.UpdateOneID(id).SetStatus("SIGNED").SetSignedAt(testNow).Save(sys()))
		r = s.do(clinician, update, map[string]any{"id": doc["id"], "v": 2, "b": "after signing"})
		wantUserErrors(t, r, "updateDocument", "document", "POLICY_VIOLATION null")
		if got := must(s.main.DB.Ent.Document.Get(sys(), id)); got.Body != "second draft" {
			t.Errorf("body = %q after refused edits, want the second draft", got.Body)
		}
		// Only an addendum amends, and only a signed document.
		r = s.do(clinician, `mutation($c: ID!, $a: ID!) { createDocument(input: {kind: PROGRESS_NOTE, clientID: $c, amendsID: $a}) { document { id } userErrors { field message code } } }`,
			map[string]any{"c": scalar.EncodeID(f.ownClients[0].ID), "a": doc["id"]})
		wantUserErrors(t, r, "createDocument", "document", "BAD_USER_INPUT input.amendsID")
		data = s.mustDo(clinician, `mutation($c: ID!, $a: ID!) { createDocument(input: {kind: ADDENDUM, clientID: $c, amendsID: $a, body: "correction"}) { document { amends { id } } userErrors { field message code } } }`,
			map[string]any{"c": scalar.EncodeID(f.ownClients[0].ID), "a": doc["id"]})
		if got := data["createDocument"].(map[string]any)["document"].(map[string]any)["amends"].(map[string]any)["id"]; got != doc["id"] {
			t.Errorf("addendum amends %v, want %v", got, doc["id"])
		}
	})
}

func TestMutationsAreAllOrNothing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		r := s.do(s.token(f.admin), `mutation {
			a: createClient(input: {firstName: "Kept", lastName: "Nowhere"}) { client { id } userErrors { field message code } }
			b: createClient(input: {firstName: "", lastName: "Invalid"}) { client { id } userErrors { field message code } }
		}`, nil)
		// b is refused with userErrors; a reports its client, yet the
		// operation's transaction is rolled back, a's write with it.
		if len(r.Errors) > 0 || len(r.userErrors("b")) != 1 || r.userErrors("b")[0].Code != "BAD_USER_INPUT" {
			t.Fatalf("got %+v %+v, want b refused with BAD_USER_INPUT", r.Errors, r.refusals())
		}
		if n := must(s.main.DB.Ent.ClientProfile.Query().Where(clientprofile.LastName("Nowhere")).Count(sys())); n != 0 {
			t.Errorf("the first half of a failed mutation was written (%d rows)", n)
		}
	})
}

func TestIDsAreOpaqueAndGlobal(t *testing.T) {
	s := newAPIServer(t, "sqlite3")
	f := s.seedPractice("North", "north.example")
	admin := s.token(f.admin)
	data := s.mustDo(admin, `{ clients(first: 1) { edges { node { id } } } clinicians(first: 1) { edges { node { id } } } }`, nil)
	clientID := data["clients"].(map[string]any)["edges"].([]any)[0].(map[string]any)["node"].(map[string]any)["id"].(string)
	if strings.Trim(clientID, "0123456789") == "" {
		t.Errorf("client id %q is a bare number", clientID)
	}
	data = s.mustDo(admin, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, map[string]any{"ids": []string{clientID}})
	if got := data["nodes"].([]any)[0].(map[string]any)["__typename"]; got != "Client" {
		t.Errorf("__typename = %v, want Client", got)
	}
	r := s.do(admin, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "42"})
	if r.code() == "" || r.Data["node"] != nil {
		t.Errorf("a raw number as an ID: %+v, want an error", r.Errors)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	s := newAPIServer(t, "sqlite3")
	for _, path := range []string{"/healthz", "/readyz"} {
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("X-Request-ID") == "" {
			t.Errorf("%s: no X-Request-ID", path)
		}
	}
	s.main.DB.SQL.Close()
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database closed: %d, want 503", rec.Code)
	}
}

// TestTimesWithOffsetsCompareAsInstants books with a local offset and finds
// the session with a filter in UTC: SQLite stores instants as text, so they
// must all be stored in UTC.
func TestTimesWithOffsetsCompareAsInstants(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin := s.token(f.admin)
		s.mustDo(admin, `mutation($in: CreateAppointmentInput!) { createAppointment(input: $in) { appointment { id } userErrors { field message code } } }`, map[string]any{"in": map[string]any{
			"clientID": scalar.EncodeID(f.ownClients[0].ID), "clinicianID": scalar.EncodeID(f.clinician.ID),
			"startsAt": "2026-03-12T09:00:00-05:00", "endsAt": "2026-03-12T09:50:00-05:00",
		}})
		for _, c := range []struct {
			from string
			want int
		}{
			{"2026-03-12T13:59:00Z", 1},
			{"2026-03-12T14:00:00Z", 1},
			{"2026-03-12T14:01:00Z", 0},
			{"2026-03-12T10:01:00-04:00", 0},
		} {
			data := s.mustDo(admin, `query($from: DateTime!) { appointments(first: 10, where: {startsAtGTE: $from}) { edges { node { startsAt } } } }`, map[string]any{"from": c.from})
			edges := data["appointments"].(map[string]any)["edges"].([]any)
			if len(edges) != c.want {
				t.Errorf("startsAt >= %s: %d sessions, want %d", c.from, len(edges), c.want)
			}
			if len(edges) == 1 {
				if got := edges[0].(map[string]any)["node"].(map[string]any)["startsAt"]; got != "2026-03-12T14:00:00Z" {
					t.Errorf("startsAt = %v, want 2026-03-12T14:00:00Z", got)
				}
			}
		}
	})
}
