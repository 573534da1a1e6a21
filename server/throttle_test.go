package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/testdb"
)

// The throttle's rules at the default limits (windows, resets, IPv6
// networks, unlock) are tested in internal/auth without bcrypt; these tests
// check the answers through the HTTP handler with small limits, since every
// failed attempt costs a bcrypt comparison on purpose.

// attempt signs in with the password from an address (X-Forwarded-For,
// which these servers trust) and returns the answer and its Retry-After
// header.
func (s *apiServer) attempt(email, password, address string) (*gqlResponse, string) {
	s.t.Helper()
	rec := s.raw(loginOp, map[string]any{"e": email, "p": password}, map[string]string{"X-Forwarded-For": address})
	r := &gqlResponse{Status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), r); err != nil {
		s.t.Fatalf("response is not JSON: %s", rec.Body.String())
	}
	return r, rec.Header().Get("Retry-After")
}

// TestAttackerDoesNotLockOutTheOwner reproduces finding 14: five wrong
// passwords used to lock the email for 15 minutes from every address, the
// owner's right password included. Now the email is locked only at the
// attacker's address; elsewhere it waits a growing delay, and not at all at
// an address it signed in from before.
func TestAttackerDoesNotLockOutTheOwner(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		const limit = 5
		s := newAPIServer(t, d, func(c *Config) {
			c.TrustProxy = true
			c.LoginLimits = auth.LoginLimits{AccountFailures: limit, AddressFailures: 1000}
		})
		s.seedPractice("North", "north.example")
		limits := auth.NewLoginThrottle(nil, auth.LoginLimits{}).Limits()
		const owner, attacker, other = "198.51.100.200", "203.0.113.66", "203.0.113.77"
		// The owner signed in from the usual address yesterday.
		if r, _ := s.attempt("clinician@north.example", testPassword, owner); r.code() != "" {
			t.Fatalf("the owner's first sign-in: %+v", r.Errors)
		}
		s.clock.Advance(24 * time.Hour)

		// The attacker at one address fails five times, waiting out each
		// delay; an unknown email tried alike gets the same answers.
		for i := 1; i <= limit+1; i++ {
			known, knownRetry := s.attempt("clinician@north.example", "wrong password", attacker)
			unknown, unknownRetry := s.attempt("nobody@north.example", "wrong password", attacker+"1")
			if !reflect.DeepEqual(known, unknown) || knownRetry != unknownRetry {
				t.Errorf("attempt %d: known email %+v (Retry-After %q), unknown %+v (%q): want the same", i, known, knownRetry, unknown, unknownRetry)
			}
			wantCode, wantRetry := "UNAUTHENTICATED", ""
			if i > limit {
				wantCode, wantRetry = "RATE_LIMITED", fmt.Sprint(int((limits.Lockout-limits.Delay(limit))/time.Second))
			}
			if known.code() != wantCode || knownRetry != wantRetry {
				t.Fatalf("attempt %d: %+v, Retry-After %q; want %s, %q", i, known.Errors, knownRetry, wantCode, wantRetry)
			}
			if wantCode == "UNAUTHENTICATED" && known.Errors[0].Message != "invalid email or password" {
				t.Errorf("attempt %d: message %q", i, known.Errors[0].Message)
			}
			if i <= limit {
				// Before the delay is over, even the right password waits,
				// told for how long.
				r, retry := s.attempt("clinician@north.example", testPassword, other)
				wantDelay := int(limits.Delay(i) / time.Second)
				if r.code() != "RATE_LIMITED" || retry != fmt.Sprint(wantDelay) || r.Errors[0].Extensions["retryAfter"] != float64(wantDelay) {
					t.Errorf("after failure %d, a new address: %+v, Retry-After %q; want RATE_LIMITED after %d s", i, r.Errors, retry, wantDelay)
				}
				s.clock.Advance(limits.Delay(i))
			}
		}
		// The owner at the usual address signs in at once, the attacker's
		// address still locked.
		if r, _ := s.attempt("clinician@north.example", testPassword, owner); r.code() != "" {
			t.Errorf("the owner at the usual address after the attack: %+v", r.Errors)
		}
		if r, _ := s.attempt("clinician@north.example", testPassword, attacker); r.code() != "RATE_LIMITED" {
			t.Errorf("the right password at the attacker's address: %+v, want RATE_LIMITED", r.Errors)
		}
		// At a new address, after the attacker fails once more elsewhere,
		// the owner waits the delay (at most a minute), then signs in.
		s.attempt("clinician@north.example", "wrong password", "192.0.2.200")
		r, retry := s.attempt("clinician@north.example", testPassword, other)
		if r.code() != "RATE_LIMITED" || retry != "1" {
			t.Errorf("a new address after a failure: %+v, Retry-After %q; want RATE_LIMITED after 1 s", r.Errors, retry)
		}
		s.clock.Advance(time.Second)
		if r, _ := s.attempt("clinician@north.example", testPassword, other); r.code() != "" {
			t.Errorf("a new address after the delay: %+v", r.Errors)
		}

		// The throttle stores neither emails nor addresses, and the log
		// holds no password or email.
		for _, row := range must(s.main.DB.Ent.LoginThrottle.Query().All(sys())) {
			if strings.Contains(row.Key, "@") || strings.Contains(row.Key, "north") || strings.Contains(row.Key, "198.51") || strings.Contains(row.Key, "203.0") || len(row.Key) != 64 {
				t.Errorf("throttle key %q is not a hash", row.Key)
			}
		}
		for _, secret := range []string{testPassword, "wrong password", "nobody@north.example", "clinician@north.example"} {
			if strings.Contains(s.logs.String(), secret) {
				t.Errorf("the log holds %q", secret)
			}
		}
	})
}

