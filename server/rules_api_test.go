package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/screens"
	"github.com/caseload/caseload/internal/testdb"
)

// dashboardQuery is a clinician's dashboard, the query the benchmark
// measures: every client (100 by default) with every derived field, their
// next appointment and primary caregiver, and the clinician's caseload
// health, To-Do list and tomorrow's calendar.
const dashboardQuery = screens.Dashboard

// addClients gives the fixture's clinician n more clients, each with a
// history that exercises the rules: sessions attended, missed and booked, a
// note, a contact and a caregiver.
func addClients(t testing.TB, s *apiServer, f *practiceFixture, n int) {
	t.Helper()
	c := s.main.DB.Ent
	ctx := sys()
	for i := 0; i < n; i++ {
		cl := must(c.ClientProfile.Create().SetPracticeID(f.practice.ID).SetFirstName(fmt.Sprintf("D%03d", i)).SetLastName("Dash").
			SetClinicianID(f.clinician.ID).SetStatus(clientprofile.StatusACTIVE).SetWantsEarlierAppointment(i%2 == 0).
			SetDateOfBirth(time.Date(2000+i%20, 5, 1, 0, 0, 0, 0, time.UTC)).Save(ctx))
		ep := must(c.Episode.Create().SetPracticeID(f.practice.ID).SetClientID(cl.ID).SetClinicianID(f.clinician.ID).SetOpenedAt(testNow.AddDate(0, -4, 0)).Save(ctx))
		must(c.Caregiver.Create().SetPracticeID(f.practice.ID).SetClientID(cl.ID).SetName("Parent").SetRelationship("mother").SetIsPrimary(true).Save(ctx))
		var rows []*ent.AppointmentCreate
		for w := -6; w <= 2; w++ {
			start := testNow.AddDate(0, 0, 7*w).Add(time.Duration(i) * time.Hour).Add(24 * time.Hour)
			status := "ATTENDED"
			switch {
			case !start.Before(testNow):
				// Attendance is recorded once a session is over: a session
				// ahead is booked (a fact recorded ahead of now would make
				// the projection's rows defer to the histories).
				status = "SCHEDULED"
			case w == -2 && i%3 == 0:
				status = "NO_SHOW"
			}
			rows = append(rows, c.Appointment.Create().SetPracticeID(f.practice.ID).SetClientID(cl.ID).SetClinicianID(f.clinician.ID).SetEpisodeID(ep.ID).
				SetStartsAt(start).SetEndsAt(start.Add(50*time.Minute)).SetStatus(appointment.Status(status)).SetMinutesLate(i%12))
		}
		appts := must(c.Appointment.CreateBulk(rows...).Save(ctx))
		must(c.Document.Create().SetPracticeID(f.practice.ID).SetClientID(cl.ID).SetAuthorID(f.clinicianUser.ID).SetAppointmentID(appts[0].ID).
			SetKind("PROGRESS_NOTE").SetStatus("SIGNED").SetSignedAt(appts[0].EndsAt).Save(ctx))
		must(c.Contact.Create().SetPracticeID(f.practice.ID).SetClientID(cl.ID).SetChannel("PHONE").SetDirection("INBOUND").SetPurpose("SCHEDULING").
			SetOccurredAt(testNow.AddDate(0, 0, -3)).SetBillableMinutes(i % 2 * 15).Save(ctx))
	}
}

