package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/testdb"
)

const metricsQuery = `query($from: Date!, $to: Date!, $groupBy: [MetricsDimension!]) {
  practiceMetrics(from: $from, to: $to, groupBy: $groupBy) {
    from to groupBy minimumGroupClients
    groups {
      month clinician { id name } modality frequency suppressed clients
      sessionsBooked sessionsAttended noShowRate lateCancelRate clientCancelRate
      lateCanceledSlots backfilledSlots backfillRate episodesOpened episodesClosed
      closedByReason { reason count }
      sessionsPerClosedEpisodeMedian sessionsPerClosedEpisodeP75 earlyDropOutRate retentionRate
      expectedWeeklySessions weeklySlots caseloadUtilization
      noteMinutesMedian notesOnTimeRate notesWithinGoalRate billableOutreachMinutes
    }
    total { suppressed clients sessionsBooked noShowRate retentionRate caseloadUtilization }
  }
}`

// demoServer is a server with the demo practice, and a token per demo role.
func demoServer(t *testing.T, dialectName string) (*apiServer, map[string]string) {
	s := newAPIServer(t, dialectName)
	if _, err := fakepractice.Seed(sys(), s.main.DB.Ent, fakepractice.Options{Now: s.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, u := range s.main.DB.Ent.User.Query().AllX(sys()) {
		if _, ok := tokens[string(u.Role)]; !ok {
			tokens[string(u.Role)] = s.token(u)
		}
	}
	return s, tokens
}

// TestPracticeMetricsOnTheDemo asks for a year of the demo practice by
// month and by clinician, as the analyst's IDE tab does.
func TestPracticeMetricsOnTheDemo(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		s, tokens := demoServer(t, dialectName)
		year := map[string]any{"from": "2025-03-11", "to": "2026-03-10"}
		analyst := tokens[string(user.RoleANALYST)]

		t.Run("by month: twelve months and a few days, none suppressed", func(t *testing.T) {
			s.sql.Reset()
			data := s.mustDo(analyst, metricsQuery, merge(year, map[string]any{"groupBy": []string{"MONTH"}}))
			byMonth := s.sql.Count()
			groups := data["practiceMetrics"].(map[string]any)["groups"].([]any)
			if len(groups) < 12 {
				t.Fatalf("%d monthly groups, want a year of them", len(groups))
			}
			months := map[string]bool{}
			for _, g := range groups {
				g := g.(map[string]any)
				if g["suppressed"] == true || g["clients"].(float64) < 5 {
					t.Errorf("month %v suppressed or under 5 clients: %v", g["month"], g["clients"])
				}
				months[g["month"].(string)] = true
			}
			if !months["2025-03-01"] || !months["2026-03-01"] {
				t.Errorf("months %v; want March 2025 through March 2026", months)
			}
			// One statement per family of figures, not per group; and the same
			// when the groups multiply by clinician.
			s.sql.Reset()
			s.mustDo(analyst, metricsQuery, merge(year, map[string]any{"groupBy": []string{"MONTH", "CLINICIAN"}}))
			// At most 16: the viewer (2), the practice, the 7 families, the
			// clinicians' slots and names, and on PostgreSQL the set-up of
			// the two connections' shared snapshot (3).
			if n := s.sql.Count(); n != byMonth+1 || n > 16 {
				t.Errorf("statements: %d by month, %d by month and clinician; want at most 16, one more for the clinicians\n%s",
					byMonth, n, strings.Join(s.sql.Statements(), "\n"))
			}
		})

		t.Run("by clinician: names of clinicians, no client identifiable", func(t *testing.T) {
			r := s.do(analyst, metricsQuery, merge(year, map[string]any{"groupBy": []string{"CLINICIAN"}}))
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			pm := r.Data["practiceMetrics"].(map[string]any)
			shown := 0
			for _, g := range pm["groups"].([]any) {
				g := g.(map[string]any)
				c, _ := g["clinician"].(map[string]any)
				if c == nil {
					// What has no clinician yet: contacts with waitlisted clients.
					if g["sessionsBooked"] != nil && g["sessionsBooked"].(float64) != 0 || g["weeklySlots"] != nil {
						t.Errorf("the group without a clinician has sessions or slots: %v", g)
					}
					continue
				}
				if c["name"] == "" {
					t.Errorf("group without its clinician's name: %v", g)
				}
				if g["suppressed"] == false {
					shown++
					if g["sessionsBooked"].(float64) == 0 || g["weeklySlots"] == nil || g["caseloadUtilization"] == nil {
						t.Errorf("clinician %v: %v", c["name"], g)
					}
				} else if g["clients"] != nil || g["sessionsBooked"] != nil {
					t.Errorf("suppressed group with figures: %v", g)
				}
			}
			if shown < 3 {
				t.Errorf("%d clinicians shown, want the demo's caseloads", shown)
			}
			raw, _ := json.Marshal(map[string]any{"query": metricsQuery, "variables": merge(year, map[string]any{"groupBy": []string{"CLINICIAN", "MONTH", "MODALITY", "FREQUENCY"}})})
			body := s.post(analyst, bytes.NewReader(raw), int64(len(raw)), nil).Body.String()
			for _, c := range s.main.DB.Ent.ClientProfile.Query().Where(clientprofile.LastNameNEQ("")).AllX(sys()) {
				for _, id := range []string{c.LastName, c.FirstName + " "} {
					if strings.Contains(body, id) {
						t.Errorf("the metrics name a client: %q", id)
					}
				}
			}
		})

		t.Run("only admins and analysts", func(t *testing.T) {
			vars := merge(year, map[string]any{"groupBy": []string{"MONTH"}})
			s.mustDo(tokens[string(user.RoleADMIN)], metricsQuery, vars)
			for _, role := range []user.Role{user.RoleCLINICIAN, user.RoleSUPERVISOR} {
				r := s.do(tokens[string(role)], metricsQuery, vars)
				if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "FORBIDDEN" || r.Data != nil {
					t.Errorf("%s: %+v, want FORBIDDEN", role, r.Errors)
				}
			}
			if r := s.do("", metricsQuery, vars); len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
				t.Errorf("no token: %+v", r.Errors)
			}
		})

		t.Run("bad ranges", func(t *testing.T) {
			for _, tc := range []struct{ from, to, field string }{
				{"2026-03-10", "2026-03-09", "to"},
				{"2020-01-01", "2026-01-01", "to"},
			} {
				r := s.do(analyst, metricsQuery, map[string]any{"from": tc.from, "to": tc.to})
				if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tc.field {
					t.Errorf("%s..%s: %+v, want BAD_USER_INPUT on %s", tc.from, tc.to, r.Errors, tc.field)
				}
			}
		})

		t.Run("CSV export", func(t *testing.T) {
			get := func(token, query string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodGet, "/metrics.csv?"+query, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				rec := httptest.NewRecorder()
				s.handler.ServeHTTP(rec, req)
				return rec
			}
			rec := get(analyst, "from=2025-03-11&to=2026-03-10&groupBy=MONTH,CLINICIAN")
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") ||
				!strings.Contains(rec.Header().Get("Content-Disposition"), "caseload-metrics-2025-03-11-2026-03-10.csv") ||
				rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("export: %d %v\n%s", rec.Code, rec.Header(), rec.Body.String())
			}
			rows, err := csv.NewReader(rec.Body).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			gql := s.mustDo(analyst, metricsQuery, merge(year, map[string]any{"groupBy": []string{"MONTH", "CLINICIAN"}}))
			groups := gql["practiceMetrics"].(map[string]any)["groups"].([]any)
			if len(rows) != len(groups)+2 || rows[0][0] != "row" || rows[len(rows)-1][0] != "total" {
				t.Fatalf("%d rows for %d groups; header %v, last %v", len(rows), len(groups), rows[0], rows[len(rows)-1])
			}
			col := map[string]int{}
			for i, name := range rows[0] {
				col[name] = i
			}
			for i, g := range groups {
				g, row := g.(map[string]any), rows[i+1]
				name := ""
				if c, ok := g["clinician"].(map[string]any); ok {
					name = c["name"].(string)
				}
				if row[col["month"]] != g["month"].(string)[:7] || row[col["clinician"]] != name ||
					row[col["suppressed"]] != map[bool]string{true: "true", false: "false"}[g["suppressed"].(bool)] {
					t.Errorf("row %d %v does not match group %v", i, row, g)
				}
				if g["suppressed"] == false && row[col["sessions_booked"]] != formatNumber(g["sessionsBooked"]) {
					t.Errorf("row %d: sessions_booked %s, GraphQL %v", i, row[col["sessions_booked"]], g["sessionsBooked"])
				}
				if g["suppressed"] == true && row[col["clients"]] != "" {
					t.Errorf("row %d: a suppressed group's clients shown: %v", i, row)
				}
			}
			for _, tc := range []struct {
				token, query string
				status       int
				code         string
			}{
				{"", "from=2025-03-11&to=2026-03-10", http.StatusUnauthorized, "UNAUTHENTICATED"},
				{tokens[string(user.RoleCLINICIAN)], "from=2025-03-11&to=2026-03-10", http.StatusForbidden, "FORBIDDEN"},
				{analyst, "from=2025-03-11", http.StatusBadRequest, "BAD_USER_INPUT"},
				{analyst, "from=2025-03-11&to=2025-03-01", http.StatusBadRequest, "BAD_USER_INPUT"},
				{analyst, "from=2025-03-11&to=2026-03-10&groupBy=WEEKDAY", http.StatusBadRequest, "BAD_USER_INPUT"},
			} {
				rec := get(tc.token, tc.query)
				if rec.Code != tc.status || !strings.Contains(rec.Body.String(), `"code":"`+tc.code+`"`) {
					t.Errorf("%q: %d %s; want %d %s", tc.query, rec.Code, rec.Body.String(), tc.status, tc.code)
				}
			}
		})
	})
}

func TestSpreadsheetSafe(t *testing.T) {
	for in, want := range map[string]string{
		"Dr. Ada Lane": "Dr. Ada Lane", "=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)", "": "",
	} {
		if got := spreadsheetSafe(in); got != want {
			t.Errorf("spreadsheetSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func formatNumber(v any) string {
	f, _ := v.(float64)
	return strconv.FormatFloat(f, 'f', -1, 64)
}
