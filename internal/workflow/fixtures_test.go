package workflow_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/reqid"
	"github.com/caseload/caseload/internal/testdb"
	"github.com/caseload/caseload/internal/viewer"
	"github.com/caseload/caseload/internal/workflow"
)

// The fixtures of the tests of scheduling, attendance, reminders, closure,
// series and backfill. Every test runs on SQLite and on PostgreSQL
// (testdb.Run), each case in a transaction of its own that is rolled back
// at its end: the fixtures are written in it, and the workflow runs in it
// as in a mutation.

// testNow is the tests' clock: Tuesday 10 March 2026, 15:00 UTC, 11:00 in
// New York (daylight-saving time began on 8 March).
var testNow = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

// newYork is the practice's time zone.
var newYork = testZone("America/New_York")

func testZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// testLocal is an instant on the practice's clock.
func testLocal(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, newYork).UTC()
}

// testLimits are the sign-in throttle's: an email is locked at an address
// after two failures, so that a test reaches the lock with few bcrypt
// comparisons; the email's delay is off, since the clock stands still
// (internal/auth and server/ test it).
var testLimits = auth.LoginLimits{AccountFailures: 2, AddressFailures: 1000, FirstDelay: -1}

// testCase is one case of a test: a practice with an admin and a clinician, in
// a transaction that the case rolls back when it ends.
type testCase struct {
	db  *ent.Client
	txn *ent.Tx
	// tx writes the fixtures and is read to check the workflow's writes.
	tx *ent.Client
	// allow is the context the fixtures are written with (no viewer).
	allow context.Context
	// svc runs the workflows at testNow, with sessions and throttle.
	svc      *workflow.Service
	sessions *auth.Sessions
	throttle *auth.LoginThrottle
	// logs is what svc logged.
	logs *bytes.Buffer

	practice    int
	admin       *viewer.Viewer
	clinician   *viewer.Viewer
	clinicianID int
}

// begin opens the case's transaction on db and writes its practice.
func begin(tb testing.TB, db *ent.Client, dialectName string) *testCase {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.Tx(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = tx.Rollback() })
	c := &testCase{db: db, txn: tx, tx: tx.Client(), logs: &bytes.Buffer{}}
	c.allow = c.inTx(privacy.DecisionContext(ctx, privacy.Allow))
	secret := []byte("workflow-tests-secret-of-32-bytes")
	issuer, err := auth.NewIssuer(auth.Keys{Secret: secret}, 0, func() time.Time { return testNow })
	if err != nil {
		tb.Fatal(err)
	}
	c.sessions = auth.NewSessions(issuer, 0)
	c.throttle = auth.NewLoginThrottle(secret, testLimits)
	// A store of facts per call, as each mutation has its own.
	c.svc = workflow.New(workflow.Options{
		DB: db,
		Facts: func(context.Context) workflow.Facts {
			return facts.New(db, dialectName, func() time.Time { return testNow })
		},
		Sessions: c.sessions,
		Throttle: c.throttle,
		Now:      func() time.Time { return testNow },
		Logger:   slog.New(slog.NewTextHandler(c.logs, nil)),
	})
	p, err := c.tx.Practice.Create().SetName("North Practice").SetTimeZone(newYork.String()).SetPolicy(caseload.DefaultPolicy()).Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	c.practice = p.ID
	admin := mustCreateUser(tb, c, "admin@north.example", user.RoleADMIN)
	c.admin = &viewer.Viewer{PracticeID: p.ID, UserID: admin.ID, Role: viewer.Admin}
	c.clinicianID = mustCreateClinician(tb, c, "Dr Ada Lovelace")
	cu := mustCreateUser(tb, c, "ada@north.example", user.RoleCLINICIAN)
	c.clinician = &viewer.Viewer{PracticeID: p.ID, UserID: cu.ID, Role: viewer.Clinician, ClinicianID: c.clinicianID}
	return c
}

// as is the context of a mutation by v: the case's transaction and the
// viewer, whose privacy rules confine what the workflow reads and writes.
func (c *testCase) as(v *viewer.Viewer) context.Context {
	return c.inTx(viewer.NewContext(context.Background(), v))
}

// inTx puts the case's transaction on ctx as the server does for a mutation.
func (c *testCase) inTx(ctx context.Context) context.Context {
	return testInTx(ctx, c.txn)
}

func testInTx(ctx context.Context, tx *ent.Tx) context.Context {
	return ent.NewContext(ent.NewTxContext(ctx, tx), tx.Client())
}

