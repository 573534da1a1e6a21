package main

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/metrics"
	"github.com/caseload/caseload/internal/reqid"
	"github.com/caseload/caseload/internal/viewer"
)

// metricsCSV serves GET /metrics.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&groupBy=MONTH,CLINICIAN:
// the figures of practiceMetrics as a spreadsheet, one row per group and a
// last row for the total. It takes the same bearer token as /graphql and
// answers refusals with the same error codes, in the shape of a GraphQL
// error.
func (m *Main) metricsCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeGraphQLError(w, r, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "GET /metrics.csv?from=...&to=...&groupBy=...")
		return
	}
	if viewer.FromContext(ctx) == nil {
		writeGraphQLError(w, r, http.StatusUnauthorized, string(caseload.CodeUnauthenticated), caseload.ErrNoViewer.Message)
		return
	}
	q := r.URL.Query()
	from, err := scalar.UnmarshalDate(q.Get("from"))
	if err != nil {
		writeGraphQLError(w, r, http.StatusBadRequest, string(caseload.CodeBadUserInput), "from: a date like 2026-01-31 is required")
		return
	}
	to, err := scalar.UnmarshalDate(q.Get("to"))
	if err != nil {
		writeGraphQLError(w, r, http.StatusBadRequest, string(caseload.CodeBadUserInput), "to: a date like 2026-12-31 is required")
		return
	}
	var dims []metrics.Dimension
	for _, group := range q["groupBy"] {
		for _, name := range strings.Split(group, ",") {
			d := model.MetricsDimension(strings.ToUpper(strings.TrimSpace(name)))
			if d == "" {
				continue
			}
			if !d.IsValid() {
				writeGraphQLError(w, r, http.StatusBadRequest, string(caseload.CodeBadUserInput), "groupBy: one or more of MONTH, CLINICIAN, MODALITY, FREQUENCY, separated by commas")
				return
			}
			dims = append(dims, metrics.Dimension(d))
		}
	}
	rep, err := metrics.Practice(ctx, m.DB.Ent, m.DB.Driver, m.Now(), from, to, dims)
	var gerr *caseload.Error
	switch {
	case errors.As(err, &gerr):
		status := map[caseload.Code]int{caseload.CodeForbidden: http.StatusForbidden, caseload.CodeBadUserInput: http.StatusBadRequest, caseload.CodeUnauthenticated: http.StatusUnauthorized}[gerr.Code]
		if status == 0 {
			status = http.StatusBadRequest
		}
		writeGraphQLError(w, r, status, string(gerr.Code), gerr.Message)
		return
	case err != nil:
		m.Logger.ErrorContext(ctx, "metrics export failed", "request_id", reqid.FromContext(ctx), "error", err.Error())
		writeGraphQLError(w, r, http.StatusInternalServerError, string(caseload.CodeInternal), "internal error, request id "+reqid.FromContext(ctx))
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/csv; charset=utf-8")
	hdr.Set("Content-Disposition", `attachment; filename="caseload-metrics-`+rep.From.Format(time.DateOnly)+"-"+rep.To.Format(time.DateOnly)+`.csv"`)
	header := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		header[i] = c.name
	}
	records := [][]string{header}
	row := func(kind string, g *metrics.PracticeGroup) {
		rec := make([]string, len(csvColumns))
		rec[0] = kind
		for i, c := range csvColumns[1:] {
			rec[i+1] = c.value(g)
		}
		records = append(records, rec)
	}
	for _, g := range rep.Groups {
		row("group", g)
	}
	row("total", rep.Total)
	if err := csv.NewWriter(w).WriteAll(records); err != nil {
		m.Logger.WarnContext(ctx, "metrics export interrupted", "request_id", reqid.FromContext(ctx), "error", err.Error())
	}
}

// csvColumn is a column of the export: its header and its cell of a group.
type csvColumn struct {
	name  string
	value func(g *metrics.PracticeGroup) string
}

