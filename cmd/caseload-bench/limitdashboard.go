package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/facts/history"
)

// dashboardStatement is the dashboard's limit: the caseload's histories as
// the server's own statement reads them (history.Statement: every
// rule of the dashboard reads them, the no-show risk and attendance rate
// over the whole history), with a row per client (its place by last name
// and the caseload's size), caregiver, availability and the clinician's
// weekly slots, in one statement; the handler runs the rules. What it
// leaves out against the screen is GraphQL, authentication, the audit and
// ten statements: it cannot show what a facts projection would save.
//
// $1 the clinician. The rows are ordered by kind, so that the clients come
// before their records, and by id, so that the rules see the records in
// one order every time.
func dashboardStatement(dialectName string) string {
	const caseloadIDs = "(SELECT id FROM clients WHERE clinician_id = $1)"
	return history.Statement(dialectName, "(SELECT practice_id FROM clinicians WHERE id = $1)", "client_id IN "+caseloadIDs) + `
UNION ALL
SELECT 0, c.id, c.id, ROW_NUMBER() OVER (ORDER BY c.last_name, c.id), COUNT(*) OVER (), NULL, NULL, NULL, NULL, NULL, NULL,
  c.status, c.first_name, c.last_name, c.session_frequency, CAST(c.date_of_birth AS TEXT), c.recurring_privilege, c.wants_earlier_appointment
FROM clients c WHERE c.clinician_id = $1
UNION ALL
SELECT 5, g.id, g.client_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, g.name, g.phone, NULL, NULL, NULL, g.is_primary, g.consent_to_contact
FROM caregivers g WHERE g.client_id IN ` + caseloadIDs + `
UNION ALL
SELECT 6, cl.id, 0, cl.weekly_slots, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM clinicians cl WHERE cl.id = $1
UNION ALL
SELECT 7, c.id, c.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, CAST(c.availability AS TEXT), NULL, NULL, NULL, NULL, NULL, NULL
FROM clients c WHERE c.clinician_id = $1 AND c.availability IS NOT NULL
ORDER BY 1, 2`
}

// Record kinds of dashboardStatement beside facts' four.
const (
	recDashClient       = 0
	recDashCaregiver    = 5
	recDashClinician    = 6
	recDashAvailability = 7
)

// dashboardData is the dashboard's data, of the GraphQL screen or of its
// limit.
type dashboardData struct {
	Me struct {
		Clinician struct {
			CaseloadHealth health          `json:"caseloadHealth"`
			Todo           []todoItem      `json:"todo"`
			Calendar       []calendarEntry `json:"calendar"`
		} `json:"clinician"`
	} `json:"me"`
	Clients struct {
		TotalCount int `json:"totalCount"`
		Edges      []struct {
			Node dashClient `json:"node"`
		} `json:"edges"`
	} `json:"clients"`
}

type health struct {
	ActiveClients          int     `json:"activeClients"`
	WeeklySlots            int     `json:"weeklySlots"`
	ExpectedWeeklySessions float64 `json:"expectedWeeklySessions"`
	Utilization            float64 `json:"utilization"`
	RecommendedMin         int     `json:"recommendedMin"`
	RecommendedMax         int     `json:"recommendedMax"`
	Status                 string  `json:"status"`
	NewClientsToRequest    int     `json:"newClientsToRequest"`
	Explanation            string  `json:"explanation"`
}

// dashClient is a client of the dashboard's list.
type dashClient struct {
	ID               string  `json:"id"`
	FirstName        string  `json:"firstName"`
	LastName         string  `json:"lastName"`
	StrikeCount      int     `json:"strikeCount"`
	DaysSinceSeen    *int    `json:"daysSinceSeen"`
	DaysSinceContact *int    `json:"daysSinceContact"`
	LastSeenAt       *string `json:"lastSeenAt"`
	LastContactAt    *string `json:"lastContactAt"`
	NextAppointment  *struct {
		ID             string `json:"id"`
		StartsAt       string `json:"startsAt"`
		ReminderDue    bool   `json:"reminderDue"`
		IsLateCancel   bool   `json:"isLateCancel"`
		CountsAsStrike bool   `json:"countsAsStrike"`
		NoteStatus     string `json:"noteStatus"`
		NoteOverdue    bool   `json:"noteOverdue"`
	} `json:"nextAppointment"`
	BackfillEligible    bool `json:"backfillEligible"`
	BackfillEligibility struct {
		Eligible bool     `json:"eligible"`
		Reasons  []string `json:"reasons"`
	} `json:"backfillEligibility"`
	RecurringEligibility struct {
		Eligible          bool   `json:"eligible"`
		ConsecutiveOnTime int    `json:"consecutiveOnTime"`
		Needed            int    `json:"needed"`
		ShouldRevoke      bool   `json:"shouldRevoke"`
		Reason            string `json:"reason"`
	} `json:"recurringEligibility"`
	TerminationRecommendation struct {
		Action      string  `json:"action"`
		Reason      *string `json:"reason"`
		CloseBy     *string `json:"closeBy"`
		Explanation string  `json:"explanation"`
	} `json:"terminationRecommendation"`
	TreatmentPlanReviewDueOn *string     `json:"treatmentPlanReviewDueOn"`
	IsMinor                  bool        `json:"isMinor"`
	PrimaryCaregiver         *listCarer  `json:"primaryCaregiver"`
	PaperworkDue             []paperwork `json:"paperworkDue"`
}

