package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/screens"
)

// limitURL is the caseload list limit's address on a limit server.
func limitURL(base string, clinicianID int64, first int) string {
	return fmt.Sprintf("%s/limit/caseload?clinician=%d&first=%d", base, clinicianID, first)
}

// backfillURL is the backfill candidates limit's address on a limit server.
// appointmentID is the session's GraphQL ID; the limit takes its database id.
func backfillURL(base, appointmentID string, first int) (string, error) {
	id, err := scalar.DecodeID(appointmentID)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/limit/backfill?appointment=%d&first=%d", base, id, first), nil
}

// getLimit fetches a limit's answer and decodes its data into out (when
// not nil). Any status but 200 is an error.
func getLimit(ctx context.Context, client *http.Client, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("limit: HTTP %d (its error is on the limit server's stderr)", resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	var r struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("limit: body is not JSON: %w", err)
	}
	return json.Unmarshal(r.Data, out)
}

// compareLists returns the differences between the caseload list of the
// GraphQL screen and of its limit, field by field: client ids and field
// names, and the values of the derived fields only (never a name or a
// phone number, which are client data).
func compareLists(screen, limit *listPage) []string {
	var diffs []string
	if a, b := screen.Clients.TotalCount, limit.Clients.TotalCount; a != b {
		diffs = append(diffs, fmt.Sprintf("totalCount: screen %d, limit %d", a, b))
	}
	if a, b := len(screen.Clients.Edges), len(limit.Clients.Edges); a != b {
		return append(diffs, fmt.Sprintf("clients: screen %d, limit %d", a, b))
	}
	for i := range screen.Clients.Edges {
		diffs = append(diffs, compareFields(fmt.Sprintf("client %d (%s)", i, screen.Clients.Edges[i].Node.ID),
			screen.Clients.Edges[i].Node, limit.Clients.Edges[i].Node)...)
	}
	return diffs
}

// identifying are the fields of client data: a difference names them, never
// their values.
var identifying = map[string]bool{"FirstName": true, "LastName": true, "PrimaryCaregiver": true, "Client": true, "Caregiver": true}

// compareFields compares two structs of one type field by field and says
// which fields differ, with the values of the derived ones.
func compareFields(label string, screen, limit any) []string {
	var diffs []string
	s, l := reflect.ValueOf(screen), reflect.ValueOf(limit)
	for f := range s.NumField() {
		a, b := s.Field(f).Interface(), l.Field(f).Interface()
		if reflect.DeepEqual(a, b) {
			continue
		}
		name := s.Type().Field(f).Name
		if identifying[name] {
			diffs = append(diffs, fmt.Sprintf("%s %s differs", label, name))
			continue
		}
		diffs = append(diffs, fmt.Sprintf("%s %s: screen %s, limit %s", label, name, show(a), show(b)))
	}
	return diffs
}

// compareCandidates compares backfill candidates, in order.
func compareCandidates(label string, screen, limit []candidate) []string {
	if len(screen) != len(limit) {
		return []string{fmt.Sprintf("%s: screen %d candidates, limit %d", label, len(screen), len(limit))}
	}
	var diffs []string
	for i := range screen {
		diffs = append(diffs, compareFields(fmt.Sprintf("%s candidate %d (%s)", label, i, screen[i].Client.ID), screen[i], limit[i])...)
	}
	return diffs
}

// show renders a value of a derived field for a difference.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// checkCaseloadList compares the caseload list of the GraphQL screen, as
// token's clinician, with its limit's for clinicianID.
func checkCaseloadList(ctx context.Context, a *api, token, limitBase string, clinicianID int64, first int) ([]string, error) {
	var screen, limit listPage
	if _, err := a.do(ctx, token, caseloadListQuery, map[string]any{"first": first}, &screen); err != nil {
		return nil, fmt.Errorf("caseload list: %w", err)
	}
	if err := getLimit(ctx, a.client, limitURL(limitBase, clinicianID, first), &limit); err != nil {
		return nil, fmt.Errorf("caseload list limit: %w", err)
	}
	if len(screen.Clients.Edges) == 0 {
		return nil, fmt.Errorf("caseload list: no client to compare")
	}
	return compareLists(&screen, &limit), nil
}

// checkBackfill compares the backfill candidates of the GraphQL screen for
// a session, first 10, with its limit's.
func checkBackfill(ctx context.Context, a *api, token, limitBase, appointmentID string) ([]string, int, error) {
	var screen, limit struct {
		BackfillCandidates []candidate `json:"backfillCandidates"`
	}
	if _, err := a.do(ctx, token, backfillQuery, map[string]any{"id": appointmentID}, &screen); err != nil {
		return nil, 0, fmt.Errorf("backfillCandidates: %w", err)
	}
	url, err := backfillURL(limitBase, appointmentID, 10)
	if err != nil {
		return nil, 0, err
	}
	if err := getLimit(ctx, a.client, url, &limit); err != nil {
		return nil, 0, fmt.Errorf("backfillCandidates limit: %w", err)
	}
	return compareCandidates("session "+appointmentID, screen.BackfillCandidates, limit.BackfillCandidates), len(screen.BackfillCandidates), nil
}

