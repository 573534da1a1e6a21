package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
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
)

// LoginLimits bound failed sign-ins.
type LoginLimits struct {
	// AccountFailures failed sign-ins for one email within Lockout lock
	// that email for Lockout (default 5).
	AccountFailures int
	// AddressFailures failed sign-ins from one client address within
	// Lockout lock that address for Lockout (default 20).
	AddressFailures int
	// Lockout is both the window failures are counted in and how long a
	// lock lasts (default 15 minutes).
	Lockout time.Duration
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
	return l
}

// LoginThrottle counts failed sign-ins per email and per client address in
// the database (so that every replica sees them) and refuses sign-ins while
// either is locked. An email is counted whether or not it has a login, so
// that the throttle tells nothing about which emails exist; and it is
// stored only as an HMAC.
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
	keys []throttleKey
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
// client IP address; without one only the email is counted).
func (t *LoginThrottle) Attempt(email, address string) Attempt {
	a := Attempt{keys: []throttleKey{t.accountKey(email)}}
	if address = addressBucket(address); address != "" {
		a.keys = append(a.keys, throttleKey{loginthrottle.ScopeADDRESS, t.mac(loginthrottle.ScopeADDRESS, address), t.limits.AddressFailures})
	}
	return a
}

func (t *LoginThrottle) accountKey(email string) throttleKey {
	return throttleKey{loginthrottle.ScopeACCOUNT, t.mac(loginthrottle.ScopeACCOUNT, NormalizeEmail(email)), t.limits.AccountFailures}
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

// Wait returns how long the attempt must wait: 0 when neither its email
// nor its address is locked.
func (t *LoginThrottle) Wait(ctx context.Context, db *ent.Client, a Attempt, now time.Time) (time.Duration, error) {
	now = now.UTC()
	locked, err := db.LoginThrottle.Query().
		Where(loginthrottle.KeyIn(a.strings()...), loginthrottle.LockedUntilGT(now)).
		All(ctx)
	if err != nil {
		return 0, err
	}
	var wait time.Duration
	for _, l := range locked {
		wait = max(wait, l.LockedUntil.Sub(now))
	}
	return wait, nil
}

func (a Attempt) strings() []string {
	out := make([]string, len(a.keys))
	for i, k := range a.keys {
		out[i] = k.key
	}
	return out
}

// Fail counts a failed attempt against its email and its address, locks
// each that reached its limit, and returns the scopes it locked now (none
// when nothing reached its limit or was locked already). It must write with
// a client outside the failing mutation's transaction, which rolls back.
// Every statement is atomic on its own, so concurrent failures on several
// replicas all count, and only one of them sets a lock.
func (t *LoginThrottle) Fail(ctx context.Context, db *ent.Client, a Attempt, now time.Time) (locked []loginthrottle.Scope, err error) {
	now = now.UTC()
	lockout := t.limits.Lockout
	// Rows whose window and lock are long over are only clutter.
	if _, err := db.LoginThrottle.Delete().
		Where(loginthrottle.WindowStartedAtLT(now.Add(-2 * lockout))).
		Exec(ctx); err != nil {
		return nil, err
	}
	for _, k := range a.keys {
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
	return locked, nil
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

// Succeed forgets the failures of the attempt's email (not of its address:
// signing in to one's own login must not reset the count of an address
// that tries others).
func (t *LoginThrottle) Succeed(ctx context.Context, db *ent.Client, a Attempt) error {
	_, err := db.LoginThrottle.Delete().Where(loginthrottle.Key(a.keys[0].key)).Exec(ctx)
	return err
}

// Unlock lifts the lock of an email (an admin's decision).
func (t *LoginThrottle) Unlock(ctx context.Context, db *ent.Client, email string) error {
	_, err := db.LoginThrottle.Delete().Where(loginthrottle.Key(t.accountKey(email).key)).Exec(ctx)
	return err
}
