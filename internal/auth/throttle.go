package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/loginthrottle"
)

// Defaults of LoginLimits.
const (
	DefaultAccountFailures = 5
	DefaultAddressFailures = 20
	DefaultLockout         = 15 * time.Minute
	DefaultFirstDelay      = time.Second
	DefaultMaxDelay        = time.Minute
	// KnownAddressFor is how long an address a login signed in from stays
	// exempt from the email's delay.
	KnownAddressFor = 30 * 24 * time.Hour
)

// LoginLimits bound failed sign-ins.
type LoginLimits struct {
	// AccountFailures failed sign-ins for one email from one client address
	// within Lockout lock that email at that address for Lockout (default
	// 5). The same email from another address is not locked: an attacker
	// who knows a login cannot lock its owner out.
	AccountFailures int
	// AddressFailures failed sign-ins from one client address within
	// Lockout lock that address for Lockout (default 20), whatever email.
	AddressFailures int
	// Lockout is both the window failures are counted in and how long a
	// lock lasts (default 15 minutes); an email's failures are forgotten
	// after Lockout without one.
	Lockout time.Duration
	// FirstDelay is how long an email waits after its first failure, from
	// any address but one it signed in from before (default 1 s); each
	// further failure doubles it, up to MaxDelay (default 1 minute). A
	// negative FirstDelay turns the delay off (tests of the locks alone,
	// whose clock stands still).
	FirstDelay, MaxDelay time.Duration
}

func (l LoginLimits) withDefaults() LoginLimits {
	if l.AccountFailures <= 0 {
		l.AccountFailures = DefaultAccountFailures
	}
	if l.AddressFailures <= 0 {
		l.AddressFailures = DefaultAddressFailures
	}
	if l.Lockout <= 0 {
		l.Lockout = DefaultLockout
	}
	if l.FirstDelay == 0 {
		l.FirstDelay = DefaultFirstDelay
	}
	if l.MaxDelay <= 0 {
		l.MaxDelay = DefaultMaxDelay
	}
	l.MaxDelay = max(l.MaxDelay, l.FirstDelay)
	return l
}

// Delay is how long an email waits after its nth failure in a row:
// FirstDelay doubled for each failure after the first, at most MaxDelay.
func (l LoginLimits) Delay(n int) time.Duration {
	l = l.withDefaults()
	if n <= 0 || l.FirstDelay < 0 {
		return 0
	}
	d := l.FirstDelay
	for i := 1; i < n && d < l.MaxDelay; i++ {
		d *= 2
	}
	return min(d, l.MaxDelay)
}

// LoginThrottle slows guessing without letting anyone lock a login's owner
// out (OWASP's Authentication Cheat Sheet, "Account lockout"):
//
//   - an email from one client address is locked after AccountFailures
//     failures (the attacker's address, not the owner's);
//   - a client address is locked after AddressFailures failures, whatever
//     the emails (one address guessing many logins);
//   - an email waits a growing delay after each failure, from every address
//     (an attacker who rotates addresses guesses a password a minute at
//     most), except the addresses it signed in from in the last 30 days:
//     the owner at the usual address is never delayed, and elsewhere waits
//     at most MaxDelay.
//
// The counts live in the database (so that every replica sees them). An
// email is counted whether or not it has a login, so that the throttle
// tells nothing about which emails exist; and emails and addresses are
// stored only as HMACs.
type LoginThrottle struct {
	secret []byte
	limits LoginLimits
}

// NewLoginThrottle returns a throttle keyed with secret (HMAC-SHA256; with
// no secret, plain SHA-256).
func NewLoginThrottle(secret []byte, limits LoginLimits) *LoginThrottle {
	return &LoginThrottle{secret: secret, limits: limits.withDefaults()}
}

// Limits returns the throttle's limits.
func (t *LoginThrottle) Limits() LoginLimits { return t.limits }

// Attempt is one sign-in attempt, by its throttle keys.
type Attempt struct {
	// account is the email's delay; pair the email's lock at the address;
	// address the address's lock (none without an address); known the
	// key of the address as one the email signed in from.
	account, pair, address, known throttleKey
}

type throttleKey struct {
	scope loginthrottle.Scope
	key   string
	limit int
}

// NormalizeEmail is the form emails are stored and compared in.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// Attempt returns the keys of a sign-in attempt for email from address (a
// client IP address; without one, the pair key stands for the email
// without an address).
func (t *LoginThrottle) Attempt(email, address string) Attempt {
	email = NormalizeEmail(email)
	address = addressBucket(address)
	a := Attempt{
		account: t.accountKey(email),
		pair:    throttleKey{loginthrottle.ScopeACCOUNT_ADDRESS, t.pairKey(loginthrottle.ScopeACCOUNT_ADDRESS, email, address), t.limits.AccountFailures},
	}
	if address != "" {
		a.address = throttleKey{loginthrottle.ScopeADDRESS, t.mac(loginthrottle.ScopeADDRESS, address), t.limits.AddressFailures}
		a.known = throttleKey{scope: loginthrottle.ScopeKNOWN_ADDRESS, key: t.pairKey(loginthrottle.ScopeKNOWN_ADDRESS, email, address)}
	}
	return a
}