func TestLoginIsThrottledPerAddress(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		const limit = 2
		s := newAPIServer(t, d, func(c *Config) {
			c.TrustProxy = true
			c.LoginLimits = auth.LoginLimits{AddressFailures: limit}
		})
		s.seedPractice("North", "north.example")
		// One address tries several emails, none of them often.
		for i := 1; i <= limit; i++ {
			if r, _ := s.attempt(fmt.Sprintf("guess%d@north.example", i), "wrong password", "203.0.113.9"); r.code() != "UNAUTHENTICATED" {
				t.Fatalf("attempt %d: %+v, want UNAUTHENTICATED", i, r.Errors)
			}
		}
		r, retry := s.attempt("clinician@north.example", testPassword, "203.0.113.9")
		if r.code() != "RATE_LIMITED" || retry != "900" || r.Errors[0].Extensions["retryAfter"] != float64(900) {
			t.Errorf("attempt %d: %+v, Retry-After %q; want RATE_LIMITED after 900 s", limit+1, r.Errors, retry)
		}
		// X-Forwarded-For's last entry is the address: what the client put
		// before it does not matter.
		if r, _ := s.attempt("clinician@north.example", testPassword, "10.9.9.9, 203.0.113.9"); r.code() != "RATE_LIMITED" {
			t.Errorf("a spoofed first entry escaped the lock: %+v", r.Errors)
		}
		// Another address signs in.
		if r, _ := s.attempt("clinician@north.example", testPassword, "203.0.113.10"); r.code() != "" {
			t.Errorf("another address: %+v", r.Errors)
		}
		s.clock.Advance(15 * time.Minute)
		if r, _ := s.attempt("admin@north.example", testPassword, "203.0.113.9"); r.code() != "" {
			t.Errorf("after the lockout: %+v", r.Errors)
		}
	})
}

func TestAddressesBehindNoProxyAreThePeers(t *testing.T) {
	s := newAPIServer(t, "sqlite3", func(c *Config) { c.LoginLimits = auth.LoginLimits{AddressFailures: 2} })
	s.seedPractice("North", "north.example")
	// Without trust in the proxy, a changing X-Forwarded-For is ignored:
	// every request comes from httptest's peer address.
	for i := 1; i <= 2; i++ {
		s.attempt(fmt.Sprintf("guess%d@north.example", i), "wrong password", fmt.Sprintf("198.51.100.%d", i))
	}
	if r, _ := s.attempt("clinician@north.example", testPassword, "198.51.100.3"); r.code() != "RATE_LIMITED" {
		t.Errorf("X-Forwarded-For was trusted: %+v", r.Errors)
	}
}