// TestDashboardStatementsDoNotGrowWithClients is the no-N+1 guarantee of the
// rules: the whole dashboard for 10 and for 60 clients sends the same
// number of SQL statements, at most 10 for the client list and its derived
// fields.
func TestDashboardStatementsDoNotGrowWithClients(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		for _, c := range []struct {
			name  string
			query string
			max   int
		}{
			{"clients with every derived field", `{ clients(first: 100) { edges { node { id strikeCount daysSinceSeen daysSinceContact lastSeenAt lastContactAt
				nextAppointment { id startsAt reminderDue noteStatus } backfillEligible backfillEligibility { eligible reasons }
				recurringEligibility { eligible shouldRevoke } terminationRecommendation { action reason closeBy explanation }
				treatmentPlanReviewDueOn isMinor primaryCaregiver { name } paperworkDue { documentKind dueAt document { id } appointment { id } } } } } }`, 10},
			{"todo", `{ myTodo { kind dueAt client { id firstName } appointment { id } document { id } contact { id } } }`, 10},
			{"calendar", `{ myCalendar { appointment { id startsAt noteStatus } noShowRisk { score } caregiver { name } backfillCandidates { client { id } waitDays } } }`, 10},
			{"whole dashboard", dashboardQuery, 10},
		} {
			t.Run(c.name, func(t *testing.T) {
				counts := map[int]int{}
				var last []string
				for _, n := range []int{10, 60} {
					s := newAPIServer(t, d)
					f := s.seedPractice("North", "north.example")
					addClients(t, s, f, n-len(f.ownClients))
					tok := s.token(f.clinicianUser)
					s.sql.Reset()
					data := s.mustDo(tok, c.query, nil)
					// The audit log's one bulk insert (the identifying
					// fields read) is counted apart from the reads.
					last = nil
					audits := 0
					for _, st := range s.sql.Statements() {
						if strings.Contains(st, "INSERT INTO `audit_events`") || strings.Contains(st, `INSERT INTO "audit_events"`) {
							audits++
							continue
						}
						last = append(last, st)
					}
					counts[n] = len(last)
					if audits > 1 {
						t.Errorf("%d audit inserts for one query, want at most 1", audits)
					}
					if len(data) == 0 {
						t.Fatal("no data")
					}
				}
				t.Logf("%s: %d statements for 10 clients, %d for 60", d, counts[10], counts[60])
				if counts[10] != counts[60] {
					t.Errorf("statements grew with the caseload: %d for 10 clients, %d for 60 (N+1):\n%s", counts[10], counts[60], strings.Join(last, "\n"))
				}
				if counts[60] > c.max {
					t.Errorf("%d statements, want at most %d:\n%s", counts[60], c.max, strings.Join(last, "\n"))
				}
			})
		}
	})
}

// TestDashboardStatementsAreTheSameEveryRun: gqlgen resolves the root
// fields of a query concurrently, so the client list's rules and the
// caseload's may ask for histories in either order. A page smaller than the
// caseload used to load the rest of the caseload in a second round when the
// page came first; the count must not depend on who wins.
func TestDashboardStatementsAreTheSameEveryRun(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		addClients(t, s, f, 30)
		tok := s.token(f.clinicianUser)
		counts := map[int]int{}
		for range 12 {
			s.sql.Reset()
			s.mustDo(tok, dashboardQuery, map[string]any{"first": 5})
			counts[s.sql.Count()]++
		}
		if len(counts) != 1 {
			t.Errorf("statements per run of the same dashboard: %v (count: runs), want one count", counts)
		}
	})
}

