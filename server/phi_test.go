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
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/testdb"
)

// An analyst studies the practice but never learns who anyone is: every
// identifying field errors with FORBIDDEN while the rest resolves, and no
// filter or order may probe one.
func TestAnalystsSeeNoIdentifyingFields(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		analyst := s.token(f.analyst)
		ann := f.ownClients[0]
		must(s.main.DB.Ent.Caregiver.Create().SetPracticeID(f.practice.ID).SetClientID(ann.ID).SetName("Pat Parent").SetRelationship("parent").SetPhone("+1 555 0100").SetIsPrimary(true).Save(sys()))

		for _, field := range []string{"firstName", "lastName", "dateOfBirth", "email", "phone", "caregivers { name }", "caregivers { phone }", "caregivers { email }"} {
			r := s.do(analyst, `query($id: ID!) { node(id: $id) { ... on Client { status `+field+` } } }`, map[string]any{"id": encodeID(ann.ID)})
			if r.code() != "FORBIDDEN" {
				t.Errorf("analyst reading %s: %+v, want FORBIDDEN", field, r.Errors)
			}
			if strings.Contains(strings.ToLower(toJSON(r.Data)), "ann") || strings.Contains(toJSON(r.Data), "Pat") {
				t.Errorf("analyst reading %s got a name: %s", field, toJSON(r.Data))
			}
		}
		// The rest of the record resolves.
		ok := s.mustDo(analyst, `query($id: ID!) { node(id: $id) { ... on Client { status strikeCount } } }`, map[string]any{"id": encodeID(ann.ID)})
		if ok["node"].(map[string]any)["status"] != "ACTIVE" {
			t.Errorf("analyst reading non-identifying fields: %v", ok)
		}

		s.sql.Reset()
		for _, probe := range []string{
			`{ clients(first: 5, where: {firstNameHasPrefix: "A"}) { totalCount } }`,
			`{ clients(first: 5, where: {or: [{status: ACTIVE}, {lastNameContainsFold: "fix"}]}) { totalCount } }`,
			`{ clients(first: 5, orderBy: {field: LAST_NAME}) { totalCount } }`,
			`{ clients(first: 5, where: {hasCaregiversWith: {nameContains: "Pat"}}) { totalCount } }`,
			`{ documents(first: 5, where: {bodyContains: "suicid"}) { totalCount } }`,
			`{ contacts(first: 5, where: {noteContains: "x"}) { totalCount } }`,
			`{ appointments(first: 5, where: {hasClientWith: {emailHasSuffix: "@x.org"}}) { totalCount } }`,
		} {
			if r := s.do(analyst, probe, nil); r.code() != "FORBIDDEN" {
				t.Errorf("analyst probing %s: %+v, want FORBIDDEN", probe, r.Errors)
			}
		}
		if n := s.sql.Count(); n > 7*3 {
			t.Errorf("refused probes ran %d statements, want only the viewer lookups", n)
		}
		// Through variables too.
		r := s.do(analyst, `query($w: ClientWhereInput) { clients(first: 5, where: $w) { totalCount } }`, map[string]any{"w": map[string]any{"firstName": "Ann"}})
		if r.code() != "FORBIDDEN" {
			t.Errorf("analyst probing through a variable: %+v, want FORBIDDEN", r.Errors)
		}
		// Staff may filter by name.
		if r := s.mustDo(s.token(f.admin), `{ clients(first: 5, where: {firstNameHasPrefix: "A"}) { totalCount } }`, nil); r["clients"].(map[string]any)["totalCount"] != float64(1) {
			t.Errorf("admin filtering by name: %v", r)
		}
	})
}

