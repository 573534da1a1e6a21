package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/caseload/caseload/internal/testdb"
)

// TestStatementCountHeader: with ExposeStatementCount, every response says
// in X-SQL-Statements how many SQL statements its request sent, in and out
// of transactions (the same count the test's driver sees); without it,
// the header is absent. The request's log line has the count either way.
func TestStatementCountHeader(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		for _, expose := range []bool{true, false} {
			t.Run(fmt.Sprintf("expose=%v", expose), func(t *testing.T) {
				s := newAPIServer(t, dialectName, func(c *Config) { c.ExposeStatementCount = expose })
				f := s.seedPractice("Counted", "counted.example")
				token := s.token(f.clinicianUser)
				for _, op := range []struct{ name, query string }{
					{"query", dashboardQuery},
					// A mutation runs in a transaction, with audit events.
					{"mutation", fmt.Sprintf(`mutation { confirmAppointment(input: {appointmentID: %q}) { appointment { id } userErrors { code } } }`, firstAppointmentID(t, s, token))},
				} {
					s.sql.Reset()
					s.logs.Reset()
					rec := s.post(token, strings.NewReader(fmt.Sprintf(`{"query": %q}`, op.query)), -1, map[string]string{"X-Request-ID": "req-count-" + op.name})
					r := decode(t, rec)
					if rec.Code != http.StatusOK || (op.name == "query" && len(r.Errors) > 0) {
						t.Fatalf("%s: %d %+v", op.name, rec.Code, r.Errors)
					}
					want := s.sql.Count()
					if want == 0 {
						t.Fatalf("%s: the driver saw no statements", op.name)
					}
					got := rec.Header().Values(HeaderSQLStatements)
					switch {
					case !expose && len(got) > 0:
						t.Errorf("%s: %s = %v, want no header", op.name, HeaderSQLStatements, got)
					case expose && (len(got) != 1 || got[0] != strconv.Itoa(want)):
						t.Errorf("%s: %s = %v, want %d (the driver's count)", op.name, HeaderSQLStatements, got, want)
					}
					if line := fmt.Sprintf("statements=%d", want); !strings.Contains(s.logs.String(), line) {
						t.Errorf("%s: the request log has no %s:\n%s", op.name, line, s.logs.String())
					}
				}
			})
		}
	})
}

// firstAppointmentID returns the id of one of the caller's appointments.
func firstAppointmentID(t *testing.T, s *apiServer, token string) string {
	t.Helper()
	data := s.mustDo(token, `{ appointments(first: 1) { edges { node { id } } } }`, nil)
	edges := data["appointments"].(map[string]any)["edges"].([]any)
	if len(edges) == 0 {
		t.Fatal("no appointment")
	}
	return edges[0].(map[string]any)["node"].(map[string]any)["id"].(string)
}

// TestExposeStatementCountConfig: off by default; on from the environment
// or the flag (which wins); a value that is not a boolean is refused.
func TestExposeStatementCountConfig(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == envExposeStatementCount {
				return v
			}
			return ""
		}
	}
	for _, c := range []struct {
		env  string
		args []string
		want bool
	}{
		{"", nil, false},
		{"true", nil, true},
		{"", []string{"-expose-statement-count"}, true},
		{"true", []string{"-expose-statement-count=false"}, false},
	} {
		cfg, err := ParseConfig(append([]string{"-db", t.TempDir() + "/c.db"}, c.args...), env(c.env))
		if err != nil {
			t.Fatalf("env %q args %v: %v", c.env, c.args, err)
		}
		if cfg.ExposeStatementCount != c.want {
			t.Errorf("env %q args %v: ExposeStatementCount = %v, want %v", c.env, c.args, cfg.ExposeStatementCount, c.want)
		}
	}
	if _, err := ParseConfig(nil, env("yes please")); err == nil || !strings.Contains(err.Error(), envExposeStatementCount) {
		t.Errorf("a value that is not a boolean: %v, want an error naming %s", err, envExposeStatementCount)
	}
}
