package workflow_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/testdb"
	"github.com/caseload/caseload/internal/workflow"
)

// projectionCase is a committed practice whose every workflow call commits
// (or rolls back) as the server's mutations do, so that the projection's
// commit hook runs.
func projectionCase(t *testing.T, dialectName string) (*testCase, *database.DB) {
	t.Helper()
	db := testdb.Open(t, dialectName, testdb.Options{})
	c := begin(t, db.Ent, dialectName)
	if err := c.txn.Commit(); err != nil {
		t.Fatal(err)
	}
	c.txn, c.tx, c.allow = nil, db.Ent, privacy.DecisionContext(context.Background(), privacy.Allow)
	return c, db
}

// verifyProjection fails the test when a row differs from a recompute.
func verifyProjection(t *testing.T, db *database.DB, c *testCase, step string) {
	t.Helper()
	drift, err := db.Facts.Verify(context.Background(), db.Ent, c.practice)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) > 0 {
		t.Fatalf("after %s: %v", step, drift)
	}
}

// histories is how many random histories per dialect: CASELOAD_PROJECTION_HISTORIES raises it.
func histories() int {
	if n, err := strconv.Atoi(os.Getenv("CASELOAD_PROJECTION_HISTORIES")); err == nil && n > 0 {
		return n
	}
	return 100
}

// TestProjectionFollowsTheWorkflows: seeded random histories of a few
// clients, written through the workflows (bookings in the past and the
// future, attendance on time and late, no-shows, cancellations by the
// client inside and outside the window and by the clinician, excusals,
// closure warnings, closures and reopenings, contacts, documents drafted
// and signed, caregivers, policy changes; refused calls too): after every
// step every client's row equals a recompute from the whole history.
func TestProjectionFollowsTheWorkflows(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		c, db := projectionCase(t, dialectName)
		var clients []int
		for i := range 4 {
			cp := mustCreateClient(t, c, "Client"+strconv.Itoa(i), clientprofile.StatusACTIVE)
			clients = append(clients, cp.ID)
		}
		verifyProjection(t, db, c, "creating the clients")
		done := map[string]int{}
		for seed := range histories() {
			rng := rand.New(rand.NewPCG(uint64(seed), 18))
			for range 4 {
				name, ok := projectionStep(t, c, rng, clients)
				if ok {
					done[name]++
				}
				verifyProjection(t, db, c, name)
			}
		}
		t.Logf("steps that wrote: %v", done)
		if len(done) < 10 {
			t.Fatalf("only %d kinds of step ever wrote: %v", len(done), done)
		}
	})
}

// projectionStep runs one random workflow call, names it and tells
// whether it wrote (a refused call writes nothing).
func projectionStep(t *testing.T, c *testCase, rng *rand.Rand, clients []int) (string, bool) {
	name, err := projectionCall(t, c, rng, clients)
	return name, err == nil
}