var csvColumns = []csvColumn{
	{"row", nil},
	{"month", func(g *metrics.PracticeGroup) string {
		if !g.Month.IsZero() {
			return g.Month.Format("2006-01")
		}
		return ""
	}},
	{"clinician_id", func(g *metrics.PracticeGroup) string {
		if c := g.Clinician; c != nil {
			return scalar.EncodeID(c.ID)
		}
		return ""
	}},
	{"clinician", func(g *metrics.PracticeGroup) string {
		if c := g.Clinician; c != nil {
			return spreadsheetSafe(c.Name)
		}
		return ""
	}},
	{"modality", func(g *metrics.PracticeGroup) string { return g.Modality }},
	{"frequency", func(g *metrics.PracticeGroup) string { return g.Frequency }},
	{"suppressed", func(g *metrics.PracticeGroup) string { return strconv.FormatBool(g.Suppressed) }},
	{"clients", intCell(func(g *metrics.PracticeGroup) *int { return g.Clients })},
	{"sessions_booked", intCell(func(g *metrics.PracticeGroup) *int { return g.SessionsBooked })},
	{"sessions_attended", intCell(func(g *metrics.PracticeGroup) *int { return g.SessionsAttended })},
	{"no_show_rate", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.NoShowRate })},
	{"late_cancel_rate", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.LateCancelRate })},
	{"client_cancel_rate", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.ClientCancelRate })},
	{"late_canceled_slots", intCell(func(g *metrics.PracticeGroup) *int { return g.LateCanceledSlots })},
	{"backfilled_slots", intCell(func(g *metrics.PracticeGroup) *int { return g.BackfilledSlots })},
	{"backfill_rate", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.BackfillRate })},
	{"episodes_opened", intCell(func(g *metrics.PracticeGroup) *int { return g.EpisodesOpened })},
	{"episodes_closed", intCell(func(g *metrics.PracticeGroup) *int { return g.EpisodesClosed })},
	{"closed_inactive", reasonCell("INACTIVE")},
	{"closed_strikes", reasonCell("STRIKES")},
	{"closed_goals_met", reasonCell("GOALS_MET")},
	{"closed_client_request", reasonCell("CLIENT_REQUEST")},
	{"closed_transferred", reasonCell("TRANSFERRED")},
	{"closed_other", reasonCell("OTHER")},
	{"sessions_per_closed_episode_median", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.SessionsPerClosedEpisodeMedian })},
	{"sessions_per_closed_episode_p75", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.SessionsPerClosedEpisodeP75 })},
	{"early_drop_out_rate", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.EarlyDropOutRate })},
	{"retention_rate", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.RetentionRate })},
	{"expected_weekly_sessions", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.ExpectedWeeklySessions })},
	{"weekly_slots", intCell(func(g *metrics.PracticeGroup) *int { return g.WeeklySlots })},
	{"caseload_utilization", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.CaseloadUtilization })},
	{"note_minutes_median", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.NoteMinutesMedian })},
	{"notes_on_time_rate", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.NotesOnTimeRate })},
	{"notes_within_goal_rate", floatCell(func(g *metrics.PracticeGroup) *float64 { return g.NotesWithinGoalRate })},
	{"billable_outreach_minutes", intCell(func(g *metrics.PracticeGroup) *int { return g.BillableOutreachMinutes })},
}

func intCell(f func(*metrics.PracticeGroup) *int) func(*metrics.PracticeGroup) string {
	return func(g *metrics.PracticeGroup) string {
		if v := f(g); v != nil {
			return strconv.Itoa(*v)
		}
		return ""
	}
}

func floatCell(f func(*metrics.PracticeGroup) *float64) func(*metrics.PracticeGroup) string {
	return func(g *metrics.PracticeGroup) string {
		if v := f(g); v != nil {
			return strconv.FormatFloat(*v, 'f', -1, 64)
		}
		return ""
	}
}

// reasonCell is the count of episodes closed for reason: 0 when none, empty
// when the group is suppressed.
func reasonCell(reason string) func(*metrics.PracticeGroup) string {
	return func(g *metrics.PracticeGroup) string {
		if g.Suppressed {
			return ""
		}
		for _, r := range g.ClosedByReason {
			if r.Reason == reason {
				return strconv.Itoa(r.Count)
			}
		}
		return "0"
	}
}

// spreadsheetSafe keeps a spreadsheet from reading text as a formula: a cell
// that starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe (OWASP's advice on CSV injection).
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
