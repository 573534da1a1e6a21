package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/internal/testdb"
)

// depthQuery nests fields 12 deep (email is the 12th level); overDepth
// replaces email with a 13th level, reached through a fragment and an
// inline fragment, which add no depth of their own.
const (
	depthQuery = `{ me { clinician { clients(first: 1) { edges { node { appointments(first: 1) { edges { node {
		client { clinician { user { email } } } } } } } } } } } }`
	overDepth = `{ ...Me } fragment Me on Query { me { clinician { clients(first: 1) { edges { node { appointments(first: 1) { edges { node {
		... on Appointment { client { ...Deep } } } } } } } } } } }
		fragment Deep on Client { clinician { user { clinician { name } } } }`
)

// repeat joins n copies of format, each given its index from 1.
func repeat(n int, format string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, format, i)
		b.WriteByte(' ')
	}
	return b.String()
}

// fragmentBomb nests n fragments on typ, each spreading the next twice: a
// document of a few hundred tokens that stands for 2^(n-1) copies of leaf.
func fragmentBomb(n int, typ, leaf string) string {
	var b strings.Builder
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, " fragment F%d on %s { ...F%d ...F%d }", i, typ, i+1, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on %s { %s }", n, typ, leaf)
	return b.String()
}

// TestOperationShapeLimits checks every limit at its edge: an operation at
// the limit runs, one over it is refused with the limit's own code before
// any SQL (with a token, only the viewer's lookup runs; without one, nothing).
func TestOperationShapeLimits(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d, func(c *Config) { c.MaxComplexity = 14801 })
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		s.sql.Reset()
		if r := s.do(tok, `{ nope }`, nil); r.code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Fatalf("invalid field: %+v", r.Errors)
		}
		viewerLookup := s.sql.Count()

		withVariable := strings.Replace(caseloadQuery, "{\n  clients(first: 100", "query($n: Int!) {\n  clients(first: $n", 1)
		oneMoreField := func(q string) string { return strings.Replace(q, "{\n  clients", "{ __typename\n  clients", 1) }
		for _, c := range []struct {
			name, atLimit, over string
			vars                map[string]any
			code                string
		}{
			{"depth 12", depthQuery, overDepth, nil, graph.CodeDepthLimit},
			{"20 root fields",
				"{ " + repeat(20, "r%d: me { id }") + " }",
				"{ " + repeat(20, "r%d: me { id }") + " __typename }", nil, graph.CodeRootFieldLimit},
			{"root fields through fragments",
				"{ ...Q ...Q } fragment Q on Query { " + repeat(10, "r%d: me { id }") + " } ",
				"{ ...Q ...Q ... on Query { __typename } } fragment Q on Query { " + repeat(10, "r%d: me { id }") + " }", nil, graph.CodeRootFieldLimit},
			{"30 aliases",
				"{ me { " + repeat(30, "a%d: id") + " } }",
				"{ me { " + repeat(31, "a%d: id") + " } }", nil, graph.CodeAliasLimit},
			{"aliases through a fragment spread twice",
				"{ me { ...A } } fragment A on User { " + repeat(30, "a%d: email") + " }",
				"{ me { ...A clinician { user { ...A } } } } fragment A on User { " + repeat(16, "a%d: email") + " }", nil, graph.CodeAliasLimit},
			// The caseload screen costs 14,801 (see graph.DefaultMaxComplexity),
			// this server's limit; a root __typename costs one more.
			{"complexity", caseloadQuery, oneMoreField(caseloadQuery), nil, graph.CodeComplexityLimit},
			{"complexity with the page size in a variable", withVariable, oneMoreField(withVariable), map[string]any{"n": 100}, graph.CodeComplexityLimit},
			{"nested fragments", "{ me { ...F1 } }" + fragmentBomb(3, "User", "id"),
				"{ me { ...F1 } }" + fragmentBomb(40, "User", "id"), nil, graph.CodeComplexityLimit},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.do(tok, c.atLimit, c.vars); len(r.Errors) > 0 || r.Status != http.StatusOK {
					t.Fatalf("at the limit: %d %+v", r.Status, r.Errors)
				}
				for _, token := range []string{tok, ""} {
					s.sql.Reset()
					start := time.Now()
					r := s.do(token, c.over, c.vars)
					if r.code() != c.code || r.Data != nil {
						t.Fatalf("over the limit: %+v %v, want %s and no data", r.Errors, r.Data, c.code)
					}
					if took := time.Since(start); took > 2*time.Second {
						t.Errorf("took %v to refuse", took)
					}
					want := 0
					if token != "" {
						want = viewerLookup
					}
					if n := s.sql.Count(); n != want {
						t.Errorf("ran %d SQL statements before refusing, want %d:\n%s", n, want, strings.Join(s.sql.Statements(), "\n"))
					}
				}
			})
		}
	})
}