func TestAdminUnlocksALogin(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d, func(c *Config) { c.LoginLimits = auth.LoginLimits{AccountFailures: 1} })
		f := s.seedPractice("North", "north.example")
		g := s.seedPractice("South", "south.example")
		s.do("", loginOp, map[string]any{"e": "clinician@north.example", "p": "wrong password"})
		if r := s.do("", loginOp, map[string]any{"e": "clinician@north.example", "p": testPassword}); r.code() != "RATE_LIMITED" {
			t.Fatalf("not locked: %+v", r.Errors)
		}
		const unlock = `mutation($id: ID!) { unlockUser(input: {userID: $id}) { user { email } userErrors { field message code } } }`
		id := map[string]any{"id": scalar.EncodeID(f.clinicianUser.ID)}
		for name, tok := range map[string]string{
			"the clinician's supervisor": s.token(f.supervisor),
			"the clinician":              s.token(f.clinicianUser),
			"an analyst":                 s.token(f.analyst),
			"another practice's admin":   s.token(g.admin),
		} {
			t.Run(name, func(t *testing.T) {
				wantUserErrors(t, s.do(tok, unlock, id), "unlockUser", "user", "NOT_FOUND input.userID")
			})
		}
		wantTopLevel(t, "unlocking without a token", "UNAUTHENTICATED", "unlockUser", s.do("", unlock, id))
		// A user who exists nowhere reads the same as one of another practice.
		wantUserErrors(t, s.do(s.token(f.admin), unlock, map[string]any{"id": scalar.EncodeID(1 << 30)}), "unlockUser", "user", "NOT_FOUND input.userID")
		if r := s.do("", loginOp, map[string]any{"e": "clinician@north.example", "p": testPassword}); r.code() != "RATE_LIMITED" {
			t.Fatalf("refused unlocks unlocked: %+v", r.Errors)
		}
		data := s.mustDo(s.token(f.admin), unlock, id)
		if data["unlockUser"].(map[string]any)["user"].(map[string]any)["email"] != "clinician@north.example" {
			t.Errorf("unlockUser = %v", data)
		}
		if r := s.do("", loginOp, map[string]any{"e": "clinician@north.example", "p": testPassword}); r.code() != "" || r.Status != http.StatusOK {
			t.Errorf("after the unlock: %+v", r.Errors)
		}
		// Two sign-ins in one operation are refused before either is tried.
		// Both are answered with the refusal, and neither counts as a failure.
		const twice = `mutation { a: login(input: {email: "clinician@north.example", password: "1"}) { token userErrors { field message code } } ...F }
			fragment F on Mutation { b: login(input: {email: "clinician@north.example", password: "2"}) { token userErrors { field message code } } }`
		for range 2 {
			r := s.do("", twice, nil)
			if len(r.Errors) > 0 || r.code() != "BAD_USER_INPUT" || !strings.Contains(r.message(), "once per operation") {
				t.Errorf("two logins in one operation: %+v %+v, want a BAD_USER_INPUT userError", r.Errors, r.refusals())
			}
			for _, alias := range []string{"a", "b"} {
				if p, _ := r.Data[alias].(map[string]any); p == nil || p["token"] != nil || len(r.userErrors(alias)) != 1 {
					t.Errorf("two logins in one operation, %s: %v, want no token and the userError", alias, r.Data[alias])
				}
			}
		}
		if r := s.do("", loginOp, map[string]any{"e": "clinician@north.example", "p": testPassword}); r.code() != "" || r.Status != http.StatusOK {
			t.Errorf("after two refused double sign-ins (limit 1 failure): %+v, want signed in", r.Errors)
		}
	})
}