// Free text about a client is health information too (issue 16): why a
// session was cancelled or excused, what a clinician asks intake. An analyst
// gets null with FORBIDDEN on each, the rest of the record resolves, and no
// filter may probe them; staff reading them leave an audit event.
func TestAnalystsSeeNoClinicalFreeText(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		analyst := s.token(f.analyst)
		ann := f.ownClients[0]
		appt := must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(ann.ID)).First(sys()))
		must(appt.Update().SetStatus("CANCELED").SetCanceledAt(testNow).SetCancelReason("Hospitalized that week").
			SetExcused(true).SetExcuseReason("Medical: discharge papers provided").Save(sys()))
		req := must(s.main.DB.Ent.NewClientRequest.Create().SetPracticeID(f.practice.ID).SetClinicianID(f.clinician.ID).SetCount(1).
			SetNote("someone just out of hospital").Save(sys()))

		for _, c := range []struct{ id, fragment, field string }{
			{encodeID(appt.ID), "Appointment", "cancelReason"},
			{encodeID(appt.ID), "Appointment", "excuseReason"},
			{encodeID(req.ID), "NewClientRequest", "note"},
		} {
			r := s.do(analyst, `query($id: ID!) { node(id: $id) { ... on `+c.fragment+` { status `+c.field+` } } }`, map[string]any{"id": c.id})
			if r.code() != "FORBIDDEN" {
				t.Errorf("analyst reading %s.%s: %+v, want FORBIDDEN", c.fragment, c.field, r.Errors)
			}
			node, _ := r.Data["node"].(map[string]any)
			if node == nil || node["status"] == nil || node[c.field] != nil {
				t.Errorf("analyst reading %s.%s: %s, want the status and a null %s", c.fragment, c.field, toJSON(r.Data), c.field)
			}
		}
		r := s.do(analyst, `{ rankedClients(by: STRIKE_COUNT, first: 5) { appointments(first: 5) { edges { node { excuseReason } } } } }`, nil)
		if r.code() != "FORBIDDEN" || strings.Contains(toJSON(r.Data), "Medical") {
			t.Errorf("analyst reading excuseReason through a list: %+v %s", r.Errors, toJSON(r.Data))
		}

		s.sql.Reset()
		probes := []string{
			`{ appointments(first: 5, where: {excuseReasonContains: "Medical"}) { totalCount } }`,
			`{ appointments(first: 5, where: {cancelReasonContainsFold: "hospital"}) { totalCount } }`,
			`{ appointments(first: 5, where: {not: {cancelReasonIsNil: true}}) { totalCount } }`,
			`{ clients(first: 5, where: {hasAppointmentsWith: {excuseReasonHasPrefix: "Medical"}}) { totalCount } }`,
			`{ newClientRequests(first: 5, where: {noteContains: "hospital"}) { totalCount } }`,
		}
		for _, probe := range probes {
			if r := s.do(analyst, probe, nil); r.code() != "FORBIDDEN" {
				t.Errorf("analyst probing %s: %+v, want FORBIDDEN", probe, r.Errors)
			}
		}
		if n := s.sql.Count(); n > len(probes)*3 {
			t.Errorf("refused probes ran %d statements, want only the viewer lookups", n)
		}
		// Staff may filter by them; their reads are audited.
		admin := s.token(f.admin)
		if r := s.mustDo(admin, `{ appointments(first: 5, where: {excuseReasonContains: "Medical"}) { totalCount edges { node { excuseReason } } } }`, nil); r["appointments"].(map[string]any)["totalCount"] != float64(1) {
			t.Errorf("admin filtering by excuseReason: %v", r)
		}
		s.mustDo(admin, `{ newClientRequests(first: 5) { edges { node { note } } } }`, nil)
		for action, id := range map[string]int{"readAppointmentReason": appt.ID, "readNewClientRequestNote": req.ID} {
			n := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action(action), auditevent.EntityID(id)).Count(sys()))
			if n != 1 {
				t.Errorf("%s of %d: %d audit events, want 1", action, id, n)
			}
		}
	})
}

