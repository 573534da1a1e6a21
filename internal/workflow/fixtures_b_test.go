package workflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/testdb"
	"github.com/caseload/caseload/internal/viewer"
	"github.com/caseload/caseload/internal/workflow"
)

// The fixtures of the tests of scheduling, attendance, reminders, closure,
// series and backfill. Every test runs on SQLite and on PostgreSQL
// (testdb.Run), each case in a transaction of its own that is rolled back
// at its end: the fixtures are written in it, and the workflow runs in it
// as in a mutation.

// bNow is the tests' clock: Tuesday 10 March 2026, 15:00 UTC, 11:00 in
// New York (daylight-saving time began on 8 March).
var bNow = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

// bNY is the practice's time zone.
var bNY = bZone("America/New_York")

func bZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// bLocal is an instant on the practice's clock.
func bLocal(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, bNY).UTC()
}

// bCase is one case of a test: a practice with an admin and a clinician, in
// a transaction that the case rolls back when it ends.
type bCase struct {
	txn *ent.Tx
	// tx writes the fixtures and is read to check the workflow's writes.
	tx *ent.Client
	// allow is the context the fixtures are written with (no viewer).
	allow context.Context
	// svc runs the workflows at bNow.
	svc *workflow.Service

	practice    int
	admin       *viewer.Viewer
	clinician   *viewer.Viewer
	clinicianID int
}

// bBegin opens the case's transaction on db and writes its practice.
func bBegin(tb testing.TB, db *ent.Client, dialectName string) *bCase {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.Tx(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = tx.Rollback() })
	c := &bCase{txn: tx, tx: tx.Client()}
	c.allow = c.inTx(privacy.DecisionContext(ctx, privacy.Allow))
	// A store of facts per call, as each mutation has its own.
	c.svc = workflow.New(workflow.Options{
		DB: db,
		Facts: func(context.Context) workflow.Facts {
			return facts.New(db, dialectName, func() time.Time { return bNow })
		},
		Now: func() time.Time { return bNow },
	})
	p, err := c.tx.Practice.Create().SetName("North Practice").SetTimeZone(bNY.String()).SetPolicy(caseload.DefaultPolicy()).Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	c.practice = p.ID
	admin := bMustCreateUser(tb, c, "admin@north.example", user.RoleADMIN)
	c.admin = &viewer.Viewer{PracticeID: p.ID, UserID: admin.ID, Role: viewer.Admin}
	c.clinicianID = bMustCreateClinician(tb, c, "Dr Ada Lovelace")
	cu := bMustCreateUser(tb, c, "ada@north.example", user.RoleCLINICIAN)
	c.clinician = &viewer.Viewer{PracticeID: p.ID, UserID: cu.ID, Role: viewer.Clinician, ClinicianID: c.clinicianID}
	return c
}

// as is the context of a mutation by v: the case's transaction and the
// viewer, whose privacy rules confine what the workflow reads and writes.
func (c *bCase) as(v *viewer.Viewer) context.Context {
	return c.inTx(viewer.NewContext(context.Background(), v))
}

// inTx puts the case's transaction on ctx as the server does for a mutation.
func (c *bCase) inTx(ctx context.Context) context.Context {
	return ent.NewContext(ent.NewTxContext(ctx, c.txn), c.txn.Client())
}

// bRun runs fn on a fresh database of each dialect.
func bRun(t *testing.T, fn func(t *testing.T, db *ent.Client, dialectName string)) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		fn(t, testdb.Open(t, dialectName, testdb.Options{}).Ent, dialectName)
	})
}

func bMustCreateUser(tb testing.TB, c *bCase, email string, role user.Role) *ent.User {
	tb.Helper()
	u, err := c.tx.User.Create().SetPracticeID(c.practice).SetEmail(email).SetPasswordHash("x").SetRole(role).Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func bMustCreateClinician(tb testing.TB, c *bCase, name string) int {
	tb.Helper()
	cl, err := c.tx.Clinician.Create().SetPracticeID(c.practice).SetName(name).SetCredentials("LCSW").Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return cl.ID
}

// bMustCreateClient creates a client of the case's clinician with the
// status; an ACTIVE client has an episode open since 1 December 2025, a
// CLOSED one an episode closed then.
func bMustCreateClient(tb testing.TB, c *bCase, first string, status clientprofile.Status) *ent.ClientProfile {
	tb.Helper()
	cp, err := c.tx.ClientProfile.Create().SetPracticeID(c.practice).SetFirstName(first).SetLastName("Zed").
		SetPhone("555-0100").SetClinicianID(c.clinicianID).SetStatus(status).Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	opened := bLocal(2025, 12, 1, 9, 0)
	ep := c.tx.Episode.Create().SetPracticeID(c.practice).SetClientID(cp.ID).SetClinicianID(c.clinicianID).SetOpenedAt(opened)
	switch status {
	case clientprofile.StatusACTIVE:
	case clientprofile.StatusCLOSED:
		ep.SetClosedAt(opened.AddDate(0, 1, 0))
	default:
		return cp
	}
	if err := ep.Exec(c.allow); err != nil {
		tb.Fatal(err)
	}
	return cp
}

// bMustCreateSession books a 50-minute session of the client with the
// case's clinician, in the client's open episode if any.
func bMustCreateSession(tb testing.TB, c *bCase, cp *ent.ClientProfile, start time.Time, status appointment.Status) *ent.Appointment {
	tb.Helper()
	create := c.tx.Appointment.Create().SetPracticeID(c.practice).SetClientID(cp.ID).SetClinicianID(c.clinicianID).
		SetStartsAt(start).SetEndsAt(start.Add(50 * time.Minute)).SetStatus(status)
	ep, err := workflow.OpenEpisode(c.allow, c.tx, cp.ID)
	if err != nil {
		tb.Fatal(err)
	}
	if ep != nil {
		create.SetEpisodeID(ep.ID)
	}
	a, err := create.Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// bMustCancel cancels the session as by, before the start.
func bMustCancel(tb testing.TB, c *bCase, a *ent.Appointment, by appointment.CanceledBy, before time.Duration) *ent.Appointment {
	tb.Helper()
	a, err := c.tx.Appointment.UpdateOne(a).SetStatus(appointment.StatusCANCELED).SetCanceledBy(by).
		SetCanceledAt(a.StartsAt.Add(-before)).Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// bMustReload reads the session again, as the database now has it.
func bMustReload(tb testing.TB, c *bCase, id int) *ent.Appointment {
	tb.Helper()
	a, err := c.tx.Appointment.Get(c.allow, id)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// bWantRefusal fails unless err is a *caseload.Error with the code, for
// BAD_USER_INPUT the field, and each of inMessage in its message.
func bWantRefusal(tb testing.TB, err error, code caseload.Code, field string, inMessage ...string) {
	tb.Helper()
	var e *caseload.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error = %v, want %s on %q", err, code, field)
	}
	if e.Code != code || e.Field != field {
		tb.Fatalf("error = %s on %q (%s), want %s on %q", e.Code, e.Field, e.Message, code, field)
	}
	for _, want := range inMessage {
		if !strings.Contains(e.Message, want) {
			tb.Errorf("message %q, want %q in it", e.Message, want)
		}
	}
}
