package workflow_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/loginthrottle"
	"github.com/caseload/caseload/ent/refreshtoken"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/testdb"
	"github.com/caseload/caseload/internal/workflow"
)

// sMustToken reads the stored row of a refresh token, which holds only its
// hash.
func sMustToken(tb testing.TB, c *testCase, token string) *ent.RefreshToken {
	tb.Helper()
	sum := sha256.Sum256([]byte(token))
	rt, err := c.tx.RefreshToken.Query().Where(refreshtoken.TokenHash(hex.EncodeToString(sum[:]))).Only(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return rt
}

// sLogin signs in from 203.0.113.7 as a login mutation does.
func sLogin(tb testing.TB, c *testCase, email, password string) (*workflow.Session, error) {
	tb.Helper()
	var s *workflow.Session
	err := c.mutate(tb, nil, "203.0.113.7", func(ctx context.Context) (err error) {
		s, err = c.svc.Login(ctx, email, password)
		return err
	})
	return s, err
}

// sRefresh renews a session as a refreshToken mutation does.
func sRefresh(tb testing.TB, c *testCase, token string) (*workflow.Session, error) {
	tb.Helper()
	var s *workflow.Session
	err := c.mutate(tb, nil, "", func(ctx context.Context) (err error) {
		s, err = c.svc.RefreshToken(ctx, token)
		return err
	})
	return s, err
}

// sCommittedWithPassword is a committed case whose clinician signs in as
// ada@north.example with testPassword.
func sCommittedWithPassword(tb testing.TB, dialectName string) *testCase {
	tb.Helper()
	c := beginCommitted(tb, dialectName)
	c.tx.User.UpdateOneID(c.clinician.UserID).SetPasswordHash(passwordHash()).ExecX(c.allow)
	return c
}

func TestLogin(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		t.Run("the right password starts a session", func(t *testing.T) {
			c := sCommittedWithPassword(t, dialectName)
			s, err := sLogin(t, c, "Ada@North.example", testPassword)
			if err != nil {
				t.Fatal(err)
			}
			if s.User.ID != c.clinician.UserID || s.Token == "" || !s.ExpiresAt.Equal(testNow.Add(auth.DefaultTTL)) ||
				!s.RefreshTokenExpiresAt.Equal(testNow.Add(auth.DefaultRefreshTTL)) {
				t.Errorf("session of user %d expiring %v, refresh %v; want user %d, %v and %v",
					s.User.ID, s.ExpiresAt, s.RefreshTokenExpiresAt, c.clinician.UserID, testNow.Add(auth.DefaultTTL), testNow.Add(auth.DefaultRefreshTTL))
			}
			rt := sMustToken(t, c, s.RefreshToken)
			if rt.UserID != c.clinician.UserID || rt.PracticeID != c.practice || rt.Family == "" || !rt.CreatedAt.Equal(testNow) ||
				!rt.ExpiresAt.Equal(testNow.Add(auth.DefaultRefreshTTL)) || rt.UsedAt != nil || rt.RevokedAt != nil {
				t.Errorf("stored refresh token %+v, want a live one of user %d", rt, c.clinician.UserID)
			}
			if u := c.tx.User.GetX(c.allow, c.clinician.UserID); u.LastLoginAt == nil || !u.LastLoginAt.Equal(testNow) {
				t.Errorf("last sign-in %v, want %v", u.LastLoginAt, testNow)
			}
		})
		t.Run("refused: wrong passwords are counted until the email is locked at the address", func(t *testing.T) {
			c := sCommittedWithPassword(t, dialectName)
			for i := 1; i <= testLimits.AccountFailures; i++ {
				_, err := sLogin(t, c, "ada@north.example", "wrong password")
				wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid email or password")
				// Counted after the rollback, against the email, the email at
				// the address, and the address.
				for _, row := range c.tx.LoginThrottle.Query().AllX(c.allow) {
					if row.Failures != i {
						t.Errorf("attempt %d: throttle %s counts %d, want %d", i, row.Scope, row.Failures, i)
					}
				}
				if n := c.tx.LoginThrottle.Query().CountX(c.allow); n != 3 {
					t.Errorf("attempt %d: %d throttle rows, want the email's, the pair's and the address's", i, n)
				}
			}
			account, err := c.tx.LoginThrottle.Query().Where(loginthrottle.ScopeEQ(loginthrottle.ScopeACCOUNT_ADDRESS)).Only(c.allow)
			if err != nil {
				t.Fatalf("the email's count: %v", err)
			}
			if account.LockedUntil == nil || !account.LockedUntil.Equal(testNow.Add(auth.DefaultLockout)) {
				t.Errorf("the email is locked at the address until %v, want %v", account.LockedUntil, testNow.Add(auth.DefaultLockout))
			}
			// Locked, even the right password waits at that address.
			_, err = sLogin(t, c, "ada@north.example", testPassword)
			wantRefusal(t, err, caseload.CodeRateLimited, "", "too many failed sign-ins")
			if e := (*caseload.Error)(nil); errors.As(err, &e) && e.RetryAfter != int(auth.DefaultLockout/time.Second) {
				t.Errorf("retry after %d s, want %d", e.RetryAfter, int(auth.DefaultLockout/time.Second))
			}
			if n := c.tx.RefreshToken.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d sessions started by refused sign-ins", n)
			}
			if u := c.tx.User.GetX(c.allow, c.clinician.UserID); u.LastLoginAt != nil {
				t.Errorf("last sign-in %v after refusals, want none", u.LastLoginAt)
			}
		})
		t.Run("refused: an unknown email and a deactivated login, alike", func(t *testing.T) {
			c := sCommittedWithPassword(t, dialectName)
			_, err := sLogin(t, c, "nobody@north.example", testPassword)
			wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid email or password")
			c.tx.User.UpdateOneID(c.clinician.UserID).SetActive(false).ExecX(c.allow)
			_, err = sLogin(t, c, "ada@north.example", testPassword)
			wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid email or password")
			if n := c.tx.LoginThrottle.Query().Where(loginthrottle.ScopeEQ(loginthrottle.ScopeACCOUNT)).CountX(c.allow); n != 2 {
				t.Errorf("%d emails counted, want both", n)
			}
			if n := c.tx.RefreshToken.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d sessions started by refused sign-ins", n)
			}
		})
	})
}

