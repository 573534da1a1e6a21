package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/refreshtoken"
	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/testdb"
)

const (
	loginOp   = `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token expiresAt refreshToken refreshTokenExpiresAt user { email } userErrors { field message code } } }`
	refreshOp = `mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { token expiresAt refreshToken refreshTokenExpiresAt user { email } userErrors { field message code } } }`
	meOp      = `{ me { email } }`
	// logoutOp ends the token's session, or with $all every session of its user.
	logoutOp = `mutation($all: Boolean) { logout(input: {everywhere: $all}) { endedSessions userErrors { field message code } } }`
)

// session is a pair of tokens as a client holds them.
type session struct{ access, refresh string }

// session starts a session for u as login does, without login's bcrypt
// (slow on purpose, and slower under the race detector).
func (s *apiServer) session(u *ent.User) session {
	s.t.Helper()
	p, err := s.main.Sessions.Start(sys(), s.main.DB.Ent, u)
	if err != nil {
		s.t.Fatal(err)
	}
	return session{access: p.AccessToken, refresh: p.RefreshToken}
}

// refresh exchanges a refresh token through the API.
func (s *apiServer) refresh(token string) (session, *gqlResponse) {
	s.t.Helper()
	r := s.do("", refreshOp, map[string]any{"t": token})
	if len(r.Errors) > 0 || len(r.refusals()) > 0 {
		return session{}, r
	}
	p := r.Data["refreshToken"].(map[string]any)
	return session{access: p["token"].(string), refresh: p["refreshToken"].(string)}, r
}

// works reports whether an access token is accepted.
func (s *apiServer) works(access string) bool {
	s.t.Helper()
	r := s.do(access, meOp, nil)
	if len(r.Errors) == 0 && r.Status == http.StatusOK {
		return true
	}
	if r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
		s.t.Errorf("a refused token: status %d code %q, want 401 UNAUTHENTICATED", r.Status, r.code())
	}
	return false
}

// raw posts an operation and returns the recorded HTTP response.
func (s *apiServer) raw(query string, vars map[string]any, headers map[string]string) *httptest.ResponseRecorder {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

// sessionOf reads the sid claim of an access token.
func sessionOf(t *testing.T, access string) string {
	t.Helper()
	var c auth.Claims
	if _, _, err := jwt.NewParser().ParseUnverified(access, &c); err != nil {
		t.Fatal(err)
	}
	return c.Session
}

// claimsFor are the claims of a valid access token of u's session.
func claimsFor(u *ent.User, sid string, now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": auth.DefaultIssuer, "aud": auth.DefaultAudience, "sub": strconv.Itoa(u.ID),
		"pid": u.PracticeID, "role": string(u.Role), "typ": "access", "sid": sid,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	}
}