// checkLimits compares each limit's answer with its screen's for the
// benchmark's clinician and returns the screens checked; a difference is
// an error, since a limit that answers otherwise measures nothing.
func checkLimits(ctx context.Context, a *api, f *fixtures, limitBase string, clinicianID int64) ([]string, error) {
	diffs, err := checkCaseloadList(ctx, a, f.clinician, limitBase, clinicianID, f.dashboardClients)
	if err != nil {
		return nil, err
	}
	if len(diffs) > 0 {
		return nil, fmt.Errorf("the caseload list's limit answers otherwise than the screen (%d differences), first: %s", len(diffs), diffs[0])
	}
	if diffs, _, err = checkBackfill(ctx, a, f.clinician, limitBase, f.freedSlot); err != nil {
		return nil, err
	}
	if len(diffs) > 0 {
		return nil, fmt.Errorf("backfillCandidates' limit answers otherwise than the screen (%d differences), first: %s", len(diffs), diffs[0])
	}
	if diffs, _, err = checkCalendar(ctx, a, f.clinician, limitBase, clinicianID, f.day); err != nil {
		return nil, err
	}
	if len(diffs) > 0 {
		return nil, fmt.Errorf("the calendar's limit answers otherwise than the screen (%d differences), first: %s", len(diffs), diffs[0])
	}
	if diffs, _, err = checkTodo(ctx, a, f.clinician, limitBase, clinicianID); err != nil {
		return nil, err
	}
	if len(diffs) > 0 {
		return nil, fmt.Errorf("the To-Do's limit answers otherwise than the screen (%d differences), first: %s", len(diffs), diffs[0])
	}
	if diffs, _, err = checkDashboard(ctx, a, f.clinician, limitBase, clinicianID, f.dashboardClients, f.day); err != nil {
		return nil, err
	}
	if len(diffs) > 0 {
		return nil, fmt.Errorf("the dashboard's limit answers otherwise than the screen (%d differences), first: %s", len(diffs), diffs[0])
	}
	return []string{"dashboard", "caseload list", "todo", "calendar", "backfillCandidates"}, nil
}

// withLimits puts the caseload list and each limit in ops, each limit
// right after its screen.
func withLimits(ops []operation, a *api, f *fixtures, limitBase string, clinicianID int64) ([]operation, error) {
	listURL := limitURL(limitBase, clinicianID, f.dashboardClients)
	backfill, err := backfillURL(limitBase, f.freedSlot, 10)
	if err != nil {
		return nil, err
	}
	get := func(url string) request {
		return func(ctx context.Context, _ int) (int, error) { return 1, getLimit(ctx, a.client, url, nil) }
	}
	after := map[string][]operation{
		"dashboard": {{name: "dashboard limit", send: get(dashboardURL(limitBase, clinicianID, f.dashboardClients, f.day))}, {name: "caseload list", send: func(ctx context.Context, _ int) (int, error) {
			return a.do(ctx, f.clinician, caseloadListQuery, map[string]any{"first": f.dashboardClients}, nil)
		}}, {name: "caseload list limit", send: get(listURL)}},
		"backfillCandidates": {{name: "backfillCandidates limit", send: get(backfill)}},
		"todo":               {{name: "todo limit", send: get(todoURL(limitBase, clinicianID))}},
		"calendar":           {{name: "calendar limit", send: get(calendarURL(limitBase, clinicianID, f.day))}},
	}
	var out []operation
	for _, op := range ops {
		out = append(append(out, op), after[op.name]...)
	}
	return out, nil
}

// checkCalendar compares the calendar of the GraphQL screen for a day, as
// token's clinician, with its limit's for clinicianID; it returns the
// differences and the screen's sessions.
func checkCalendar(ctx context.Context, a *api, token, limitBase string, clinicianID int64, day string) ([]string, []calendarEntry, error) {
	var screen, limit struct {
		MyCalendar []calendarEntry `json:"myCalendar"`
	}
	if _, err := a.do(ctx, token, calendarQuery, map[string]any{"day": day}, &screen); err != nil {
		return nil, nil, fmt.Errorf("calendar: %w", err)
	}
	if err := getLimit(ctx, a.client, calendarURL(limitBase, clinicianID, day), &limit); err != nil {
		return nil, nil, fmt.Errorf("calendar limit: %w", err)
	}
	if len(screen.MyCalendar) != len(limit.MyCalendar) {
		return []string{fmt.Sprintf("calendar of %s: screen %d sessions, limit %d", day, len(screen.MyCalendar), len(limit.MyCalendar))}, screen.MyCalendar, nil
	}
	var diffs []string
	for i, se := range screen.MyCalendar {
		le := limit.MyCalendar[i]
		label := fmt.Sprintf("calendar of %s, session %d (%s)", day, i, se.Appointment.ID)
		diffs = append(diffs, compareCandidates(label, se.BackfillCandidates, le.BackfillCandidates)...)
		se.BackfillCandidates, le.BackfillCandidates = nil, nil
		diffs = append(diffs, compareFields(label, se, le)...)
	}
	return diffs, screen.MyCalendar, nil
}

