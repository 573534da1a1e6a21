package main

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/caseload/caseload/internal/testdb"
)

func cursorFor(c entgql.Cursor[int]) string {
	var b bytes.Buffer
	c.MarshalGQL(&b)
	s, _ := strconv.Unquote(b.String())
	return s
}

// TestForgedCursorsAreBadInput: a cursor the server cannot have written is
// BAD_USER_INPUT on its argument, refused before any SQL; one that decodes
// but does not fit the order's column is refused by the database and is
// BAD_USER_INPUT too, never INTERNAL. The server's own cursors page on.
func TestForgedCursorsAreBadInput(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.admin)

		const byName = `query($c: Cursor) { clients(first: 2, after: $c, orderBy: {field: LAST_NAME, direction: ASC}) { edges { node { id } } pageInfo { endCursor hasNextPage } } }`
		const byID = `query($c: Cursor) { appointments(first: 2, before: $c) { edges { node { id } } } }`
		data := s.mustDo(tok, byName, nil)
		end := data["clients"].(map[string]any)["pageInfo"].(map[string]any)["endCursor"]
		data = s.mustDo(tok, byName, map[string]any{"c": end})
		if n := len(data["clients"].(map[string]any)["edges"].([]any)); n != 2 {
			t.Errorf("the second page has %d clients, want 2", n)
		}

		s.sql.Reset()
		s.do(tok, `{ nope }`, nil)
		viewerLookup := s.sql.Count()
		for name, c := range map[string]struct {
			query string
			value any
		}{
			"not base64":   {byName, "not a cursor"},
			"not a string": {byName, 42},
			"a map value":  {byName, cursorFor(entgql.Cursor[int]{ID: 1, Value: map[string]any{"a": 1}})},
			// Found by FuzzCursor: entgql's msgpack decoding panics on it.
			"a cursor that panics the decoder": {byName, "gqF2000000000000oXY000000000000"},
			"a value, no orderBy":              {byID, cursorFor(entgql.Cursor[int]{ID: 1, Value: "abc"})},
			"a NUL in the value":               {byName, cursorFor(entgql.Cursor[int]{ID: 1, Value: "a\x00b"})},
		} {
			s.sql.Reset()
			r := s.do(tok, c.query, map[string]any{"c": c.value})
			if r.code() != "BAD_USER_INPUT" || (r.Errors[0].Extensions["field"] != "after" && r.Errors[0].Extensions["field"] != "before") {
				t.Errorf("%s: %+v, want BAD_USER_INPUT on the cursor", name, r.Errors)
			}
			if n := s.sql.Count(); n != viewerLookup {
				t.Errorf("%s: ran %d SQL statements, want %d (the viewer's lookup)", name, n, viewerLookup)
			}
		}
		// Decodes, but the order is by time: PostgreSQL refuses the text.
		r := s.do(tok, `query($c: Cursor) { appointments(first: 2, after: $c, orderBy: {field: STARTS_AT, direction: ASC}) { edges { node { id } } } }`,
			map[string]any{"c": cursorFor(entgql.Cursor[int]{ID: 1, Value: "Fixture"})})
		if code := r.code(); code != "" && code != "BAD_USER_INPUT" {
			t.Errorf("a text cursor on a time order: %+v, want data or BAD_USER_INPUT", r.Errors)
		}
		if d == "postgres" && r.code() != "BAD_USER_INPUT" {
			t.Errorf("a text cursor on a time order on PostgreSQL: %+v, want BAD_USER_INPUT", r.Errors)
		}
		r = s.do(tok, `query($c: Cursor) { clients(first: 2, after: $c, orderBy: {field: LAST_NAME, direction: ASC}) { edges { node { id } } } }`,
			map[string]any{"c": cursorFor(entgql.Cursor[int]{ID: 1, Value: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})})
		if code := r.code(); code != "" && code != "BAD_USER_INPUT" {
			t.Errorf("a time cursor on a text order: %+v, want data or BAD_USER_INPUT", r.Errors)
		}
		// A NUL in a text field: PostgreSQL cannot store it.
		r = s.do(tok, `mutation { createClient(input: {firstName: "A\u0000B", lastName: "Nul"}) { client { id } userErrors { field message code } } }`, nil)
		if code := r.code(); code != "" && code != "BAD_USER_INPUT" {
			t.Errorf("a NUL in a name: %+v, want it stored or BAD_USER_INPUT", r.Errors)
		}
	})
}