func TestClientsFilteredAndRankedByRules(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		c := s.main.DB.Ent
		ann, ben := f.ownClients[0], f.ownClients[1]
		// Ann was seen 3 days ago and is booked; Ben no-showed twice; Cy was never seen.
		for _, a := range []struct {
			client *ent.ClientProfile
			days   int
			status appointment.Status
		}{
			{ann, -3, appointment.StatusATTENDED}, {ann, 4, appointment.StatusSCHEDULED},
			{ben, -14, appointment.StatusNO_SHOW}, {ben, -21, appointment.StatusNO_SHOW},
		} {
			start := testNow.AddDate(0, 0, a.days)
			must(c.Appointment.Create().SetPracticeID(f.practice.ID).SetClientID(a.client.ID).SetClinicianID(f.clinician.ID).
				SetStartsAt(start).SetEndsAt(start.Add(50 * time.Minute)).SetStatus(a.status).Save(sys()))
		}
		must(ben.Update().SetWantsEarlierAppointment(true).Save(sys()))
		must(ann.Update().SetWantsEarlierAppointment(true).Save(sys()))
		tok := s.token(f.clinicianUser)
		names := func(data map[string]any, field string) string {
			var out []string
			switch v := data[field].(type) {
			case []any:
				for _, n := range v {
					out = append(out, n.(map[string]any)["firstName"].(string))
				}
			case map[string]any:
				for _, e := range v["edges"].([]any) {
					out = append(out, e.(map[string]any)["node"].(map[string]any)["firstName"].(string))
				}
			}
			return strings.Join(out, " ")
		}
		for _, tc := range []struct {
			name, query, field, want string
		}{
			{"to close", `{ clients(first: 10, where: {terminationActionIn: [CLOSE]}, orderBy: {field: FIRST_NAME, direction: ASC}) { edges { node { firstName } } } }`, "clients", "Ben Cy"},
			{"nothing to do", `{ clients(first: 10, where: {terminationActionIn: [NONE]}) { edges { node { firstName } } } }`, "clients", "Ann"},
			{"backfill list", `{ clients(first: 10, where: {backfillEligible: true}, orderBy: {field: FIRST_NAME, direction: ASC}) { edges { node { firstName } } } }`, "clients", "Ann Ben"},
			{"combined with a field filter", `{ clients(first: 10, where: {backfillEligible: true, firstName: "Ben"}) { edges { node { firstName } } } }`, "clients", "Ben"},
			{"most strikes first", `{ rankedClients(by: STRIKE_COUNT, first: 1) { firstName } }`, "rankedClients", "Ben"},
			{"longest out of contact first", `{ rankedClients(by: DAYS_SINCE_CONTACT, first: 3) { firstName } }`, "rankedClients", "Ben Cy Ann"}, // Ben and Cy: never seen, counted from the same episode opening
			{"most recently seen first", `{ rankedClients(by: DAYS_SINCE_SEEN, direction: ASC, first: 1) { firstName } }`, "rankedClients", "Ann"},
		} {
			if got := names(s.mustDo(tok, tc.query, nil), tc.field); got != tc.want {
				t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
			}
		}
	})
}

// TestCaseloadFieldsOfOtherCliniciansAreNull: a clinician sees colleagues in
// the directory, but their caseload health, To-Do list and calendar are null
// rather than computed over the clients the viewer happens to see.
func TestCaseloadFieldsOfOtherCliniciansAreNull(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		const q = `{ clinicians(first: 10, orderBy: {field: NAME, direction: ASC}) { edges { node { name caseloadHealth { activeClients } todo { kind } calendar { noShowRisk { score } } } } } }`
		for _, c := range []struct {
			who     string
			tok     string
			visible map[string]bool
		}{
			{"clinician", s.token(f.clinicianUser), map[string]bool{"Cli Nician": true}},
			{"supervisor", s.token(f.supervisor), map[string]bool{"Cli Nician": true, "Dr Sup": true}},
			{"admin", s.token(f.admin), map[string]bool{"Cli Nician": true, "Dr Sup": true, "Oth Er": true}},
		} {
			data := s.mustDo(c.tok, q, nil)
			for _, e := range data["clinicians"].(map[string]any)["edges"].([]any) {
				n := e.(map[string]any)["node"].(map[string]any)
				name := n["name"].(string)
				for _, field := range []string{"caseloadHealth", "todo", "calendar"} {
					if got := n[field] != nil; got != c.visible[name] {
						t.Errorf("%s reading %s's %s: present=%v, want %v", c.who, name, field, got, c.visible[name])
					}
				}
			}
		}
		health := s.mustDo(s.token(f.admin), `{ clinicians(first: 10, where: {name: "Cli Nician"}) { edges { node { caseloadHealth { activeClients } } } } }`, nil)
		n := health["clinicians"].(map[string]any)["edges"].([]any)[0].(map[string]any)["node"].(map[string]any)
		if got := n["caseloadHealth"].(map[string]any)["activeClients"]; got != float64(len(f.ownClients)) {
			t.Errorf("admin sees %v active clients for the clinician, want %d", got, len(f.ownClients))
		}
	})
}
