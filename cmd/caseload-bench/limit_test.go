package main

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/auth/authtest"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/testdb"
)

func TestMain(m *testing.M) { authtest.Main(m) }

// TestLimitAnswersAsTheScreen generates a small practice on each database,
// serves it through the GraphQL handler and through the limits, at the same
// fixed clock, and compares the caseload list of every clinician field by
// field (and, to show the comparison can fail, a page cut short).
func TestLimitAnswersAsTheScreen(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		now := time.Date(2025, 3, 12, 15, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		db, a := servePractice(t, dialectName, fakepractice.Size{Clinicians: 3, ActiveClientsPerClinician: 40, ClosedClients: 20, WaitlistClients: 4, Years: 1}, now)

		compared, candidates, ranked, covered := 0, 0, 0, map[string]int{}
		sessions := 0
		for _, email := range []string{"clinician01@bench.example", "clinician02@bench.example", "clinician03@bench.example"} {
			var clinicianID int64
			q := "SELECT c.id FROM clinicians c JOIN users u ON u.id = c.user_id WHERE u.email = $1"
			if dialectName != "postgres" {
				q = strings.ReplaceAll(q, "$1", "?1")
			}
			if err := db.SQL.QueryRowContext(ctx, q, email).Scan(&clinicianID); err != nil {
				t.Fatalf("%s: %v", email, err)
			}
			limits, err := newLimitServer(ctx, db.SQL, dialectName, clinicianID, clock)
			if err != nil {
				t.Fatal(err)
			}
			ls := httptest.NewServer(limits.Handler())
			t.Cleanup(ls.Close)
			token, err := a.login(ctx, email, fakepractice.Password)
			if err != nil {
				t.Fatal(err)
			}
			var screen listPage
			if _, err := a.do(ctx, token, caseloadListQuery, map[string]any{"first": 100}, &screen); err != nil {
				t.Fatal(err)
			}
			if email == "clinician01@bench.example" {
				// clinician01 supervises: the screen lists the supervisees' clients too.
				continue
			}
			diffs, err := checkCaseloadList(ctx, a, token, ls.URL, clinicianID, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range diffs {
				t.Errorf("%s: %s", email, d)
			}
			compared += len(screen.Clients.Edges)
			// The figures the comparison covers are there to compare.
			for _, e := range screen.Clients.Edges {
				n := e.Node
				for name, ok := range map[string]bool{"seen": n.DaysSinceSeen != nil, "strikes": n.StrikeCount > 0,
					"booked": n.NextAppointment != nil, "review due": n.TreatmentPlanReviewDueOn != nil,
					"caregiver": n.PrimaryCaregiver != nil, "minor": n.IsMinor, "advice": n.TerminationRecommendation.Action != "NONE"} {
					if ok {
						covered[name]++
					}
				}
			}
			// Backfill candidates for the clinician's next booked sessions.
			for _, session := range bookedSessions(t, db.SQL, dialectName, clinicianID, now, 30) {
				diffs, n, err := checkBackfill(ctx, a, token, ls.URL, session)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range diffs {
					t.Errorf("%s: %s", email, d)
				}
				candidates, ranked = candidates+n, max(ranked, n)
			}
			// The calendars of a week from today (today's past sessions too).
			for d := range 7 {
				diffs, entries, err := checkCalendar(ctx, a, token, ls.URL, clinicianID, now.AddDate(0, 0, d).Format(time.DateOnly))
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range diffs {
					t.Errorf("%s: %s", email, d)
				}
				sessions += len(entries)
				for _, e := range entries {
					for name, ok := range map[string]bool{"calendar candidates": len(e.BackfillCandidates) > 0, "reminder due": e.Appointment.ReminderDue,
						"note status": e.Appointment.NoteStatus != "NOT_REQUIRED", "calendar caregiver": e.Caregiver != nil,
						"calendar review due": e.TreatmentPlanReviewDue, "confirmed": e.NoShowRisk.Confirmed, "no-shows": e.NoShowRisk.NoShows > 0} {
						if ok {
							covered[name]++
						}
					}
				}
			}
			diffs, items, err := checkTodo(ctx, a, token, ls.URL, clinicianID)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range diffs {
				t.Errorf("%s: %s", email, d)
			}
			for _, it := range items {
				covered["todo "+it.Kind]++
			}
			dashDiffs, dash, err := checkDashboard(ctx, a, token, ls.URL, clinicianID, 100, now.AddDate(0, 0, 1).Format(time.DateOnly))
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range dashDiffs {
				t.Errorf("%s: dashboard: %s", email, d)
			}
			if len(dash.Me.Clinician.Todo) == 0 || len(dash.Me.Clinician.Calendar) == 0 || len(dash.Clients.Edges) < 20 {
				t.Errorf("%s: the dashboard compared %d To-Do items, %d sessions, %d clients", email, len(dash.Me.Clinician.Todo), len(dash.Me.Clinician.Calendar), len(dash.Clients.Edges))
			}
			// A wrong limit is caught: one client fewer.
			var short listPage
			if err := getLimit(ctx, a.client, limitURL(ls.URL, clinicianID, len(screen.Clients.Edges)-1), &short); err != nil {
				t.Fatal(err)
			}
			if len(compareLists(&screen, &short)) == 0 {
				t.Error("a page one client short compared equal")
			}
			// A row that cannot answer is the limit's error, never a silent
			// answer from other data: the limits read no history.
			if email == "clinician03@bench.example" {
				refusesStaleFacts(t, db.SQL, dialectName, ls.URL, a, clinicianID, screen.Clients.Edges[0].Node.ID)
			}
		}
		if len(covered) < 20 {
			t.Errorf("the practice exercises only %v of the figures", covered)
		}
		if candidates < 10 || ranked < 2 {
			t.Errorf("compared %d backfill candidates, at most %d for a session: want some for most sessions, and a ranking", candidates, ranked)
		}
		if sessions < 20 {
			t.Errorf("compared %d calendar sessions, want a week's worth", sessions)
		}
		if compared < 20 {
			t.Errorf("compared %d clients, want a caseload's worth", compared)
		}
	})
}

