package main

import (
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/testdb"
)

// The screens a stored session is read by: the clinician's caseload with
// its health and To-Do, and the admin's client list.
const (
	clinicianScreens = `{ me { clinician { caseloadHealth { status } todo { kind dueAt } } }
		clients(first: 100) { edges { node { id nextAppointment { startsAt } lastSeenAt } } } }`
	adminClients = `{ clients(first: 100) { totalCount edges { node { id firstName nextAppointment { startsAt } } } } }`
)

// TestInstantRange (issue 16, finding 9): a session booked at
// 9999-12-31T20:00:00-05:00 (year 10000 in UTC) could not be read back on
// SQLite and broke the clinician's caseload, To-Do and caseload health and
// the admin's client list; on PostgreSQL the API echoed a date its own
// parser refuses. Every instant and date outside 1900-2199 is now
// BAD_USER_INPUT, wherever it is written (a mutation's input, a filter, a
// write that does not go through the API), and the lists keep working.
func TestInstantRange(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok, admin := s.token(f.clinicianUser), s.token(f.admin)
		ann := f.ownClients[0]
		sessions := func() int { return must(s.main.DB.Ent.Appointment.Query().Count(sys())) }
		before := sessions()

		for _, c := range []struct {
			name, token, query string
			vars               map[string]any
		}{
			{"a session in year 10000", tok, schedule, map[string]any{"in": map[string]any{"clientID": encodeID(ann.ID),
				"startsAt": "9999-12-31T20:00:00-05:00", "endsAt": "9999-12-31T20:50:00-05:00"}}},
			{"a session in 1899", admin, schedule, map[string]any{"in": map[string]any{"clientID": encodeID(ann.ID),
				"startsAt": "1899-12-31T10:00:00Z", "endsAt": "1899-12-31T10:50:00Z"}}},
			{"a session ending in 2200", admin, schedule, map[string]any{"in": map[string]any{"clientID": encodeID(ann.ID),
				"startsAt": "2199-12-31T23:30:00Z", "endsAt": "2200-01-01T00:20:00Z"}}},
			{"a date of birth in year 1", admin, `mutation($in: CreateClientInput!) { createClient(input: $in) { client { id } userErrors { field message code } } }`,
				map[string]any{"in": map[string]any{"firstName": "Old", "lastName": "Timer", "dateOfBirth": "0001-01-01"}}},
			{"a filter in year 10000", admin, `query($t: DateTime) { appointments(first: 5, where: {startsAtGT: $t}) { totalCount } }`,
				map[string]any{"t": "9999-12-31T20:00:00-05:00"}},
			{"a literal date in 9999", admin, `{ clients(first: 5, where: {dateOfBirthLT: "9999-01-01"}) { totalCount } }`, nil},
		} {
			r := s.do(c.token, c.query, c.vars)
			if r.code() != string(caseload.CodeBadUserInput) {
				t.Errorf("%s: %+v %+v, want BAD_USER_INPUT", c.name, r.Errors, r.refusals())
				continue
			}
			if !strings.Contains(r.message(), "1900-01-01 to 2199-12-31") {
				t.Errorf("%s: %q, want the range in the message", c.name, r.message())
			}
		}
		if after := sessions(); after != before {
			t.Errorf("%d sessions written by refused requests", after-before)
		}

		// Nor can a write that does not go through the API store one (the
		// schema's hook): a job, a command, a test.
		far := time.Date(10000, 1, 1, 1, 0, 0, 0, time.UTC)
		err := s.main.DB.Ent.Appointment.Create().SetPracticeID(f.practice.ID).SetClientID(ann.ID).SetClinicianID(f.clinician.ID).
			SetStartsAt(far).SetEndsAt(far.Add(50 * time.Minute)).Exec(sys())
		if caseload.ErrorCode(err) != caseload.CodeBadUserInput {
			t.Errorf("a session in year 10000 written through ent: %v, want BAD_USER_INPUT", err)
		}
		a := must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(ann.ID)).First(sys()))
		if err := a.Update().SetStartsAt(far).Exec(sys()); caseload.ErrorCode(err) != caseload.CodeBadUserInput {
			t.Errorf("a session moved to year 10000 through ent: %v, want BAD_USER_INPUT", err)
		}
		if n := must(s.main.DB.Ent.Appointment.Query().Where(appointment.StartsAtGTE(caseload.LatestInstant)).Count(sys())); n != 0 {
			t.Errorf("%d sessions stored after 2199", n)
		}

		// The edges of the range are accepted, and read back as written.
		edge := "2199-12-31T22:00:00Z"
		data := s.mustDo(admin, schedule, map[string]any{"in": map[string]any{"clientID": encodeID(ann.ID), "startsAt": edge, "endsAt": "2199-12-31T22:50:00Z"}})
		if got := data["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["startsAt"]; got != edge {
			t.Errorf("booked at %v, want %s", got, edge)
		}
		// And every screen that lists it still answers.
		s.mustDo(tok, clinicianScreens, nil)
		s.mustDo(admin, adminClients, nil)
	})
}

