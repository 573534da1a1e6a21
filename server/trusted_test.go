package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/internal/testdb"
	"github.com/caseload/caseload/operations"
)

// TestTrustedDocuments: a phone app sends only the hash of a screen's
// document (operations/manifest.json) and gets its data on any replica,
// with no Automatic Persisted Queries round trip; a server started with
// -trusted-documents-only runs nothing else.
func TestTrustedDocuments(t *testing.T) {
	todo, ok := operations.Get("MyTodo")
	if !ok {
		t.Fatal("no MyTodo in operations/")
	}
	byHash := func(hash string) map[string]any {
		return map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	}
	const unknownHash = "0000000000000000000000000000000000000000000000000000000000000000"
	testdb.Run(t, func(t *testing.T, dialectName string) {
		for _, only := range []bool{false, true} {
			s := newAPIServer(t, dialectName, func(c *Config) { c.TrustedDocumentsOnly = only })
			f := s.seedPractice("North", "north.example")
			tok := s.token(f.clinicianUser)

			r := s.doWith(tok, byHash(todo.ID), nil)
			if len(r.Errors) != 0 || r.Data["myTodo"] == nil {
				t.Errorf("only %v: MyTodo by its hash: %+v %v", only, r.Errors, r.Data)
			}
			r = s.do(tok, todo.Body, nil)
			if len(r.Errors) != 0 || r.Data["myTodo"] == nil {
				t.Errorf("only %v: MyTodo by its text: %+v", only, r.Errors)
			}

			r = s.do(tok, `{ me { email } }`, nil)
			if only && r.code() != graph.CodeUntrustedDocument {
				t.Errorf("an ad-hoc query on a trusted-only server: %+v %v", r.Errors, r.Data)
			}
			if !only && (len(r.Errors) != 0 || r.Data["me"] == nil) {
				t.Errorf("an ad-hoc query: %+v", r.Errors)
			}
			r = s.doWith(tok, byHash(unknownHash), nil)
			want := "PERSISTED_QUERY_NOT_FOUND" // APQ: send the text with the hash
			if only {
				want = graph.CodeUntrustedDocument
			}
			if r.code() != want {
				t.Errorf("only %v: an unknown hash: %+v, want %s", only, r.Errors, want)
			}
		}
	})
}

// TestGETRunsOnlyPersistedDocuments: over GET a screen runs by its hash
// (a trusted document, or an APQ one the server has seen), never by its
// text, which would end up in proxy logs and browser history.
func TestGETRunsOnlyPersistedDocuments(t *testing.T) {
	todo, ok := operations.Get("MyTodo")
	if !ok {
		t.Fatal("no MyTodo in operations/")
	}
	testdb.Run(t, func(t *testing.T, dialectName string) {
		s := newAPIServer(t, dialectName)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		get := func(params url.Values) (int, *gqlResponse) {
			t.Helper()
			req := httptest.NewRequest(http.MethodGet, "/graphql?"+params.Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			s.handler.ServeHTTP(rec, req)
			var r gqlResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				t.Fatalf("GET %s: %d %s", params.Encode(), rec.Code, rec.Body)
			}
			return rec.Code, &r
		}
		hash := func(h string) string {
			return `{"persistedQuery":{"version":1,"sha256Hash":"` + h + `"}}`
		}

		status, r := get(url.Values{"extensions": {hash(todo.ID)}})
		if status != http.StatusOK || len(r.Errors) != 0 || r.Data["myTodo"] == nil {
			t.Errorf("MyTodo by its hash over GET: %d %+v", status, r.Errors)
		}
		for name, params := range map[string]url.Values{
			"a query's text":             {"query": {`{ clients(first: 5, where: {lastNameHasPrefix: "Smi"}) { edges { node { id } } } }`}},
			"a trusted document's text":  {"query": {todo.Body}},
			"the text with its APQ hash": {"query": {todo.Body}, "extensions": {hash(todo.ID)}},
			"an empty query with a hash": {"query": {""}, "extensions": {hash(todo.ID)}},
		} {
			status, r := get(params)
			if status != http.StatusBadRequest || r.code() != CodePersistedQueryRequired || r.Data != nil {
				t.Errorf("%s over GET: %d %+v %v, want 400 %s", name, status, r.Errors, r.Data, CodePersistedQueryRequired)
			}
		}
	})
}
