package workflow_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/testdb"
	"github.com/caseload/caseload/internal/workflow"
)

// Every wrong second step counts against the sign-in throttle as a wrong
// password does: after testLimits.AccountFailures of them the email is
// locked at the address, for the password too.
func TestSecondFactorFailuresAreThrottled(t *testing.T) {
	const address = "198.51.100.1"
	cases := []struct {
		name string
		// enrol: the login has a factor before the failures.
		enrol bool
		fail  func(t *testing.T, sf *sfCase, secret string) error
		code  caseload.Code
	}{
		{"a wrong code at sign-in", true, func(t *testing.T, sf *sfCase, secret string) error {
			_, err := sf.verify(t, address, sf.login(t, address).Token, wrongCode(sf.code(t, secret)), "")
			return err
		}, caseload.CodeUnauthenticated},
		{"a wrong recovery code at sign-in", true, func(t *testing.T, sf *sfCase, _ string) error {
			_, err := sf.verify(t, address, sf.login(t, address).Token, "", "zzzz-zzzz-zzzz-zzzz")
			return err
		}, caseload.CodeUnauthenticated},
		{"a wrong first code of an enrolment", false, func(t *testing.T, sf *sfCase, _ string) error {
			return sf.mutate(t, sf.web, address, func(ctx context.Context) error {
				e, err := sf.svc.StartSecondFactorEnrolment(ctx, "", testPassword)
				if err != nil {
					return err
				}
				_, err = sf.svc.ConfirmSecondFactorEnrolment(ctx, "", wrongCode(sf.code(t, e.Secret)))
				return err
			})
		}, caseload.CodeBadUserInput},
		{"a wrong code for new recovery codes", true, func(t *testing.T, sf *sfCase, secret string) error {
			return sf.mutate(t, sf.web, address, func(ctx context.Context) error {
				_, err := sf.svc.RegenerateRecoveryCodes(ctx, wrongCode(sf.code(t, secret)))
				return err
			})
		}, caseload.CodeBadUserInput},
		{"a wrong code to turn the factor off", true, func(t *testing.T, sf *sfCase, secret string) error {
			return sf.mutate(t, sf.web, address, func(ctx context.Context) error {
				_, err := sf.svc.DisableSecondFactor(ctx, testPassword, wrongCode(sf.code(t, secret)))
				return err
			})
		}, caseload.CodeBadUserInput},
	}
	testdb.Run(t, func(t *testing.T, dialectName string) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				sf := newSFCase(t, dialectName)
				var secret string
				if tc.enrol {
					secret, _ = sf.enrol(t)
				}
				for range testLimits.AccountFailures {
					if err := tc.fail(t, sf, secret); caseload.ErrorCode(err) != tc.code {
						t.Fatalf("failure: %v, want %s", err, tc.code)
					}
				}
				_, err := sLoginFrom(t, sf.testCase, address)
				wantRefusal(t, err, caseload.CodeRateLimited, "")
				// Another address is not locked.
				if tc.enrol {
					sf.login(t, "198.51.100.2")
				}
			})
		}
	})
}

// sLoginFrom signs the clinician in with the right password from address.
func sLoginFrom(tb testing.TB, c *testCase, address string) (*workflow.Session, error) {
	tb.Helper()
	var s *workflow.Session
	err := c.mutate(tb, nil, address, func(ctx context.Context) (err error) {
		s, err = c.svc.Login(ctx, "ada@north.example", testPassword)
		return err
	})
	return s, err
}

// Neither the audit log nor the server log holds a secret, a code, a
// recovery code or a challenge of any step, right or wrong.
func TestSecondFactorSecretsStayOutOfAuditAndLog(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		sf := newSFCase(t, dialectName)
		secret, recovery := sf.enrol(t)
		leaks := append([]string{secret}, recovery...)
		leaks = append(leaks, *sf.user(t).TotpSecret)

		ch := sf.login(t, "198.51.100.1")
		wrong := wrongCode(sf.code(t, secret))
		_, err := sf.verify(t, "198.51.100.1", ch.Token, wrong, "")
		wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid code")
		code := sf.code(t, secret)
		sf.mustVerify(t, "198.51.100.2", sf.login(t, "198.51.100.2").Token, code, "")
		leaks = append(leaks, ch.Token, wrong, code)
		ch2 := sf.login(t, "198.51.100.3")
		leaks = append(leaks, ch2.Token)
		sf.mustVerify(t, "198.51.100.3", ch2.Token, "", recovery[1])
		sf.nextStep()
		err = sf.mutate(t, sf.web, "198.51.100.4", func(ctx context.Context) error {
			next := sf.code(t, secret)
			leaks = append(leaks, next)
			done, err := sf.svc.RegenerateRecoveryCodes(ctx, next)
			if err == nil {
				leaks = append(leaks, done.RecoveryCodes...)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		events, err := sf.tx.AuditEvent.Query().All(sf.allow)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) < 4 {
			t.Fatalf("%d audit events, want the sign-in steps' at least", len(events))
		}
		for _, leak := range leaks {
			for _, e := range events {
				if strings.Contains(e.Detail, leak) || strings.Contains(e.RequestID, leak) || strings.Contains(e.UserAgent, leak) {
					t.Errorf("event %s %q holds %q", e.Action, e.Detail, leak)
				}
			}
			if strings.Contains(sf.logs.String(), leak) {
				t.Errorf("the log holds %q", leak)
			}
		}
		if n := sf.tx.AuditEvent.Query().Where(auditevent.OutcomeEQ(auditevent.OutcomeDENIED)).CountX(sf.allow); n != 1 {
			t.Errorf("%d DENIED events, want the wrong code's", n)
		}
	})
}

// Two verifications with one challenge and one code at once (PostgreSQL
// runs them in parallel; SQLite's write lock would queue them): one signs
// in, the other is refused, and one session starts.
func TestConcurrentVerificationsWithOneCode(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		// PostgreSQL runs the two transactions in parallel; SQLite one
		// after the other, where the second must still lose.
		sf := newSFCase(t, dialectName)
		secret, _ := sf.enrol(t)
		for round := range 8 {
			ch := sf.login(t, "198.51.100.1")
			code := sf.code(t, secret)
			before := sf.liveSessions(t)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			sessions := make([]*workflow.SecondFactorSession, 2)
			start := make(chan struct{})
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = sf.mutateAlone(fmt.Sprintf("198.51.100.%d", 10+i), func(ctx context.Context) (err error) {
						sessions[i], err = sf.svc.VerifySecondFactor(ctx, ch.Token, code, "")
						return err
					})
				}()
			}
			close(start)
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch {
				case err == nil && sessions[i].Token != "":
					won++
				case caseload.ErrorCode(err) != caseload.CodeUnauthenticated:
					t.Errorf("round %d: the loser's error %v, want UNAUTHENTICATED", round, err)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d verifications signed in (errors %v), want exactly one", round, won, errs)
			}
			if n := sf.liveSessions(t); n != before+1 {
				t.Errorf("round %d: %d new sessions, want 1", round, n-before)
			}
			sf.nextStep()
		}
	})
}
