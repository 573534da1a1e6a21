package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caseload/caseload/internal/testdb"
)

func TestSecurityHeaders(t *testing.T) {
	s := newAPIServer(t, "sqlite3")
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	}
	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/healthz", nil),
		httptest.NewRequest(http.MethodGet, "/", nil),
		httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`)),
	} {
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s %s: %s = %q, want %q", req.Method, req.URL.Path, k, got, v)
			}
		}
		if req.URL.Path == "/graphql" && rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("/graphql: Cache-Control = %q, want no-store", rec.Header().Get("Cache-Control"))
		}
	}
}

// TestInternalErrorsShowNoInternals: a failure the client cannot act on is
// INTERNAL with a generic message and the request id, which is also in the
// server log next to the detail.
func TestInternalErrorsShowNoInternals(t *testing.T) {
	s := newAPIServer(t, "sqlite3")
	// A schema the code does not expect (a closed or unreachable database
	// is UNAVAILABLE instead: faults_test.go).
	if _, err := s.main.DB.SQL.Exec("DROP TABLE users"); err != nil {
		t.Fatal(err)
	}
	rec := s.post("", strings.NewReader(`{"query":"mutation { login(input: {email: \"a@b.example\", password: \"whatever\"}) { token } }"}`), -1,
		map[string]string{"X-Request-ID": "req-internal-1"})
	r := decode(t, rec)
	if rec.Code >= 500 || r.code() != "INTERNAL" {
		t.Fatalf("%d %+v, want INTERNAL", rec.Code, r.Errors)
	}
	e := r.Errors[0]
	id := rec.Header().Get("X-Request-ID")
	if id == "" || id == "req-internal-1" || e.Extensions["requestId"] != id {
		t.Errorf("request id: extensions %v, header %q, want the server's own id in both", e.Extensions["requestId"], id)
	}
	for _, leak := range []string{"sql", "database", "table", "users", "sqlite"} {
		if strings.Contains(strings.ToLower(e.Message), leak) {
			t.Errorf("message %q shows internals (%s)", e.Message, leak)
		}
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "request_id="+id) || !strings.Contains(logs, "client_request_id=req-internal-1") || !strings.Contains(logs, "no such table") {
		t.Errorf("the log has no line with the request id and the detail:\n%s", logs)
	}
}

// TestClosedDatabaseIsUnavailable: with the pool closed, a signed-in
// request answers 503 UNAVAILABLE with Retry-After, not 401 (on either
// database; faults_test.go takes a real PostgreSQL down and freezes it).
func TestClosedDatabaseIsUnavailable(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		s.main.DB.SQL.Close()
		for _, token := range []string{tok, ""} {
			a := s.timed(token, `mutation { login(input: {email: "a@b.example", password: "whatever"}) { token } }`)
			if a.status != http.StatusServiceUnavailable || a.code != "UNAVAILABLE" || a.retryAfter != "5" {
				t.Errorf("token %t: %+v, want 503 UNAVAILABLE with Retry-After 5", token != "", a)
			}
		}
	})
}