// refusesStaleFacts checks that the caseload list's limit answers with an
// error where a client's row of the projection is of another version or
// missing (the screen then reads the client's history).
func refusesStaleFacts(t *testing.T, db *sql.DB, dialectName, limitBase string, a *api, clinicianID int64, clientID string) {
	t.Helper()
	id, err := scalar.DecodeID(clientID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tamper := range []string{"UPDATE client_facts SET version = version + 1 WHERE client_id = $1", "DELETE FROM client_facts WHERE client_id = $1"} {
		if _, err := db.Exec(dialectSQL(tamper, dialectName), id); err != nil {
			t.Fatal(err)
		}
		if err := getLimit(context.Background(), a.client, limitURL(limitBase, clinicianID, 100), nil); err == nil {
			t.Errorf("after %q the caseload list's limit answered", tamper)
		}
	}
}

// bookedSessions are the GraphQL ids of a clinician's next n booked sessions.
func bookedSessions(t *testing.T, db *sql.DB, dialectName string, clinicianID int64, now time.Time, n int) []string {
	t.Helper()
	q := "SELECT id FROM appointments WHERE clinician_id = $1 AND status IN ('SCHEDULED', 'CONFIRMED') AND starts_at > $2 ORDER BY starts_at, id LIMIT $3"
	rows, err := db.Query(dialectSQL(q, dialectName), clinicianID, now, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, scalar.EncodeID(id))
	}
	if err := rows.Err(); err != nil || len(ids) == 0 {
		t.Fatalf("booked sessions: %d, %v", len(ids), err)
	}
	return ids
}

// servePractice generates a practice on a new database of the dialect,
// writes its facts projection as the server's start does, and serves it
// through the GraphQL handler at the fixed clock now.
func servePractice(t *testing.T, dialectName string, size fakepractice.Size, now time.Time) (*database.DB, *api) {
	t.Helper()
	db := testdb.Open(t, dialectName, testdb.Options{})
	if _, err := fakepractice.Load(context.Background(), db, fakepractice.Options{Size: size, Seed: 3, Now: now}); err != nil {
		t.Fatal(err)
	}
	// The generator's bulk writes bypass the projection: the server's start
	// writes the rows (as the benchmark's server does before any read).
	if n, skipped, err := db.Facts.RebuildStale(context.Background(), db.Ent, db.SQL); err != nil || skipped || n == 0 {
		t.Fatalf("writing the facts: %d rows, skipped %v, %v", n, skipped, err)
	}
	clock := func() time.Time { return now }
	issuer, err := auth.NewIssuer(auth.Keys{Secret: []byte(strings.Repeat("s", 32))}, time.Hour, clock)
	if err != nil {
		t.Fatal(err)
	}
	gql := graph.NewHandler(graph.Options{DB: db.Ent, Driver: db.Driver, Issuer: issuer, Now: clock})
	authn := &auth.Authenticator{Issuer: issuer, DB: db.Ent}
	mux := http.NewServeMux()
	mux.Handle("/graphql", authn.Middleware(gql))
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	return db, newAPI(server.URL)
}
