package auth

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/loginthrottle"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/testdb"
)

func TestDelayGrowsToItsCap(t *testing.T) {
	l := LoginLimits{}
	want := []time.Duration{0, 1, 2, 4, 8, 16, 32, 60, 60, 60}
	for n, w := range want {
		if got := l.Delay(n); got != w*time.Second {
			t.Errorf("Delay(%d) = %v, want %v", n, got, w*time.Second)
		}
	}
	if got := (LoginLimits{FirstDelay: -1}).Delay(3); got != 0 {
		t.Errorf("Delay with the delay off = %v", got)
	}
}

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
		wait := func(a Attempt, now time.Time) (time.Duration, loginthrottle.Scope) {
			t.Helper()
			w, scope, err := th.Wait(ctx, db, a, now)
			if err != nil {
				t.Fatal(err)
			}
			return w, scope
		}
		// fail fails n times at now and returns what the last failure locked.
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

		t.Run("finding 14: an attacker at one address does not lock the owner out", func(t *testing.T) {
			attacker := th.Attempt("one@example.org", "192.0.2.1")
			owner := th.Attempt("ONE@example.org ", "198.51.100.1")
			// The owner signed in from their usual address before.
			if err := th.Remember(ctx, db, owner, start.Add(-24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			fresh := th.Attempt("one@example.org", "203.0.113.1")
			now := start
			for i := 1; i <= limits.AccountFailures; i++ {
				locked := fail(attacker, now, 1)
				if i < limits.AccountFailures && len(locked) != 0 {
					t.Errorf("failure %d locked %v", i, locked)
				}
				if i == limits.AccountFailures && !slices.Equal(locked, []loginthrottle.Scope{loginthrottle.ScopeACCOUNT_ADDRESS}) {
					t.Errorf("failure %d locked %v, want the email at the attacker's address", i, locked)
				}
				// Each failure delays the email by the growing delay.
				if w, scope := wait(fresh, now); w != limits.Delay(i) || scope != loginthrottle.ScopeACCOUNT {
					t.Errorf("after failure %d: a fresh address waits %v (%s), want the delay %v", i, w, scope, limits.Delay(i))
				}
				now = now.Add(limits.Delay(i))
			}
			if w, scope := wait(attacker, now); w != limits.Lockout-limits.Delay(limits.AccountFailures) || scope != loginthrottle.ScopeACCOUNT_ADDRESS {
				t.Errorf("the attacker's address waits %v (%s), want the rest of the lockout", w, scope)
			}
			// The owner's usual address is not delayed at all, a new one only
			// until the delay is over.
			if w, _ := wait(owner, start.Add(time.Second)); w != 0 {
				t.Errorf("the owner at the usual address waits %v", w)
			}
			if w, _ := wait(fresh, now); w != 0 {
				t.Errorf("a fresh address after the delay waits %v", w)
			}
			// The attacker's failures from further addresses are delayed
			// ever longer, to the cap.
			for i := range 4 {
				fail(th.Attempt("one@example.org", fmt.Sprintf("192.0.2.%d", 10+i)), now, 1)
			}
			if w, _ := wait(fresh, now); w != limits.MaxDelay {
				t.Errorf("after 9 failures: wait %v, want the cap %v", w, limits.MaxDelay)
			}
			if w, _ := wait(owner, now); w != 0 {
				t.Errorf("the owner at the usual address waits %v after 9 failures", w)
			}
			// A quiet window forgets the email's failures.
			later := now.Add(limits.Lockout)
			fail(th.Attempt("one@example.org", "192.0.2.99"), later, 1)
			if w, _ := wait(fresh, later); w != limits.FirstDelay {
				t.Errorf("the first failure after a quiet window delays %v, want %v", w, limits.FirstDelay)
			}
		})

		t.Run("the pair's lock lifts after the lockout and counts again from zero", func(t *testing.T) {
			a := th.Attempt("two@example.org", "192.0.2.2")
			fail(a, start, limits.AccountFailures)
			if w, _ := wait(a, start.Add(limits.Lockout)); w != 0 {
				t.Errorf("at the end of the lockout: wait %v, want 0", w)
			}
			fail(a, start.Add(limits.Lockout), 1)
			if w, scope := wait(a, start.Add(limits.Lockout+time.Second)); w != 0 {
				t.Errorf("one failure after the lockout: wait %v (%s)", w, scope)
			}
		})

		t.Run("failures of two windows do not add up", func(t *testing.T) {
			a := th.Attempt("three@example.org", "192.0.2.3")
			fail(a, start, limits.AccountFailures-1)
			fail(a, start.Add(limits.Lockout), limits.AccountFailures-1)
			if w, scope := wait(a, start.Add(limits.Lockout+limits.MaxDelay)); w != 0 {
				t.Errorf("wait %v (%s), want 0", w, scope)
			}
		})

		t.Run("success resets the email, not the address", func(t *testing.T) {
			addr := "198.51.100.7"
			a := th.Attempt("four@example.org", addr)
			fail(a, start, limits.AccountFailures-1)
			if err := th.Succeed(ctx, db, a); err != nil {
				t.Fatal(err)
			}
			if w, _ := wait(th.Attempt("four@example.org", "203.0.113.4"), start); w != 0 {
				t.Errorf("the success did not lift the email's delay: wait %v", w)
			}
			fail(a, start, limits.AccountFailures-1)
			if w, scope := wait(a, start.Add(limits.MaxDelay)); w != 0 {
				t.Errorf("the success did not reset the email at the address: wait %v (%s)", w, scope)
			}
			// The address has 8 failures: 12 more from other emails lock it.
			var locked []loginthrottle.Scope
			for i := 0; i < limits.AddressFailures-2*(limits.AccountFailures-1); i++ {
				locked = fail(th.Attempt(fmt.Sprintf("guess%d@example.org", i), addr), start, 1)
			}
			if !slices.Equal(locked, []loginthrottle.Scope{loginthrottle.ScopeADDRESS}) {
				t.Errorf("the failure that reached the address's limit locked %v, want the address", locked)
			}
			if w, scope := wait(th.Attempt("new@example.org", addr), start); w != limits.Lockout || scope != loginthrottle.ScopeADDRESS {
				t.Errorf("address after %d failures: wait %v (%s), want %v", limits.AddressFailures, w, scope, limits.Lockout)
			}
			if w, _ := wait(th.Attempt("new@example.org", "198.51.100.8"), start); w != 0 {
				t.Errorf("another address: wait %v", w)
			}
		})

		t.Run("an IPv6 /64 is one address", func(t *testing.T) {
			for i := 0; i < limits.AddressFailures; i++ {
				fail(th.Attempt(fmt.Sprintf("v6-%d@example.org", i), fmt.Sprintf("2001:db8:7:7::%x", i)), start, 1)
			}
			if w, _ := wait(th.Attempt("x@example.org", "2001:db8:7:7:ffff::1"), start); w == 0 {
				t.Error("another address of the /64 is not locked")
			}
			if w, _ := wait(th.Attempt("x@example.org", "2001:db8:7:8::1"), start); w != 0 {
				t.Errorf("the next /64 is locked: %v", w)
			}
		})

		t.Run("unlock lifts the email's locks at every address and its delay", func(t *testing.T) {
			a, b := th.Attempt("five@example.org", "192.0.2.5"), th.Attempt("five@example.org", "192.0.2.6")
			other := th.Attempt("six@example.org", "192.0.2.5")
			fail(a, start, limits.AccountFailures)
			fail(b, start, limits.AccountFailures)
			fail(other, start, limits.AccountFailures)
			if err := th.Unlock(ctx, db, "Five@Example.org"); err != nil {
				t.Fatal(err)
			}
			for _, x := range []Attempt{a, b} {
				if w, scope := wait(x, start); w != 0 {
					t.Errorf("after the unlock: wait %v (%s)", w, scope)
				}
			}
			if w, _ := wait(other, start); w != limits.Lockout {
				t.Errorf("the unlock of another email lifted this one's lock: wait %v", w)
			}
		})

		t.Run("old rows are cleared, known addresses kept for 30 days", func(t *testing.T) {
			if _, err := db.LoginThrottle.Delete().Exec(ctx); err != nil {
				t.Fatal(err)
			}
			known := th.Attempt("seven@example.org", "192.0.2.7")
			if err := th.Remember(ctx, db, known, start); err != nil {
				t.Fatal(err)
			}
			fail(th.Attempt("eight@example.org", "192.0.2.8"), start, 1)
			fail(th.Attempt("nine@example.org", "192.0.2.9"), start.Add(24*time.Hour), 1)
			if n := db.LoginThrottle.Query().CountX(ctx); n != 4 {
				t.Errorf("%d throttle rows a day later, want the known address and the new failure's three", n)
			}
			fail(th.Attempt("nine@example.org", "192.0.2.9"), start.Add(KnownAddressFor+time.Hour), 1)
			if n := db.LoginThrottle.Query().Where(loginthrottle.ScopeEQ(loginthrottle.ScopeKNOWN_ADDRESS)).CountX(ctx); n != 0 {
				t.Errorf("%d known addresses after 30 days, want none", n)
			}
		})
	})
}