// TestBlankNames (issue 16, finding 10): a name of only spaces was
// accepted. Every name is trimmed and must not be blank, the same on
// SQLite and PostgreSQL, as a userError on the input's field.
func TestBlankNames(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin := s.token(f.admin)
		const createClient = `mutation($in: CreateClientInput!) { createClient(input: $in) { client { id firstName lastName } userErrors { field message code } } }`
		clients := func() int { return must(s.main.DB.Ent.ClientProfile.Query().Count(sys())) }
		before := clients()
		for _, c := range []struct {
			name, query string
			vars        map[string]any
			fields      []string
		}{
			{"a blank first and last name", createClient, map[string]any{"in": map[string]any{"firstName": "   ", "lastName": "\t"}},
				[]string{"input.firstName", "input.lastName"}},
			{"a last name too long", createClient, map[string]any{"in": map[string]any{"firstName": "Ann", "lastName": strings.Repeat("é", 51)}},
				[]string{"input.lastName"}},
			{"a blank caregiver", `mutation($in: CreateCaregiverInput!) { createCaregiver(input: $in) { caregiver { id } userErrors { field message code } } }`,
				map[string]any{"in": map[string]any{"clientID": encodeID(f.ownClients[0].ID), "name": " ", "relationship": " "}},
				[]string{"input.name", "input.relationship"}},
			{"a blank clinician", `mutation($in: UpdateClinicianInput!) { updateClinician(input: $in) { clinician { id } userErrors { field message code } } }`,
				map[string]any{"in": map[string]any{"clinicianID": encodeID(f.clinician.ID), "name": "  "}}, []string{"input.name"}},
		} {
			r := s.do(admin, c.query, c.vars)
			if len(r.Errors) > 0 {
				t.Errorf("%s: %+v, want userErrors", c.name, r.Errors)
				continue
			}
			var got []string
			for _, e := range r.refusals() {
				if e.Code != string(caseload.CodeBadUserInput) {
					t.Errorf("%s: %+v, want BAD_USER_INPUT", c.name, e)
				}
				got = append(got, strings.Join(e.Field, "."))
			}
			if strings.Join(got, " ") != strings.Join(c.fields, " ") {
				t.Errorf("%s: refused %v, want %v (%+v)", c.name, got, c.fields, r.refusals())
			}
		}
		if after := clients(); after != before {
			t.Errorf("%d clients written by refused requests", after-before)
		}
		if name := must(s.main.DB.Ent.Clinician.Get(sys(), f.clinician.ID)).Name; name != f.clinician.Name {
			t.Errorf("clinician renamed to %q by a refused request", name)
		}
		// A name is stored trimmed, whatever writes it.
		data := s.mustDo(admin, createClient, map[string]any{"in": map[string]any{"firstName": "  Ann ", "lastName": " Lee"}})
		if c := data["createClient"].(map[string]any)["client"].(map[string]any); c["firstName"] != "Ann" || c["lastName"] != "Lee" {
			t.Errorf("stored %v, want Ann Lee trimmed", c)
		}
		cp := must(s.main.DB.Ent.ClientProfile.Create().SetPracticeID(f.practice.ID).SetFirstName(" Bo ").SetLastName("Tan ").SetStatus(clientprofile.StatusWAITLIST).Save(sys()))
		if cp.FirstName != "Bo" || cp.LastName != "Tan" {
			t.Errorf("written through ent as %q %q, want them trimmed", cp.FirstName, cp.LastName)
		}
	})
}