type paperwork struct {
	DocumentKind string  `json:"documentKind"`
	Status       string  `json:"status"`
	DueAt        string  `json:"dueAt"`
	Overdue      bool    `json:"overdue"`
	Explanation  string  `json:"explanation"`
	Document     *idOnly `json:"document"`
	Appointment  *idOnly `json:"appointment"`
	Contact      *idOnly `json:"contact"`
}

// dashClientRow is what the statement says of a client beside its history.
type dashClientRow struct {
	place       int
	first, last string
	carers      map[int]listCarer
}

// dashboard runs dashboardStatement and the rules of the dashboard.
func (s *limitServer) dashboard(ctx context.Context, clinicianID int64, first int, day time.Time) (*dashboardData, error) {
	rules := s.rules
	rules.Now = s.now().UTC()
	rows, err := s.db.QueryContext(ctx, s.dashboardSQL, clinicianID) //nolint:rowserrcheck // history.ScanHistories checks rows.Err
	if err != nil {
		return nil, fmt.Errorf("dashboard limit: %w", err)
	}
	defer rows.Close()
	hs := map[int]*caseload.History{}
	clients := map[int]*dashClientRow{}
	out := &dashboardData{}
	slots := 0
	err = history.ScanHistories(rows, hs, func(r *history.Record) error {
		switch r.Rec {
		case recDashClient:
			h, err := clientHistory(r.ID, clinicianID, r.S1.String, r.S5, r.B1.Bool)
			if err != nil {
				return err
			}
			h.Client.SessionFrequency, h.Client.WantsEarlier = r.S4.String, r.B2.Bool
			hs[r.ID] = h
			clients[r.ID] = &dashClientRow{place: int(r.I1.Int64), first: r.S2.String, last: r.S3.String, carers: map[int]listCarer{}}
			out.Clients.TotalCount = int(r.I2.Int64)
		case recDashCaregiver:
			addCaregiver(hs, r)
			if row := clients[r.ClientID]; row != nil {
				c := listCarer{Name: r.S1.String}
				if r.S2.Valid {
					phone := r.S2.String // r is the reader's, reused for the next row
					c.Phone = &phone
				}
				row.carers[r.ID] = c
			}
		case recDashClinician:
			slots = int(r.I1.Int64)
		case recDashAvailability:
			if h := hs[r.ID]; h != nil {
				return json.Unmarshal([]byte(r.S1.String), &h.Client.Availability)
			}
		default:
			return fmt.Errorf("unknown record %d", r.Rec)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard limit: %w", err)
	}
	all := slices.Collect(maps.Values(hs))
	sort.Slice(all, func(i, j int) bool { return clients[all[i].Client.ID].place < clients[all[j].Client.ID].place })
	me := &out.Me.Clinician
	me.CaseloadHealth = toHealth(rules.CaseloadHealth(slots, all))
	me.Todo = []todoItem{}
	for _, it := range rules.Todo(all) {
		me.Todo = append(me.Todo, toTodoItem(it, hs[it.ClientID], clients[it.ClientID].first))
	}
	me.Calendar = []calendarEntry{}
	for _, e := range rules.Calendar(int(clinicianID), day, all) {
		h := hs[e.Appointment.ClientID]
		entry := sessionEntry(rules, e.Appointment, h.Documents, e.Risk)
		entry.TreatmentPlanReviewDue = e.TreatmentPlanReviewDue
		if e.Caregiver != nil {
			entry.Caregiver = &struct {
				Name string `json:"name"`
			}{clients[h.Client.ID].carers[e.Caregiver.ID].Name}
		}
		entry.BackfillCandidates = []candidate{}
		for _, c := range e.Candidates[:min(len(e.Candidates), facts.CalendarCandidates)] {
			entry.BackfillCandidates = append(entry.BackfillCandidates, toCandidate(c, clients[c.ClientID].first))
		}
		me.Calendar = append(me.Calendar, entry)
	}
	for _, h := range all[:min(first, len(all))] {
		out.Clients.Edges = append(out.Clients.Edges, struct {
			Node dashClient `json:"node"`
		}{toDashClient(rules, h, clients[h.Client.ID])})
	}
	return out, nil
}

func toHealth(h caseload.Health) health {
	return health{ActiveClients: h.ActiveClients, WeeklySlots: h.WeeklySlots, ExpectedWeeklySessions: h.ExpectedWeeklySessions, Utilization: h.Utilization,
		RecommendedMin: h.RecommendedMin, RecommendedMax: h.RecommendedMax, Status: h.Status, NewClientsToRequest: h.NewClientsToRequest, Explanation: h.Explanation}
}

// toDashClient is a client of the list with every figure by the rules.
func toDashClient(rules caseload.Rules, h *caseload.History, row *dashClientRow) dashClient {
	c := dashClient{ID: scalar.EncodeID(h.Client.ID), FirstName: row.first, LastName: row.last, StrikeCount: rules.StrikeCount(h), IsMinor: rules.IsMinor(h.Client)}
	act := rules.Activity(h)
	c.DaysSinceSeen, c.DaysSinceContact, c.LastSeenAt, c.LastContactAt = act.DaysSinceSeen, act.DaysSinceContact, instantPtr(act.LastSeenAt), instantPtr(act.LastContactAt)
	if next, ok := rules.NextAppointment(h); ok {
		e := sessionEntry(rules, next, h.Documents, caseload.NoShowRisk{}).Appointment
		c.NextAppointment = &struct {
			ID             string `json:"id"`
			StartsAt       string `json:"startsAt"`
			ReminderDue    bool   `json:"reminderDue"`
			IsLateCancel   bool   `json:"isLateCancel"`
			CountsAsStrike bool   `json:"countsAsStrike"`
			NoteStatus     string `json:"noteStatus"`
			NoteOverdue    bool   `json:"noteOverdue"`
		}{e.ID, e.StartsAt, e.ReminderDue, e.IsLateCancel, e.CountsAsStrike, e.NoteStatus, e.NoteOverdue}
	}
	el := rules.BackfillEligibility(h)
	c.BackfillEligible, c.BackfillEligibility.Eligible, c.BackfillEligibility.Reasons = el.Eligible, el.Eligible, append([]string{}, el.Reasons...)
	re := rules.RecurringEligibility(h)
	c.RecurringEligibility.Eligible, c.RecurringEligibility.ConsecutiveOnTime, c.RecurringEligibility.Needed = re.Eligible, re.ConsecutiveOnTime, re.Needed
	c.RecurringEligibility.ShouldRevoke, c.RecurringEligibility.Reason = re.ShouldRevoke, re.Reason
	rec := rules.TerminationRecommendation(h)
	t := &c.TerminationRecommendation
	t.Action, t.Explanation = rec.Action, rec.Explanation
	if rec.Reason != "" {
		t.Reason = &rec.Reason
	}
	if !rec.CloseBy.IsZero() {
		by := date(rec.CloseBy)
		t.CloseBy = &by
	}
	if due, ok := rules.TreatmentPlanReviewDue(h); ok {
		d := date(rules.DateOf(due))
		c.TreatmentPlanReviewDueOn = &d
	}
	if g, ok := caseload.PrimaryCaregiver(h); ok {
		carer := row.carers[g.ID]
		c.PrimaryCaregiver = &carer
	}
	c.PaperworkDue = []paperwork{}
	for _, p := range rules.PaperworkDue(h) {
		item := paperwork{DocumentKind: p.DocumentKind, Status: p.Status, DueAt: instant(p.DueAt), Overdue: p.Overdue, Explanation: p.Explanation}
		for _, ref := range []struct {
			id  int
			dst **idOnly
		}{{p.DocumentID, &item.Document}, {p.AppointmentID, &item.Appointment}, {p.ContactID, &item.Contact}} {
			if ref.id != 0 {
				*ref.dst = &idOnly{scalar.EncodeID(ref.id)}
			}
		}
		c.PaperworkDue = append(c.PaperworkDue, item)
	}
	return c
}