// Every read of identifying fields and of clinical text, and every change,
// refused or not, is in the audit log; an admin can ask who read a client's
// notes.
func TestTheAuditLogRecordsReadsAndChanges(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		clin, admin := s.token(f.clinicianUser), s.token(f.admin)
		ann, dee := f.ownClients[0], f.otherClients[0]
		doc := must(s.main.DB.Ent.Document.Create().SetPracticeID(f.practice.ID).SetClientID(ann.ID).SetAuthorID(f.clinicianUser.ID).
			SetKind("PROGRESS_NOTE").SetBody("clinical text").Save(sys()))

		s.mustDo(clin, `query($id: ID!) { node(id: $id) { ... on Document { kind body } } }`, map[string]any{"id": encodeID(doc.ID)})
		s.mustDo(clin, `{ clients(first: 10) { edges { node { firstName lastName strikeCount } } } }`, nil)
		s.mustDo(clin, `{ clients(first: 10) { edges { node { strikeCount } } } }`, nil) // nothing identifying: no event
		const update = `mutation($id: ID!) { updateClient(input: {clientID: $id, phone: "+1 555 0199"}) { client { id } userErrors { field message code } } }`
		s.mustDo(clin, update, map[string]any{"id": encodeID(ann.ID)})
		wantUserErrors(t, s.do(clin, update, map[string]any{"id": encodeID(dee.ID)}), "updateClient", "client", "NOT_FOUND input.clientID")
		s.do(clin, `query($id: ID!) { node(id: $id) { ... on Client { firstName } } }`, map[string]any{"id": encodeID(dee.ID)})

		events := must(s.main.DB.Ent.AuditEvent.Query().Order(auditevent.ByID()).All(sys()))
		var got []string
		for _, e := range events {
			client := 0
			if e.ClientID != nil {
				client = *e.ClientID
			}
			who := ""
			if e.ActorID != nil && *e.ActorID == f.clinicianUser.ID {
				who = "clinician"
			}
			var c string
			switch client {
			case ann.ID:
				c = "Ann"
			case dee.ID:
				c = "Dee"
			case 0:
				c = "-"
			default:
				c = "other"
			}
			got = append(got, strings.Join([]string{who, e.ActorRole, e.Action, c, string(e.Outcome), e.Detail}, " "))
			if e.RequestID == "" || e.Address == "" {
				t.Errorf("event %s has no request id or address", e.Action)
			}
			if strings.Contains(e.Detail, "clinical text") || strings.Contains(e.Detail, "Ann") {
				t.Errorf("an audit event holds PHI: %q", e.Detail)
			}
		}
		want := []string{
			"clinician CLINICIAN readDocumentBody Ann SUCCESS fields: Document.body",
			"clinician CLINICIAN readClientIdentity Ann SUCCESS fields: Client.firstName, Client.lastName",
			"clinician CLINICIAN readClientIdentity other SUCCESS fields: Client.firstName, Client.lastName",
			"clinician CLINICIAN readClientIdentity other SUCCESS fields: Client.firstName, Client.lastName",
			// What changed, the field without its value (issue 17.6).
			fmt.Sprintf(`clinician CLINICIAN updateClient Ann SUCCESS {"changes":[{"type":"Client","id":%d,"field":"phone","changed":true}]}`, ann.ID),
			"clinician CLINICIAN updateClient Dee DENIED NOT_FOUND",
			"clinician CLINICIAN read node - DENIED NOT_FOUND",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		// Who read Ann's notes this month?
		q := `query($c: ID!, $from: DateTime!) { auditEvents(first: 20, where: {clientID: $c, action: "readDocumentBody", occurredAtGTE: $from}) {
			totalCount edges { node { actorID actorRole entityID occurredAt } } } }`
		vars := map[string]any{"c": encodeID(ann.ID), "from": testNow.AddDate(0, -1, 0).Format(time.RFC3339)}
		r := s.mustDo(admin, q, vars)["auditEvents"].(map[string]any)
		if r["totalCount"] != float64(1) {
			t.Fatalf("readers of Ann's notes: %v", r)
		}
		node := r["edges"].([]any)[0].(map[string]any)["node"].(map[string]any)
		if node["actorID"] != encodeID(f.clinicianUser.ID) || node["entityID"] != encodeID(doc.ID) {
			t.Errorf("reader = %v, want the clinician reading document %s", node, encodeID(doc.ID))
		}
		if r := s.do(clin, q, vars); r.code() != "NOT_FOUND" && (r.Data["auditEvents"] == nil || r.Data["auditEvents"].(map[string]any)["totalCount"] != float64(0)) {
			t.Errorf("a clinician reading the audit log: %+v %v", r.Errors, r.Data)
		}
	})
}