// beginCommitted is a case in a database of its own whose practice is
// committed, for a workflow that writes after its mutation's transaction
// has ended (a failed sign-in's count, a reused session's revocation):
// each call then runs in a transaction of its own (mutate). The case's tx
// and allow read the database as it is.
func beginCommitted(tb testing.TB, dialectName string) *testCase {
	tb.Helper()
	db := testdb.Open(tb, dialectName, testdb.Options{}).Ent
	c := begin(tb, db, dialectName)
	if err := c.txn.Commit(); err != nil {
		tb.Fatal(err)
	}
	c.txn, c.tx, c.allow = nil, db, privacy.DecisionContext(context.Background(), privacy.Allow)
	return c
}

// mutate runs fn as a mutation of v (nil: nobody signed in) from address:
// in a transaction of its own, committed if fn succeeds and rolled back if
// it fails, as the server does. It returns fn's error.
func (c *testCase) mutate(tb testing.TB, v *viewer.Viewer, address string, fn func(ctx context.Context) error) error {
	tb.Helper()
	ctx := reqid.WithOrigin(context.Background(), reqid.Origin{Address: address})
	if v != nil {
		ctx = viewer.NewContext(ctx, v)
	}
	tx, err := c.db.Tx(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if err := fn(testInTx(ctx, tx)); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			tb.Fatal(rerr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return nil
}

// testRun runs fn on a fresh database of each dialect.
func testRun(t *testing.T, fn func(t *testing.T, db *ent.Client, dialectName string)) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		fn(t, testdb.Open(t, dialectName, testdb.Options{}).Ent, dialectName)
	})
}

func mustCreateUser(tb testing.TB, c *testCase, email string, role user.Role) *ent.User {
	tb.Helper()
	u, err := c.tx.User.Create().SetPracticeID(c.practice).SetEmail(email).SetPasswordHash("x").SetRole(role).Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func mustCreateClinician(tb testing.TB, c *testCase, name string) int {
	tb.Helper()
	cl, err := c.tx.Clinician.Create().SetPracticeID(c.practice).SetName(name).SetCredentials("LCSW").Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return cl.ID
}

// mustCreateClient creates a client of the case's clinician with the
// status; an ACTIVE client has an episode open since 1 December 2025, a
// CLOSED one an episode closed then.
func mustCreateClient(tb testing.TB, c *testCase, first string, status clientprofile.Status) *ent.ClientProfile {
	tb.Helper()
	cp, err := c.tx.ClientProfile.Create().SetPracticeID(c.practice).SetFirstName(first).SetLastName("Zed").
		SetPhone("555-0100").SetClinicianID(c.clinicianID).SetStatus(status).Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	opened := testLocal(2025, 12, 1, 9, 0)
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

// mustCreateSession books a 50-minute session of the client with the
// case's clinician, in the client's open episode if any.
func mustCreateSession(tb testing.TB, c *testCase, cp *ent.ClientProfile, start time.Time, status appointment.Status) *ent.Appointment {
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

// mustCancel cancels the session as by, before the start.
func mustCancel(tb testing.TB, c *testCase, a *ent.Appointment, by appointment.CanceledBy, before time.Duration) *ent.Appointment {
	tb.Helper()
	a, err := c.tx.Appointment.UpdateOne(a).SetStatus(appointment.StatusCANCELED).SetCanceledBy(by).
		SetCanceledAt(a.StartsAt.Add(-before)).Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// mustReload reads the session again, as the database now has it.
func mustReload(tb testing.TB, c *testCase, id int) *ent.Appointment {
	tb.Helper()
	a, err := c.tx.Appointment.Get(c.allow, id)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// wantRefusal fails unless err is a *caseload.Error with the code, for
// BAD_USER_INPUT the field, and each of inMessage in its message.
func wantRefusal(tb testing.TB, err error, code caseload.Code, field string, inMessage ...string) {
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

// testPassword is a password strong enough for a login.
const testPassword = "correct horse battery staple"

// passwordHash is testPassword's hash, made once: bcrypt is slow on purpose.
var passwordHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// wantNotFound fails unless err reads as NOT_FOUND to the caller: a
// refusal with that code, a row that is not there, or one the privacy
// rules hide (graph/errors.go answers all three alike).
func wantNotFound(tb testing.TB, err error) {
	tb.Helper()
	if caseload.ErrorCode(err) != caseload.CodeNotFound && !ent.IsNotFound(err) && !errors.Is(err, privacy.Deny) {
		tb.Fatalf("error = %v, want not found", err)
	}
}