func projectionCall(t *testing.T, c *testCase, rng *rand.Rand, clients []int) (string, error) {
	t.Helper()
	client := clients[rng.IntN(len(clients))]
	appts, err := c.tx.Appointment.Query().Where(appointment.ClientID(client)).IDs(c.allow)
	if err != nil {
		t.Fatal(err)
	}
	anAppt := func() int {
		if len(appts) == 0 {
			return 0
		}
		return appts[rng.IntN(len(appts))]
	}
	v := c.clinician
	if rng.IntN(3) == 0 {
		v = c.admin
	}
	var runErr error
	run := func(fn func(ctx context.Context) error) { runErr = c.mutate(t, v, "192.0.2.1", fn) }
	hours := func(lo, hi int) time.Time {
		return testNow.Add(time.Duration(lo+rng.IntN(hi-lo)) * time.Hour).Truncate(15 * time.Minute)
	}
	switch k := rng.IntN(13); k {
	case 0, 1:
		start := hours(-24*60, 24*30)
		run(func(ctx context.Context) error {
			_, err := c.svc.ScheduleAppointment(ctx, workflow.ScheduleAppointmentInput{ClientID: client, StartsAt: start, EndsAt: start.Add(50 * time.Minute)})
			return err
		})
		return "scheduling", runErr
	case 2, 3:
		late := []int{0, 0, 5, 15}[rng.IntN(4)]
		out := []workflow.AttendanceOutcome{workflow.OutcomeAttended, workflow.OutcomeAttended, workflow.OutcomeNoShow}[rng.IntN(3)]
		run(func(ctx context.Context) error {
			in := workflow.RecordAttendanceInput{AppointmentID: anAppt(), Outcome: out}
			if out == workflow.OutcomeAttended {
				in.MinutesLate = &late
			}
			_, err := c.svc.RecordAttendance(ctx, in)
			return err
		})
		return "recording attendance", runErr
	case 4:
		by := []appointment.CanceledBy{appointment.CanceledByCLIENT, appointment.CanceledByCLIENT, appointment.CanceledByCLINICIAN}[rng.IntN(3)]
		run(func(ctx context.Context) error {
			_, err := c.svc.CancelAppointment(ctx, workflow.CancelAppointmentInput{AppointmentID: anAppt(), By: by})
			return err
		})
		return "cancelling", runErr
	case 5:
		run(func(ctx context.Context) error {
			_, err := c.svc.ExcuseStrike(ctx, workflow.ExcuseStrikeInput{AppointmentID: anAppt(), Reason: "illness"})
			return err
		})
		return "excusing", runErr
	case 6:
		run(func(ctx context.Context) error {
			_, err := c.svc.SendClosureWarning(ctx, workflow.SendClosureWarningInput{ClientID: client, Channel: contact.ChannelEMAIL})
			return err
		})
		return "warning", runErr
	case 7:
		run(func(ctx context.Context) error {
			_, err := c.svc.CloseCase(ctx, workflow.CloseCaseInput{ClientID: client, Reason: episode.CloseReasonINACTIVE})
			return err
		})
		return "closing", runErr
	case 8:
		run(func(ctx context.Context) error {
			_, err := c.svc.ReopenCase(ctx, workflow.ReopenCaseInput{ClientID: client})
			return err
		})
		return "reopening", runErr
	case 9:
		at := hours(-24*60, 0)
		dir := []contact.Direction{contact.DirectionINBOUND, contact.DirectionOUTBOUND}[rng.IntN(2)]
		minutes := []int{0, 20}[rng.IntN(2)]
		run(func(ctx context.Context) error {
			_, err := c.svc.CreateContact(ctx, ent.CreateContactInput{Channel: contact.ChannelPHONE, Direction: dir, Purpose: contact.PurposeCHECK_IN,
				OccurredAt: &at, BillableMinutes: &minutes, ClientID: client})
			return err
		})
		return "logging a contact", runErr
	case 10:
		kind := []document.Kind{document.KindTREATMENT_PLAN, document.KindPROGRESS_NOTE, document.KindTERMINATION_NOTE, document.KindTREATMENT_PLAN_REVIEW}[rng.IntN(4)]
		body := "Notes."
		run(func(ctx context.Context) error {
			in := ent.CreateDocumentInput{Kind: kind, Body: &body, ClientID: client}
			if kind == document.KindPROGRESS_NOTE {
				id := anAppt()
				in.AppointmentID = &id
			}
			d, err := c.svc.CreateDocument(ctx, in)
			if err != nil || rng.IntN(2) == 0 {
				return err
			}
			_, err = c.svc.SignDocument(ctx, workflow.SignDocumentInput{DocumentID: d.ID, Version: d.Version})
			return err
		})
		return "writing a document", runErr
	case 11:
		primary := rng.IntN(2) == 0
		consent := rng.IntN(2) == 0
		run(func(ctx context.Context) error {
			_, err := c.svc.CreateCaregiver(ctx, ent.CreateCaregiverInput{Name: "Pat Zed", Relationship: "parent", IsPrimary: &primary, ConsentToContact: &consent, ClientID: client})
			return err
		})
		return "adding a caregiver", runErr
	default:
		window := []int{12, 24, 48}[rng.IntN(3)]
		limit := 2 + rng.IntN(3)
		v = c.admin
		run(func(ctx context.Context) error {
			_, err := c.svc.UpdatePolicy(ctx, workflow.PolicyChange{LateCancelWindowHours: &window, StrikeLimit: &limit})
			return err
		})
		return "changing the policy", runErr
	}
}

