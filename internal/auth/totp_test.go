package auth

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// rfcSecret is RFC 6238's SHA-1 test key, "12345678901234567890", in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func newTestTOTP(t *testing.T) *TOTP {
	t.Helper()
	tp, err := NewTOTP("Caseload", bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// The codes are RFC 6238's (appendix B, SHA-1, the last six digits), so any
// authenticator app agrees with the server.
func TestTOTPMatchesRFC6238(t *testing.T) {
	tp := newTestTOTP(t)
	sealed, err := tp.seal(42, rfcSecret)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		unix int64
		code string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		now := time.Unix(v.unix, 0)
		step, ok, err := tp.Check(42, sealed, v.code, now, 0)
		if err != nil || !ok || step != v.unix/30 {
			t.Errorf("at %d: code %s gave step %d, %v, %v; want step %d accepted", v.unix, v.code, step, ok, err, v.unix/30)
		}
		if _, ok, _ := tp.Check(42, sealed, "123456", now, 0); ok {
			t.Errorf("at %d a wrong code was accepted", v.unix)
		}
	}
}

func TestTOTPDriftReplayAndSealing(t *testing.T) {
	tp := newTestTOTP(t)
	en, err := tp.Enrol(7, "kim@lakeside.example")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(en.URL)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != en.Secret ||
		u.Query().Get("issuer") != "Caseload" || u.Query().Get("digits") != "6" || u.Query().Get("period") != "30" {
		t.Fatalf("enrolment URL %q (%v)", en.URL, err)
	}
	if strings.Contains(en.Sealed, en.Secret) {
		t.Fatal("the stored form holds the secret in clear")
	}
	now := time.Date(2026, 12, 5, 10, 0, 10, 0, time.UTC)
	code := func(at time.Time) string {
		c, err := totp.GenerateCode(en.Secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// A phone 30 s behind or ahead is accepted; 60 s is not.
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		if _, ok, err := tp.Check(7, en.Sealed, code(now.Add(d)), now, 0); !ok || err != nil {
			t.Errorf("a code %v off: refused (%v)", d, err)
		}
	}
	for _, d := range []time.Duration{-90 * time.Second, 90 * time.Second} {
		if _, ok, _ := tp.Check(7, en.Sealed, code(now.Add(d)), now, 0); ok {
			t.Errorf("a code %v off was accepted", d)
		}
	}
	// A code is good once: the step it used is refused after, and so is an
	// older one still inside the window.
	step, ok, _ := tp.Check(7, en.Sealed, code(now), now, 0)
	if !ok {
		t.Fatal("current code refused")
	}
	if _, ok, _ := tp.Check(7, en.Sealed, code(now), now.Add(5*time.Second), step); ok {
		t.Error("the same code was accepted twice")
	}
	if _, ok, _ := tp.Check(7, en.Sealed, code(now.Add(-30*time.Second)), now, step); ok {
		t.Error("an earlier step's code was accepted after a later one")
	}
	if _, ok, _ := tp.Check(7, en.Sealed, code(now.Add(30*time.Second)), now.Add(30*time.Second), step); !ok {
		t.Error("the next step's code was refused")
	}
	// Sealed for login 7: it does not open for login 8, nor with another key.
	if _, _, err := tp.Check(8, en.Sealed, code(now), now, 0); err == nil {
		t.Error("a secret sealed for one login opened for another")
	}
	other, _ := NewTOTP("Caseload", bytes.Repeat([]byte{8}, 32))
	if _, _, err := other.Check(7, en.Sealed, code(now), now, 0); err == nil || !strings.Contains(err.Error(), "key") {
		t.Errorf("another key opened the secret: %v", err)
	}
	if _, err := NewTOTP("Caseload", []byte("short")); !errors.Is(err, ErrTOTPKey) {
		t.Errorf("a short key: %v", err)
	}
	if k := TOTPKeyFromSecret([]byte("s")); len(k) != 32 || bytes.Equal(k, TOTPKeyFromSecret([]byte("t"))) {
		t.Error("derived keys are not 32 bytes or not distinct")
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes()
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != RecoveryCodes || len(hashes) != RecoveryCodes {
		t.Fatalf("%d codes, %d hashes", len(codes), len(hashes))
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if len(c) != 19 || strings.Count(c, "-") != 3 || seen[c] {
			t.Errorf("code %q: want four groups of four, all distinct", c)
		}
		seen[c] = true
		if strings.Contains(hashes[i], c) {
			t.Errorf("hash %d holds its code", i)
		}
		// Typed with spaces, in capitals, or without dashes, it still matches.
		for _, typed := range []string{c, strings.ToUpper(c), strings.ReplaceAll(c, "-", " "), strings.ReplaceAll(c, "-", "")} {
			if got := MatchRecoveryCode(hashes, typed); got != i {
				t.Errorf("code %d typed %q matched %d", i, typed, got)
			}
		}
	}
	if got := MatchRecoveryCode(hashes, "0000-0000-0000-0000"); got != -1 {
		t.Errorf("a made-up code matched %d", got)
	}
	if got := MatchRecoveryCode(hashes[1:], codes[0]); got != -1 {
		t.Errorf("a used (removed) code matched %d", got)
	}
}
