package main

import (
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
