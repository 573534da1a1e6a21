package graph

import (
	"context"
	"strings"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/viewer"
	"github.com/caseload/caseload/internal/workflow"
)

// The scheduling workflows. Each runs in the mutation's transaction; the
// appointment hook (and PostgreSQL's exclusion constraints) refuse double
// bookings, which reach the client as CONFLICT.

func (r *Resolver) scheduleAppointment(ctx context.Context, in model.ScheduleAppointmentInput) (*ent.Appointment, error) {
	tx := ent.FromContext(ctx)
	v := viewer.FromContext(ctx)
	if err := caseload.CheckSessionTimes(in.StartsAt, in.EndsAt); err != nil {
		return nil, err
	}
	c, err := tx.ClientProfile.Get(ctx, in.ClientID)
	if err != nil {
		return nil, err
	}
	backEntry := !in.StartsAt.After(r.now())
	switch {
	case backEntry && !v.IsAdmin():
		return nil, caseload.PolicyViolation("the session starts in the past: only an admin enters past sessions")
	case c.Status != clientprofile.StatusACTIVE && !backEntry:
		return nil, caseload.PolicyViolation("the client is %s: only ACTIVE clients are booked (assign or reopen the case first)", c.Status)
	}
	clinicianID := in.ClinicianID
	if clinicianID == nil {
		clinicianID = c.ClinicianID
	}
	if clinicianID == nil {
		return nil, caseload.Invalid("clinicianID", "the client has no clinician: name one")
	}
	create := tx.Appointment.Create().
		SetClientID(c.ID).
		SetClinicianID(*clinicianID).
		SetStartsAt(in.StartsAt).
		SetEndsAt(in.EndsAt)
	if in.Kind != nil {
		create.SetKind(*in.Kind)
	}
	ep, err := workflow.OpenEpisode(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	if ep != nil {
		create.SetEpisodeID(ep.ID)
	}
	return create.Save(ctx)
}

// bookedFuture returns a session that is still booked and has not started.
func (r *Resolver) bookedFuture(ctx context.Context, id int, what string) (*ent.Appointment, error) {
	a, err := ent.FromContext(ctx).Appointment.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Status != appointment.StatusSCHEDULED && a.Status != appointment.StatusCONFIRMED {
		return nil, caseload.PolicyViolation("the session is %s: only a booked session can be %s", a.Status, what)
	}
	if !a.StartsAt.After(r.now()) {
		return nil, caseload.PolicyViolation("the session has started: record attendance instead")
	}
	return a, nil
}

func (r *Resolver) rescheduleAppointment(ctx context.Context, id int, start, end time.Time) (*ent.Appointment, error) {
	if err := caseload.CheckSessionTimes(start, end); err != nil {
		return nil, err
	}
	if !start.After(r.now()) {
		return nil, caseload.Invalid("startsAt", "must be in the future")
	}
	a, err := r.bookedFuture(ctx, id, "rescheduled")
	if err != nil {
		return nil, err
	}
	return a.Update().
		SetStartsAt(start).
		SetEndsAt(end).
		SetStatus(appointment.StatusSCHEDULED).
		ClearConfirmedAt().
		ClearReminderSentAt().
		ClearReminderChannel().
		Save(ctx)
}

func (r *Resolver) cancelAppointment(ctx context.Context, id int, by appointment.CanceledBy, reason *string) (*ent.Appointment, error) {
	a, err := r.bookedFuture(ctx, id, "cancelled")
	if err != nil {
		return nil, err
	}
	update := a.Update().
		SetStatus(appointment.StatusCANCELED).
		SetCanceledBy(by).
		SetCanceledAt(r.now())
	if reason != nil && strings.TrimSpace(*reason) != "" {
		update.SetCancelReason(strings.TrimSpace(*reason))
	}
	return update.Save(ctx)
}

func (r *Resolver) recordAttendance(ctx context.Context, id int, outcome model.AttendanceOutcome, minutesLate *int) (*ent.Appointment, error) {
	a, err := ent.FromContext(ctx).Appointment.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.StartsAt.After(r.now()) {
		return nil, caseload.PolicyViolation("the session has not started yet")
	}
	if a.Status == appointment.StatusCANCELED {
		return nil, caseload.PolicyViolation("the session was cancelled")
	}
	update := a.Update().SetStatus(appointment.Status(outcome))
	switch {
	case outcome == model.AttendanceOutcomeAttended:
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

func (r *Resolver) excuseStrike(ctx context.Context, id int, reason string) (*ent.Appointment, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, caseload.Invalid("reason", "say why the strike is excused")
	}
	f := r.facts(ctx)
	rules, err := f.Rules(ctx)
	if err != nil {
		return nil, err
	}
	a, err := ent.FromContext(ctx).Appointment.Get(ctx, id)
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
