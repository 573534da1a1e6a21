package workflow

import (
	"context"
	"strings"
	"time"

	entgo "entgo.io/ent"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// The scheduling workflows. Each runs in the mutation's transaction; the
// appointment hook (and PostgreSQL's exclusion constraints) refuse double
// bookings, which reach the caller as CONFLICT.

// ScheduleAppointmentInput is a session to book.
type ScheduleAppointmentInput struct {
	// ClientID is the client to see: ACTIVE, unless an admin back-enters
	// a past session.
	ClientID int
	// ClinicianID is the clinician; nil for the client's own.
	ClinicianID *int
	// StartsAt is the start, in the future unless an admin back-enters
	// history.
	StartsAt time.Time
	// EndsAt is the end, after the start.
	EndsAt time.Time
	// Kind is what the session is for; nil for THERAPY.
	Kind *appointment.Kind
}

// ScheduleAppointment books a session into the client's open episode.
// Every refusal of the input is reported at once (caseload.Errors), each
// on its field, before anything is written; a double booking is refused
// by the write itself, with CONFLICT.
func (s *Service) ScheduleAppointment(ctx context.Context, in ScheduleAppointmentInput) (*ent.Appointment, error) {
	tx := s.tx(ctx)
	v := viewer.FromContext(ctx)
	if err := s.mayChangeClient(ctx, "clientID", in.ClientID); err != nil {
		return nil, err
	}
	var refused caseload.Collector
	if err := refused.Check(caseload.CheckSessionTimes(in.StartsAt, in.EndsAt)); err != nil {
		return nil, err
	}
	backEntry := !in.StartsAt.After(s.now())
	if backEntry && !v.IsAdmin() {
		refused.Refuse(caseload.PolicyViolation("the session starts in the past: only an admin enters past sessions").At("startsAt"))
	}
	c, err := tx.ClientProfile.Get(ctx, in.ClientID)
	switch {
	case ent.IsNotFound(err):
		refused.Refuse(caseload.NotFound().At("clientID"))
	case err != nil:
		return nil, err
	case c.Status != clientprofile.StatusACTIVE && !backEntry:
		refused.Refuse(caseload.PolicyViolation("the client is %s: only ACTIVE clients are booked (assign or reopen the case first)", c.Status).At("clientID"))
	}
	// A clinician the caller may not book is refused by the write's
	// privacy rule, as one that exists nowhere is: the two read the same.
	clinicianID := in.ClinicianID
	if clinicianID == nil && c != nil {
		clinicianID = c.ClinicianID
		if clinicianID == nil {
			refused.Refuse(caseload.Invalid("clinicianID", "the client has no clinician: name one"))
		}
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	create := tx.Appointment.Create().
		SetClientID(c.ID).
		SetClinicianID(*clinicianID).
		SetStartsAt(in.StartsAt).
		SetEndsAt(in.EndsAt)
	if in.Kind != nil {
		create.SetKind(*in.Kind)
	}
	return bookInEpisode(ctx, tx, create, c.ID)
}

// appointmentAt loads the session an input names by id; one that does not
// exist, or that the caller may not see, is refused as NOT_FOUND on field
// (the two read the same) and is nil.
func (s *Service) appointmentAt(ctx context.Context, refused *caseload.Collector, id int, field string) (*ent.Appointment, error) {
	a, err := s.tx(ctx).Appointment.Get(ctx, id)
	switch {
	case ent.IsNotFound(err):
		refused.Refuse(caseload.NotFound().At(field))
		return nil, nil
	case err != nil:
		return nil, err
	}
	if err := s.mayChangeClient(ctx, field, a.ClientID); err != nil {
		return nil, err
	}
	return a, nil
}

// bookedFuture loads the session of appointmentID and refuses it on that
// field unless it is still booked and has not started; what says what the
// caller would do to it, for the refusal. The session is nil only when it
// is not found.
func (s *Service) bookedFuture(ctx context.Context, refused *caseload.Collector, id int, what string) (*ent.Appointment, error) {
	a, err := s.appointmentAt(ctx, refused, id, "appointmentID")
	if a == nil {
		return nil, err
	}
	switch {
	case a.Status != appointment.StatusSCHEDULED && a.Status != appointment.StatusCONFIRMED:
		refused.Refuse(caseload.PolicyViolation("the session is %s: only a booked session can be %s", a.Status, what).At("appointmentID"))
	case !a.StartsAt.After(s.now()):
		refused.Refuse(caseload.PolicyViolation("the session has started: record attendance instead").At("appointmentID"))
	}
	return a, nil
}

// RescheduleAppointmentInput is a booked session to move.
type RescheduleAppointmentInput struct {
	// AppointmentID is the session: booked, and not started.
	AppointmentID int
	// StartsAt is the new start, in the future.
	StartsAt time.Time
	// EndsAt is the new end, after the start.
	EndsAt time.Time
	// RequestedBy is who asked to move it; nil for the client (DefaultRescheduledBy).
	RequestedBy *appointment.RescheduledBy
}

// DefaultRescheduledBy is who asked for a reschedule when the caller does
// not say: the client. The policy earns a recurring series "without
// rescheduling/cancellations"; SPEC rule 5 exempts a move the clinician or
// the practice asked for, as it exempts their cancellations, so a caller
// that says nothing gets the policy's plain reading, and one that moves a
// session for the clinician's or the practice's reasons says so.
const DefaultRescheduledBy = appointment.RescheduledByCLIENT

// RescheduleAppointment moves a booked future session in place (same
// record, new times); its confirmation and reminder start over, and it is
// filed in the episode of its new start. It records who asked: once the
// client asked for any move of the session it stays CLIENT, since that
// breaks the on-time streak of rule 5 whatever moves follow. Every refusal
// of the input is reported at once, before anything is written; a double
// booking is refused by the write itself, with CONFLICT.
func (s *Service) RescheduleAppointment(ctx context.Context, in RescheduleAppointmentInput) (*ent.Appointment, error) {
	var refused caseload.Collector
	if err := refused.Check(caseload.CheckSessionTimes(in.StartsAt, in.EndsAt)); err != nil {
		return nil, err
	}
	if !in.StartsAt.After(s.now()) {
		refused.Refuse(caseload.Invalid("startsAt", "must be in the future"))
	}
	a, err := s.bookedFuture(ctx, &refused, in.AppointmentID, "rescheduled")
	if err != nil {
		return nil, err
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	by := DefaultRescheduledBy
	if in.RequestedBy != nil {
		by = *in.RequestedBy
	}
	if a.RescheduledBy != nil && *a.RescheduledBy == appointment.RescheduledByCLIENT {
		by = appointment.RescheduledByCLIENT
	}
	update := a.Update().
		SetStartsAt(in.StartsAt).
		SetEndsAt(in.EndsAt).
		SetStatus(appointment.StatusSCHEDULED).
		SetRescheduledBy(by).
		ClearConfirmedAt().
		ClearReminderSentAt().
		ClearReminderChannel()
	if err := refile(ctx, s.tx(ctx), a, update); err != nil {
		return nil, err
	}
	return update.Save(ctx)
}

// CancelAppointmentInput is a booked session to cancel.
type CancelAppointmentInput struct {
	// AppointmentID is the session: booked, and not started.
	AppointmentID int
	// By is who cancelled.
	By appointment.CanceledBy
	// Reason is why; nil or blank for none.
	Reason *string
}

// CancelAppointment cancels a booked future session. Whether a client's
// cancellation is late (a strike) the rules decide from the policy when
// they read it. Every refusal of the input is reported at once, before
// anything is written.
func (s *Service) CancelAppointment(ctx context.Context, in CancelAppointmentInput) (*ent.Appointment, error) {
	var refused caseload.Collector
	if _, err := s.bookedFuture(ctx, &refused, in.AppointmentID, "cancelled"); err != nil {
		return nil, err
	}
	update := s.tx(ctx).Appointment.UpdateOneID(in.AppointmentID).
		SetStatus(appointment.StatusCANCELED).
		SetCanceledBy(in.By).
		SetCanceledAt(s.now())
	if in.Reason != nil && strings.TrimSpace(*in.Reason) != "" {
		update.SetCancelReason(strings.TrimSpace(*in.Reason))
	}
	checkFieldsAs(&refused, update.Mutation(), map[string]string{"cancelReason": "reason"})
	if err := refused.Err(); err != nil {
		return nil, err
	}
	return update.Save(ctx)
}

// ConfirmAppointmentInput is a booked session the client confirmed.
type ConfirmAppointmentInput struct {
	// AppointmentID is the session: booked, and not started.
	AppointmentID int
}

// ConfirmAppointment records that the client confirmed a booked future
// session.
func (s *Service) ConfirmAppointment(ctx context.Context, in ConfirmAppointmentInput) (*ent.Appointment, error) {
	var refused caseload.Collector
	a, err := s.bookedFuture(ctx, &refused, in.AppointmentID, "confirmed")
	if err != nil {
		return nil, err
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	return a.Update().SetStatus(appointment.StatusCONFIRMED).SetConfirmedAt(s.now()).Save(ctx)
}

// checkFieldsAs is checkFields for an input whose fields are not named as
// the columns they set: names maps the column's API name ("cancelReason")
// to the input's ("reason"), for the refusal's field and message.
func checkFieldsAs(c *caseload.Collector, m entgo.Mutation, names map[string]string) {
	var found caseload.Collector
	checkFields(&found, m)
	for _, e := range caseload.Refusals(found.Err()) {
		if name, ok := names[e.Field]; ok {
			rest, _ := strings.CutPrefix(e.Message, e.Field+": ")
			e = &caseload.Error{Code: e.Code, Field: name, Message: name + ": " + rest}
		}
		c.Refuse(e)
	}
}
