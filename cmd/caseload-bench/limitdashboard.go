package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/caseload"
)

// limitDashboardSQL is the best single statement for the dashboard that we
// could write: the caseload's rows of limitCalendarSQL (every client with
// its facts, the day's sessions, the caregiver to contact) in last-name
// order, each with its primary caregiver, and the clinician's weekly slots
// (the clinician is the outer side: a clinician without clients still has
// a row). The handler computes the caseload's health, the To-Do, the
// calendar and every figure of the first clients with the rules, as the
// server does (CaseloadHealthOf, TodoOf, CalendarOf, and per client
// ActivityOf, NextBooked, BackfillEligibilityOf, RecurringEligibilityOf,
// TerminationRecommendationOf, TreatmentPlanReviewDueOf, PaperworkDueOf).
//
// $1 the clinician, $2 and $3 the calendar day's bounds in the practice's
// zone.
var limitDashboardSQL = `
SELECT cl.weekly_slots, ` + clientColumns("c", true) + `, ` + projectionColumns + `, ` + sessionColumns + `, g.name, pc.name, pc.phone
FROM clinicians cl LEFT JOIN ` + clientsWithFacts + `
` + daySessions + `
LEFT JOIN caregivers pc ON pc.id = f.primary_caregiver_id
WHERE cl.id = $1
ORDER BY c.last_name, c.id`

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

// dashboard runs limitDashboardSQL and the rules of the dashboard.
func (s *limitServer) dashboard(ctx context.Context, clinicianID int64, first int, day time.Time) (*dashboardData, error) {
	rules := s.rules
	rules.Now = s.now().UTC()
	rows, err := s.db.QueryContext(ctx, s.dashboardSQL, append([]any{clinicianID}, dayBounds(rules, day)...)...)
	if err != nil {
		return nil, fmt.Errorf("dashboard limit: %w", err)
	}
	defer rows.Close()
	var (
		d                  dayRows
		slots              int
		row                clientRow
		sess               sessionRow
		carer, name, phone sql.NullString
		primary            = map[int]*listCarer{}
	)
	dest := append([]any{&slots}, row.dest(append(sess.dest(), &carer, &name, &phone)...)...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("dashboard limit: %w", err)
		}
		if !row.id.Valid {
			continue // a clinician without clients
		}
		c, err := d.add(rules, &row, &sess, carer)
		if err != nil {
			return nil, fmt.Errorf("dashboard limit: %w", err)
		}
		primary[c.Client.ID] = carerOf(name, phone)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard limit: %w", err)
	}
	out := &dashboardData{}
	me := &out.Me.Clinician
	me.CaseloadHealth = toHealth(rules.CaseloadHealthOf(slots, d.clients))
	me.Todo = todoItems(rules, d.clients, d.names)
	me.Calendar = d.calendar(rules, int(clinicianID), day)
	out.Clients.TotalCount = len(d.clients)
	for _, c := range d.clients[:min(first, len(d.clients))] {
		out.Clients.Edges = append(out.Clients.Edges, struct {
			Node dashClient `json:"node"`
		}{toDashClient(rules, c, d.names[c.Client.ID], d.lastNames[c.Client.ID], primary[c.Client.ID])})
	}
	return out, nil
}

func toHealth(h caseload.Health) health {
	return health{ActiveClients: h.ActiveClients, WeeklySlots: h.WeeklySlots, ExpectedWeeklySessions: h.ExpectedWeeklySessions, Utilization: h.Utilization,
		RecommendedMin: h.RecommendedMin, RecommendedMax: h.RecommendedMax, Status: h.Status, NewClientsToRequest: h.NewClientsToRequest, Explanation: h.Explanation}
}

// toDashClient is a client of the list with every figure by the rules:
// the caseload list's, and the rest of the dashboard's.
func toDashClient(rules caseload.Rules, c caseload.ClientFacts, first, last string, carer *listCarer) dashClient {
	l, f := listFiguresOf(rules, c, first, last, carer), c.Facts
	out := dashClient{ID: l.ID, FirstName: l.FirstName, LastName: l.LastName, StrikeCount: l.StrikeCount, DaysSinceSeen: l.DaysSinceSeen,
		DaysSinceContact: l.DaysSinceContact, LastSeenAt: l.LastSeenAt, LastContactAt: l.LastContactAt,
		TreatmentPlanReviewDueOn: l.TreatmentPlanReviewDueOn, IsMinor: l.IsMinor, PrimaryCaregiver: l.PrimaryCaregiver}
	if next, ok := rules.NextBooked(f); ok {
		e := sessionEntry(rules, bookedAppointment(c.Client.ID, next), f, caseload.NoShowRisk{}).Appointment
		out.NextAppointment = &struct {
			ID             string `json:"id"`
			StartsAt       string `json:"startsAt"`
			ReminderDue    bool   `json:"reminderDue"`
			IsLateCancel   bool   `json:"isLateCancel"`
			CountsAsStrike bool   `json:"countsAsStrike"`
			NoteStatus     string `json:"noteStatus"`
			NoteOverdue    bool   `json:"noteOverdue"`
		}{e.ID, e.StartsAt, e.ReminderDue, e.IsLateCancel, e.CountsAsStrike, e.NoteStatus, e.NoteOverdue}
	}
	el := rules.BackfillEligibilityOf(c)
	out.BackfillEligible, out.BackfillEligibility.Eligible, out.BackfillEligibility.Reasons = el.Eligible, el.Eligible, append([]string{}, el.Reasons...)
	re := rules.RecurringEligibilityOf(c.Client.RecurringPrivilege, f)
	out.RecurringEligibility.Eligible, out.RecurringEligibility.ConsecutiveOnTime, out.RecurringEligibility.Needed = re.Eligible, re.ConsecutiveOnTime, re.Needed
	out.RecurringEligibility.ShouldRevoke, out.RecurringEligibility.Reason = re.ShouldRevoke, re.Reason
	t := &out.TerminationRecommendation
	t.Action, t.Reason, t.CloseBy = l.TerminationRecommendation.Action, l.TerminationRecommendation.Reason, l.TerminationRecommendation.CloseBy
	t.Explanation = l.recommendation.Explanation
	out.PaperworkDue = []paperwork{}
	for _, p := range rules.PaperworkDueOf(f) {
		item := paperwork{DocumentKind: p.DocumentKind, Status: p.Status, DueAt: instant(p.DueAt), Overdue: p.Overdue, Explanation: p.Explanation}
		for _, ref := range []struct {
			id  int
			dst **idOnly
		}{{p.DocumentID, &item.Document}, {p.AppointmentID, &item.Appointment}, {p.ContactID, &item.Contact}} {
			if ref.id != 0 {
				*ref.dst = &idOnly{scalar.EncodeID(ref.id)}
			}
		}
		out.PaperworkDue = append(out.PaperworkDue, item)
	}
	return out
}
