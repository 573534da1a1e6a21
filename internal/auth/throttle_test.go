package auth

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/loginthrottle"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/testdb"
)

// TestThrottleEdges runs the throttle's rules on a real database at the
// default limits (the HTTP tests in server/ check the answers, with the
// bcrypt cost of each attempt).
func TestThrottleEdges(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		db := testdb.Open(t, d, testdb.Options{}).Ent
		ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
		th := NewLoginThrottle([]byte("secret"), LoginLimits{})
		limits := th.Limits()
		start := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
		wait := func(a Attempt, now time.Time) time.Duration {
			t.Helper()
			w, err := th.Wait(ctx, db, a, now)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		// fail fails n times and returns what the last failure locked.
		fail := func(a Attempt, now time.Time, n int) (locked []loginthrottle.Scope) {
			t.Helper()
			for range n {
				var err error
				if locked, err = th.Fail(ctx, db, a, now); err != nil {
					t.Fatal(err)
				}
			}
			return locked
		}

		t.Run("account: N failures pass, then locked for the lockout", func(t *testing.T) {
			a := th.Attempt("one@example.org", "")
			if locked := fail(a, start, limits.AccountFailures-1); len(locked) != 0 {
				t.Errorf("failure %d locked %v", limits.AccountFailures-1, locked)
			}
			if w := wait(a, start); w != 0 {
				t.Fatalf("after %d failures: wait %v, want 0", limits.AccountFailures-1, w)
			}
			if locked := fail(a, start.Add(time.Minute), 1); !slices.Equal(locked, []loginthrottle.Scope{loginthrottle.ScopeACCOUNT}) {
				t.Errorf("failure %d locked %v, want the account", limits.AccountFailures, locked)
			}
			if w := wait(a, start.Add(time.Minute)); w != limits.Lockout {
				t.Fatalf("after %d failures: wait %v, want %v", limits.AccountFailures, w, limits.Lockout)
			}
			if locked := fail(a, start.Add(2*time.Minute), 1); len(locked) != 0 {
				t.Errorf("a failure while locked locked again: %v", locked)
			}
			if w := wait(th.Attempt(" ONE@example.org", "192.0.2.1"), start.Add(5*time.Minute)); w != limits.Lockout-4*time.Minute {
				t.Errorf("the same email, otherwise written, from an address: wait %v", w)
			}
			if w := wait(a, start.Add(time.Minute+limits.Lockout)); w != 0 {
				t.Errorf("at the end of the lockout: wait %v, want 0", w)
			}
			// The expired lock starts the count over.
			fail(a, start.Add(time.Minute+limits.Lockout), 1)
			if w := wait(a, start.Add(time.Minute+limits.Lockout)); w != 0 {
				t.Errorf("one failure after the lockout locked again: %v", w)
			}
		})

		t.Run("failures of two windows do not add up", func(t *testing.T) {
			a := th.Attempt("two@example.org", "")
			fail(a, start, limits.AccountFailures-1)
			fail(a, start.Add(limits.Lockout), limits.AccountFailures-1)
			if w := wait(a, start.Add(limits.Lockout)); w != 0 {
				t.Errorf("wait %v, want 0", w)
			}
		})

		t.Run("success resets the email, not the address", func(t *testing.T) {
			addr := "198.51.100.7"
			a := th.Attempt("three@example.org", addr)
			fail(a, start, limits.AccountFailures-1)
			if err := th.Succeed(ctx, db, a); err != nil {
				t.Fatal(err)
			}
			fail(a, start, limits.AccountFailures-1)
			if w := wait(a, start); w != 0 {
				t.Errorf("the success did not reset the email: wait %v", w)
			}
			// The address has 8 failures: 12 more from other emails lock it.
			var locked []loginthrottle.Scope
			for i := 0; i < limits.AddressFailures-2*(limits.AccountFailures-1); i++ {
				locked = fail(th.Attempt("guess"+string(rune('a'+i))+"@example.org", addr), start, 1)
			}
			if !slices.Equal(locked, []loginthrottle.Scope{loginthrottle.ScopeADDRESS}) {
				t.Errorf("the failure that reached the address's limit locked %v, want the address", locked)
			}
			if w := wait(th.Attempt("new@example.org", addr), start); w != limits.Lockout {
				t.Errorf("address after %d failures: wait %v, want %v", limits.AddressFailures, w, limits.Lockout)
			}
			if w := wait(th.Attempt("new@example.org", "198.51.100.8"), start); w != 0 {
				t.Errorf("another address: wait %v", w)
			}
		})

		t.Run("an IPv6 /64 is one address", func(t *testing.T) {
			for i := 0; i < limits.AddressFailures; i++ {
				fail(th.Attempt("v6@example.org"+string(rune('a'+i)), "2001:db8:7:7::"+string(rune('a'+i%6))), start, 1)
			}
			if w := wait(th.Attempt("x@example.org", "2001:db8:7:7:ffff::1"), start); w == 0 {
				t.Error("another address of the /64 is not locked")
			}
			if w := wait(th.Attempt("x@example.org", "2001:db8:7:8::1"), start); w != 0 {
				t.Errorf("the next /64 is locked: %v", w)
			}
		})

		t.Run("unlock", func(t *testing.T) {
			a := th.Attempt("four@example.org", "")
			fail(a, start, limits.AccountFailures)
			if err := th.Unlock(ctx, db, "Four@Example.org"); err != nil {
				t.Fatal(err)
			}
			if w := wait(a, start); w != 0 {
				t.Errorf("after the unlock: wait %v", w)
			}
		})

		t.Run("old rows are cleared", func(t *testing.T) {
			fail(th.Attempt("five@example.org", ""), start.Add(24*time.Hour), 1)
			n, err := db.LoginThrottle.Query().Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%d throttle rows a day later, want only the new one", n)
			}
		})
	})
}
