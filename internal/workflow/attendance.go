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

// RecordAttendanceInput is what happened at a session that has started.
type RecordAttendanceInput struct {
	// AppointmentID is the session: started, and not cancelled.
	AppointmentID int
	// Outcome is what happened.
	Outcome AttendanceOutcome
	// MinutesLate is, for ATTENDED, how late the client arrived (nil: on
	// time); nil for a no-show.
	MinutesLate *int
}

// RecordAttendance records whether the client came to a session that has
// started, and for an attended one how many minutes late (nil: on time).
// Every refusal of the input is reported at once, before anything is
// written.
func (s *Service) RecordAttendance(ctx context.Context, in RecordAttendanceInput) (*ent.Appointment, error) {
	var refused caseload.Collector
	a, err := s.appointmentAt(ctx, &refused, in.AppointmentID, "appointmentID")
	if err != nil {
		return nil, err
	}
	if a != nil {
		switch {
		case a.StartsAt.After(s.now()):
			refused.Refuse(caseload.PolicyViolation("the session has not started yet").At("appointmentID"))
		case a.Status == appointment.StatusCANCELED:
			refused.Refuse(caseload.PolicyViolation("the session was cancelled").At("appointmentID"))
		}
	}
	late := 0
	switch {
	case in.Outcome == OutcomeAttended:
		if in.MinutesLate != nil {
			late = *in.MinutesLate
		}
		// Without the session its length is unknown: only the sign is checked.
		if late < 0 || a != nil && time.Duration(late)*time.Minute >= a.EndsAt.Sub(a.StartsAt) {
			refused.Refuse(caseload.Invalid("minutesLate", "must be between 0 and the session's length"))
		}
	case in.MinutesLate != nil:
		refused.Refuse(caseload.Invalid("minutesLate", "only an attended session has minutes late"))
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	update := a.Update().SetStatus(appointment.Status(in.Outcome))
	if in.Outcome == OutcomeAttended {
		update.SetMinutesLate(late)
	} else {
		update.ClearMinutesLate()
	}
	return update.Save(ctx)
}

// ExcuseStrikeInput is a strike to excuse.
type ExcuseStrikeInput struct {
	// AppointmentID is the session: a no-show or a late cancellation not
	// yet excused.
	AppointmentID int
	// Reason is why it is excused, kept in the record.
	Reason string
}

// ExcuseStrike excuses a no-show or late cancellation so that it is not a
// strike; the reason is kept in the record. Every refusal of the input is
// reported at once, before anything is written.
func (s *Service) ExcuseStrike(ctx context.Context, in ExcuseStrikeInput) (*ent.Appointment, error) {
	var refused caseload.Collector
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		refused.Refuse(caseload.Invalid("reason", "say why the strike is excused"))
	}
	rules, err := s.facts(ctx).Rules(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.appointmentAt(ctx, &refused, in.AppointmentID, "appointmentID")
	if err != nil {
		return nil, err
	}
	if a != nil {
		switch {
		case a.Excused:
			refused.Refuse(caseload.PolicyViolation("the session is already excused").At("appointmentID"))
		case a.Status != appointment.StatusNO_SHOW && !rules.IsLateCancel(facts.Appointment(a)):
			refused.Refuse(caseload.PolicyViolation("only a no-show or a late cancellation is a strike to excuse").At("appointmentID"))
		}
	}
	update := s.tx(ctx).Appointment.UpdateOneID(in.AppointmentID).SetExcused(true)
	if reason != "" {
		update.SetExcuseReason(reason)
		checkFieldsAs(&refused, update.Mutation(), map[string]string{"excuseReason": "reason"})
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	return update.Save(ctx)
}
