package workflow_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/refreshtoken"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/reqid"
	"github.com/caseload/caseload/internal/viewer"
	"github.com/caseload/caseload/internal/workflow"
)

// The fixtures of the second factor's tests: a committed case (each call
// a mutation of its own, so that what a refusal writes after its rollback
// is there) whose clinician signs in as ada@north.example with
// testPassword, and a clock the test moves, read by the codes' steps, the
// challenge's expiry and the throttle.

// sfCase is such a case.
type sfCase struct {
	*testCase
	// now is the service's clock.
	now time.Time
	// web is the clinician signed in (a session named "web").
	web *viewer.Viewer
}

// sfStart is the first instant of a 30-second step, a little after testNow.
var sfStart = time.Unix(auth.Step(testNow)*auth.TOTPPeriod+auth.TOTPPeriod, 0).UTC()

func newSFCase(tb testing.TB, dialectName string) *sfCase {
	tb.Helper()
	c := sCommittedWithPassword(tb, dialectName)
	sf := &sfCase{testCase: c, now: sfStart}
	sealing, err := auth.NewTOTP("Caseload", auth.TOTPKeyFromSecret([]byte("workflow-tests-secret-of-32-bytes")))
	if err != nil {
		tb.Fatal(err)
	}
	c.svc = workflow.New(workflow.Options{
		DB: c.db,
		Facts: func(context.Context) workflow.Facts {
			return facts.New(c.db, dialectName, func() time.Time { return sf.now })
		},
		Sessions: c.sessions,
		Throttle: c.throttle,
		TOTP:     sealing,
		Now:      func() time.Time { return sf.now },
		Logger:   slog.New(slog.NewTextHandler(c.logs, nil)),
	})
	web := *c.clinician
	web.Session = "web"
	sf.web = &web
	return sf
}

// codeAt is the authenticator app's code of secret at instant at.
func codeAt(tb testing.TB, secret string, at time.Time) string {
	tb.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: auth.TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		tb.Fatal(err)
	}
	return code
}

// code is the app's code of secret now.
func (sf *sfCase) code(tb testing.TB, secret string) string { return codeAt(tb, secret, sf.now) }

// nextStep moves the clock to the start of the next 30-second step (a
// step's code is accepted once).
func (sf *sfCase) nextStep() {
	sf.now = time.Unix((auth.Step(sf.now)+1)*auth.TOTPPeriod, 0).UTC()
}

// enrol sets up the clinician's second factor signed in, and returns its
// secret and recovery codes; the clock is then at the next step.
func (sf *sfCase) enrol(tb testing.TB) (secret string, recovery []string) {
	tb.Helper()
	err := sf.mutate(tb, sf.web, "203.0.113.7", func(ctx context.Context) error {
		e, err := sf.svc.StartSecondFactorEnrolment(ctx, "", testPassword)
		if err != nil {
			return err
		}
		secret = e.Secret
		done, err := sf.svc.ConfirmSecondFactorEnrolment(ctx, "", sf.code(tb, secret))
		if err == nil {
			recovery = done.RecoveryCodes
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	sf.nextStep()
	return secret, recovery
}

// login signs the clinician in with the right password from address and
// returns the second step's challenge, failing when it returned anything
// else.
func (sf *sfCase) login(tb testing.TB, address string) *workflow.Challenge {
	tb.Helper()
	var s *workflow.Session
	err := sf.mutate(tb, nil, address, func(ctx context.Context) (err error) {
		s, err = sf.svc.Login(ctx, "ada@north.example", testPassword)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	if s.SecondFactor == nil || s.Token != "" || s.RefreshToken != "" || s.User != nil {
		tb.Fatalf("login: %+v, want only a challenge", s)
	}
	return s.SecondFactor
}

// verify is the sign-in's second step from address.
func (sf *sfCase) verify(tb testing.TB, address, challenge, code, recovery string) (*workflow.SecondFactorSession, error) {
	tb.Helper()
	var s *workflow.SecondFactorSession
	err := sf.mutate(tb, nil, address, func(ctx context.Context) (err error) {
		s, err = sf.svc.VerifySecondFactor(ctx, challenge, code, recovery)
		return err
	})
	return s, err
}

// mustVerify is verify, failing unless it started a session.
func (sf *sfCase) mustVerify(tb testing.TB, address, challenge, code, recovery string) *workflow.SecondFactorSession {
	tb.Helper()
	s, err := sf.verify(tb, address, challenge, code, recovery)
	wantSignedIn(tb, s, err)
	return s
}

// user reads the clinician's login as stored.
func (sf *sfCase) user(tb testing.TB) *ent.User {
	tb.Helper()
	u, err := sf.tx.User.Get(sf.allow, sf.clinician.UserID)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// liveSessions counts the clinician's refresh tokens not revoked.
func (sf *sfCase) liveSessions(tb testing.TB) int {
	tb.Helper()
	n, err := sf.tx.RefreshToken.Query().Where(refreshtoken.UserID(sf.clinician.UserID), refreshtoken.RevokedAtIsNil()).Count(sf.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// mutateAlone is mutate for a goroutine other than the test's: it reports
// every failure as its error.
func (sf *sfCase) mutateAlone(address string, fn func(ctx context.Context) error) error {
	ctx := reqid.WithOrigin(context.Background(), reqid.Origin{Address: address})
	tx, err := sf.db.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(testInTx(ctx, tx)); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