// calendarURL is the calendar limit's address on a limit server.
func calendarURL(base string, clinicianID int64, day string) string {
	return fmt.Sprintf("%s/limit/calendar?clinician=%d&day=%s", base, clinicianID, day)
}

// todoURL is the To-Do limit's address on a limit server.
func todoURL(base string, clinicianID int64) string {
	return fmt.Sprintf("%s/limit/todo?clinician=%d", base, clinicianID)
}

// checkTodo compares the To-Do list of the GraphQL screen, as token's
// clinician, with its limit's for clinicianID, item by item in order; it
// returns the differences and the screen's items.
func checkTodo(ctx context.Context, a *api, token, limitBase string, clinicianID int64) ([]string, []todoItem, error) {
	var screen, limit struct {
		MyTodo []todoItem `json:"myTodo"`
	}
	if _, err := a.do(ctx, token, todoQuery, nil, &screen); err != nil {
		return nil, nil, fmt.Errorf("todo: %w", err)
	}
	if err := getLimit(ctx, a.client, todoURL(limitBase, clinicianID), &limit); err != nil {
		return nil, nil, fmt.Errorf("todo limit: %w", err)
	}
	if len(screen.MyTodo) != len(limit.MyTodo) {
		return []string{fmt.Sprintf("todo: screen %d items, limit %d", len(screen.MyTodo), len(limit.MyTodo))}, screen.MyTodo, nil
	}
	var diffs []string
	for i := range screen.MyTodo {
		diffs = append(diffs, compareFields(fmt.Sprintf("todo item %d (%s of %s)", i, screen.MyTodo[i].Kind, screen.MyTodo[i].Client.ID), screen.MyTodo[i], limit.MyTodo[i])...)
	}
	return diffs, screen.MyTodo, nil
}

// dashboardURL is the dashboard limit's address on a limit server.
func dashboardURL(base string, clinicianID int64, first int, day string) string {
	return fmt.Sprintf("%s/limit/dashboard?clinician=%d&first=%d&day=%s", base, clinicianID, first, day)
}

// checkDashboard compares the dashboard of the GraphQL screen (first
// clients, the calendar of day), as token's clinician, with its limit's
// for clinicianID: the caseload's health, the To-Do, the calendar and the
// clients, field by field.
func checkDashboard(ctx context.Context, a *api, token, limitBase string, clinicianID int64, first int, day string) ([]string, *dashboardData, error) {
	var screen, limit dashboardData
	if _, err := a.do(ctx, token, screens.Dashboard, map[string]any{"first": first, "day": day}, &screen); err != nil {
		return nil, nil, fmt.Errorf("dashboard: %w", err)
	}
	if err := getLimit(ctx, a.client, dashboardURL(limitBase, clinicianID, first, day), &limit); err != nil {
		return nil, nil, fmt.Errorf("dashboard limit: %w", err)
	}
	sm, lm := screen.Me.Clinician, limit.Me.Clinician
	diffs := compareFields("caseloadHealth", sm.CaseloadHealth, lm.CaseloadHealth)
	diffs = append(diffs, compareSlices("todo", sm.Todo, lm.Todo)...)
	if len(sm.Calendar) != len(lm.Calendar) {
		diffs = append(diffs, fmt.Sprintf("calendar: screen %d sessions, limit %d", len(sm.Calendar), len(lm.Calendar)))
	} else {
		for i := range sm.Calendar {
			label := fmt.Sprintf("calendar session %d (%s)", i, sm.Calendar[i].Appointment.ID)
			diffs = append(diffs, compareCandidates(label, sm.Calendar[i].BackfillCandidates, lm.Calendar[i].BackfillCandidates)...)
			se, le := sm.Calendar[i], lm.Calendar[i]
			se.BackfillCandidates, le.BackfillCandidates = nil, nil
			diffs = append(diffs, compareFields(label, se, le)...)
		}
	}
	if a, b := screen.Clients.TotalCount, limit.Clients.TotalCount; a != b {
		diffs = append(diffs, fmt.Sprintf("totalCount: screen %d, limit %d", a, b))
	}
	var sc, lc []dashClient
	for _, e := range screen.Clients.Edges {
		sc = append(sc, e.Node)
	}
	for _, e := range limit.Clients.Edges {
		lc = append(lc, e.Node)
	}
	return append(diffs, compareSlices("client", sc, lc)...), &screen, nil
}

// compareSlices compares two lists of one struct type, element by element
// in order.
func compareSlices[T any](label string, screen, limit []T) []string {
	if len(screen) != len(limit) {
		return []string{fmt.Sprintf("%s: screen %d, limit %d", label, len(screen), len(limit))}
	}
	var diffs []string
	for i := range screen {
		diffs = append(diffs, compareFields(fmt.Sprintf("%s %d", label, i), screen[i], limit[i])...)
	}
	return diffs
}
