package main

import (
	"time"

	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/testdb"
)

// scrape reads the admin listener's /metrics as Prometheus does.
func (s *apiServer) scrape() map[string]*dto.MetricFamily {
	s.t.Helper()
	rec := httptest.NewRecorder()
	s.main.AdminHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		s.t.Fatalf("GET /metrics on the admin handler = %d: %s", rec.Code, rec.Body.String())
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		s.t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// series returns the series of a family whose labels include want.
func series(fams map[string]*dto.MetricFamily, name string, want map[string]string) []*dto.Metric {
	var out []*dto.Metric
	for _, m := range fams[name].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && labels[k] == v
		}
		if match {
			out = append(out, m)
		}
	}
	return out
}

// counted is the sum of a counter's series whose labels include want.
func counted(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	var n float64
	for _, m := range series(fams, name, want) {
		n += m.GetCounter().GetValue()
	}
	return n
}

// observed is the sample count and sum of a histogram's series whose labels
// include want.
func observed(fams map[string]*dto.MetricFamily, name string, want map[string]string) (count uint64, sum float64) {
	for _, m := range series(fams, name, want) {
		count += m.GetHistogram().GetSampleCount()
		sum += m.GetHistogram().GetSampleSum()
	}
	return count, sum
}

// documentedMetrics are the metric names docs/observability.md lists.
func documentedMetrics(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile("../docs/observability.md")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range regexp.MustCompile("`((?:caseload|go_sql)_[a-z_]+)`").FindAllStringSubmatch(string(doc), -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return names
}

// TestMetricsOnTheAdminListener runs named, unnamed, failing and
// unparseable operations and reads the admin listener's /metrics: every
// documented metric is served, under its documented name and no other, and
// each operation is counted by its name, type and code.
func TestMetricsOnTheAdminListener(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		token := s.token(f.clinicianUser)

		const caseloadOp = `query MyCaseload { clients(first: 10) { edges { node { id strikeCount } } } }`
		for range 2 {
			s.mustDo(token, caseloadOp, nil)
		}
		s.mustDo(token, `{ me { id } }`, nil)
		if r := s.do(token, `query Missing($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": encodeID(999999)}); r.code() != "NOT_FOUND" {
			t.Fatalf("Missing: %+v, want NOT_FOUND", r.Errors)
		}
		if r := s.do(token, `query Broken {`, nil); r.code() != "GRAPHQL_PARSE_FAILED" {
			t.Fatalf("Broken: %+v, want GRAPHQL_PARSE_FAILED", r.Errors)
		}
		if r := s.do("not-a-token", `{ me { id } }`, nil); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("a bad token: %+v", r.Errors)
		}
		// A mutation refused with two userErrors: no top-level error, but
		// counted as refused, by code.
		refused := s.do(token, `mutation AddClient($in: CreateClientInput!) { createClient(input: $in) { client { id } userErrors { code } } }`,
			map[string]any{"in": map[string]any{"firstName": "", "lastName": "Doe", "email": "not-an-email", "clinicianID": encodeID(f.clinician.ID)}})
		if len(refused.Errors) > 0 || len(refused.userErrors("createClient")) != 2 {
			t.Fatalf("AddClient: %+v %v, want two userErrors", refused.Errors, refused.Data)
		}

		fams := s.scrape()
		var served []string
		for name := range fams {
			if strings.HasPrefix(name, "caseload_") || strings.HasPrefix(name, "go_sql_") {
				served = append(served, name)
			}
		}
		slices.Sort(served)
		if doc := documentedMetrics(t); !slices.Equal(served, doc) {
			t.Errorf("served metrics\n  %v\ndocs/observability.md lists\n  %v", served, doc)
		}
		for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
			if fams[name] == nil {
				t.Errorf("%s is not served", name)
			}
		}

		for _, c := range []struct {
			labels map[string]string
			want   float64
		}{
			{map[string]string{"operation": "MyCaseload", "type": "query", "code": "OK"}, 2},
			{map[string]string{"operation": "anonymous", "type": "query", "code": "OK"}, 1},
			{map[string]string{"operation": "Missing", "type": "query", "code": "NOT_FOUND"}, 1},
			{map[string]string{"operation": "none", "type": "none", "code": "GRAPHQL_PARSE_FAILED"}, 1},
			{map[string]string{"operation": "AddClient", "type": "mutation", "code": "BAD_USER_INPUT"}, 1},
		} {
			if n := counted(fams, "caseload_graphql_operations_total", c.labels); n != c.want {
				t.Errorf("caseload_graphql_operations_total%v = %v, want %v", c.labels, n, c.want)
			}
		}
		op := map[string]string{"operation": "MyCaseload", "type": "query"}
		if n, sum := observed(fams, "caseload_graphql_operation_duration_seconds", op); n != 2 || sum <= 0 {
			t.Errorf("caseload_graphql_operation_duration_seconds%v: %d samples, %v s; want 2 over 0 s", op, n, sum)
		}
		if n, sum := observed(fams, "caseload_sql_statements_per_request", op); n != 2 || sum < 2 {
			t.Errorf("caseload_sql_statements_per_request%v: %d samples, %v statements; want 2 with statements", op, n, sum)
		}
		for code, want := range map[string]float64{"NOT_FOUND": 1, "GRAPHQL_PARSE_FAILED": 1, "UNAUTHENTICATED": 1} {
			if n := counted(fams, "caseload_graphql_errors_total", map[string]string{"code": code}); n != want {
				t.Errorf("caseload_graphql_errors_total{code=%q} = %v, want %v", code, n, want)
			}
		}
		if n := counted(fams, "caseload_graphql_user_errors_total", map[string]string{"code": "BAD_USER_INPUT"}); n != 2 {
			t.Errorf("caseload_graphql_user_errors_total{code=BAD_USER_INPUT} = %v, want the 2 userErrors", n)
		}
		if n := counted(fams, "caseload_graphql_errors_total", map[string]string{"code": "BAD_USER_INPUT"}); n != 0 {
			t.Errorf("caseload_graphql_errors_total{code=BAD_USER_INPUT} = %v: userErrors are not top-level errors", n)
		}
		if n := counted(fams, "caseload_http_requests_total", map[string]string{"route": "/graphql", "status": "401"}); n != 1 {
			t.Errorf("caseload_http_requests_total{route=/graphql,status=401} = %v, want 1", n)
		}
		if n := counted(fams, "caseload_http_requests_total", map[string]string{"route": "/graphql"}); n != 7 {
			t.Errorf("caseload_http_requests_total{route=/graphql} = %v, want the 7 requests", n)
		}
		if len(series(fams, "go_sql_max_open_connections", map[string]string{"db_name": d})) != 1 {
			t.Errorf("no pool metrics for db_name=%q: %v", d, fams["go_sql_max_open_connections"])
		}

		// The public address does not serve them.
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "caseload_") {
			t.Errorf("GET /metrics on the public handler = %d %q, want 404", rec.Code, rec.Body.String())
		}
	})
}

// TestOperationLabelIsBounded: past MaxOperationNames distinct names an
// operation is counted as "other", so clients cannot grow the series
// without end.
func TestOperationLabelIsBounded(t *testing.T) {
	s := newAPIServer(t, testdb.Dialects[0])
	f := s.seedPractice("North", "north.example")
	token := s.token(f.clinicianUser)
	const names = 205
	for i := range names {
		s.mustDo(token, fmt.Sprintf("query Op%d { me { id } }", i), nil)
	}
	s.mustDo(token, "query "+strings.Repeat("Long", 17)+" { me { id } }", nil)
	fams := s.scrape()
	distinct := map[string]bool{}
	for _, m := range series(fams, "caseload_graphql_operations_total", nil) {
		for _, l := range m.GetLabel() {
			if l.GetName() == "operation" {
				distinct[l.GetValue()] = true
			}
		}
	}
	if len(distinct) != 201 || !distinct["other"] {
		t.Errorf("%d operation labels (other: %v), want the first 200 names and other", len(distinct), distinct["other"])
	}
	// The 5 names past the bound, and the name over 64 characters.
	if n := counted(fams, "caseload_graphql_operations_total", map[string]string{"operation": "other"}); n != names-200+1 {
		t.Errorf("counted as other: %v, want %d", n, names-200+1)
	}
}

// TestRequestLogLine: each request's line says which operation it was,
// whose, how long it took and with how many statements, and its code, and
// holds nothing of the client's data.
func TestRequestLogLine(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		logs := &bytes.Buffer{}
		s.main.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, nil))
		f := s.seedPractice("North", "north.example")

		login := s.mustDo("", loginOp, map[string]any{"e": "clinician@north.example", "p": testPassword})
		token := login["login"].(map[string]any)["token"].(string)
		refresh := login["login"].(map[string]any)["refreshToken"].(string)
		s.mustDo(token, `query MyCaseload { clients(first: 10) { edges { node { id firstName lastName } } } }`, nil)
		if r := s.do(token, `query Missing($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": encodeID(f.otherClients[0].ID)}); r.code() != "NOT_FOUND" {
			t.Fatalf("another caseload's client: %+v, want NOT_FOUND", r.Errors)
		}
		if r := s.do(token, `mutation AddClient($in: CreateClientInput!) { createClient(input: $in) { client { id } userErrors { code } } }`,
			map[string]any{"in": map[string]any{"firstName": "Zelda", "lastName": "", "email": "zelda-at-example", "clinicianID": encodeID(f.clinician.ID)}}); len(r.userErrors("createClient")) != 2 {
			t.Fatalf("AddClient: %+v %v, want two userErrors", r.Errors, r.Data)
		}

		lines := map[string]map[string]any{}
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var l map[string]any
			if err := json.Unmarshal([]byte(line), &l); err != nil {
				t.Fatalf("a log line is not JSON: %s", line)
			}
			if l["msg"] == "request" {
				op, _ := l["operation"].(string)
				lines[op] = l
			}
		}
		want := map[string]map[string]any{
			"": {"type": "mutation", "user_id": 0.0, "practice_id": 0.0, "code": "", "status": 200.0},
			"MyCaseload": {"type": "query", "user_id": float64(f.clinicianUser.ID), "practice_id": float64(f.practice.ID),
				"code": "", "errors": 0.0, "status": 200.0, "method": "POST", "path": "/graphql"},
			"Missing": {"type": "query", "user_id": float64(f.clinicianUser.ID), "practice_id": float64(f.practice.ID),
				"code": "NOT_FOUND", "errors": 1.0},
			"AddClient": {"type": "mutation", "code": "BAD_USER_INPUT", "errors": 0.0, "user_errors": 2.0},
		}
		for op, fields := range want {
			l := lines[op]
			if l == nil {
				t.Errorf("no request line for operation %q in\n%s", op, logs.String())
				continue
			}
			for k, v := range fields {
				if l[k] != v {
					t.Errorf("%q line: %s = %v, want %v", op, k, l[k], v)
				}
			}
			if ms, ok := l["duration_ms"].(float64); !ok || ms <= 0 {
				t.Errorf("%q line: duration_ms = %v, want milliseconds", op, l["duration_ms"])
			}
			if n, ok := l["statements"].(float64); !ok || n < 1 {
				t.Errorf("%q line: statements = %v", op, l["statements"])
			}
			if id, ok := l["request_id"].(string); !ok || id == "" {
				t.Errorf("%q line: no request_id", op)
			}
		}

		// Nothing of the client's data: emails, names, the password, tokens.
		out := logs.String()
		for _, secret := range []string{"@north.example", "Fixture", "Ann", "North", "Zelda", "zelda-at-example", testPassword, token, refresh, "eyJ"} {
			if strings.Contains(out, secret) {
				t.Errorf("the log holds %q:\n%s", secret, out)
			}
		}
	})
}