// TestComplexityCountsPages pins the cost rules: a paged field costs its page
// size times its selections, a list of IDs its length times its selections.
func TestComplexityCountsPages(t *testing.T) {
	s := newAPIServer(t, "sqlite3", func(c *Config) { c.MaxComplexity = 301 })
	f := s.seedPractice("North", "north.example")
	admin := s.token(f.admin)
	ids := make([]string, 0, 100)
	for i := 0; i < 100; i++ {
		ids = append(ids, encodeID(f.ownClients[i%len(f.ownClients)].ID))
	}
	for _, c := range []struct {
		query string
		vars  map[string]any
		ok    bool
	}{
		// 1 + 100 × (edges 1 + node 1 + id 1) = 301
		{`{ clients(first: 100) { edges { node { id } } } }`, nil, true},
		{`{ clients(last: 100) { edges { node { id } } } }`, nil, true},
		{`{ clients(first: 100) { totalCount edges { node { id } } } }`, nil, false},
		// 1 + 100 × (1 + 1 + (1 + 1 × 1)) = 401: pages multiply
		{`{ clients(first: 100) { edges { node { appointments(first: 1) { totalCount } } } } }`, nil, false},
		// 1 + 3 × (1 + 1 + (1 + 30 × 1)) = 100
		{`{ clients(first: 3) { edges { node { appointments(first: 30) { totalCount } } } } }`, nil, true},
		// 1 + 100 × (1 + 1 + 1) = 301, and one more selection is over
		{`query($ids: [ID!]!) { nodes(ids: $ids) { id __typename ... on Client { firstName } } }`, map[string]any{"ids": ids}, true},
		{`query($ids: [ID!]!) { nodes(ids: $ids) { id __typename ... on Client { firstName lastName } } }`, map[string]any{"ids": ids}, false},
		// A list of IDs in a mutation's input counts alike: 1 + 100 × (1 + 1 + 1) = 301, and one more selection is over.
		{`mutation($ids: [ID!]!) { closeCases(input: {clientIDs: $ids, reason: INACTIVE}) { clients { id status } } }`, map[string]any{"ids": ids}, true},
		{`mutation($ids: [ID!]!) { closeCases(input: {clientIDs: $ids, reason: INACTIVE}) { clients { id status strikeCount } } }`, map[string]any{"ids": ids}, false},
		{`mutation($in: CloseCasesInput!) { closeCases(input: $in) { clients { id status strikeCount } } }`,
			map[string]any{"in": map[string]any{"clientIDs": ids, "reason": "INACTIVE"}}, false},
	} {
		r := s.do(admin, c.query, c.vars)
		if c.ok && len(r.Errors) > 0 {
			t.Errorf("%s: %+v, want it admitted", c.query, r.Errors)
		}
		if !c.ok && r.code() != graph.CodeComplexityLimit {
			t.Errorf("%s: %+v, want %s", c.query, r.Errors, graph.CodeComplexityLimit)
		}
	}
}