// TestNotesOnlyOnAttendedSessions (issue 16, finding 10): a progress note
// was accepted on a cancelled session. A document names only an ATTENDED
// session (docs/workflows.md "Documents").
func TestNotesOnlyOnAttendedSessions(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann := f.ownClients[0]
		a := must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(ann.ID)).First(sys()))
		const note = `mutation($c: ID!, $a: ID!, $k: DocumentKind!) { createDocument(input: {kind: $k, clientID: $c, appointmentID: $a, body: "draft"}) {
			document { id } userErrors { field message code } } }`
		vars := func(kind string) map[string]any {
			return map[string]any{"c": encodeID(ann.ID), "a": encodeID(a.ID), "k": kind}
		}
		for _, status := range []appointment.Status{appointment.StatusCANCELED, appointment.StatusNO_SHOW, appointment.StatusSCHEDULED} {
			update := a.Update().SetStatus(status)
			if status == appointment.StatusCANCELED {
				update.SetCanceledBy(appointment.CanceledByCLIENT).SetCanceledAt(testNow.Add(-8 * 24 * time.Hour))
			}
			must(update.Save(sys()))
			for _, kind := range []string{"PROGRESS_NOTE", "INTAKE", "TREATMENT_PLAN_REVIEW"} {
				r := s.do(tok, note, vars(kind))
				if r.code() != string(caseload.CodePolicyViolation) || r.field() != "input.appointmentID" {
					t.Errorf("a %s on a %s session: %+v %+v, want POLICY_VIOLATION on input.appointmentID", kind, status, r.Errors, r.refusals())
				}
			}
		}
		if n := must(a.QueryDocuments().Count(sys())); n != 0 {
			t.Errorf("%d documents of a session not attended", n)
		}
		must(a.Update().SetStatus(appointment.StatusATTENDED).ClearCanceledBy().ClearCanceledAt().Save(sys()))
		s.mustDo(tok, note, vars("PROGRESS_NOTE"))
	})
}

// TestUnpagedListComplexity (issue 16, finding 11): 29 aliases of todo
// across 20 clinicians (complexity ~14,000 when unpaged lists counted 1)
// returned 17 MB in 23 s. An unpaged list now counts for its bound: the
// query is refused before any SQL but the viewer's lookup.
func TestUnpagedListComplexity(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin := s.token(f.admin)
		var b strings.Builder
		b.WriteString("{ clinicians(first: 20) { edges { node { ")
		for i := range 29 {
			b.WriteString("t" + strings.Repeat("o", i+1) + ": todo { kind dueAt overdue explanation client { id firstName lastName } } ")
		}
		b.WriteString("} } } }")
		s.do(admin, `{ me { id } }`, nil)
		s.sql.Reset()
		s.do(admin, `{ nope }`, nil)
		viewerLookup := s.sql.Count()
		s.sql.Reset()
		r := s.do(admin, b.String(), nil)
		if r.code() != graph.CodeComplexityLimit || r.Data != nil {
			t.Fatalf("%+v, want %s and no data", r.Errors, graph.CodeComplexityLimit)
		}
		if n := s.sql.Count(); n != viewerLookup {
			t.Errorf("%d SQL statements before the refusal, want the viewer's %d", n, viewerLookup)
		}
		// One To-Do per clinician is a screen, and answers.
		s.mustDo(admin, `{ clinicians(first: 20) { edges { node { todo { kind dueAt overdue explanation client { id firstName lastName } } } } } }`, nil)
	})
}
