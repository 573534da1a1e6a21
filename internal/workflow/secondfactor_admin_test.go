package workflow_test

import (
	"context"
	"testing"

	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/testdb"
	"github.com/caseload/caseload/internal/viewer"
)

// The factor is turned off with the password and a code, unless the role
// requires it: then nothing changes and the code is not used up.
func TestDisableSecondFactor(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		sf := newSFCase(t, dialectName)
		secret, _ := sf.enrol(t)
		disable := func(address, password, code string) error {
			return sf.mutate(t, sf.web, address, func(ctx context.Context) error {
				_, err := sf.svc.DisableSecondFactor(ctx, password, code)
				return err
			})
		}
		sf.tx.Practice.UpdateOneID(sf.practice).SetTwoFactorRoles([]string{"CLINICIAN"}).ExecX(sf.allow)
		wantRefusal(t, disable("198.51.100.1", testPassword, sf.code(t, secret)), caseload.CodePolicyViolation, "", "requires a second factor")
		if u := sf.user(t); u.TotpEnabledAt == nil || u.TotpSecret == nil || len(u.RecoveryCodeHashes) != auth.RecoveryCodes {
			t.Fatal("a refused disable changed the factor")
		}
		// The code was not used up by the refusal.
		sf.mustVerify(t, "198.51.100.1", sf.login(t, "198.51.100.1").Token, sf.code(t, secret), "")
		sf.nextStep()

		sf.tx.Practice.UpdateOneID(sf.practice).ClearTwoFactorRoles().ExecX(sf.allow)
		wantRefusal(t, disable("198.51.100.2", testPassword, wrongCode(sf.code(t, secret))), caseload.CodeBadUserInput, "code", "not right")
		if sf.user(t).TotpEnabledAt == nil {
			t.Fatal("a wrong code turned the factor off")
		}
		if err := disable("198.51.100.3", testPassword, sf.code(t, secret)); err != nil {
			t.Fatal(err)
		}
		if u := sf.user(t); u.TotpEnabledAt != nil || u.TotpSecret != nil || len(u.RecoveryCodeHashes) != 0 {
			t.Errorf("after disabling: enabled %v, secret kept %v, %d recovery codes", u.TotpEnabledAt, u.TotpSecret != nil, len(u.RecoveryCodeHashes))
		}
		if s, err := sLogin(t, sf.testCase, "ada@north.example", testPassword); err != nil || s.Token == "" || s.SecondFactor != nil {
			t.Errorf("login after disabling: %+v, %v; want tokens", s, err)
		}
	})
}

// Only an admin of the login's practice resets its factor; the reset ends
// every session and the pending challenge of the login.
func TestResetSecondFactor(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		sf := newSFCase(t, dialectName)
		secret, _ := sf.enrol(t)
		for _, address := range []string{"198.51.100.1", "198.51.100.2"} {
			sf.mustVerify(t, address, sf.login(t, address).Token, sf.code(t, secret), "")
			sf.nextStep()
		}
		pending := sf.login(t, "198.51.100.3")

		south := sf.tx.Practice.Create().SetName("South Practice").SetTimeZone(newYork.String()).SetPolicy(caseload.DefaultPolicy()).SaveX(sf.allow)
		southAdmin := sf.tx.User.Create().SetPracticeID(south.ID).SetEmail("admin@south.example").SetPasswordHash("x").SetRole(user.RoleADMIN).SaveX(sf.allow)
		reset := func(v *viewer.Viewer) error {
			return sf.mutate(t, v, "198.51.100.9", func(ctx context.Context) error {
				_, err := sf.svc.ResetSecondFactor(ctx, sf.clinician.UserID)
				return err
			})
		}
		for _, v := range []*viewer.Viewer{
			{PracticeID: south.ID, UserID: southAdmin.ID, Role: viewer.Admin, Session: "south"},
			sf.web,
		} {
			wantRefusal(t, reset(v), caseload.CodeNotFound, "userID")
			if u := sf.user(t); u.TotpEnabledAt == nil || u.SignInChallengeHash == nil || sf.liveSessions(t) != 2 {
				t.Fatalf("a reset by user %d of practice %d changed the login", v.UserID, v.PracticeID)
			}
		}

		admin := *sf.admin
		admin.Session = "admin"
		if err := reset(&admin); err != nil {
			t.Fatal(err)
		}
		u := sf.user(t)
		if u.TotpEnabledAt != nil || u.TotpSecret != nil || len(u.RecoveryCodeHashes) != 0 || u.TotpLastStep != 0 || u.SignInChallengeHash != nil {
			t.Errorf("after the reset: %+v", u)
		}
		if n := sf.liveSessions(t); n != 0 {
			t.Errorf("%d sessions live after the reset, want none", n)
		}
		_, err := sf.verify(t, "198.51.100.3", pending.Token, sf.code(t, secret), "")
		wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid or expired sign-in challenge")
	})
}

// A new password ends the sign-in waiting for its second step: the
// challenge was earned with the old password.
func TestNewPasswordEndsPendingChallenge(t *testing.T) {
	const next = "a different horse battery staple"
	testdb.Run(t, func(t *testing.T, dialectName string) {
		t.Run("changePassword", func(t *testing.T) {
			sf := newSFCase(t, dialectName)
			secret, _ := sf.enrol(t)
			pending := sf.login(t, "198.51.100.1")
			err := sf.mutate(t, sf.web, "198.51.100.2", func(ctx context.Context) error {
				_, err := sf.svc.ChangePassword(ctx, testPassword, next)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = sf.verify(t, "198.51.100.1", pending.Token, sf.code(t, secret), "")
			wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid or expired sign-in challenge")
		})
		t.Run("completePasswordReset", func(t *testing.T) {
			sf := newSFCase(t, dialectName)
			secret, _ := sf.enrol(t)
			admin := *sf.admin
			admin.Session = "admin"
			var code string
			err := sf.mutate(t, &admin, "198.51.100.9", func(ctx context.Context) error {
				r, err := sf.svc.ResetPassword(ctx, sf.clinician.UserID)
				if err == nil {
					code = r.Code
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			pending := sf.login(t, "198.51.100.1")
			err = sf.mutate(t, nil, "198.51.100.2", func(ctx context.Context) error {
				_, err := sf.svc.CompletePasswordReset(ctx, "ada@north.example", code, next)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = sf.verify(t, "198.51.100.1", pending.Token, sf.code(t, secret), "")
			wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid or expired sign-in challenge")
		})
	})
}