// TestInputBounds: a list argument of more than graph.MaxListItems items,
// at any depth of an input, and a string with a NUL character are refused
// with BAD_USER_INPUT naming the argument's path, before any SQL but the
// viewer's lookup, the same on SQLite and PostgreSQL; nothing is written.
func TestInputBounds(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin := s.token(f.admin)
		ids := func(n int) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = encodeID(f.ownClients[i%len(f.ownClients)].ID)
			}
			return out
		}
		s.sql.Reset()
		if r := s.do(admin, `{ nope }`, nil); r.code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Fatalf("invalid field: %+v", r.Errors)
		}
		viewerLookup := s.sql.Count()
		clients := func() any {
			return s.mustDo(admin, `{ clients(first: 1) { totalCount } }`, nil)["clients"].(map[string]any)["totalCount"]
		}
		clientsBefore := clients()

		for _, c := range []struct {
			name, query string
			vars        map[string]any
			ok          bool
			field       string
		}{
			{"nodes of 100 ids", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids(100)}, true, ""},
			{"nodes of 101 ids", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids(101)}, false, "ids"},
			{"a filter of 100 ids", `query($ids: [ID!]) { clients(first: 5, where: {idIn: $ids}) { totalCount } }`, map[string]any{"ids": ids(100)}, true, ""},
			{"a filter of 40,000 ids", `query($ids: [ID!]) { clients(first: 5, where: {idIn: $ids}) { totalCount } }`, map[string]any{"ids": ids(40000)}, false, "where.idIn"},
			{"a nested filter of 101 ids", `query($ids: [ID!]) { appointments(first: 5, where: {or: [{status: SCHEDULED}, {hasClientWith: [{idIn: $ids}]}]}) { totalCount } }`,
				map[string]any{"ids": ids(101)}, false, "where.or.1.hasClientWith.0.idIn"},
			{"a NUL in a filter", `query($p: String) { clients(first: 5, where: {firstNameHasPrefix: $p}) { totalCount } }`, map[string]any{"p": "A\x00"}, false, "where.firstNameHasPrefix"},
			{"a NUL in a literal", `{ clients(first: 5, where: {lastNameContains: "a\u0000b"}) { totalCount } }`, nil, false, "where.lastNameContains"},
			{"a NUL in a mutation's input", `mutation($in: CreateClientInput!) { createClient(input: $in) { client { id } userErrors { code } } }`,
				map[string]any{"in": map[string]any{"firstName": "Nul\x00l", "lastName": "Byte", "clinicianID": encodeID(f.clinician.ID)}}, false, "input.firstName"},
		} {
			s.sql.Reset()
			r := s.do(admin, c.query, c.vars)
			if c.ok {
				if len(r.Errors) > 0 {
					t.Errorf("%s: %+v, want it answered", c.name, r.Errors)
				}
				continue
			}
			if r.code() != "BAD_USER_INPUT" || len(r.Errors) != 1 || len(r.Data) > 0 {
				t.Errorf("%s: %+v %v, want one top-level BAD_USER_INPUT and no data", c.name, r.Errors, r.Data)
				continue
			}
			if got := r.Errors[0].Extensions["field"]; got != c.field {
				t.Errorf("%s: field %v, want %s (%s)", c.name, got, c.field, r.Errors[0].Message)
			}
			if n := s.sql.Count(); n != viewerLookup {
				t.Errorf("%s: %d SQL statements before the refusal, want the viewer's %d:\n%s", c.name, n, viewerLookup, strings.Join(s.sql.Statements(), "\n"))
			}
		}
		if after := clients(); after != clientsBefore {
			t.Errorf("%v clients after the refusals, want %v: nothing written", after, clientsBefore)
		}
	})
}

// ideIntrospection is the shape of the query GraphiQL (graphql-js) sends for
// the schema: its type references nest 9 ofType deep, 15 levels in all.
var ideIntrospection = `query IntrospectionQuery {
  __schema {
    description
    queryType { name kind } mutationType { name kind } subscriptionType { name kind }
    types { ...FullType }
    directives { name description isRepeatable locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ` + strings.Repeat("ofType { kind name ", 9) + strings.Repeat("} ", 9) + `}`

// TestDefaultLimitsAdmitTheScreens runs the largest screens of the tests and
// docs, and the IDE's introspection, under the default limits.
func TestDefaultLimitsAdmitTheScreens(t *testing.T) {
	s := newAPIServer(t, "sqlite3")
	f := s.seedPractice("North", "north.example")
	tok := s.token(f.clinicianUser)
	for _, q := range []string{caseloadQuery, dashboardQuery, depthQuery, ideIntrospection} {
		s.mustDo(tok, q, nil)
	}
	if data := s.mustDo("", ideIntrospection, nil); data["__schema"] == nil {
		t.Error("the IDE's introspection without a token: no schema")
	}
	r := s.do(tok, overDepth, nil)
	if r.code() != graph.CodeDepthLimit {
		t.Errorf("depth 13 under the defaults: %+v", r.Errors)
	}
	r = s.do(tok, "{ me { ...F1 } }"+fragmentBomb(40, "User", "id"), nil)
	if r.code() != graph.CodeComplexityLimit {
		t.Errorf("a fragment bomb under the defaults: %+v", r.Errors)
	}
	r = s.do(tok, "{ ...F1 }"+fragmentBomb(40, "Query", "__typename"), nil)
	if r.code() != graph.CodeRootFieldLimit {
		t.Errorf("a fragment bomb of root fields under the defaults: %+v", r.Errors)
	}
}

