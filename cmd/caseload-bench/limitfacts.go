package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts/history"
	"github.com/caseload/caseload/internal/facts/projection"
)

// What the limits share: a client row of their statements with its row of
// the facts projection, decoded by the projection's own decoder
// (projection.Scanner), and the rules that take facts.

// clientRow scans the columns clientColumns and projection.Columns of a
// row. Reused from row to row.
type clientRow struct {
	id, clinician                  sql.NullInt64
	status, frequency, first, last sql.NullString
	born                           sqlTime
	wantsEarlier, recurring        sql.NullBool
	availability                   []byte
	facts                          projection.Scanner
}

// dest are the scan destinations of the row's columns, then extra's.
func (r *clientRow) dest(extra ...any) []any {
	d := []any{&r.id, &r.clinician, &r.status, &r.born, &r.frequency, &r.wantsEarlier, &r.recurring, &r.first, &r.last, &r.availability}
	return append(append(d, r.facts.Dest()...), extra...)
}

// read returns the client as the rules see them, with the facts of its row
// of the projection. A row that cannot answer (none, one of another
// FactsVersion, one with a fact recorded ahead of now) is an error: where
// the server would read the client's history, the limit has no statement
// for it, and the server's start has written every client's row
// (Projection.RebuildStale) before the benchmark reads any.
func (r *clientRow) read(rules caseload.Rules) (caseload.ClientFacts, error) {
	c := caseload.Client{ID: int(r.id.Int64), ClinicianID: int(r.clinician.Int64), Status: r.status.String, DateOfBirth: r.born.Time,
		SessionFrequency: r.frequency.String, WantsEarlier: r.wantsEarlier.Bool, RecurringPrivilege: r.recurring.Bool}
	if len(r.availability) > 0 {
		if err := json.Unmarshal(r.availability, &c.Availability); err != nil {
			return caseload.ClientFacts{}, fmt.Errorf("the availability of client %d: %w", c.ID, err)
		}
	}
	stored, ok, err := r.facts.Stored()
	switch {
	case err != nil:
		return caseload.ClientFacts{}, err
	case !ok:
		return caseload.ClientFacts{}, fmt.Errorf("client %d has no row in client_facts", c.ID)
	case stored.Version != caseload.FactsVersion:
		return caseload.ClientFacts{}, fmt.Errorf("client %d's row in client_facts is of version %d, not %d", c.ID, stored.Version, caseload.FactsVersion)
	case !rules.Answers(stored.Facts):
		return caseload.ClientFacts{}, fmt.Errorf("client %d's row in client_facts cannot answer before %s", c.ID, instant(stored.SettledUntil))
	}
	return caseload.ClientFacts{Client: c, Facts: stored.Facts}, nil
}

// eachClient scans the rows into dest (row's destinations among them) and
// calls each with each row's client as row.read reads it.
func eachClient(rows *sql.Rows, dest []any, row *clientRow, rules caseload.Rules, each func(caseload.ClientFacts)) error {
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		c, err := row.read(rules)
		if err != nil {
			return err
		}
		each(c)
	}
	return rows.Err()
}

// sessionRow scans the columns sessionColumns of a row (all NULL: none).
type sessionRow struct {
	id                                              sql.NullInt64
	kind, status, canceledBy                        sql.NullString
	start, end, canceledAt, confirmedAt, reminderAt sqlTime
	excused                                         sql.NullBool
}

func (s *sessionRow) dest() []any {
	return []any{&s.id, &s.kind, &s.status, &s.start, &s.end, &s.canceledAt, &s.canceledBy, &s.excused, &s.confirmedAt, &s.reminderAt}
}

// appointment is the session as the rules see it, of the client and the
// clinician; false when the row had none.
func (s *sessionRow) appointment(clientID, clinicianID int) (caseload.Appointment, bool) {
	if !s.id.Valid {
		return caseload.Appointment{}, false
	}
	return caseload.Appointment{ID: int(s.id.Int64), ClientID: clientID, ClinicianID: clinicianID, Kind: s.kind.String, Status: s.status.String,
		Start: s.start.Time, End: s.end.Time, CanceledAt: s.canceledAt.Time, CanceledBy: s.canceledBy.String, Excused: s.excused.Bool,
		ConfirmedAt: s.confirmedAt.Time, ReminderSentAt: s.reminderAt.Time}, true
}

// bookedAppointment is a booked session of the facts as the rules see it
// (the next session of a client): its status is one of the booked ones,
// and no figure of a booked session tells SCHEDULED from CONFIRMED.
func bookedAppointment(clientID int, b caseload.BookedSession) caseload.Appointment {
	return caseload.Appointment{ID: b.ID, ClientID: clientID, Status: caseload.Scheduled, Start: b.Start, End: b.End,
		ReminderSentAt: b.ReminderSentAt, SeriesID: b.SeriesID}
}

// sessionStarts are the starts of the sessions a client's To-Do items can
// point at, by id: the booked ones (reminders, attendance to record) and
// those paperwork is due for (a DueItem's At is its session's start). The
// facts hold them, so the To-Do's limit reads no session.
func sessionStarts(f caseload.Facts, into map[int]time.Time) {
	for _, b := range f.Booked {
		into[b.ID] = b.Start
	}
	for _, d := range f.Paperwork {
		if d.AppointmentID != 0 {
			into[d.AppointmentID] = d.At
		}
	}
}

// instant and date format as the API's DateTime and Date scalars do.
func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func date(t time.Time) string { return t.Format(time.DateOnly) }

func instantPtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := instant(t)
	return &s
}

func datePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := date(t)
	return &s
}

// sqlTime scans an instant of either database as internal/facts does
// (NULL is the zero time), in UTC.
type sqlTime struct{ time.Time }

func (t *sqlTime) Scan(v any) error {
	var d history.Time
	if err := d.Scan(v); err != nil {
		return err
	}
	t.Time = d.UTC()
	return nil
}
