package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/caseload/caseload/internal/screens"
)

const todoQuery = `{ myTodo { kind dueAt overdue explanation documentKind closeBy client { id firstName } appointment { id startsAt } document { id } contact { id } } }`

const candidateFields = `client { id firstName } nextAppointmentAt waitDays strikeCount daysSinceSeen`

const calendarQuery = `query Calendar($day: Date) { myCalendar(date: $day) {
  appointment { id startsAt isLateCancel countsAsStrike reminderDue noteStatus noteOverdue }
  noShowRisk { score recordedSessions noShows lateCancels confirmed explanation }
  treatmentPlanReviewDue caregiver { name }
  backfillCandidates { ` + candidateFields + ` } } }`

const backfillQuery = `query Backfill($id: ID!) { backfillCandidates(appointmentID: $id, first: 10) { ` + candidateFields + ` } }`

const metricsFields = `month suppressed clients sessionsBooked noShowRate lateCancelRate backfillRate
  episodesOpened closedByReason { reason count } retentionRate earlyDropOutRate
  caseloadUtilization noteMinutesMedian notesOnTimeRate billableOutreachMinutes`

const metricsQuery = `query Metrics($from: Date!, $to: Date!) {
  practiceMetrics(from: $from, to: $to, groupBy: [MONTH]) { groups { ` + metricsFields + ` } total { ` + metricsFields + ` } } }`

// benchClinician is the clinician whose screens are measured: one with a
// caseload of their own only (the generator makes every eighth clinician,
// clinician01 among them, a supervisor who also reads seven other
// caseloads, and whose bookings for those clients are refused).
const benchClinician = "clinician02@bench.example"

const loginMutation = `mutation Login($input: LoginInput!) { login(input: $input) { token expiresAt userErrors { field message code } } }`

// api is a GraphQL client of the server under test.
type api struct {
	url    string
	client *http.Client
}