// paddedBody is a request for the viewer's id, padded with spaces to n bytes.
func paddedBody(t testing.TB, n int) []byte {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"query": "{ me { id } }"})
	if len(b) > n {
		t.Fatalf("cannot pad %d bytes to %d", len(b), n)
	}
	pad := bytes.Repeat([]byte(" "), n-len(b))
	return append(append(b[:len(b)-1:len(b)-1], pad...), '}')
}

func TestRequestBodyLimit(t *testing.T) {
	s := newAPIServer(t, "sqlite3")
	f := s.seedPractice("North", "north.example")
	tok := s.token(f.admin)

	body := paddedBody(t, maxBodyBytes)
	if r := decode(t, s.post(tok, bytes.NewReader(body), int64(len(body)), nil)); r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("a body of exactly %d bytes: %d %+v", maxBodyBytes, r.Status, r.Errors)
	}
	body = paddedBody(t, maxBodyBytes+1)
	for name, length := range map[string]int64{"with Content-Length": int64(len(body)), "chunked": -1} {
		s.sql.Reset()
		rec := s.post(tok, bytes.NewReader(body), length, nil)
		r := decode(t, rec)
		if r.Status != http.StatusRequestEntityTooLarge || r.code() != CodeRequestTooLarge {
			t.Errorf("%s: one byte over: %d %+v, want 413 %s", name, r.Status, r.Errors, CodeRequestTooLarge)
		}
		if n := s.sql.Count(); n != 0 {
			t.Errorf("%s: ran %d SQL statements", name, n)
		}
	}
}

func TestParserTokenLimit(t *testing.T) {
	s := newAPIServer(t, "sqlite3")
	f := s.seedPractice("North", "north.example")
	tok := s.token(f.admin)
	// "{ me {" and "} }" are 5 tokens.
	start := time.Now()
	if r := s.do(tok, "{ me { "+strings.Repeat("id ", graph.DefaultMaxTokens-5)+"} }", nil); len(r.Errors) > 0 {
		t.Fatalf("%d tokens: %+v", graph.DefaultMaxTokens, r.Errors)
	}
	t.Logf("%d tokens of one repeated field took %v", graph.DefaultMaxTokens, time.Since(start))
	s.sql.Reset()
	r := s.do(tok, "{ me { "+strings.Repeat("id ", graph.DefaultMaxTokens-4)+"} }", nil)
	if r.code() != "GRAPHQL_PARSE_FAILED" || !strings.Contains(r.Errors[0].Message, "token limit") {
		t.Errorf("one token over: %d %+v, want GRAPHQL_PARSE_FAILED", r.Status, r.Errors)
	}
	if n := s.sql.Count(); n > 2 {
		t.Errorf("ran %d SQL statements beyond the viewer lookup", n)
	}
}