func TestRefreshToken(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		t.Run("a refresh rotates the session; a reused token ends it", func(t *testing.T) {
			c := beginCommitted(t, dialectName)
			clin := c.tx.User.GetX(c.allow, c.clinician.UserID)
			first, err := c.sessions.Start(c.allow, c.db, clin)
			if err != nil {
				t.Fatal(err)
			}
			other, err := c.sessions.Start(c.allow, c.db, clin) // another device
			if err != nil {
				t.Fatal(err)
			}
			next, err := sRefresh(t, c, first.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			used, issued := sMustToken(t, c, first.RefreshToken), sMustToken(t, c, next.RefreshToken)
			if used.UsedAt == nil || !used.UsedAt.Equal(testNow) || issued.Family != used.Family || issued.UsedAt != nil || next.User.ID != clin.ID {
				t.Errorf("used %+v, issued %+v: want the first used at %v and the next of the same session", used, issued, testNow)
			}
			// The copy is replayed: the session ends, for both holders.
			_, err = sRefresh(t, c, first.RefreshToken)
			wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid or expired refresh token: sign in again")
			for name, token := range map[string]string{"first": first.RefreshToken, "newest": next.RefreshToken} {
				if rt := sMustToken(t, c, token); rt.RevokedAt == nil || !rt.RevokedAt.Equal(testNow) {
					t.Errorf("the session's %s token revoked at %v, want %v", name, rt.RevokedAt, testNow)
				}
			}
			if rt := sMustToken(t, c, other.RefreshToken); rt.RevokedAt != nil {
				t.Error("the user's other session was ended")
			}
			if !strings.Contains(c.logs.String(), "refresh token reused") {
				t.Errorf("log %q, want the reuse in it", c.logs.String())
			}
			_, err = sRefresh(t, c, next.RefreshToken)
			wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid or expired refresh token")
		})
		t.Run("refused: an unknown token", func(t *testing.T) {
			c := beginCommitted(t, dialectName)
			_, err := sRefresh(t, c, "not-a-refresh-token")
			wantRefusal(t, err, caseload.CodeUnauthenticated, "", "invalid or expired refresh token")
		})
	})
}

func TestLogout(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("logout ends the caller's session only", func(t *testing.T) {
			c := begin(t, db, dialectName)
			clin := c.tx.User.GetX(c.allow, c.clinician.UserID)
			phone, err := c.sessions.Start(c.allow, c.tx, clin)
			if err != nil {
				t.Fatal(err)
			}
			web, err := c.sessions.Start(c.allow, c.tx, clin)
			if err != nil {
				t.Fatal(err)
			}
			v := *c.clinician
			v.Session = sMustToken(t, c, phone.RefreshToken).Family
			if n, err := c.svc.Logout(c.as(&v), false); err != nil || n != 1 {
				t.Fatalf("logout = %v, %v, want 1 session ended", n, err)
			}
			if rt := sMustToken(t, c, phone.RefreshToken); rt.RevokedAt == nil || !rt.RevokedAt.Equal(testNow) {
				t.Errorf("the session revoked at %v, want %v", rt.RevokedAt, testNow)
			}
			if rt := sMustToken(t, c, web.RefreshToken); rt.RevokedAt != nil {
				t.Error("logout ended the user's other session")
			}
		})
		t.Run("logout everywhere ends every session of the caller only", func(t *testing.T) {
			c := begin(t, db, dialectName)
			clin := c.tx.User.GetX(c.allow, c.clinician.UserID)
			var pairs []*auth.Pair
			for range 3 {
				p, err := c.sessions.Start(c.allow, c.tx, clin)
				if err != nil {
					t.Fatal(err)
				}
				pairs = append(pairs, p)
			}
			admin, err := c.sessions.Start(c.allow, c.tx, c.tx.User.GetX(c.allow, c.admin.UserID))
			if err != nil {
				t.Fatal(err)
			}
			v := *c.clinician
			v.Session = sMustToken(t, c, pairs[0].RefreshToken).Family
			if n, err := c.svc.Logout(c.as(&v), true); err != nil || n != 3 {
				t.Fatalf("logout everywhere = %v, %v, want the 3 sessions ended", n, err)
			}
			for i, p := range pairs {
				if rt := sMustToken(t, c, p.RefreshToken); rt.RevokedAt == nil || !rt.RevokedAt.Equal(testNow) {
					t.Errorf("session %d revoked at %v, want %v", i, rt.RevokedAt, testNow)
				}
			}
			if rt := sMustToken(t, c, admin.RefreshToken); rt.RevokedAt != nil {
				t.Error("logout everywhere ended another user's session")
			}
		})
		t.Run("refused: without a session", func(t *testing.T) {
			c := begin(t, db, dialectName)
			_, err := c.svc.Logout(c.as(nil), false)
			wantRefusal(t, err, caseload.CodeUnauthenticated, "", "sign in first")
		})
	})
}