// TestFailedSignInsAreAudited reproduces finding 3 (part): failed sign-ins
// and refresh-token reuse were only in the server log. A refused sign-in
// of a known login, its lock, and a reused refresh token are now DENIED
// events of the login's practice, naming the login (no actor: whoever
// tried is not authenticated), with the address and user agent and never
// the password; an unknown email has no practice to write to.
func TestFailedSignInsAreAudited(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d, func(c *Config) {
			c.TrustProxy = true
			c.LoginLimits = auth.LoginLimits{AccountFailures: 2, AddressFailures: 1000}
		})
		f := s.seedPractice("North", "north.example")
		g := s.seedPractice("South", "south.example")
		try := func(email, password string) string {
			rec := s.raw(loginOp, map[string]any{"e": email, "p": password},
				map[string]string{"X-Forwarded-For": "203.0.113.31", "User-Agent": "guesser/1.0"})
			var r gqlResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			return r.code()
		}
		for i := range 2 {
			if code := try("clinician@north.example", "wrong password"); code != "UNAUTHENTICATED" {
				t.Fatalf("failure %d: %s", i+1, code)
			}
			s.clock.Advance(time.Minute)
		}
		// Refused unchecked while locked: audited once a minute per address,
		// however often tried.
		for range 3 {
			if code := try("clinician@north.example", testPassword); code != "RATE_LIMITED" {
				t.Fatalf("while locked: %s", code)
			}
		}
		if code := try("nobody@north.example", "wrong password"); code != "UNAUTHENTICATED" {
			t.Fatalf("unknown email: %s", code)
		}
		events := must(s.main.DB.Ent.AuditEvent.Query().
			Where(auditevent.OutcomeEQ(auditevent.OutcomeDENIED), auditevent.ActionIn("login", "signInLockout", "refreshToken")).
			Order(auditevent.ByID()).All(sys()))
		var got []string
		for _, e := range events {
			if e.PracticeID != f.practice.ID || e.EntityType != "User" || e.EntityID == nil || *e.EntityID != f.clinicianUser.ID || e.ActorID != nil ||
				e.Address != "203.0.113.31" || e.UserAgent != "guesser/1.0" {
				t.Errorf("event %+v: want the North clinician's login as entity, no actor, the address and user agent", e)
			}
			if strings.Contains(e.Detail, "wrong password") && !strings.HasPrefix(e.Detail, "UNAUTHENTICATED") || strings.Contains(e.Detail, testPassword) {
				t.Errorf("event detail %q holds the password", e.Detail)
			}
			got = append(got, e.Action+" "+strings.SplitN(e.Detail, ":", 2)[0])
		}
		want := []string{"login UNAUTHENTICATED", "login UNAUTHENTICATED", "signInLockout locked the email at this address for 15m0s after failed sign-ins", "login RATE_LIMITED"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("audit events %q, want %q", got, want)
		}
		if n := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.PracticeID(g.practice.ID), auditevent.OutcomeEQ(auditevent.OutcomeDENIED)).Count(sys())); n != 0 {
			t.Errorf("%d refusals in the other practice", n)
		}
		// The admin reads them in the audit log.
		data := s.mustDo(s.token(f.admin), `{ auditEvents(first: 10, where: {action: "signInLockout"}) { edges { node { action outcome entityID actorID address } } } }`, nil)
		if edges := data["auditEvents"].(map[string]any)["edges"].([]any); len(edges) != 1 {
			t.Errorf("the admin's audit log: %v, want the lockout", data)
		}

		// A refresh token presented twice: its session is revoked, and that
		// is in the practice's log.
		first := s.mustDo("", loginOp, map[string]any{"e": "other@north.example", "p": testPassword})["login"].(map[string]any)["refreshToken"]
		s.mustDo("", refreshOp, map[string]any{"t": first})
		if r := s.do("", refreshOp, map[string]any{"t": first}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("a reused refresh token: %+v", r.Errors)
		}
		reuse := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action("refreshToken"), auditevent.OutcomeEQ(auditevent.OutcomeDENIED)).All(sys()))
		if len(reuse) != 1 || reuse[0].PracticeID != f.practice.ID || reuse[0].EntityID == nil || *reuse[0].EntityID != f.otherUser.ID ||
			!strings.Contains(reuse[0].Detail, "revoked") || strings.Contains(reuse[0].Detail, fmt.Sprint(first)) {
			t.Errorf("reuse events %+v, want one of the North user's login", reuse)
		}
	})
}