// TestProjectionVerifyAndRebuild: verify reports a tampered row and a
// missing one by client id, and rebuild restores both.
func TestProjectionVerifyAndRebuild(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		c, db := projectionCase(t, dialectName)
		a := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
		b := mustCreateClient(t, c, "Bob", clientprofile.StatusACTIVE)
		start := testNow.Add(-48 * time.Hour)
		if err := c.mutate(t, c.admin, "192.0.2.1", func(ctx context.Context) error {
			_, err := c.svc.ScheduleAppointment(ctx, workflow.ScheduleAppointmentInput{ClientID: a.ID, StartsAt: start, EndsAt: start.Add(time.Hour)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		verifyProjection(t, db, c, "booking")
		ctx := context.Background()
		if _, err := db.Ent.ExecContext(ctx, "UPDATE client_facts SET strike_count = 7, booked = '[]' WHERE client_id = "+strconv.Itoa(a.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Ent.ExecContext(ctx, "DELETE FROM client_facts WHERE client_id = "+strconv.Itoa(b.ID)); err != nil {
			t.Fatal(err)
		}
		drift, err := db.Facts.Verify(ctx, db.Ent, c.practice)
		if err != nil {
			t.Fatal(err)
		}
		if len(drift) != 2 || drift[0].ClientID != a.ID || drift[1].ClientID != b.ID || !drift[1].Missing ||
			drift[0].String() != "practice "+strconv.Itoa(c.practice)+" client "+strconv.Itoa(a.ID)+": differs in [StrikeCount Booked]" {
			t.Fatalf("drift %v, want client %d's StrikeCount and Booked and client %d's missing row", drift, a.ID, b.ID)
		}
		n, skipped, err := db.Facts.RebuildStale(ctx, db.Ent, db.SQL)
		if err != nil || skipped || n != 1 {
			t.Fatalf("rebuilt %d stale (skipped %v, %v), want 1: the missing row", n, skipped, err)
		}
		n, err = db.Facts.Rebuild(ctx, db.Ent, c.practice)
		if err != nil || n != 2 {
			t.Fatalf("rebuilt %d (%v), want 2", n, err)
		}
		verifyProjection(t, db, c, "the rebuild")
	})
}

// TestProjectionConcurrentWriters: 16 transactions writing to one client at
// once leave its row equal to a recompute (PostgreSQL runs them
// concurrently; SQLite one after the other).
func TestProjectionConcurrentWriters(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		c, db := projectionCase(t, dialectName)
		a := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
		var ids []int
		for i := range 16 {
			start := testNow.Add(time.Duration(-200+i*3) * time.Hour)
			if err := c.mutate(t, c.admin, "192.0.2.1", func(ctx context.Context) error {
				ap, err := c.svc.ScheduleAppointment(ctx, workflow.ScheduleAppointmentInput{ClientID: a.ID, StartsAt: start, EndsAt: start.Add(time.Hour)})
				if err == nil {
					ids = append(ids, ap.ID)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		errs := make(chan error, len(ids))
		for i, id := range ids {
			go func() {
				out := workflow.OutcomeNoShow
				if i%2 == 0 {
					out = workflow.OutcomeAttended
				}
				errs <- c.mutate(t, c.clinician, "192.0.2.1", func(ctx context.Context) error {
					_, err := c.svc.RecordAttendance(ctx, workflow.RecordAttendanceInput{AppointmentID: id, Outcome: out})
					return err
				})
			}()
		}
		for range ids {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		verifyProjection(t, db, c, "16 concurrent writers")
		got, err := db.Ent.QueryContext(context.Background(), "SELECT strike_count FROM client_facts WHERE client_id = "+strconv.Itoa(a.ID))
		if err != nil {
			t.Fatal(err)
		}
		defer got.Close()
		var strikes int
		if !got.Next() || got.Scan(&strikes) != nil || strikes != 8 {
			t.Fatalf("strike count %d, want the 8 no-shows", strikes)
		}
	})
}
