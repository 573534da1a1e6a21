package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzGraphQLEndpoint posts arbitrary request bodies to the real handler
// over SQLite, signed in as an admin. Whatever the body, the server answers
// below 500 with JSON, every error carries an extensions.code, none is
// INTERNAL, and no resolver panics. The seeds are in
// testdata/fuzz/FuzzGraphQLEndpoint.
func FuzzGraphQLEndpoint(f *testing.F) {
	f.Add([]byte(`{"query":"{ me { id email role } }"}`))
	s := newAPIServer(f, "sqlite3")
	fx := s.seedPractice("North", "north.example")
	tok := s.token(fx.admin)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		logged := s.logs.Len()
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%d for %q: %s", rec.Code, body, rec.Body.String())
		}
		var resp struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("%d for %q is not JSON: %s", rec.Code, body, rec.Body.String())
		}
		for _, e := range resp.Errors {
			switch code, _ := e.Extensions["code"].(string); code {
			case "":
				t.Errorf("an error without extensions.code for %q: %q", body, e.Message)
			case "INTERNAL":
				t.Errorf("an internal error for %q: %q", body, e.Message)
			}
		}
		if l := s.logs.String(); len(l) > logged && strings.Contains(l[logged:], "panic") {
			t.Errorf("a panic for %q:\n%s", body, l[logged:])
		}
	})
}
