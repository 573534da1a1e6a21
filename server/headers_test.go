package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
	s.main.DB.SQL.Close()
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
	for _, leak := range []string{"sql", "database", "closed", "sqlite"} {
		if strings.Contains(strings.ToLower(e.Message), leak) {
			t.Errorf("message %q shows internals (%s)", e.Message, leak)
		}
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "request_id="+id) || !strings.Contains(logs, "client_request_id=req-internal-1") || !strings.Contains(logs, "closed") {
		t.Errorf("the log has no line with the request id and the detail:\n%s", logs)
	}
}