// sign makes a token with the given algorithm, key, header changes (a nil
// value removes the header) and claims.
func sign(t *testing.T, method jwt.SigningMethod, key any, header map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["typ"] = auth.AccessTokenHeaderType
	for k, v := range header {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// with returns a copy of claims with the changes (a nil value removes the claim).
func with(claims jwt.MapClaims, changes map[string]any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func TestAccessTokensAreChecked(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		g := s.seedPractice("South", "south.example")
		secret := s.main.Config.JWTSecret
		now := testNow

		live := s.session(f.admin)
		sid := sessionOf(t, live.access)
		valid := claimsFor(f.admin, sid, now)
		ended := s.session(f.admin)
		s.mustDo(ended.access, logoutOp, nil)
		deactivated := s.session(f.analyst)
		must(f.analyst.Update().SetActive(false).Save(sys()))
		unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, valid).SignedString(jwt.UnsafeAllowNoneSignatureType)

		for _, c := range []struct {
			name, token string
			ok          bool
		}{
			{"valid, as issued", live.access, true},
			{"valid, made here", sign(t, jwt.SigningMethodHS256, secret, nil, valid), true},
			{"alg none", unsigned, false},
			{"another secret", sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-another"), nil, valid), false},
			{"HS512 with the secret", sign(t, jwt.SigningMethodHS512, secret, nil, valid), false},
			{"expired", sign(t, jwt.SigningMethodHS256, secret, nil, with(valid, map[string]any{"exp": now.Add(-time.Second).Unix(), "iat": now.Add(-time.Hour).Unix(), "nbf": now.Add(-time.Hour).Unix()})), false},
			{"no expiry", sign(t, jwt.SigningMethodHS256, secret, nil, with(valid, map[string]any{"exp": nil})), false},
			{"not yet valid", sign(t, jwt.SigningMethodHS256, secret, nil, with(valid, map[string]any{"nbf": now.Add(time.Minute).Unix()})), false},
			{"no not-before", sign(t, jwt.SigningMethodHS256, secret, nil, with(valid, map[string]any{"nbf": nil})), false},
			{"issued in the future", sign(t, jwt.SigningMethodHS256, secret, nil, with(valid, map[string]any{"iat": now.Add(time.Minute).Unix()})), false},
			{"wrong issuer", sign(t, jwt.SigningMethodHS256, secret, nil, with(valid, map[string]any{"iss": "someone-else"})), false},
			{"wrong audience", sign(t, jwt.SigningMethodHS256, secret, nil, with(valid, map[string]any{"aud": "someone-else"})), false},
			{"not an access token (claim)", sign(t, jwt.SigningMethodHS256, secret, nil, with(valid, map[string]any{"typ": "refresh"})), false},
			{"not an access token (header)", sign(t, jwt.SigningMethodHS256, secret, map[string]any{"typ": "JWT"}, valid), false},
			{"unknown kid", sign(t, jwt.SigningMethodHS256, secret, map[string]any{"kid": "k1"}, valid), false},
			{"refresh token as access token", live.refresh, false},
			{"no session", sign(t, jwt.SigningMethodHS256, secret, nil, with(valid, map[string]any{"sid": nil})), false},
			{"unknown session", sign(t, jwt.SigningMethodHS256, secret, nil, with(valid, map[string]any{"sid": "made-up"})), false},
			{"another user's session", sign(t, jwt.SigningMethodHS256, secret, nil, claimsFor(f.clinicianUser, sid, now)), false},
			{"another practice", sign(t, jwt.SigningMethodHS256, secret, nil, with(valid, map[string]any{"pid": g.practice.ID})), false},
			{"revoked session (logout)", ended.access, false},
			{"deactivated user", deactivated.access, false},
			{"garbage", "not.a.token", false},
		} {
			t.Run(c.name, func(t *testing.T) {
				if got := s.works(c.token); got != c.ok {
					t.Errorf("accepted = %v, want %v", got, c.ok)
				}
			})
		}

		t.Run("no token", func(t *testing.T) {
			s.sql.Reset()
			r := s.do("", `{ clients(first: 5) { totalCount } }`, nil)
			if r.code() != "UNAUTHENTICATED" {
				t.Errorf("code %q, want UNAUTHENTICATED", r.code())
			}
			if n := s.sql.Count(); n != 0 {
				t.Errorf("an unauthenticated query ran %d SQL statements, want 0", n)
			}
		})
		t.Run("the session check costs no statement", func(t *testing.T) {
			// The admin's viewer is one statement (the user with its
			// clinician profile, none here, and its session) plus the
			// clinician eager load.
			s.sql.Reset()
			s.mustDo(live.access, `{ practice { name } }`, nil)
			var auth int
			for _, q := range s.sql.Statements() {
				if strings.Contains(q, "refresh_tokens") {
					auth++
					if !strings.Contains(q, "users") || !strings.Contains(q, "EXISTS") {
						t.Errorf("the session is read on its own: %s", q)
					}
				}
			}
			if auth != 1 {
				t.Errorf("%d statements read the session, want 1 (the viewer's): %q", auth, s.sql.Statements())
			}
		})
	})
}

// edKey makes an Ed25519 key pair with its PEM forms.
func edKey(t *testing.T) (ed25519.PrivateKey, []byte, []byte) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return priv, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
}

