package workflow_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/testdb"
)

// wrongCode is a six-digit code other than code.
func wrongCode(code string) string {
	b := []byte(code)
	b[5] = '0' + (b[5]-'0'+1)%10
	return string(b)
}

// A recovery code signs in once; the event says how many are left and
// never the code.
func TestRecoveryCodeUsedTwice(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		sf := newSFCase(t, dialectName)
		_, recovery := sf.enrol(t)
		if len(recovery) != auth.RecoveryCodes {
			t.Fatalf("%d recovery codes, want %d", len(recovery), auth.RecoveryCodes)
		}
		s := sf.mustVerify(t, "198.51.100.1", sf.login(t, "198.51.100.1").Token, "", recovery[0])
		if s.RecoveryCodesLeft != auth.RecoveryCodes-1 || len(sf.user(t).RecoveryCodeHashes) != auth.RecoveryCodes-1 {
			t.Errorf("%d recovery codes left (%d stored), want %d", s.RecoveryCodesLeft, len(sf.user(t).RecoveryCodeHashes), auth.RecoveryCodes-1)
		}
		ch := sf.login(t, "198.51.100.2")
		_, err := sf.verify(t, "198.51.100.2", ch.Token, "", recovery[0])
		wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid code")
		if n := len(sf.user(t).RecoveryCodeHashes); n != auth.RecoveryCodes-1 {
			t.Errorf("%d recovery codes left after a refused one, want %d", n, auth.RecoveryCodes-1)
		}
		used, err := sf.tx.AuditEvent.Query().Where(auditevent.Action("verifySecondFactor")).All(sf.allow)
		if err != nil {
			t.Fatal(err)
		}
		var success, denied int
		for _, e := range used {
			switch {
			case e.Outcome == auditevent.OutcomeSUCCESS && e.Detail == fmt.Sprintf("second factor: a recovery code was used, %d left", auth.RecoveryCodes-1):
				success++
			case e.Outcome == auditevent.OutcomeDENIED && e.Detail == "UNAUTHENTICATED: wrong or used recovery code":
				denied++
			default:
				t.Errorf("unexpected event %+v", e)
			}
		}
		if success != 1 || denied != 1 {
			t.Errorf("%d SUCCESS and %d DENIED events, want one of each", success, denied)
		}
	})
}

// A recovery code is read without its dashes, white space (a pasted line
// break too) or case, with O for
// 0 and I or l for 1 (the alphabet has none of these letters); anything
// else is another code.
func TestRecoveryCodeSpellings(t *testing.T) {
	// The login's codes: stored is the i-th.
	stored := func(i int) string { return fmt.Sprintf("01ab-cd23-ef45-gh%02d", i) }
	cases := []struct {
		name  string
		typed string
		code  int // the stored code it uses, when accepted
		ok    bool
	}{
		{"as shown", stored(0), 0, true},
		{"upper case", "01AB-CD23-EF45-GH01", 1, true},
		{"spaces for dashes", "01ab cd23 ef45 gh02", 2, true},
		{"no separators", "01abcd23ef45gh03", 3, true},
		{"tabs and spaces around", "\t01ab-cd23-ef45-gh04 ", 4, true},
		{"O for 0 and I for 1", "OIab-cd23-ef45-gh05", 5, true},
		{"pasted with a line break", "01ab-cd23-ef45-gh09\r\n", 9, true},
		{"o for 0 and l for 1", "olab-cd23-ef45-gh06", 6, true},
		{"one character wrong", "01ab-cd23-ef45-gh0z", 0, false},
		{"a character missing", "01ab-cd23-ef45-gh0", 0, false},
		{"underscores for dashes", "01ab_cd23_ef45_gh07", 0, false},
		{"the code twice", stored(8) + stored(8), 0, false},
	}
	testdb.Run(t, func(t *testing.T, dialectName string) {
		sf := newSFCase(t, dialectName)
		sf.enrol(t)
		hashes := make([]string, 10)
		for i := range hashes {
			hashes[i] = auth.HashRecoveryCode(stored(i))
		}
		sf.tx.User.UpdateOneID(sf.clinician.UserID).SetRecoveryCodeHashes(hashes).ExecX(sf.allow)
		left := len(hashes)
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				address := fmt.Sprintf("198.51.100.%d", i+1)
				s, err := sf.verify(t, address, sf.login(t, address).Token, "", tc.typed)
				if !tc.ok {
					wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid code")
					return
				}
				wantSignedIn(t, s, err)
				left--
				if s.RecoveryCodesLeft != left {
					t.Errorf("%d left, want %d", s.RecoveryCodesLeft, left)
				}
				if auth.MatchRecoveryCode(sf.user(t).RecoveryCodeHashes, stored(tc.code)) >= 0 {
					t.Errorf("the code %s is still stored", stored(tc.code))
				}
			})
		}
	})
}

