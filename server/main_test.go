package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/internal/fakepractice"
)

// TestServerRunsTheDemo runs the real command on a fresh embedded database
// with -demo: it starts, seeds, prints the logins, lets the demo clinician
// sign in and see only their own clients, and shuts down gracefully.
func TestServerRunsTheDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the whole demo practice")
	}
	dir := t.TempDir()
	adminAddr := freeAddr(t)
	env := map[string]string{"CASELOAD_INTROSPECTION": "true"}
	base, out, stop := startServer(t, []string{"-admin-addr", adminAddr, "-db", filepath.Join(dir, "caseload.db"), "-demo"}, env)
	secret, err := os.Stat(filepath.Join(dir, "jwt-secret"))
	if err != nil || secret.Mode().Perm() != 0o600 {
		t.Errorf("generated token secret: %v, mode %v, want 0600", err, secret.Mode().Perm())
	}

	post := func(token, query string, vars map[string]any) map[string]any {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var r struct {
			Data   map[string]any `json:"data"`
			Errors []any          `json:"errors"`
		}
		if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 {
			t.Fatalf("%s: %v %s", query, err, raw)
		}
		return r.Data
	}
	count := func(email string) float64 {
		data := post("", `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }`, map[string]any{"e": email, "p": fakepractice.Password})
		token := data["login"].(map[string]any)["token"].(string)
		data = post(token, `{ clients(first: 100) { totalCount edges { node { clinician { user { email } } } } } }`, nil)
		clients := data["clients"].(map[string]any)
		if email == "clinician@demo.example" {
			for _, e := range clients["edges"].([]any) {
				c, _ := e.(map[string]any)["node"].(map[string]any)["clinician"].(map[string]any)
				if c == nil || c["user"] == nil || c["user"].(map[string]any)["email"] != email {
					t.Errorf("the demo clinician sees another caseload's client: %v", e)
				}
			}
		}
		return clients["totalCount"].(float64)
	}
	all, own := count("admin@demo.example"), count("clinician@demo.example")
	if all < 100 || own < 20 || own >= all {
		t.Errorf("admin sees %v clients, the demo clinician %v: want a whole practice and a caseload of it", all, own)
	}

	// The example operations of the README and docs/rules.md work against
	// the demo practice.
	var readme []byte
	for _, doc := range []string{"../README.md", "../docs/rules.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		readme = append(readme, b...)
	}
	login := post("", `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }`, map[string]any{"e": "clinician@demo.example", "p": fakepractice.Password})
	token := login["login"].(map[string]any)["token"].(string)
	adminLogin := post("", `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }`, map[string]any{"e": "admin@demo.example", "p": fakepractice.Password})
	adminToken := adminLogin["login"].(map[string]any)["token"].(string)
	blocks := strings.Split(string(readme), "```graphql\n")[1:]
	if len(blocks) < 13 {
		t.Errorf("the docs have %d example operations, want at least 13", len(blocks))
	}
	for _, b := range blocks {
		op, _, closed := strings.Cut(b, "```")
		if !closed {
			t.Fatalf("a ```graphql block is never closed:\n%s", b)
		}
		vars := map[string]any{}
		if strings.Contains(op, "$now") {
			vars["now"] = time.Now().UTC().Format(time.RFC3339)
		}
		if strings.Contains(op, "$from") {
			vars["from"] = time.Now().AddDate(-1, 0, 0).Format(time.DateOnly)
			vars["to"] = time.Now().Format(time.DateOnly)
		}
		tok := token
		if strings.Contains(op, "auditEvents") || strings.Contains(op, "practiceMetrics") {
			tok = adminToken // the audit log is an admin's; metrics are admins' and analysts'
		}
		if data := post(tok, op, vars); len(data) == 0 {
			t.Errorf("README example returned no data:\n%s", op)
		}
	}

	// Every rule shows up on the demo clinician's caseload, computed by the
	// real rules at the real clock (the demo is seeded relative to it).
	data := post(token, `{ clients(first: 100) { edges { node {
		strikeCount backfillEligible isMinor primaryCaregiver { id }
		terminationRecommendation { action reason }
		recurringEligibility { eligible shouldRevoke }
		paperworkDue { overdue } } } } }`, nil)
	seen := map[string]bool{}
	for _, e := range data["clients"].(map[string]any)["edges"].([]any) {
		n := e.(map[string]any)["node"].(map[string]any)
		rec := n["terminationRecommendation"].(map[string]any)
		seen[fmt.Sprintf("%v %v", rec["action"], rec["reason"])] = true
		rc := n["recurringEligibility"].(map[string]any)
		seen["recurring earned"] = seen["recurring earned"] || rc["eligible"] == true
		seen["recurring to revoke"] = seen["recurring to revoke"] || rc["shouldRevoke"] == true
		seen["struck out"] = seen["struck out"] || n["strikeCount"].(float64) >= 3
		seen["backfill list"] = seen["backfill list"] || n["backfillEligible"] == true
		seen["minor with caregiver"] = seen["minor with caregiver"] || (n["isMinor"] == true && n["primaryCaregiver"] != nil)
		seen["minor without caregiver"] = seen["minor without caregiver"] || (n["isMinor"] == true && n["primaryCaregiver"] == nil)
		for _, p := range n["paperworkDue"].([]any) {
			seen["overdue paperwork"] = seen["overdue paperwork"] || p.(map[string]any)["overdue"] == true
		}
	}
	for _, want := range []string{"CLOSE STRIKES", "CLOSE WARNING_EXPIRED", "CLOSE INACTIVE", "SEND_WARNING INACTIVE", "WAIT INACTIVE", "NONE <nil>",
		"recurring earned", "recurring to revoke", "struck out", "backfill list", "minor with caregiver", "minor without caregiver", "overdue paperwork"} {
		if !seen[want] {
			t.Errorf("the demo clinician's caseload shows no %q", want)
		}
	}

	// The metrics are on the admin address, not on the public one.
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get(base + "/metrics"); code != http.StatusNotFound {
		t.Errorf("GET /metrics on the public address = %d, want 404", code)
	}
	code, metrics := get("http://" + adminAddr + "/metrics")
	for _, want := range []string{`caseload_graphql_operations_total{code="OK",operation="anonymous",type="query"}`, `go_sql_open_connections{db_name="sqlite3"}`} {
		if code != http.StatusOK || !strings.Contains(metrics, want) {
			t.Errorf("GET /metrics on the admin address = %d without %s", code, want)
		}
	}

	if err := stop(); err != nil {
		t.Errorf("graceful shutdown: %v", err)
	}
	printed := out.String()
	for _, u := range fakepractice.DemoLogins {
		if !strings.Contains(printed, u.Email) {
			t.Errorf("the demo login %s was not printed", u.Email)
		}
	}
	if strings.Contains(printed, "eyJ") {
		t.Error("a token was written to the log")
	}
}
