package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http/httptest"
	"testing"
	"time"
)

func TestClientAddress(t *testing.T) {
	for _, c := range []struct {
		name, remote, forwarded string
		trust                   bool
		want                    string
	}{
		{"peer", "192.0.2.1:5555", "", false, "192.0.2.1"},
		{"forwarded, not trusted", "192.0.2.1:5555", "203.0.113.9", false, "192.0.2.1"},
		{"forwarded, trusted", "192.0.2.1:5555", "203.0.113.9", true, "203.0.113.9"},
		{"the proxy's entry is the last", "192.0.2.1:5555", "10.0.0.1, 203.0.113.9", true, "203.0.113.9"},
		{"garbage falls back to the peer", "192.0.2.1:5555", "not an address", true, "192.0.2.1"},
		{"IPv6 peer", "[2001:db8::1]:443", "", false, "2001:db8::1"},
	} {
		r := httptest.NewRequest("POST", "/graphql", nil)
		r.RemoteAddr = c.remote
		if c.forwarded != "" {
			r.Header.Set("X-Forwarded-For", c.forwarded)
		}
		if got := ClientAddress(r, c.trust); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestAddressBucket(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.9":        "203.0.113.9",
		"::ffff:203.0.113.9": "203.0.113.9",
		"2001:db8:1:2::1":    "2001:db8:1:2::/64",
		"2001:db8:1:2:ff::9": "2001:db8:1:2::/64",
		"":                   "",
	} {
		if got := addressBucket(in); got != want {
			t.Errorf("addressBucket(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIssuerKeys(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC) }
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	if _, err := NewIssuer(Keys{Secret: []byte("short")}, 0, now); err == nil {
		t.Error("a short HS256 secret was accepted")
	}
	if _, err := NewIssuer(Keys{Secret: make([]byte, 32), Previous: []ed25519.PublicKey{pub}}, 0, now); err == nil {
		t.Error("previous keys without a current one were accepted")
	}
	i, err := NewIssuer(Keys{Signing: priv}, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if i.Algorithm() != "EdDSA" || i.TTL() != DefaultTTL || DefaultTTL != 15*time.Minute {
		t.Errorf("issuer = %s for %v", i.Algorithm(), i.TTL())
	}
	tok, _, err := i.Issue(1, 2, "ADMIN", "s1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := i.Verify(tok)
	if err != nil || c.Session != "s1" || c.PracticeID != 2 {
		t.Errorf("Verify = %+v, %v", c, err)
	}
	if _, _, err := i.Issue(1, 2, "ADMIN", ""); err == nil {
		t.Error("an access token without a session was issued")
	}
	// The kid is the RFC 7638 thumbprint: stable, and differs per key.
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	kid := KeyID(pub)
	if kid != KeyID(pub) || kid == KeyID(other) || len(kid) != 43 {
		t.Errorf("KeyID = %q", kid)
	}
}

func TestThrottleKeysAreHMACs(t *testing.T) {
	a := NewLoginThrottle([]byte("k1"), LoginLimits{})
	b := NewLoginThrottle([]byte("k2"), LoginLimits{})
	x, y := a.Attempt(" Someone@Example.org", "203.0.113.9"), a.Attempt("someone@example.org", "203.0.113.9")
	if x != y {
		t.Error("the same email, differently written, has two keys")
	}
	if x.pair.key[:32] != x.account.key[:32] || x.pair.key == x.known.key || len(x.pair.key) != 64 {
		t.Errorf("the pair key %q does not start with the email's %q, or is the known address's", x.pair.key, x.account.key)
	}
	if z := b.Attempt("someone@example.org", ""); z.account.key == x.account.key || z.address.key != "" || z.known.key != "" {
		t.Error("the key does not depend on the secret, or an empty address was counted")
	}
	if a.Limits() != (LoginLimits{AccountFailures: 5, AddressFailures: 20, Lockout: 15 * time.Minute, FirstDelay: time.Second, MaxDelay: time.Minute}) {
		t.Errorf("default limits = %+v", a.Limits())
	}
}
