package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCORSAllowlist(t *testing.T) {
	const allowed = "https://app.example.com"
	s := newAPIServer(t, "sqlite3", func(c *Config) { c.CORSOrigins = []string{allowed, "http://localhost:5173"} })
	f := s.seedPractice("North", "north.example")
	tok := s.token(f.admin)

	preflight := func(origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		return rec
	}
	rec := preflight(allowed)
	h := rec.Header()
	if rec.Code != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != allowed {
		t.Errorf("preflight from an allowed origin: %d, Allow-Origin %q", rec.Code, h.Get("Access-Control-Allow-Origin"))
	}
	for _, want := range []string{"Authorization", "Content-Type", "Idempotency-Key"} {
		if !strings.Contains(h.Get("Access-Control-Allow-Headers"), want) {
			t.Errorf("preflight allows headers %q, want %s among them", h.Get("Access-Control-Allow-Headers"), want)
		}
	}
	if !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") || h.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight: methods %q, credentials %q", h.Get("Access-Control-Allow-Methods"), h.Get("Access-Control-Allow-Credentials"))
	}
	if !varies(h) {
		t.Errorf("preflight: Vary %v, want Origin", h.Values("Vary"))
	}

	for _, origin := range []string{"https://evil.example.com", "https://app.example.com.evil.example", "null"} {
		rec := preflight(origin)
		if rec.Code != http.StatusForbidden || rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from %s: %d, Allow-Origin %q, want 403 and none", origin, rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
		}
	}

	// The actual requests: the allowed origin is echoed, others are not.
	for origin, want := range map[string]string{allowed: allowed, "https://evil.example.com": "", "": ""} {
		headers := map[string]string{}
		if origin != "" {
			headers["Origin"] = origin
		}
		rec := s.post(tok, strings.NewReader(`{"query":"{ me { id } }"}`), -1, headers)
		if rec.Code != http.StatusOK {
			t.Fatalf("POST from %q: %d %s", origin, rec.Code, rec.Body.String())
		}
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("POST from %q: Allow-Origin %q, want %q", origin, got, want)
		}
		if !varies(rec.Header()) {
			t.Errorf("POST from %q: Vary %v, want Origin", origin, rec.Header().Values("Vary"))
		}
	}
	// A refused token still reaches the app, so that it can sign in again.
	rec = s.post("not-a-token", strings.NewReader(`{"query":"{ me { id } }"}`), -1, map[string]string{"Origin": allowed})
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("Access-Control-Allow-Origin") != allowed {
		t.Errorf("401 from an allowed origin: %d, Allow-Origin %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
}

func TestCORSOffByDefault(t *testing.T) {
	s := newAPIServer(t, "sqlite3")
	req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight with no origins configured: %d, Allow-Origin %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
}

func varies(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for _, part := range strings.Split(v, ",") {
			if strings.TrimSpace(part) == "Origin" {
				return true
			}
		}
	}
	return false
}
