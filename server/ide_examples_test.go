package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/testdb"
)

// newDemoServer is the API over a fresh SQLite database seeded with the demo
// practice, on the wall clock (as a browser has it).
func newDemoServer(t *testing.T, configure ...func(*Config)) *apiServer {
	t.Helper()
	s := newAPIServer(t, dialect.SQLite, configure...)
	s.clock.FollowWall()
	if err := s.main.SeedDemo(context.Background(), io.Discard); err != nil {
		t.Fatalf("seeding the demo: %v", err)
	}
	return s
}

// ideTab is an example tab as the IDE page hands it to its boot script.
type ideTab struct {
	Query     string `json:"query"`
	Variables string `json:"variables"`
	LastYear  bool   `json:"lastYear"`
}

var (
	ideConfig   = regexp.MustCompile(`data-config="([^"]*)"`)
	ideOpName   = regexp.MustCompile(`(?m)^query (\w+)`)
	ideTabLogin = regexp.MustCompile(`\b(\w+@demo\.example)\b`)
)

// TestIDEExamplesRunOnTheDemo runs every example tab of the IDE page on the
// demo practice as the demo login its comment names, with the variables the
// IDE gives it, and expects data without errors: the tabs are the first
// thing a newcomer runs.
func TestIDEExamplesRunOnTheDemo(t *testing.T) {
	testdb.SkipUnderShort(t, "seeds the demo practice")
	s := newDemoServer(t)

	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	m := ideConfig.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || m == nil {
		t.Fatalf("GET / = %d without data-config", rec.Code)
	}
	var cfg struct {
		Tabs []ideTab `json:"tabs"`
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &cfg); err != nil {
		t.Fatal(err)
	}

	tokens := map[string]string{}
	login := func(email string) string {
		if tokens[email] == "" {
			data := s.mustDo("", `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }`,
				map[string]any{"e": email, "p": fakepractice.Password})
			tokens[email] = data["login"].(map[string]any)["token"].(string)
		}
		return tokens[email]
	}

	ran := map[string]bool{}
	for _, tab := range cfg.Tabs {
		name := ideOpName.FindStringSubmatch(tab.Query)
		who := ideTabLogin.FindStringSubmatch(tab.Query)
		if name == nil || who == nil {
			t.Errorf("a tab without an operation name or a demo login:\n%s", tab.Query)
			continue
		}
		vars := map[string]any{}
		if tab.Variables != "" {
			if err := json.Unmarshal([]byte(tab.Variables), &vars); err != nil {
				t.Errorf("%s: variables: %v", name[1], err)
				continue
			}
		}
		if tab.LastYear {
			now := time.Now()
			vars["from"], vars["to"] = now.AddDate(-1, 0, 0).Format(time.DateOnly), now.Format(time.DateOnly)
		}
		token := login(who[1])
		if _, ok := vars["id"]; ok {
			// The backfill tab asks for a session: the user's next one.
			data := s.mustDo(token, `query($now: DateTime!) { appointments(first: 1, where: {startsAtGTE: $now}, orderBy: {field: STARTS_AT, direction: ASC}) { edges { node { id } } } }`,
				map[string]any{"now": time.Now().UTC().Format(time.RFC3339)})
			edges := data["appointments"].(map[string]any)["edges"].([]any)
			if len(edges) == 0 {
				t.Errorf("%s: %s has no session to come", name[1], who[1])
				continue
			}
			vars["id"] = edges[0].(map[string]any)["node"].(map[string]any)["id"]
		}
		res := s.do(token, tab.Query, vars)
		if len(res.Errors) > 0 || res.Data == nil {
			t.Errorf("%s as %s: %d, errors %+v", name[1], who[1], res.Status, res.Errors)
			continue
		}
		ran[name[1]] = true
	}
	t.Logf("ran %d tabs: %v", len(ran), ran)
	if len(ran) < 8 {
		t.Errorf("ran %d tabs, want the 8 of the IDE", len(ran))
	}

	// The admin listener's metrics have each tab's figures by its name.
	fams := s.scrape()
	for name := range ran {
		op := map[string]string{"operation": name, "type": "query"}
		if n := counted(fams, "caseload_graphql_operations_total", map[string]string{"operation": name, "type": "query", "code": "OK"}); n < 1 {
			t.Errorf("caseload_graphql_operations_total%v = %v after the tab ran", op, n)
		}
		if n, _ := observed(fams, "caseload_graphql_operation_duration_seconds", op); n < 1 {
			t.Errorf("caseload_graphql_operation_duration_seconds%v has no sample", op)
		}
		if n, sum := observed(fams, "caseload_sql_statements_per_request", op); n < 1 || sum < 1 {
			t.Errorf("caseload_sql_statements_per_request%v: %d samples, %v statements", op, n, sum)
		}
	}
}
