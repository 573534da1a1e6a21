package main

import (
	"context"
	"fmt"
	"time"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts"
)

// limitCalendarSQL is the best single statement for myCalendar that we
// could write: the clinician's sessions of the day that are not cancelled,
// each with the facts of its figures (its note, the client's recorded
// sessions, no-shows and late cancels, the last signed plan, the caregiver
// to contact), joined to the clients on the backfill list who are free for
// its slot (one row per session and candidate; none for a session that is
// not booked). The handler ranks the candidates with the rules and keeps
// the first facts.CalendarCandidates, as the screen does.
//
// $1 the clinician, $2 now, $3 the strike limit, $4 the late-cancel
// window in hours, $5 and $6 the day's bounds in the practice's zone.
var limitCalendarSQL = `
WITH ` + backfillList("$1") + `,
page AS (
  SELECT a.id AS sid, a.client_id AS id, a.kind, a.status, a.starts_at, a.ends_at, a.canceled_at, a.canceled_by, a.excused,
    a.confirmed_at, a.reminder_sent_at, c.date_of_birth
  FROM appointments a JOIN clients c ON c.id = a.client_id AND c.clinician_id = $1
  WHERE a.clinician_id = $1 AND a.starts_at >= $5 AND a.starts_at < $6 AND a.status <> 'CANCELED'
),
cur AS (SELECT p.*, ` + currentEpisode("page") + `),
sess AS MATERIALIZED (
  SELECT s.*,
    EXISTS (SELECT 1 FROM documents d WHERE d.appointment_id = s.sid AND d.status = 'SIGNED'
      AND d.kind = CASE WHEN s.kind = 'INTAKE' THEN 'INTAKE' ELSE 'PROGRESS_NOTE' END) AS note_signed,
    EXISTS (SELECT 1 FROM documents d WHERE d.appointment_id = s.sid
      AND d.kind = CASE WHEN s.kind = 'INTAKE' THEN 'INTAKE' ELSE 'PROGRESS_NOTE' END) AS note_drafted,
    (SELECT COUNT(*) FROM appointments a WHERE a.client_id = s.id AND ` + recordedSQL + `) AS recorded,
    (SELECT COUNT(*) FROM appointments a WHERE a.client_id = s.id AND ` + recordedSQL + ` AND a.status = 'NO_SHOW') AS no_shows,
    (SELECT COUNT(*) FROM appointments a WHERE a.client_id = s.id AND ` + recordedSQL + `
      AND a.status = 'CANCELED' AND a.canceled_by = 'CLIENT' AND a.canceled_at IS NOT NULL AND LATE_CANCEL) AS late_cancels,
    ` + lastPlanSQL + ` AS last_plan,
    cg.name AS carer
  FROM cur s FIRST_ROW(caregivers cg: x.client_id = s.id AND x.consent_to_contact ORDER BY x.is_primary DESC, x.id)
)
SELECT s.sid, s.id, s.kind, s.status, s.starts_at, s.ends_at, s.canceled_at, s.canceled_by, s.excused, s.confirmed_at, s.reminder_sent_at,
  s.date_of_birth, s.ep_opened, s.ep_closed, s.note_signed, s.note_drafted, s.recorded, s.no_shows, s.late_cancels, s.last_plan, s.carer,
  l.id, l.first_name, l.availability, l.ep_opened, l.ep_closed, l.last_seen, l.strikes, l.next_at
FROM sess s LEFT JOIN listed l ON s.status IN ('SCHEDULED', 'CONFIRMED') AND l.id <> s.id AND ` + freeFor("s.starts_at", "s.ends_at") + `
ORDER BY s.starts_at, s.sid, l.id`

// recordedSQL: the session a is a recorded one of its client (past, not
// booked, not cancelled by the practice), as the no-show risk counts.
const recordedSQL = `a.starts_at <= $2 AND a.status NOT IN ('SCHEDULED', 'CONFIRMED') AND (a.status <> 'CANCELED' OR a.canceled_by = 'CLIENT')`

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

