package workflow

import (
	"context"
	"strings"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts"
)

// Attendance: what happened at a session, and excusing a strike.

// AttendanceOutcome is what happened at a session that has started.
type AttendanceOutcome string

// The outcomes, spelled as the appointment statuses they set.
const (
	// OutcomeAttended: the client came (perhaps late).
	OutcomeAttended AttendanceOutcome = AttendanceOutcome(appointment.StatusATTENDED)
	// OutcomeNoShow: the client did not come and did not cancel.
	OutcomeNoShow AttendanceOutcome = AttendanceOutcome(appointment.StatusNO_SHOW)
)

// RecordAttendance records whether the client came to a session that has
// started, and for an attended one how many minutes late (nil: on time).
func (s *Service) RecordAttendance(ctx context.Context, id int, outcome AttendanceOutcome, minutesLate *int) (*ent.Appointment, error) {
	a, err := s.tx(ctx).Appointment.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.StartsAt.After(s.now()) {
		return nil, caseload.PolicyViolation("the session has not started yet")
	}
	if a.Status == appointment.StatusCANCELED {
		return nil, caseload.PolicyViolation("the session was cancelled")
	}
	update := a.Update().SetStatus(appointment.Status(outcome))
	switch {
	case outcome == OutcomeAttended:
		late := 0
		if minutesLate != nil {
			late = *minutesLate
		}
		if late < 0 || time.Duration(late)*time.Minute >= a.EndsAt.Sub(a.StartsAt) {
			return nil, caseload.Invalid("minutesLate", "must be between 0 and the session's length")
		}
		update.SetMinutesLate(late)
	case minutesLate != nil:
		return nil, caseload.Invalid("minutesLate", "only an attended session has minutes late")
	default:
		update.ClearMinutesLate()
	}
	return update.Save(ctx)
}

// ExcuseStrike excuses a no-show or late cancellation so that it is not a
// strike; the reason is kept in the record.
func (s *Service) ExcuseStrike(ctx context.Context, id int, reason string) (*ent.Appointment, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, caseload.Invalid("reason", "say why the strike is excused")
	}
	rules, err := s.facts(ctx).Rules(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.tx(ctx).Appointment.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Excused {
		return nil, caseload.PolicyViolation("the session is already excused")
	}
	if a.Status != appointment.StatusNO_SHOW && !rules.IsLateCancel(facts.Appointment(a)) {
		return nil, caseload.PolicyViolation("only a no-show or a late cancellation is a strike to excuse")
	}
	return a.Update().SetExcused(true).SetExcuseReason(reason).Save(ctx)
}
