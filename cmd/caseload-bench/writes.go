package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/database"
)

// The writes of issue 18's write target, as a clinician does them.
const (
	scheduleMutation   = `mutation Schedule($input: ScheduleAppointmentInput!) { scheduleAppointment(input: $input) { appointment { id startsAt status } userErrors { field message code } } }`
	cancelMutation     = `mutation Cancel($input: CancelAppointmentInput!) { cancelAppointment(input: $input) { appointment { id status } userErrors { field message code } } }`
	attendanceMutation = `mutation Attendance($input: RecordAttendanceInput!) { recordAttendance(input: $input) { appointment { id status } userErrors { field message code } } }`
)

// bookings are the sessions booked for cancelAppointment, in the order they
// were booked; it takes them in turn, so that every cancellation is of a
// booked session nobody else cancels.
type bookings struct {
	mu   sync.Mutex
	ids  []string
	next int
}

func (b *bookings) add(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ids = append(b.ids, id)
}

func (b *bookings) take() (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next >= len(b.ids) {
		return "", false
	}
	b.next++
	return b.ids[b.next-1], true
}

// recordedSession is a past session whose attendance is recorded: outcome
// ATTENDED (minutesLate) or NO_SHOW.
type recordedSession struct {
	id, outcome string
	minutesLate *int
}

// recordedSessions are the clinician's latest recorded sessions, up to n.
func recordedSessions(ctx context.Context, db *database.DB, clinicianID int64, now time.Time, n int) ([]recordedSession, error) {
	rows, err := db.SQL.QueryContext(ctx, dialectSQL(`SELECT id, status, minutes_late FROM appointments
		WHERE clinician_id = $1 AND status IN ('ATTENDED', 'NO_SHOW') AND starts_at < $2 ORDER BY starts_at DESC, id LIMIT $3`, db.Dialect), clinicianID, now, n)
	if err != nil {
		return nil, fmt.Errorf("recorded sessions: %w", err)
	}
	defer rows.Close()
	var out []recordedSession
	for rows.Next() {
		var (
			id   int
			s    recordedSession
			late sql.NullInt64
		)
		if err := rows.Scan(&id, &s.outcome, &late); err != nil {
			return nil, err
		}
		s.id = scalar.EncodeID(id)
		if late.Valid && s.outcome == "ATTENDED" {
			m := int(late.Int64)
			s.minutesLate = &m
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New(benchClinician + " has no recorded session")
	}
	return out, nil
}

// book books the i-th session: an hour of its own a year ahead, for an
// active client in turn, so that nobody is double-booked.
func book(ctx context.Context, a *api, f *fixtures, i int) (string, int, error) {
	start := f.bookFrom.Add(time.Duration(i) * time.Hour)
	var out struct {
		ScheduleAppointment struct{ Appointment struct{ ID string } } `json:"scheduleAppointment"`
	}
	n, err := a.do(ctx, f.clinician, scheduleMutation, map[string]any{"input": map[string]any{
		"clientID": f.activeClients[i%len(f.activeClients)],
		"startsAt": start.Format(time.RFC3339),
		"endsAt":   start.Add(50 * time.Minute).Format(time.RFC3339),
	}}, &out)
	return out.ScheduleAppointment.Appointment.ID, n, err
}

// writeOperations are the writes: scheduleAppointment books (book);
// cancelAppointment cancels sessions booked for it before each run, not
// measured, one per request it may send; recordAttendance records the
// clinician's recorded sessions again as they were, in turn (the data
// stays as generated; consecutive requests write other rows).
func writeOperations(a *api, f *fixtures) []operation {
	return []operation{
		{name: "scheduleAppointment", send: func(ctx context.Context, i int) (int, error) {
			_, n, err := book(ctx, a, f, i)
			return n, err
		}},
		{name: "cancelAppointment", prepare: func(ctx context.Context, first, n int) error {
			for i := first; i < first+n; i++ {
				id, _, err := book(ctx, a, f, i)
				if err != nil {
					return fmt.Errorf("booking the sessions to cancel: %w", err)
				}
				f.booked.add(id)
			}
			return nil
		}, send: func(ctx context.Context, _ int) (int, error) {
			id, ok := f.booked.take()
			if !ok {
				return -1, errors.New("no booked session left to cancel")
			}
			return a.do(ctx, f.clinician, cancelMutation, map[string]any{"input": map[string]any{"appointmentID": id, "by": "CLIENT"}}, nil)
		}},
		{name: "recordAttendance", send: func(ctx context.Context, i int) (int, error) {
			s := f.recorded[i%len(f.recorded)]
			input := map[string]any{"appointmentID": s.id, "outcome": s.outcome}
			if s.minutesLate != nil {
				input["minutesLate"] = *s.minutesLate
			}
			return a.do(ctx, f.clinician, attendanceMutation, map[string]any{"input": input}, nil)
		}},
	}
}