// calendar runs limitCalendarSQL for the day (a date) and derives each
// session's figures and ranked candidates with the rules.
func (s *limitServer) calendar(ctx context.Context, clinicianID int64, day time.Time) ([]calendarEntry, error) {
	rules := s.rules
	rules.Now = s.now().UTC()
	args := append([]any{clinicianID, rules.Now, rules.Policy.StrikeLimit, rules.Policy.LateCancelWindowHours}, dayBounds(rules, day)...)
	rows, err := s.db.QueryContext(ctx, s.calendarSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("calendar limit: %w", err)
	}
	defer rows.Close()
	var (
		out    []calendarEntry
		ranked [][]caseload.Candidate
		names  = map[int]string{}
		last   = -1
		slot   caseload.Slot
	)
	for rows.Next() {
		var (
			a                                       caseload.Appointment
			canceledBy                              *string
			startsAt, endsAt, canceledAt            sqlTime
			confirmedAt, reminderAt, dob, plan      sqlTime
			opened, closed, cOpened, cClosed, cSeen sqlTime
			cNext                                   sqlTime
			noteSigned, noteDrafted                 bool
			recorded, noShows, lateCancels          int
			carer, cName                            *string
			cID, cStrikes                           *int
			availability                            []byte
		)
		if err := rows.Scan(&a.ID, &a.ClientID, &a.Kind, &a.Status, &startsAt, &endsAt, &canceledAt, &canceledBy, &a.Excused, &confirmedAt, &reminderAt,
			&dob, &opened, &closed, &noteSigned, &noteDrafted, &recorded, &noShows, &lateCancels, &plan, &carer,
			&cID, &cName, &availability, &cOpened, &cClosed, &cSeen, &cStrikes, &cNext); err != nil {
			return nil, fmt.Errorf("calendar limit: %w", err)
		}
		if a.ID != last {
			last = a.ID
			a.Start, a.End, a.CanceledAt, a.ConfirmedAt, a.ReminderSentAt = startsAt.Time, endsAt.Time, canceledAt.Time, confirmedAt.Time, reminderAt.Time
			a.ClinicianID, a.NoteSigned = int(clinicianID), noteSigned
			if canceledBy != nil {
				a.CanceledBy = *canceledBy
			}
			slot = caseload.Slot{ClinicianID: int(clinicianID), Start: a.Start, End: a.End}
			e := sessionEntry(rules, a, draftNote(a, noteDrafted), rules.RiskFrom(recorded, noShows, lateCancels, a))
			open := !opened.IsZero() && closed.IsZero()
			e.TreatmentPlanReviewDue = open && !plan.IsZero() && !rules.DateOf(rules.ReviewDueAfter(plan.Time)).After(day)
			if carer != nil && rules.IsMinor(caseload.Client{DateOfBirth: dob.Time}) {
				e.Caregiver = &struct {
					Name string `json:"name"`
				}{*carer}
			}
			out, ranked = append(out, e), append(ranked, nil)
		}
		if cID == nil {
			continue
		}
		c, ok, err := listedCandidate(rules, slot, *cID, *cStrikes, availability, cOpened.Time, cClosed.Time, cSeen.Time, cNext.Time)
		if err != nil {
			return nil, fmt.Errorf("calendar limit: %w", err)
		}
		if ok {
			ranked[len(ranked)-1] = append(ranked[len(ranked)-1], c)
		}
		names[*cID] = *cName
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("calendar limit: %w", err)
	}
	for i, cs := range ranked {
		caseload.RankCandidates(cs)
		out[i].BackfillCandidates = []candidate{}
		for _, c := range cs[:min(len(cs), facts.CalendarCandidates)] {
			out[i].BackfillCandidates = append(out[i].BackfillCandidates, toCandidate(c, names[c.ClientID]))
		}
	}
	return out, nil
}

// draftNote stands for a session's documents when the statement says only
// whether a note of it is drafted: a draft of its kind, or none.
func draftNote(a caseload.Appointment, drafted bool) []caseload.Document {
	if !drafted || a.NoteSigned {
		return nil
	}
	return []caseload.Document{{Kind: caseload.NoteKind(a), Status: caseload.Draft, AppointmentID: a.ID}}
}

// sessionEntry is a session's figures by the rules, docs the client's
// documents.
func sessionEntry(rules caseload.Rules, a caseload.Appointment, docs []caseload.Document, risk caseload.NoShowRisk) calendarEntry {
	var e calendarEntry
	ap := &e.Appointment
	ap.ID, ap.StartsAt = scalar.EncodeID(a.ID), instant(a.Start)
	ap.IsLateCancel, ap.CountsAsStrike, ap.ReminderDue = rules.IsLateCancel(a), rules.CountsAsStrike(a), rules.ReminderDue(a)
	ap.NoteStatus, ap.NoteOverdue = rules.NoteStatus(a, docs)
	r := &e.NoShowRisk
	r.Score, r.RecordedSessions, r.NoShows, r.LateCancels, r.Confirmed, r.Explanation = risk.Score, risk.RecordedSessions, risk.NoShows, risk.LateCancels, risk.Confirmed, risk.Explanation
	return e
}