// TestSignInFailuresAreCounted: each kind of failed sign-in is counted by
// its reason, and the throttle's locks by their scope.
func TestSignInFailuresAreCounted(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d, func(c *Config) {
			c.TrustProxy = true
			c.LoginLimits = auth.LoginLimits{AccountFailures: 2, AddressFailures: 1000}
		})
		f := s.seedPractice("North", "north.example")
		failures := func(reason string) float64 {
			return counted(s.scrape(), "caseload_signin_failures_total", map[string]string{"reason": reason})
		}
		lockouts := func(scope string) float64 {
			return counted(s.scrape(), "caseload_signin_lockouts_total", map[string]string{"scope": scope})
		}
		for _, reason := range []string{"unknown_email", "bad_password", "inactive_user", "locked_out", "delayed", "refresh_invalid", "refresh_reused"} {
			if series(s.scrape(), "caseload_signin_failures_total", map[string]string{"reason": reason}) == nil {
				t.Errorf("reason %q is not shown before its first failure", reason)
			}
		}

		if r, _ := s.attempt("nobody@north.example", "wrong password", "198.51.100.1"); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("unknown email: %+v", r.Errors)
		}
		if n := failures("unknown_email"); n != 1 {
			t.Errorf("unknown_email = %v, want 1", n)
		}

		for i := range 2 {
			s.clock.Advance(time.Minute) // past the email's delay
			if r, _ := s.attempt("clinician@north.example", "wrong password", "198.51.100.2"); r.code() != "UNAUTHENTICATED" {
				t.Fatalf("wrong password %d: %+v", i+1, r.Errors)
			}
			wantLocks := float64(i) // the second failure reaches the limit of 2
			if n := lockouts("account"); n != wantLocks {
				t.Errorf("after %d failures: account lockouts = %v, want %v", i+1, n, wantLocks)
			}
		}
		if n := failures("bad_password"); n != 2 {
			t.Errorf("bad_password = %v, want 2", n)
		}
		if r, _ := s.attempt("clinician@north.example", testPassword, "198.51.100.3"); r.code() != "RATE_LIMITED" {
			t.Fatalf("within the email's delay: %+v", r.Errors)
		}
		if n := failures("delayed"); n != 1 {
			t.Errorf("a sign-in within the delay: delayed = %v, want 1", n)
		}
		s.clock.Advance(time.Minute)
		if r, _ := s.attempt("clinician@north.example", testPassword, "198.51.100.2"); r.code() != "RATE_LIMITED" {
			t.Fatalf("while locked at the address: %+v", r.Errors)
		}
		if n, locks := failures("locked_out"), lockouts("account"); n != 1 || locks != 1 {
			t.Errorf("a sign-in while locked: locked_out = %v, account lockouts = %v; want 1 and still 1", n, locks)
		}
		if n := lockouts("address"); n != 0 {
			t.Errorf("address lockouts = %v, want 0", n)
		}

		must(f.analyst.Update().SetActive(false).Save(sys()))
		if r, _ := s.attempt("analyst@north.example", testPassword, "198.51.100.4"); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("deactivated login: %+v", r.Errors)
		}
		if n := failures("inactive_user"); n != 1 {
			t.Errorf("inactive_user = %v, want 1", n)
		}

		if r := s.do("", refreshOp, map[string]any{"t": "not-a-refresh-token"}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("a made-up refresh token: %+v", r.Errors)
		}
		if n := failures("refresh_invalid"); n != 1 {
			t.Errorf("refresh_invalid = %v, want 1", n)
		}
		first := s.mustDo("", loginOp, map[string]any{"e": "other@north.example", "p": testPassword})["login"].(map[string]any)["refreshToken"]
		s.mustDo("", refreshOp, map[string]any{"t": first})
		if r := s.do("", refreshOp, map[string]any{"t": first}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("a reused refresh token: %+v", r.Errors)
		}
		if n := failures("refresh_reused"); n != 1 {
			t.Errorf("refresh_reused = %v, want 1", n)
		}
	})
}