func (t *LoginThrottle) accountKey(email string) throttleKey {
	return throttleKey{scope: loginthrottle.ScopeACCOUNT, key: t.mac(loginthrottle.ScopeACCOUNT, NormalizeEmail(email))}
}

// pairKey is the key of an email at an address: the first half of the
// email's key, so that an admin's unlock finds every address's lock of
// the email, and the first half of the pair's HMAC.
func (t *LoginThrottle) pairKey(scope loginthrottle.Scope, email, address string) string {
	return t.accountKey(email).key[:32] + t.mac(scope, email+"\x00"+address)[:32]
}

// locks are the attempt's keys that a count locks.
func (a Attempt) locks() []throttleKey {
	if a.address.key == "" {
		return []throttleKey{a.pair}
	}
	return []throttleKey{a.pair, a.address}
}

func (t *LoginThrottle) mac(scope loginthrottle.Scope, value string) string {
	h := hmac.New(sha256.New, t.secret)
	h.Write([]byte(scope))
	h.Write([]byte{0})
	h.Write([]byte(value))
	return hex.EncodeToString(h.Sum(nil))
}

// addressBucket is what a client address is counted by: an IPv4 address,
// or the /64 network of an IPv6 address (one subscriber's usual share, so
// that rotating through it does not escape the count).
func addressBucket(address string) string {
	ip, err := netip.ParseAddr(strings.TrimSpace(address))
	if err != nil {
		return strings.TrimSpace(address)
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	prefix, _ := ip.Prefix(64)
	return prefix.String()
}

// Wait returns how long the attempt must wait, and why: 0 when neither
// the email at its address nor its address is locked and the email's delay
// is over (or does not apply at an address the email signed in from).
func (t *LoginThrottle) Wait(ctx context.Context, db *ent.Client, a Attempt, now time.Time) (time.Duration, loginthrottle.Scope, error) {
	now = now.UTC()
	keys := []string{a.account.key, a.pair.key}
	if a.address.key != "" {
		keys = append(keys, a.address.key, a.known.key)
	}
	rows, err := db.LoginThrottle.Query().
		Where(loginthrottle.KeyIn(keys...), loginthrottle.Or(
			loginthrottle.LockedUntilGT(now),
			loginthrottle.And(loginthrottle.ScopeEQ(loginthrottle.ScopeKNOWN_ADDRESS), loginthrottle.WindowStartedAtGT(now.Add(-KnownAddressFor))),
		)).
		All(ctx)
	if err != nil {
		return 0, "", err
	}
	known := slices.ContainsFunc(rows, func(r *ent.LoginThrottle) bool { return r.Scope == loginthrottle.ScopeKNOWN_ADDRESS })
	var wait time.Duration
	var scope loginthrottle.Scope
	for _, r := range rows {
		if r.LockedUntil == nil || (known && r.Scope == loginthrottle.ScopeACCOUNT) {
			continue
		}
		if w := r.LockedUntil.Sub(now); w > wait {
			wait, scope = w, r.Scope
		}
	}
	return wait, scope, nil
}

// Fail counts a failed attempt against its email at its address and its
// address, locks each that reached its limit, delays the email's next
// attempt, and returns the scopes it locked now (none when nothing reached
// its limit or was locked already). It must write with a client outside
// the failing mutation's transaction, which rolls back. Every statement is
// atomic on its own, so concurrent failures on several replicas all count,
// and only one of them sets a lock.
func (t *LoginThrottle) Fail(ctx context.Context, db *ent.Client, a Attempt, now time.Time) (locked []loginthrottle.Scope, err error) {
	now = now.UTC()
	lockout := t.limits.Lockout
	// Rows whose window and lock are long over are only clutter; so are
	// addresses a login has not signed in from for long.
	if _, err := db.LoginThrottle.Delete().
		Where(loginthrottle.Or(
			loginthrottle.And(loginthrottle.ScopeNEQ(loginthrottle.ScopeKNOWN_ADDRESS), loginthrottle.WindowStartedAtLT(now.Add(-2*lockout))),
			loginthrottle.WindowStartedAtLT(now.Add(-KnownAddressFor)),
		)).
		Exec(ctx); err != nil {
		return nil, err
	}
	for _, k := range a.locks() {
		// A finished window, or an expired lock, starts the count over.
		if err := db.LoginThrottle.Update().
			Where(loginthrottle.Key(k.key), loginthrottle.Or(
				loginthrottle.And(loginthrottle.LockedUntilIsNil(), loginthrottle.WindowStartedAtLTE(now.Add(-lockout))),
				loginthrottle.LockedUntilLTE(now),
			)).
			SetFailures(0).
			SetWindowStartedAt(now).
			ClearLockedUntil().
			Exec(ctx); err != nil {
			return nil, err
		}
		if err := t.count(ctx, db, k, now); err != nil {
			return nil, err
		}
		n, err := db.LoginThrottle.Update().
			Where(loginthrottle.Key(k.key), loginthrottle.FailuresGTE(k.limit), loginthrottle.LockedUntilIsNil()).
			SetLockedUntil(now.Add(lockout)).
			Save(ctx)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			locked = append(locked, k.scope)
		}
	}
	return locked, t.delay(ctx, db, a.account, now)
}