func TestIntrospectionForStaffAndNoSuggestionsForStrangers(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		env  map[string]string
		want bool
	}{
		{nil, nil, false},
		{[]string{"-demo"}, nil, true},
		{nil, map[string]string{"CASELOAD_INTROSPECTION": "true"}, true},
		{[]string{"-demo"}, map[string]string{"CASELOAD_INTROSPECTION": "false"}, false},
	} {
		cfg, err := ParseConfig(append([]string{"-db", dir + "/caseload.db"}, c.args...), func(k string) string { return c.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Introspection != c.want {
			t.Errorf("args %v env %v: introspection %v, want %v", c.args, c.env, cfg.Introspection, c.want)
		}
	}

	// Signed-in staff of any role always read the schema (the IDE documents
	// it in production) and get "Did you mean" suggestions; the anonymous
	// read it only when the server allows it, and are never suggested a
	// name, be it of a field, an argument, an input field or an enum value.
	misspelt := []string{
		`{ clientz(first: 1) { totalCount } }`,
		`{ clients(firs: 1) { totalCount } }`,
		`{ clients(first: 1, where: {statuz: ACTIVE}) { totalCount } }`,
		`{ clients(first: 1, where: {status: ACTIV}) { totalCount } }`,
	}
	for _, on := range []bool{false, true} {
		s := newAPIServer(t, "sqlite3", func(c *Config) { c.Introspection = on })
		f := s.seedPractice("North", "north.example")
		for _, who := range []struct {
			name  string
			token string
			staff bool
		}{{"admin", s.token(f.admin), true}, {"analyst", s.token(f.analyst), true}, {"anonymous", "", false}} {
			r := s.do(who.token, `{ __schema { queryType { name } } }`, nil)
			want := who.staff || on
			if got := len(r.Errors) == 0 && r.Data["__schema"] != nil; got != want {
				t.Errorf("introspection %v, %s: got %+v %v, want the schema: %v", on, who.name, r.Errors, r.Data, want)
			}
			if !want && r.code() != graph.CodeIntrospectionDisabled {
				t.Errorf("introspection %v, %s refused: %+v, want %s", on, who.name, r.Errors, graph.CodeIntrospectionDisabled)
			}
			for _, q := range misspelt {
				r = s.do(who.token, q, nil)
				if r.code() != "GRAPHQL_VALIDATION_FAILED" {
					t.Fatalf("%s: %+v", q, r.Errors)
				}
				if suggests := strings.Contains(r.Errors[0].Message, "Did you mean"); suggests != who.staff {
					t.Errorf("introspection %v, %s: %q suggests: %v", on, who.name, r.Errors[0].Message, suggests)
				}
			}
		}
	}
}

func TestLimitSettings(t *testing.T) {
	dir := t.TempDir()
	parse := func(args []string, env map[string]string) (*Config, error) {
		return ParseConfig(append([]string{"-db", dir + "/caseload.db"}, args...), func(k string) string { return env[k] })
	}
	cfg, err := parse(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxDepth != graph.DefaultMaxDepth || cfg.MaxAliases != graph.DefaultMaxAliases || cfg.MaxRootFields != graph.DefaultMaxRootFields ||
		cfg.MaxComplexity != graph.DefaultMaxComplexity || cfg.MaxTokens != graph.DefaultMaxTokens || cfg.StatementTimeout != 5*time.Second || len(cfg.CORSOrigins) != 0 {
		t.Errorf("defaults: %+v", cfg)
	}
	cfg, err = parse([]string{"-max-depth", "7", "-statement-timeout", "2s"}, map[string]string{
		"CASELOAD_MAX_DEPTH": "9", "CASELOAD_MAX_ALIASES": "3", "CASELOAD_MAX_ROOT_FIELDS": "4", "CASELOAD_MAX_COMPLEXITY": "500", "CASELOAD_MAX_TOKENS": "800",
		"CASELOAD_STATEMENT_TIMEOUT": "1s", "CASELOAD_CORS_ORIGINS": " https://App.example.com ,http://localhost:5173/",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxDepth != 7 || cfg.MaxAliases != 3 || cfg.MaxRootFields != 4 || cfg.MaxComplexity != 500 || cfg.MaxTokens != 800 || cfg.StatementTimeout != 2*time.Second ||
		strings.Join(cfg.CORSOrigins, " ") != "https://app.example.com http://localhost:5173" {
		t.Errorf("flags over environment: %+v", cfg)
	}
	for _, bad := range []map[string]string{
		{"CASELOAD_MAX_DEPTH": "0"},
		{"CASELOAD_MAX_ALIASES": "many"},
		{"CASELOAD_MAX_COMPLEXITY": "-1"},
		{"CASELOAD_MAX_TOKENS": "0"},
		{"CASELOAD_STATEMENT_TIMEOUT": "5"},
		{"CASELOAD_STATEMENT_TIMEOUT": "-1s"},
		{"CASELOAD_CORS_ORIGINS": "*"},
		{"CASELOAD_CORS_ORIGINS": "https://app.example.com/path"},
		{"CASELOAD_CORS_ORIGINS": "app.example.com"},
	} {
		if _, err := parse(nil, bad); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}