func TestEdDSAKeysAndRotation(t *testing.T) {
	current, currentPEM, currentPublicPEM := edKey(t)
	previous, _, previousPublicPEM := edKey(t)
	stranger, _, _ := edKey(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "jwt-ed25519.pem")
	if err := os.WriteFile(keyFile, currentPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		envJWTSecret:              "env-secret-env-secret-env-secret-env",
		envJWTPrivateKeyFile:      keyFile,
		envJWTPreviousKey:         string(previousPublicPEM),
		envRefreshTokenTTL:        "24h",
		envLoginMaxFailures:       "3",
		envLoginLockout:           "10m",
		envTrustProxy:             "true",
		envLoginMaxAddressFailure: "9",
	}
	cfg, err := ParseConfig([]string{"-db", filepath.Join(dir, "c.db")}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !current.Equal(cfg.SigningKey) || !previous.Public().(ed25519.PublicKey).Equal(cfg.PreviousPublicKey) {
		t.Fatal("the keys were not read from the file and the environment")
	}
	if cfg.RefreshTokenTTL != 24*time.Hour || cfg.LoginLimits != (auth.LoginLimits{AccountFailures: 3, AddressFailures: 9, Lockout: 10 * time.Minute}) || !cfg.TrustProxy || cfg.TokenTTL != 15*time.Minute {
		t.Errorf("config = refresh %v, limits %+v, trust proxy %v, access %v", cfg.RefreshTokenTTL, cfg.LoginLimits, cfg.TrustProxy, cfg.TokenTTL)
	}
	for name, bad := range map[string]map[string]string{
		"previous without current": {envJWTPreviousKey: string(previousPublicPEM)},
		"inline and file":          {envJWTPrivateKey: string(currentPEM), envJWTPrivateKeyFile: keyFile},
		"public key as private":    {envJWTPrivateKey: string(currentPublicPEM)},
		"missing file":             {envJWTPrivateKeyFile: filepath.Join(dir, "nope.pem")},
		"lockout too short":        {envLoginLockout: "1s"},
		"failures not a number":    {envLoginMaxFailures: "five"},
	} {
		if _, err := ParseConfig([]string{"-db", filepath.Join(dir, "c.db")}, func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%s: config accepted", name)
		}
	}

	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d, func(c *Config) {
			c.SigningKey, c.PreviousPublicKey = cfg.SigningKey, cfg.PreviousPublicKey
		})
		f := s.seedPractice("North", "north.example")
		live := s.session(f.admin)
		tok, _, err := jwt.NewParser().ParseUnverified(live.access, jwt.MapClaims{})
		if err != nil {
			t.Fatal(err)
		}
		if tok.Header["alg"] != "EdDSA" || tok.Header["kid"] != auth.KeyID(current.Public().(ed25519.PublicKey)) || tok.Header["typ"] != "at+jwt" {
			t.Errorf("the token header = %v, want EdDSA with the current key's kid", tok.Header)
		}
		valid := claimsFor(f.admin, sessionOf(t, live.access), testNow)
		kidOf := func(k ed25519.PrivateKey) string { return auth.KeyID(k.Public().(ed25519.PublicKey)) }
		publicRaw := []byte(current.Public().(ed25519.PublicKey))
		for _, c := range []struct {
			name, token string
			ok          bool
		}{
			{"current key", live.access, true},
			{"previous key, during the rotation", sign(t, jwt.SigningMethodEdDSA, previous, map[string]any{"kid": kidOf(previous)}, valid), true},
			{"HS256 with the public key (PEM) as secret", sign(t, jwt.SigningMethodHS256, currentPublicPEM, map[string]any{"kid": kidOf(current)}, valid), false},
			{"HS256 with the public key (raw) as secret", sign(t, jwt.SigningMethodHS256, publicRaw, map[string]any{"kid": kidOf(current)}, valid), false},
			{"HS256 with the JWT secret", sign(t, jwt.SigningMethodHS256, s.main.Config.JWTSecret, nil, valid), false},
			{"unknown kid", sign(t, jwt.SigningMethodEdDSA, stranger, map[string]any{"kid": kidOf(stranger)}, valid), false},
			{"no kid", sign(t, jwt.SigningMethodEdDSA, current, nil, valid), false},
			{"another key under the current kid", sign(t, jwt.SigningMethodEdDSA, stranger, map[string]any{"kid": kidOf(current)}, valid), false},
			{"expired", sign(t, jwt.SigningMethodEdDSA, current, map[string]any{"kid": kidOf(current)}, with(valid, map[string]any{"exp": testNow.Add(-time.Second).Unix()})), false},
			{"refresh token as access token", live.refresh, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				if got := s.works(c.token); got != c.ok {
					t.Errorf("accepted = %v, want %v", got, c.ok)
				}
			})
		}
	})
}

