package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts"
)

// limitCalendarSQL is the best single statement for myCalendar that we
// could write: the clinician's caseload, each client with its row of the
// projection, its sessions of the day with the clinician that are not
// cancelled (a row per session; one without for a client who has none)
// and, for those, the name of the caregiver to contact. The handler lays
// out the day with the rules (Rules.CalendarOf: each session's figures and
// no-show risk, the review due, the caregiver of a minor, and the backfill
// candidates among the caseload, ranked), keeping the first
// facts.CalendarCandidates candidates, as the screen does.
//
// $1 the clinician, $2 and $3 the day's bounds in the practice's zone.
var limitCalendarSQL = `
SELECT ` + clientColumns("c", true) + `, ` + projectionColumns + `, ` + sessionColumns + `, g.name
FROM clinicians cl JOIN ` + clientsWithFacts + `
` + daySessions + `
WHERE cl.id = $1`

// calendarEntry is a session of myCalendar, of the GraphQL screen or of
// its limit.
type calendarEntry struct {
	Appointment struct {
		ID             string `json:"id"`
		StartsAt       string `json:"startsAt"`
		IsLateCancel   bool   `json:"isLateCancel"`
		CountsAsStrike bool   `json:"countsAsStrike"`
		ReminderDue    bool   `json:"reminderDue"`
		NoteStatus     string `json:"noteStatus"`
		NoteOverdue    bool   `json:"noteOverdue"`
	} `json:"appointment"`
	NoShowRisk struct {
		Score            float64 `json:"score"`
		RecordedSessions int     `json:"recordedSessions"`
		NoShows          int     `json:"noShows"`
		LateCancels      int     `json:"lateCancels"`
		Confirmed        bool    `json:"confirmed"`
		Explanation      string  `json:"explanation"`
	} `json:"noShowRisk"`
	TreatmentPlanReviewDue bool `json:"treatmentPlanReviewDue"`
	Caregiver              *struct {
		Name string `json:"name"`
	} `json:"caregiver"`
	BackfillCandidates []candidate `json:"backfillCandidates"`
}

// dayRows is what a statement of daySessions returns: the caseload with
// its facts, the day's sessions, and the names of the clients and of the
// caregivers to contact.
type dayRows struct {
	clients  []caseload.ClientFacts
	byID     map[int]caseload.ClientFacts
	sessions []caseload.Appointment
	// names and lastNames are the clients' first and last names.
	names, lastNames map[int]string
	// carers are the names of the caregivers to contact.
	carers map[int]string
}

// add adds a row: its client the first time, its session if it has one.
func (d *dayRows) add(rules caseload.Rules, row *clientRow, s *sessionRow, carer sql.NullString) (caseload.ClientFacts, error) {
	if d.byID == nil {
		d.byID, d.names, d.lastNames, d.carers = map[int]caseload.ClientFacts{}, map[int]string{}, map[int]string{}, map[int]string{}
	}
	c, seen := d.byID[int(row.id.Int64)]
	if !seen {
		var err error
		if c, err = row.read(rules); err != nil {
			return c, err
		}
		d.clients, d.byID[c.Client.ID] = append(d.clients, c), c
		d.names[c.Client.ID], d.lastNames[c.Client.ID] = row.first.String, row.last.String
	}
	if a, ok := s.appointment(c.Client.ID, c.Client.ClinicianID); ok {
		d.sessions = append(d.sessions, a)
	}
	if carer.Valid {
		d.carers[c.Facts.ContactCaregiverID] = carer.String
	}
	return c, nil
}

// calendar lays out the day with the rules, each session with at most
// facts.CalendarCandidates candidates.
func (d *dayRows) calendar(rules caseload.Rules, clinicianID int, day time.Time) []calendarEntry {
	out := []calendarEntry{}
	for _, e := range rules.CalendarOf(clinicianID, day, d.sessions, d.clients) {
		entry := sessionEntry(rules, e.Appointment, d.byID[e.Appointment.ClientID].Facts, e.Risk)
		entry.TreatmentPlanReviewDue = e.TreatmentPlanReviewDue
		if e.Caregiver != nil {
			entry.Caregiver = &struct {
				Name string `json:"name"`
			}{d.carers[e.Caregiver.ID]}
		}
		entry.BackfillCandidates = []candidate{}
		for _, c := range e.Candidates[:min(len(e.Candidates), facts.CalendarCandidates)] {
			entry.BackfillCandidates = append(entry.BackfillCandidates, toCandidate(c, d.names[c.ClientID]))
		}
		out = append(out, entry)
	}
	return out
}

// calendar runs limitCalendarSQL for the day (a date) and lays it out.
func (s *limitServer) calendar(ctx context.Context, clinicianID int64, day time.Time) ([]calendarEntry, error) {
	rules := s.rules
	rules.Now = s.now().UTC()
	rows, err := s.db.QueryContext(ctx, s.calendarSQL, append([]any{clinicianID}, dayBounds(rules, day)...)...)
	if err != nil {
		return nil, fmt.Errorf("calendar limit: %w", err)
	}
	defer rows.Close()
	var (
		d     dayRows
		row   clientRow
		sess  sessionRow
		carer sql.NullString
	)
	dest := row.dest(append(sess.dest(), &carer)...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("calendar limit: %w", err)
		}
		if _, err := d.add(rules, &row, &sess, carer); err != nil {
			return nil, fmt.Errorf("calendar limit: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("calendar limit: %w", err)
	}
	return d.calendar(rules, int(clinicianID), day), nil
}

// sessionEntry is a session's figures by the rules, f its client's facts.
func sessionEntry(rules caseload.Rules, a caseload.Appointment, f caseload.Facts, risk caseload.NoShowRisk) calendarEntry {
	var e calendarEntry
	ap := &e.Appointment
	ap.ID, ap.StartsAt = scalar.EncodeID(a.ID), instant(a.Start)
	ap.IsLateCancel, ap.CountsAsStrike, ap.ReminderDue = rules.IsLateCancel(a), rules.CountsAsStrike(a), rules.ReminderDue(a)
	ap.NoteStatus, ap.NoteOverdue = rules.NoteStatusOf(f, a)
	r := &e.NoShowRisk
	r.Score, r.RecordedSessions, r.NoShows, r.LateCancels, r.Confirmed, r.Explanation = risk.Score, risk.RecordedSessions, risk.NoShows, risk.LateCancels, risk.Confirmed, risk.Explanation
	return e
}
