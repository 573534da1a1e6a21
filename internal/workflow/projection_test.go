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
		steps := 0
		for seed := range histories() {
			rng := rand.New(rand.NewPCG(uint64(seed), 18))
			for range 4 {
				name := projectionStep(t, c, rng, clients)
				steps++
				verifyProjection(t, db, c, name)
			}
		}
		if steps == 0 {
			t.Fatal("no steps")
		}
	})
}

// projectionStep runs one random workflow call and names it.
func projectionStep(t *testing.T, c *testCase, rng *rand.Rand, clients []int) string {
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
	run := func(fn func(ctx context.Context) error) { _ = c.mutate(t, v, "192.0.2.1", fn) }
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
		return "scheduling"
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
		return "recording attendance"
	case 4:
		by := []appointment.CanceledBy{appointment.CanceledByCLIENT, appointment.CanceledByCLIENT, appointment.CanceledByCLINICIAN}[rng.IntN(3)]
		run(func(ctx context.Context) error {
			_, err := c.svc.CancelAppointment(ctx, workflow.CancelAppointmentInput{AppointmentID: anAppt(), By: by})
			return err
		})
		return "cancelling"
	case 5:
		run(func(ctx context.Context) error {
			_, err := c.svc.ExcuseStrike(ctx, workflow.ExcuseStrikeInput{AppointmentID: anAppt(), Reason: "illness"})
			return err
		})
		return "excusing"
	case 6:
		run(func(ctx context.Context) error {
			_, err := c.svc.SendClosureWarning(ctx, workflow.SendClosureWarningInput{ClientID: client, Channel: contact.ChannelEMAIL})
			return err
		})
		return "warning"
	case 7:
		run(func(ctx context.Context) error {
			_, err := c.svc.CloseCase(ctx, workflow.CloseCaseInput{ClientID: client, Reason: episode.CloseReasonINACTIVE})
			return err
		})
		return "closing"
	case 8:
		run(func(ctx context.Context) error {
			_, err := c.svc.ReopenCase(ctx, workflow.ReopenCaseInput{ClientID: client})
			return err
		})
		return "reopening"
	case 9:
		at := hours(-24*60, 0)
		dir := []contact.Direction{contact.DirectionINBOUND, contact.DirectionOUTBOUND}[rng.IntN(2)]
		minutes := []int{0, 20}[rng.IntN(2)]
		run(func(ctx context.Context) error {
			_, err := c.svc.CreateContact(ctx, ent.CreateContactInput{Channel: contact.ChannelPHONE, Direction: dir, Purpose: contact.PurposeCHECK_IN,
				OccurredAt: &at, BillableMinutes: &minutes, ClientID: client})
			return err
		})
		return "logging a contact"
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
		return "writing a document"
	case 11:
		primary := rng.IntN(2) == 0
		consent := rng.IntN(2) == 0
		run(func(ctx context.Context) error {
			_, err := c.svc.CreateCaregiver(ctx, ent.CreateCaregiverInput{Name: "Pat Zed", Relationship: "parent", IsPrimary: &primary, ConsentToContact: &consent, ClientID: client})
			return err
		})
		return "adding a caregiver"
	default:
		window := []int{12, 24, 48}[rng.IntN(3)]
		limit := 2 + rng.IntN(3)
		v = c.admin
		run(func(ctx context.Context) error {
			_, err := c.svc.UpdatePolicy(ctx, workflow.PolicyChange{LateCancelWindowHours: &window, StrikeLimit: &limit})
			return err
		})
		return "changing the policy"
	}
}