func TestRefreshTokensRotate(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d, func(c *Config) { c.TokenTTL = 15 * time.Minute; c.RefreshTokenTTL = 24 * time.Hour })
		f := s.seedPractice("North", "north.example")
		r := s.do("", loginOp, map[string]any{"e": "clinician@north.example", "p": testPassword})
		p := r.Data["login"].(map[string]any)
		if p["expiresAt"] != testNow.Add(15*time.Minute).Format(time.RFC3339) || p["refreshTokenExpiresAt"] != testNow.Add(24*time.Hour).Format(time.RFC3339) {
			t.Errorf("login expiries = %v and %v, want 15 minutes and a day", p["expiresAt"], p["refreshTokenExpiresAt"])
		}
		first := session{access: p["token"].(string), refresh: p["refreshToken"].(string)}

		// Only the hash is stored.
		rows := must(s.main.DB.Ent.RefreshToken.Query().Where(refreshtoken.UserID(f.clinicianUser.ID)).All(sys()))
		sum := sha256.Sum256([]byte(first.refresh))
		if len(rows) != 1 || rows[0].TokenHash != hex.EncodeToString(sum[:]) || rows[0].PracticeID != f.practice.ID || rows[0].Family != sessionOf(t, first.access) {
			t.Fatalf("stored refresh tokens = %+v", rows)
		}

		s.clock.Advance(14 * time.Minute)
		second, r := s.refresh(first.refresh)
		if len(r.Errors) > 0 {
			t.Fatalf("refresh: %+v", r.Errors)
		}
		p = r.Data["refreshToken"].(map[string]any)
		if p["expiresAt"] != testNow.Add(29*time.Minute).Format(time.RFC3339) || p["user"].(map[string]any)["email"] != "clinician@north.example" {
			t.Errorf("refreshed = %v", p)
		}
		if second.refresh == first.refresh || second.access == first.access || sessionOf(t, second.access) != sessionOf(t, first.access) {
			t.Error("a refresh must return new tokens of the same session")
		}
		if !s.works(second.access) || !s.works(first.access) {
			t.Error("the session's access tokens stop working after a refresh")
		}
		s.clock.Advance(2 * time.Minute)
		if s.works(first.access) {
			t.Error("the first access token outlived its 15 minutes")
		}

		// An access token in the header does not get in the way, and a
		// refresh needs none.
		third, r := s.refresh(second.refresh)
		if len(r.Errors) > 0 || !s.works(third.access) {
			t.Fatalf("second refresh: %+v", r.Errors)
		}

		for _, c := range []struct{ name, token string }{
			{"unknown", "not-a-refresh-token"},
			{"empty", ""},
			{"an access token", third.access},
		} {
			if _, r := s.refresh(c.token); r.code() != "UNAUTHENTICATED" || r.Data["refreshToken"] != nil {
				t.Errorf("%s refresh token: %+v, want UNAUTHENTICATED", c.name, r.Errors)
			}
		}
		if !s.works(third.access) {
			t.Error("refused refreshes ended the session")
		}

		// A refresh token left alone past its lifetime is refused.
		s.clock.Advance(24 * time.Hour)
		if _, r := s.refresh(third.refresh); r.code() != "UNAUTHENTICATED" {
			t.Errorf("expired refresh token: %+v, want UNAUTHENTICATED", r.Errors)
		}

		// Two sign-in fields in one operation are refused.
		r = s.do("", `mutation($t: String!) { a: refreshToken(input: {refreshToken: $t}) { token userErrors { field message code } } b: refreshToken(input: {refreshToken: $t}) { token userErrors { field message code } } }`, map[string]any{"t": third.refresh})
		if len(r.Errors) > 0 || r.code() != "BAD_USER_INPUT" || r.field() != "" || !strings.Contains(r.message(), "once per operation") {
			t.Errorf("two refreshes in one operation: %+v %+v, want a BAD_USER_INPUT userError on no field", r.Errors, r.refusals())
		}
		for _, alias := range []string{"a", "b"} {
			if p, _ := r.Data[alias].(map[string]any); p == nil || p["token"] != nil || len(r.userErrors(alias)) != 1 {
				t.Errorf("two refreshes in one operation, %s: %v, want no token and the userError", alias, r.Data[alias])
			}
		}
		for _, secret := range []string{testPassword, first.refresh, second.refresh, third.refresh, first.access} {
			if strings.Contains(s.logs.String(), secret) {
				t.Error("a password or token was written to the log")
			}
		}
	})
}

func TestReusedRefreshTokenEndsTheSession(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		stolen := s.session(f.clinicianUser)
		other := s.session(f.clinicianUser) // another device
		next, r := s.refresh(stolen.refresh)
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		// The copy is replayed: the session ends, for the thief and the owner.
		if _, r := s.refresh(stolen.refresh); r.code() != "UNAUTHENTICATED" {
			t.Errorf("reused refresh token: %+v, want UNAUTHENTICATED", r.Errors)
		}
		if _, r := s.refresh(next.refresh); r.code() != "UNAUTHENTICATED" {
			t.Errorf("the session's newest refresh token after a reuse: %+v, want UNAUTHENTICATED", r.Errors)
		}
		for name, access := range map[string]string{"first": stolen.access, "newest": next.access} {
			if s.works(access) {
				t.Errorf("the %s access token of the revoked session still works", name)
			}
		}
		if !s.works(other.access) {
			t.Error("another session of the same user was ended")
		}
		if _, r := s.refresh(other.refresh); len(r.Errors) > 0 {
			t.Errorf("another session's refresh: %+v", r.Errors)
		}
		if !strings.Contains(s.logs.String(), "refresh token reused") {
			t.Error("the reuse was not logged")
		}
	})
}

