package workflow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/testdb"
	"github.com/caseload/caseload/internal/workflow"
)

// wantSignedIn fails unless the second step started a session.
func wantSignedIn(tb testing.TB, s *workflow.SecondFactorSession, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("second step: %v, want a session", err)
	}
	if s.Token == "" || s.RefreshToken == "" || s.User == nil {
		tb.Fatalf("second step: %+v, want tokens and the user", s.Session)
	}
}

// A code is accepted for its own step and the one before and after it
// (phone clocks drift), at either end of the current step; two steps away
// it is refused.
func TestSecondFactorCodeWindow(t *testing.T) {
	cases := []struct {
		name string
		// into is how far into the current step the clock is; steps is the
		// step of the code relative to the current one.
		into  time.Duration
		steps int
		ok    bool
	}{
		{"the current step, at its first second", 0, 0, true},
		{"the current step, at its last second", 29 * time.Second, 0, true},
		{"the step before, at the current's first second", 0, -1, true},
		{"the step before, at the current's last second", 29 * time.Second, -1, true},
		{"two steps before, at the current's first second", 0, -2, false},
		{"two steps before, at the current's last second", 29 * time.Second, -2, false},
		{"the step after, at the current's first second", 0, 1, true},
		{"the step after, at the current's last second", 29 * time.Second, 1, true},
		{"two steps after, at the current's last second", 29 * time.Second, 2, false},
	}
	testdb.Run(t, func(t *testing.T, dialectName string) {
		sf := newSFCase(t, dialectName)
		secret, _ := sf.enrol(t)
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				// Each case 100 steps after the one before: its code is
				// later than any accepted before it, and a lock is over.
				step := sfStart.Add(time.Duration(100*(i+1)*auth.TOTPPeriod) * time.Second)
				sf.now = step.Add(tc.into)
				address := fmt.Sprintf("198.51.100.%d", i+1)
				ch := sf.login(t, address)
				code := codeAt(t, secret, step.Add(time.Duration(tc.steps*auth.TOTPPeriod)*time.Second))
				s, err := sf.verify(t, address, ch.Token, code, "")
				if !tc.ok {
					wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid code")
					if sf.user(t).SignInChallengeHash == nil {
						t.Error("a refused code used up the challenge")
					}
					return
				}
				wantSignedIn(t, s, err)
				if got, want := sf.user(t).TotpLastStep, auth.Step(step)+int64(tc.steps); got != want {
					t.Errorf("last step %d, want the code's step %d", got, want)
				}
			})
		}
	})
}

// A step's code signs in once: the same code with a new challenge, and a
// code of an earlier step still inside the window, are refused; the next
// step's code works. A code used to sign in does not regenerate the
// recovery codes either.
func TestSecondFactorCodeReplay(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		sf := newSFCase(t, dialectName)
		secret, _ := sf.enrol(t)
		sf.now = sf.now.Add(10 * time.Second)
		code := sf.code(t, secret)
		sf.mustVerify(t, "198.51.100.1", sf.login(t, "198.51.100.1").Token, code, "")

		_, err := sf.verify(t, "198.51.100.2", sf.login(t, "198.51.100.2").Token, code, "")
		wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid code")
		earlier := codeAt(t, secret, sf.now.Add(-auth.TOTPPeriod*time.Second))
		_, err = sf.verify(t, "198.51.100.3", sf.login(t, "198.51.100.3").Token, earlier, "")
		wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid code")
		err = sf.mutate(t, sf.web, "198.51.100.4", func(ctx context.Context) error {
			_, err := sf.svc.RegenerateRecoveryCodes(ctx, code)
			return err
		})
		wantRefusal(t, err, caseload.CodeBadUserInput, "code", "used already")

		sf.nextStep()
		sf.mustVerify(t, "198.51.100.5", sf.login(t, "198.51.100.5").Token, sf.code(t, secret), "")
	})
}

// A challenge is accepted until ExpiresAt, 5 minutes after the password:
// a second before it works; at it, and a second after, it is refused (as
// the API says: expiresAt is when it stops being accepted).
func TestSecondFactorChallengeExpiry(t *testing.T) {
	cases := []struct {
		name  string
		after time.Duration
		ok    bool
	}{
		{"a second before 5 minutes", workflow.ChallengeTTL - time.Second, true},
		{"at exactly 5 minutes", workflow.ChallengeTTL, false},
		{"a second after 5 minutes", workflow.ChallengeTTL + time.Second, false},
	}
	testdb.Run(t, func(t *testing.T, dialectName string) {
		sf := newSFCase(t, dialectName)
		secret, _ := sf.enrol(t)
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				sf.now = sfStart.Add(time.Duration(i+1) * time.Hour)
				address := fmt.Sprintf("198.51.100.%d", i+1)
				ch := sf.login(t, address)
				if !ch.ExpiresAt.Equal(sf.now.Add(workflow.ChallengeTTL)) {
					t.Errorf("challenge expires at %v, want %v", ch.ExpiresAt, sf.now.Add(workflow.ChallengeTTL))
				}
				sf.now = sf.now.Add(tc.after)
				s, err := sf.verify(t, address, ch.Token, sf.code(t, secret), "")
				if tc.ok {
					wantSignedIn(t, s, err)
					return
				}
				wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid or expired sign-in challenge")
				if u := sf.user(t); u.TotpLastStep >= auth.Step(sf.now) {
					t.Error("the code of a refused challenge was used up")
				}
			})
		}
	})
}

// A newer login replaces the pending challenge: the older one is refused,
// the newer works.
func TestSecondFactorChallengeReplacedByNewerLogin(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		sf := newSFCase(t, dialectName)
		secret, _ := sf.enrol(t)
		older := sf.login(t, "198.51.100.1")
		newer := sf.login(t, "198.51.100.2")
		_, err := sf.verify(t, "198.51.100.1", older.Token, sf.code(t, secret), "")
		wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid or expired sign-in challenge")
		sf.mustVerify(t, "198.51.100.2", newer.Token, sf.code(t, secret), "")
		// Used: the same challenge is refused again, with the next code.
		sf.nextStep()
		_, err = sf.verify(t, "198.51.100.2", newer.Token, sf.code(t, secret), "")
		wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid or expired sign-in challenge")
	})
}

// The password alone starts no session: the challenge is no token, no
// refresh token is stored and the sign-in is not the login's last.
func TestPasswordStepAloneStartsNoSession(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		sf := newSFCase(t, dialectName)
		sf.enrol(t)
		before := sf.liveSessions(t)
		ch := sf.login(t, "198.51.100.1")
		if n := sf.liveSessions(t); n != before {
			t.Errorf("%d live sessions after the password step, want %d", n, before)
		}
		if u := sf.user(t); u.LastLoginAt != nil {
			t.Errorf("last sign-in %v after the password step alone", u.LastLoginAt)
		}
		issuer, err := auth.NewIssuer(auth.Keys{Secret: []byte("workflow-tests-secret-of-32-bytes")}, 0, func() time.Time { return testNow })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := issuer.Verify(ch.Token); err == nil {
			t.Error("the challenge verifies as an access token")
		}
		_, err = sRefresh(t, sf.testCase, ch.Token)
		wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid or expired refresh token")
	})
}