func newAPI(baseURL string) *api {
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}
	return &api{url: baseURL + "/graphql", client: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// do posts an operation and decodes data into out (when not nil). Any
// status but 200 and any GraphQL error is an error. It returns the
// statement count of the X-SQL-Statements header (-1 without one).
func (a *api) do(ctx context.Context, token, query string, vars map[string]any, out any) (int, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return -1, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.url, bytes.NewReader(body))
	if err != nil {
		return -1, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return -1, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return -1, err
	}
	statements := -1
	if s := resp.Header.Get("X-SQL-Statements"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			statements = n
		}
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Path       []any          `json:"path"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return statements, fmt.Errorf("HTTP %d, body is not JSON", resp.StatusCode)
	}
	if len(r.Errors) > 0 {
		// The message and code only: never data, which may name clients.
		e := r.Errors[0]
		return statements, fmt.Errorf("HTTP %d: %s (%v at %v; %d errors)", resp.StatusCode, e.Message, e.Extensions["code"], e.Path, len(r.Errors))
	}
	if resp.StatusCode != http.StatusOK {
		return statements, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err := refused(r.Data); err != nil {
		return statements, err
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			return statements, err
		}
	}
	return statements, nil
}

// refused is the first userError of a mutation's payload in data, or nil:
// a refusal counts as an error of the run, as a top-level error does.
func refused(data json.RawMessage) error {
	var roots map[string]json.RawMessage
	_ = json.Unmarshal(data, &roots) // null or not an object: no payload
	for field, raw := range roots {
		var payload struct {
			UserErrors []struct {
				Field   []string `json:"field"`
				Message string   `json:"message"`
				Code    string   `json:"code"`
			} `json:"userErrors"`
		}
		if json.Unmarshal(raw, &payload) == nil && len(payload.UserErrors) > 0 {
			e := payload.UserErrors[0]
			return fmt.Errorf("%s refused: %s (%s on %v; %d userErrors)", field, e.Message, e.Code, e.Field, len(payload.UserErrors))
		}
	}
	return nil
}

// loginInput is the variables of loginMutation.
func loginInput(email, password string) map[string]any {
	return map[string]any{"input": map[string]any{"email": email, "password": password}}
}

// login signs in and returns the access token.
func (a *api) login(ctx context.Context, email, password string) (string, error) {
	var out struct {
		Login struct{ Token string } `json:"login"`
	}
	if _, err := a.do(ctx, "", loginMutation, loginInput(email, password), &out); err != nil {
		return "", fmt.Errorf("login %s: %w", email, err)
	}
	if out.Login.Token == "" {
		return "", errors.New("login returned no token")
	}
	return out.Login.Token, nil
}

// fixtures are the logins and ids the operations need.
type fixtures struct {
	clinician, analyst string // access tokens
	// dashboardClients is how many clients the dashboard lists.
	dashboardClients int
	// day is the calendar's day: tomorrow, or the next day with sessions
	// when tomorrow has none (a weekend: the practice works weekdays).
	day string
	// freedSlot is a booked session of that day, for backfillCandidates.
	freedSlot string
	// activeClients are the clinician's ACTIVE clients, booked in turn.
	activeClients []string
	// bookFrom is the first free hour for bookings (far past every booking).
	bookFrom time.Time
	// metricsFrom and metricsTo are a year of the practice's calendar, to today.
	metricsFrom, metricsTo string
	// booked are the sessions booked for cancelAppointment, which it
	// cancels in turn; recorded the clinician's recorded
	// past sessions, which recordAttendance records again as they were.
	booked   *bookings
	recorded []recordedSession
	// logins are the emails login cycles through.
	logins   []string
	password string
}

// loadFixtures signs in and finds the ids of the operations.
func loadFixtures(ctx context.Context, a *api, now time.Time, zone *time.Location, clinicians int) (*fixtures, error) {
	f := &fixtures{dashboardClients: 60, password: benchPassword, booked: &bookings{}}
	var err error
	if f.clinician, err = a.login(ctx, benchClinician, f.password); err != nil {
		return nil, err
	}
	if f.analyst, err = a.login(ctx, "analyst@bench.example", f.password); err != nil {
		return nil, err
	}
	var cal struct {
		MyCalendar []struct{ Appointment struct{ ID string } } `json:"myCalendar"`
	}
	tomorrow := now.In(zone).AddDate(0, 0, 1)
	for d := 0; d < 7 && len(cal.MyCalendar) == 0; d++ {
		f.day = tomorrow.AddDate(0, 0, d).Format(time.DateOnly)
		if _, err := a.do(ctx, f.clinician, `query($day: Date) { myCalendar(date: $day) { appointment { id } } }`, map[string]any{"day": f.day}, &cal); err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
	}
	if len(cal.MyCalendar) == 0 {
		return nil, errors.New(benchClinician + " has no session in the coming week: the calendar would be empty")
	}
	f.freedSlot = cal.MyCalendar[0].Appointment.ID
	var clients struct {
		Clients struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	if _, err := a.do(ctx, f.clinician, `{ clients(first: 100, where: {status: ACTIVE}) { edges { node { id } } } }`, nil, &clients); err != nil {
		return nil, fmt.Errorf("clients: %w", err)
	}
	for _, e := range clients.Clients.Edges {
		f.activeClients = append(f.activeClients, e.Node.ID)
	}
	if len(f.activeClients) == 0 {
		return nil, errors.New(benchClinician + " has no active client")
	}
	// A year ahead, on the hour: the generated bookings end three weeks out.
	f.bookFrom = now.Truncate(time.Hour).AddDate(1, 0, 0)
	today := now.In(zone)
	f.metricsTo = today.Format(time.DateOnly)
	f.metricsFrom = today.AddDate(-1, 0, 1).Format(time.DateOnly)
	for i := 1; i <= clinicians; i++ {
		f.logins = append(f.logins, fmt.Sprintf("clinician%02d@bench.example", i))
	}
	return f, nil
}

// operation is one key operation of the benchmark.
type operation struct {
	name string
	send request
	// prepare, when set, readies n requests (from the first index on)
	// before each run, unmeasured.
	prepare func(ctx context.Context, first, n int) error
}

// operations are the key operations over the GraphQL API, in the order
// they run; the writes last, so that the reads see the generated data only.
func operations(a *api, f *fixtures) []operation {
	query := func(token, q string, vars map[string]any) request {
		return func(ctx context.Context, _ int) (int, error) { return a.do(ctx, token, q, vars, nil) }
	}
	return append([]operation{
		{name: "dashboard", send: query(f.clinician, screens.Dashboard, map[string]any{"first": f.dashboardClients, "day": f.day})},
		{name: "todo", send: query(f.clinician, todoQuery, nil)},
		{name: "calendar", send: query(f.clinician, calendarQuery, map[string]any{"day": f.day})},
		{name: "backfillCandidates", send: query(f.clinician, backfillQuery, map[string]any{"id": f.freedSlot})},
		{name: "practiceMetrics", send: query(f.analyst, metricsQuery, map[string]any{"from": f.metricsFrom, "to": f.metricsTo})},
		{name: "login", send: func(ctx context.Context, i int) (int, error) {
			return a.do(ctx, "", loginMutation, loginInput(f.logins[i%len(f.logins)], f.password), nil)
		}},
	}, writeOperations(a, f)...)
}