// delay counts a failure of the email and makes its next attempt wait the
// delay of its failures in a row; a quiet window forgets them.
func (t *LoginThrottle) delay(ctx context.Context, db *ent.Client, k throttleKey, now time.Time) error {
	if err := db.LoginThrottle.Update().
		Where(loginthrottle.Key(k.key), loginthrottle.WindowStartedAtLTE(now.Add(-t.limits.Lockout))).
		SetFailures(0).
		Exec(ctx); err != nil {
		return err
	}
	if err := t.count(ctx, db, k, now); err != nil {
		return err
	}
	row, err := db.LoginThrottle.Query().Where(loginthrottle.Key(k.key)).Only(ctx)
	if err != nil {
		return err
	}
	delay := t.limits.Delay(row.Failures)
	if delay <= 0 {
		return nil
	}
	until := now.Add(delay)
	// Of concurrent failures, the one that counted most sets the delay.
	return db.LoginThrottle.Update().
		Where(loginthrottle.Key(k.key), loginthrottle.Or(loginthrottle.LockedUntilIsNil(), loginthrottle.LockedUntilLT(until))).
		SetWindowStartedAt(now).
		SetLockedUntil(until).
		Exec(ctx)
}

// count adds one failure to a key's row, creating it on the first.
func (t *LoginThrottle) count(ctx context.Context, db *ent.Client, k throttleKey, now time.Time) error {
	for range 2 {
		n, err := db.LoginThrottle.Update().Where(loginthrottle.Key(k.key)).AddFailures(1).Save(ctx)
		if err != nil || n > 0 {
			return err
		}
		err = db.LoginThrottle.Create().
			SetScope(k.scope).
			SetKey(k.key).
			SetFailures(1).
			SetWindowStartedAt(now).
			Exec(ctx)
		if !ent.IsConstraintError(err) {
			return err
		}
		// Another replica created the row first: count on it.
	}
	return nil
}

// Succeed forgets the failures of the attempt's email, everywhere and at
// its address (not those of its address: signing in to one's own login
// must not reset the count of an address that tries others).
func (t *LoginThrottle) Succeed(ctx context.Context, db *ent.Client, a Attempt) error {
	_, err := db.LoginThrottle.Delete().Where(loginthrottle.KeyIn(a.account.key, a.pair.key)).Exec(ctx)
	return err
}

// Remember records the attempt's address as one its email signed in from,
// exempt from the email's delay for KnownAddressFor. Like Fail, it writes
// with a client outside the mutation's transaction (a duplicate key would
// abort a PostgreSQL transaction).
func (t *LoginThrottle) Remember(ctx context.Context, db *ent.Client, a Attempt, now time.Time) error {
	if a.known.key == "" {
		return nil
	}
	for range 2 {
		n, err := db.LoginThrottle.Update().Where(loginthrottle.Key(a.known.key)).SetWindowStartedAt(now.UTC()).Save(ctx)
		if err != nil || n > 0 {
			return err
		}
		err = db.LoginThrottle.Create().
			SetScope(a.known.scope).
			SetKey(a.known.key).
			SetWindowStartedAt(now.UTC()).
			Exec(ctx)
		if !ent.IsConstraintError(err) {
			return err
		}
	}
	return nil
}

// Unlock lifts the locks and the delay of an email, at every address (an
// admin's decision).
func (t *LoginThrottle) Unlock(ctx context.Context, db *ent.Client, email string) error {
	account := t.accountKey(email).key
	_, err := db.LoginThrottle.Delete().
		Where(loginthrottle.Or(
			loginthrottle.Key(account),
			loginthrottle.And(loginthrottle.ScopeEQ(loginthrottle.ScopeACCOUNT_ADDRESS), loginthrottle.KeyHasPrefix(account[:32])),
		)).
		Exec(ctx)
	return err
}
