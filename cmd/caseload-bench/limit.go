package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/caseload"
)

// The limit of a screen: its best single hand-written SQL statement,
// served as JSON over HTTP by a minimal handler (net/http, database/sql,
// encoding/json; no GraphQL, no authentication, no audit), in the shape of
// the GraphQL screen's data so that the two answers can be compared field
// by field (limitcheck.go).

// listPage is the data of the caseload list, of the GraphQL screen or of
// its limit.
type listPage struct {
	Clients struct {
		TotalCount int `json:"totalCount"`
		Edges      []struct {
			Node listClient `json:"node"`
		} `json:"edges"`
	} `json:"clients"`
}

type listClient struct {
	ID                        string       `json:"id"`
	FirstName                 string       `json:"firstName"`
	LastName                  string       `json:"lastName"`
	IsMinor                   bool         `json:"isMinor"`
	StrikeCount               int          `json:"strikeCount"`
	DaysSinceSeen             *int         `json:"daysSinceSeen"`
	DaysSinceContact          *int         `json:"daysSinceContact"`
	LastSeenAt                *string      `json:"lastSeenAt"`
	LastContactAt             *string      `json:"lastContactAt"`
	NextAppointment           *listSession `json:"nextAppointment"`
	TreatmentPlanReviewDueOn  *string      `json:"treatmentPlanReviewDueOn"`
	PrimaryCaregiver          *listCarer   `json:"primaryCaregiver"`
	TerminationRecommendation listAdvice   `json:"terminationRecommendation"`
}

type listSession struct {
	ID       string `json:"id"`
	StartsAt string `json:"startsAt"`
}

type listCarer struct {
	Name  string  `json:"name"`
	Phone *string `json:"phone"`
}

type listAdvice struct {
	Action  string  `json:"action"`
	Reason  *string `json:"reason"`
	CloseBy *string `json:"closeBy"`
}

// limitServer serves the limits of the screens over one database pool.
type limitServer struct {
	db      *sql.DB
	dialect string
	now     func() time.Time
	// rules are the practice's policy and zone, read once, as the server's
	// are per operation.
	rules caseload.Rules
	// The statements, written for the dialect.
	list, backfill, calendarSQL, todoSQL, dashboardSQL string
}

// newLimitServer reads the policy of the practice of clinicianID.
func newLimitServer(ctx context.Context, db *sql.DB, dialectName string, clinicianID int64, now func() time.Time) (*limitServer, error) {
	q := "SELECT p.policy, p.time_zone FROM practices p JOIN clinicians c ON c.practice_id = p.id WHERE c.id = $1"
	if dialectName != "postgres" {
		q = strings.ReplaceAll(q, "$1", "?1")
	}
	var policy []byte
	var zone string
	if err := db.QueryRowContext(ctx, q, clinicianID).Scan(&policy, &zone); err != nil {
		return nil, fmt.Errorf("the practice's policy: %w", err)
	}
	var p caseload.Policy
	if err := json.Unmarshal(policy, &p); err != nil {
		return nil, fmt.Errorf("the practice's policy: %w", err)
	}
	rules, err := caseload.NewRules(p, zone, time.Time{})
	if err != nil {
		return nil, err
	}
	return &limitServer{db: db, dialect: dialectName, now: now, rules: rules,
		list: dialectSQL(limitCaseloadSQL, dialectName), backfill: dialectSQL(limitBackfillSQL, dialectName),
		calendarSQL: dialectSQL(limitCalendarSQL, dialectName), todoSQL: dialectSQL(limitTodoSQL, dialectName),
		dashboardSQL: dialectSQL(limitDashboardSQL, dialectName)}, nil
}

// Handler routes GET /limit/caseload?clinician=ID&first=N,
// /limit/backfill?appointment=ID&first=N,
// /limit/calendar?clinician=ID&day=YYYY-MM-DD, /limit/todo?clinician=ID and
// /limit/dashboard?clinician=ID&first=N&day=YYYY-MM-DD.
func (s *limitServer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /limit/caseload", func(w http.ResponseWriter, r *http.Request) {
		clinician, first, ok := idAndFirst(w, r, "clinician")
		if ok {
			page, err := s.caseloadList(r.Context(), clinician, first)
			reply(w, page, err)
		}
	})
	mux.HandleFunc("GET /limit/backfill", func(w http.ResponseWriter, r *http.Request) {
		appointment, first, ok := idAndFirst(w, r, "appointment")
		if ok {
			cs, err := s.backfillCandidates(r.Context(), appointment, first)
			reply(w, map[string]any{"backfillCandidates": cs}, err)
		}
	})
	mux.HandleFunc("GET /limit/calendar", func(w http.ResponseWriter, r *http.Request) {
		clinician, err1 := strconv.ParseInt(r.URL.Query().Get("clinician"), 10, 64)
		day, err2 := time.Parse(time.DateOnly, r.URL.Query().Get("day"))
		if err1 != nil || err2 != nil {
			http.Error(w, "clinician and day (YYYY-MM-DD) are required", http.StatusBadRequest)
			return
		}
		entries, err := s.calendar(r.Context(), clinician, day)
		reply(w, map[string]any{"myCalendar": entries}, err)
	})
	mux.HandleFunc("GET /limit/dashboard", func(w http.ResponseWriter, r *http.Request) {
		clinician, first, ok := idAndFirst(w, r, "clinician")
		if !ok {
			return
		}
		day, err := time.Parse(time.DateOnly, r.URL.Query().Get("day"))
		if err != nil {
			http.Error(w, "day (YYYY-MM-DD) is required", http.StatusBadRequest)
			return
		}
		data, err := s.dashboard(r.Context(), clinician, first, day)
		reply(w, data, err)
	})
	mux.HandleFunc("GET /limit/todo", func(w http.ResponseWriter, r *http.Request) {
		clinician, err := strconv.ParseInt(r.URL.Query().Get("clinician"), 10, 64)
		if err != nil {
			http.Error(w, "clinician is required", http.StatusBadRequest)
			return
		}
		items, err := s.todo(r.Context(), clinician)
		reply(w, map[string]any{"myTodo": items}, err)
	})
	return mux
}