func TestLogoutEndsTheSession(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		phone := s.session(f.clinicianUser)
		web := s.session(f.clinicianUser)
		if r := s.do("", logoutOp, nil); r.code() != "UNAUTHENTICATED" || len(r.Errors) == 0 || r.Data["logout"] != nil {
			t.Errorf("logout without a token: %+v %v, want a top-level UNAUTHENTICATED", r.Errors, r.Data)
		}
		if data := s.mustDo(phone.access, logoutOp, nil); toJSON(data["logout"]) != `{"endedSessions":1,"userErrors":[]}` {
			t.Errorf("logout = %v, want one session ended", toJSON(data["logout"]))
		}
		if s.works(phone.access) {
			t.Error("the access token works after logout")
		}
		if _, r := s.refresh(phone.refresh); r.code() != "UNAUTHENTICATED" {
			t.Errorf("refresh after logout: %+v, want UNAUTHENTICATED", r.Errors)
		}
		if !s.works(web.access) {
			t.Error("logout ended the user's other session")
		}
	})
}

func TestLogoutEverywhereEndsEverySession(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		phone, web, tablet := s.session(f.clinicianUser), s.session(f.clinicianUser), s.session(f.clinicianUser)
		colleague := s.session(f.otherUser)

		// A plain logout (everywhere left out, or false) ends the token's
		// session only: another session's refresh token still works.
		if data := s.mustDo(phone.access, logoutOp, map[string]any{"all": false}); toJSON(data["logout"]) != `{"endedSessions":1,"userErrors":[]}` {
			t.Errorf("logout = %v, want one session ended", toJSON(data["logout"]))
		}
		web, r := s.refresh(web.refresh)
		if len(r.Errors) > 0 || len(r.refusals()) > 0 || !s.works(web.access) {
			t.Fatalf("another session's refresh after a plain logout: %+v %+v, want it renewed", r.Errors, r.refusals())
		}

		// Everywhere: the caller's session and the tablet's end, refresh
		// and access tokens alike; another user's session does not.
		if data := s.mustDo(web.access, logoutOp, map[string]any{"all": true}); toJSON(data["logout"]) != `{"endedSessions":2,"userErrors":[]}` {
			t.Errorf("logout everywhere = %v, want the two open sessions ended", toJSON(data["logout"]))
		}
		if _, r := s.refresh(tablet.refresh); r.code() != "UNAUTHENTICATED" || len(r.Errors) == 0 {
			t.Errorf("another session's refresh after logout everywhere: %+v %+v, want a top-level UNAUTHENTICATED", r.Errors, r.refusals())
		}
		for name, access := range map[string]string{"caller's": web.access, "tablet's": tablet.access} {
			if s.works(access) {
				t.Errorf("the %s access token works after logout everywhere", name)
			}
		}
		if !s.works(colleague.access) {
			t.Error("logout everywhere ended another user's session")
		}
		if _, r := s.refresh(colleague.refresh); len(r.Errors) > 0 || len(r.refusals()) > 0 {
			t.Errorf("another user's refresh after logout everywhere: %+v", r.Errors)
		}
	})
}

func TestDeactivationEndsEverySession(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin := s.token(f.admin)
		one, two := s.session(f.clinicianUser), s.session(f.clinicianUser)
		const setActive = `mutation($id: ID!, $a: Boolean!) { setUserActive(input: {userID: $id, active: $a}) { user { active } userErrors { field message code } } }`
		s.mustDo(admin, setActive, map[string]any{"id": scalar.EncodeID(f.clinicianUser.ID), "a": false})
		for _, sess := range []session{one, two} {
			if s.works(sess.access) {
				t.Error("a deactivated user's access token works")
			}
			if _, r := s.refresh(sess.refresh); r.code() != "UNAUTHENTICATED" {
				t.Errorf("a deactivated user's refresh: %+v, want UNAUTHENTICATED", r.Errors)
			}
		}
		// Reactivated, the user gets new sessions; the old ones stay ended.
		s.mustDo(admin, setActive, map[string]any{"id": scalar.EncodeID(f.clinicianUser.ID), "a": true})
		if _, r := s.refresh(two.refresh); r.code() != "UNAUTHENTICATED" {
			t.Errorf("an old session after reactivation: %+v, want UNAUTHENTICATED", r.Errors)
		}
		if !s.works(s.session(f.clinicianUser).access) {
			t.Error("the reactivated user's new session does not work")
		}
		if !s.works(admin) {
			t.Error("the admin's session was ended")
		}
	})
}