// A wrong first code leaves no factor: signed in, nothing changes and no
// session ends; at sign-in the challenge stays for the right code and no
// session starts.
func TestConfirmEnrolmentWithAWrongCode(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		t.Run("signed in", func(t *testing.T) {
			sf := newSFCase(t, dialectName)
			for range 2 { // two sessions, on two devices
				if _, err := sLogin(t, sf.testCase, "ada@north.example", testPassword); err != nil {
					t.Fatal(err)
				}
			}
			var secret string
			err := sf.mutate(t, sf.web, "198.51.100.3", func(ctx context.Context) error {
				e, err := sf.svc.StartSecondFactorEnrolment(ctx, "", testPassword)
				if err == nil {
					secret = e.Secret
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			err = sf.mutate(t, sf.web, "198.51.100.3", func(ctx context.Context) error {
				_, err := sf.svc.ConfirmSecondFactorEnrolment(ctx, "", wrongCode(sf.code(t, secret)))
				return err
			})
			wantRefusal(t, err, caseload.CodeBadUserInput, "code", "not right")
			u := sf.user(t)
			if u.TotpEnabledAt != nil || len(u.RecoveryCodeHashes) != 0 || u.TotpLastStep != 0 || u.TotpSecret == nil {
				t.Errorf("after a wrong first code: enabled %v, %d recovery codes, last step %d; want the started secret only",
					u.TotpEnabledAt, len(u.RecoveryCodeHashes), u.TotpLastStep)
			}
			if n := sf.liveSessions(t); n != 2 {
				t.Errorf("%d live sessions after a wrong first code, want 2", n)
			}
			if s, err := sLogin(t, sf.testCase, "ada@north.example", testPassword); err != nil || s.SecondFactor != nil || s.Token == "" {
				t.Errorf("login after a wrong first code: %+v, %v; want tokens", s, err)
			}
		})
		t.Run("at sign-in, required by the role", func(t *testing.T) {
			sf := newSFCase(t, dialectName)
			sf.tx.Practice.UpdateOneID(sf.practice).SetTwoFactorRoles([]string{"CLINICIAN"}).ExecX(sf.allow)
			ch := sf.login(t, "198.51.100.1")
			if !ch.EnrolmentRequired {
				t.Fatal("the challenge does not ask for enrolment")
			}
			var secret string
			err := sf.mutate(t, nil, "198.51.100.1", func(ctx context.Context) error {
				e, err := sf.svc.StartSecondFactorEnrolment(ctx, ch.Token, "")
				if err == nil {
					secret = e.Secret
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			err = sf.mutate(t, nil, "198.51.100.1", func(ctx context.Context) error {
				_, err := sf.svc.ConfirmSecondFactorEnrolment(ctx, ch.Token, wrongCode(sf.code(t, secret)))
				return err
			})
			wantRefusal(t, err, caseload.CodeBadUserInput, "code", "not right")
			if u := sf.user(t); u.TotpEnabledAt != nil || len(u.RecoveryCodeHashes) != 0 || u.SignInChallengeHash == nil || u.LastLoginAt != nil {
				t.Errorf("after a wrong first code: enabled %v, %d recovery codes, challenge %v, last sign-in %v",
					u.TotpEnabledAt, len(u.RecoveryCodeHashes), u.SignInChallengeHash, u.LastLoginAt)
			}
			if n := sf.liveSessions(t); n != 0 {
				t.Errorf("%d sessions after a wrong first code at sign-in, want none", n)
			}
			err = sf.mutate(t, nil, "198.51.100.2", func(ctx context.Context) error {
				done, err := sf.svc.ConfirmSecondFactorEnrolment(ctx, ch.Token, sf.code(t, secret))
				if err == nil && (done.Session == nil || done.Session.Token == "" || len(done.RecoveryCodes) != auth.RecoveryCodes) {
					t.Errorf("confirmed at sign-in: %+v", done)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if u := sf.user(t); u.TotpEnabledAt == nil || u.SignInChallengeHash != nil {
				t.Errorf("after the right code: enabled %v, challenge %v", u.TotpEnabledAt, u.SignInChallengeHash)
			}
		})
	})
}