// idAndFirst reads the parameters of a limit: an id and first (1-1000),
// answering 400 without them.
func idAndFirst(w http.ResponseWriter, r *http.Request, idName string) (int64, int, bool) {
	id, err1 := strconv.ParseInt(r.URL.Query().Get(idName), 10, 64)
	first, err2 := strconv.Atoi(r.URL.Query().Get("first"))
	if err1 != nil || err2 != nil || first < 1 || first > 1000 {
		http.Error(w, idName+" and first (1-1000) are required", http.StatusBadRequest)
		return 0, 0, false
	}
	return id, first, true
}

// reply writes data as a GraphQL answer's data, or the error as a 500.
func reply(w http.ResponseWriter, data any, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data})
}

// caseloadList runs limitCaseloadSQL and computes the list's figures from
// the facts with the rules, as the screen's resolvers do (graph/rules.go).
func (s *limitServer) caseloadList(ctx context.Context, clinicianID int64, first int) (*listPage, error) {
	rules := s.rules
	rules.Now = s.now().UTC()
	rows, err := s.db.QueryContext(ctx, s.list, clinicianID, first)
	if err != nil {
		return nil, fmt.Errorf("caseload list limit: %w", err)
	}
	defer rows.Close()
	page := &listPage{}
	var (
		row          clientRow
		carer, phone sql.NullString
	)
	dest := append([]any{&page.Clients.TotalCount}, row.dest(&carer, &phone)...)
	err = eachClient(rows, dest, &row, rules, func(c caseload.ClientFacts) {
		page.Clients.Edges = append(page.Clients.Edges, struct {
			Node listClient `json:"node"`
		}{listFiguresOf(rules, c, row.first.String, row.last.String, carerOf(carer, phone)).listClient})
	})
	if err != nil {
		return nil, fmt.Errorf("caseload list limit: %w", err)
	}
	return page, nil
}

// listFigures is a client of the list with its figures by the rules, and
// its termination recommendation whole (the dashboard shows its
// explanation too).
type listFigures struct {
	listClient
	recommendation caseload.Recommendation
}

func listFiguresOf(rules caseload.Rules, c caseload.ClientFacts, first, last string, carer *listCarer) listFigures {
	f := c.Facts
	out := listClient{ID: scalar.EncodeID(c.Client.ID), FirstName: first, LastName: last, IsMinor: rules.IsMinor(c.Client), StrikeCount: f.StrikeCount}
	act := rules.ActivityOf(f)
	out.DaysSinceSeen, out.DaysSinceContact, out.LastSeenAt, out.LastContactAt = act.DaysSinceSeen, act.DaysSinceContact, instantPtr(act.LastSeenAt), instantPtr(act.LastContactAt)
	if next, ok := rules.NextBooked(f); ok {
		out.NextAppointment = &listSession{ID: scalar.EncodeID(next.ID), StartsAt: instant(next.Start)}
	}
	if due, ok := rules.TreatmentPlanReviewDueOf(f); ok {
		out.TreatmentPlanReviewDueOn = datePtr(rules.DateOf(due))
	}
	if f.PrimaryCaregiverID != 0 {
		out.PrimaryCaregiver = carer
	}
	rec := rules.TerminationRecommendationOf(c.Client.Status, f)
	out.TerminationRecommendation = listAdvice{Action: rec.Action, CloseBy: datePtr(rec.CloseBy)}
	if rec.Reason != "" {
		reason := rec.Reason
		out.TerminationRecommendation.Reason = &reason
	}
	return listFigures{out, rec}
}

// carerOf is a caregiver joined by a statement (its name and phone), nil
// when none was.
func carerOf(name, phone sql.NullString) *listCarer {
	if !name.Valid {
		return nil
	}
	c := &listCarer{Name: name.String}
	if phone.Valid {
		p := phone.String // the scan's variable is reused for the next row
		c.Phone = &p
	}
	return c
}