// If the audit log cannot be written, nothing is changed and nothing
// identifying is shown: the request fails closed.
func TestTheAuditLogFailsClosed(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		clin := s.token(f.clinicianUser)
		if _, err := s.main.DB.SQL.Exec(`DROP TABLE audit_events`); err != nil {
			t.Fatal(err)
		}
		r := s.do(clin, `mutation { createClient(input: {firstName: "Zed", lastName: "Zero", status: WAITLIST}) { client { id } userErrors { field message code } } }`, nil)
		if r.code() != "INTERNAL" || r.Data["createClient"] != nil {
			t.Errorf("a change whose audit event cannot be written: %+v %v, want INTERNAL and no data", r.Errors, r.Data)
		}
		if n := must(s.main.DB.Ent.ClientProfile.Query().Where(clientprofile.FirstName("Zed")).Count(sys())); n != 0 {
			t.Errorf("the change was written without its audit event")
		}
		r = s.do(clin, `{ clients(first: 5) { edges { node { firstName } } } }`, nil)
		if r.code() != "INTERNAL" || strings.Contains(toJSON(r.Data), "Ann") {
			t.Errorf("a read whose audit event cannot be written: %+v %v, want INTERNAL and no names", r.Errors, r.Data)
		}
	})
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A refused read names what it probed (issue 16): node(id:) out of scope,
// nodes(ids:) with some ids out of scope, a root field's ID argument.
func TestRefusedReadsNameTheProbedID(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		clin := s.token(f.clinicianUser)
		ann, dee, eve := f.ownClients[0], f.otherClients[0], f.otherClients[1]

		s.do(clin, `query($id: ID!) { node(id: $id) { ... on Client { firstName } } }`, map[string]any{"id": encodeID(dee.ID)})
		s.do(clin, `query($ids: [ID!]!) { probe: nodes(ids: $ids) { ... on Client { firstName } } }`,
			map[string]any{"ids": []any{encodeID(ann.ID), encodeID(eve.ID)}})

		denied := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.OutcomeEQ(auditevent.OutcomeDENIED)).Order(auditevent.ByID()).All(sys()))
		var got []string
		for _, e := range denied {
			id := 0
			if e.EntityID != nil {
				id = *e.EntityID
			}
			who := map[int]string{ann.ID: "Ann", dee.ID: "Dee", eve.ID: "Eve"}[id]
			got = append(got, e.Action+" "+who+" "+e.Detail)
		}
		want := []string{"read node Dee NOT_FOUND", "read probe Eve NOT_FOUND"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("denied events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// The audit log's request id is the server's own (issue 16): two users
// sending the same X-Request-ID get distinct ids in the audit log, and the
// caller's value is only in the log line, as client_request_id.
func TestAuditRequestIDsAreTheServers(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		const q = `{ clients(first: 5) { edges { node { firstName } } } }`
		hdr := map[string]string{"X-Request-ID": "same-id-for-everyone"}
		var headers []string
		for _, u := range []*ent.User{f.clinicianUser, f.admin} {
			rec := s.post(s.token(u), strings.NewReader(toJSON(map[string]any{"query": q})), -1, hdr)
			if r := decode(t, rec); len(r.Errors) > 0 {
				t.Fatalf("%+v", r.Errors)
			}
			headers = append(headers, rec.Header().Get("X-Request-ID"))
		}
		ids := map[string]map[int]bool{}
		for _, e := range must(s.main.DB.Ent.AuditEvent.Query().All(sys())) {
			if ids[e.RequestID] == nil {
				ids[e.RequestID] = map[int]bool{}
			}
			ids[e.RequestID][*e.ActorID] = true
		}
		if len(ids) != 2 || ids[headers[0]] == nil || ids[headers[1]] == nil || headers[0] == headers[1] {
			t.Errorf("audit request ids %v, response ids %v: want one distinct id per request, the server's", ids, headers)
		}
		for id, actors := range ids {
			if len(actors) != 1 || strings.Contains(id, "same-id") {
				t.Errorf("request id %q: actors %v", id, actors)
			}
		}
		s.logs.Reset()
		s.post(s.token(f.admin), strings.NewReader(toJSON(map[string]any{"query": `{ me { id } }`})), -1,
			map[string]string{"X-Request-ID": "odd\" forged=1 " + strings.Repeat("x", 100)})
		logs := s.logs.String()
		if !strings.Contains(logs, "client_request_id=oddforged1"+strings.Repeat("x", 54)+" ") || strings.Contains(logs, "forged=1") {
			t.Errorf("the log line should keep the caller's id cleaned, as client_request_id:\n%s", logs)
		}
	})
}