// TestAdminAddrConfig: loopback by default; from the environment or the
// flag (which wins); "off" serves none; the public address is refused.
func TestAdminAddrConfig(t *testing.T) {
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{"", nil, DefaultAdminAddr},
		{"127.0.0.1:9191", nil, "127.0.0.1:9191"},
		{"127.0.0.1:9191", []string{"-admin-addr", "[::1]:9292"}, "[::1]:9292"},
		{"off", nil, ""},
		{"", []string{"-admin-addr="}, ""},
	} {
		getenv := func(k string) string {
			if k == envAdminAddr {
				return c.env
			}
			return ""
		}
		cfg, err := ParseConfig(append([]string{"-db", t.TempDir() + "/c.db"}, c.args...), getenv)
		if err != nil {
			t.Fatalf("env %q args %v: %v", c.env, c.args, err)
		}
		if cfg.AdminAddr != c.want {
			t.Errorf("env %q args %v: AdminAddr = %q, want %q", c.env, c.args, cfg.AdminAddr, c.want)
		}
	}
	_, err := ParseConfig([]string{"-db", t.TempDir() + "/c.db", "-addr", "127.0.0.1:8080", "-admin-addr", "127.0.0.1:8080"}, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), envAdminAddr) {
		t.Errorf("the admin address on the public one: %v, want an error naming %s", err, envAdminAddr)
	}
}
