package workflow

import (
	"context"
	"strings"
	"time"

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
	return bookInOpenEpisode(ctx, tx, create, c.ID)
}

// bookedFuture returns a session that is still booked and has not started;
// what says what the caller would do to it, for the refusal.
func (s *Service) bookedFuture(ctx context.Context, id int, what string) (*ent.Appointment, error) {
	a, err := s.tx(ctx).Appointment.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Status != appointment.StatusSCHEDULED && a.Status != appointment.StatusCONFIRMED {
		return nil, caseload.PolicyViolation("the session is %s: only a booked session can be %s", a.Status, what)
	}
	if !a.StartsAt.After(s.now()) {
		return nil, caseload.PolicyViolation("the session has started: record attendance instead")
	}
	return a, nil
}

// RescheduleAppointment moves a booked future session; its confirmation
// and reminder start over.
func (s *Service) RescheduleAppointment(ctx context.Context, id int, startsAt, endsAt time.Time) (*ent.Appointment, error) {
	if err := caseload.CheckSessionTimes(startsAt, endsAt); err != nil {
		return nil, err
	}
	if !startsAt.After(s.now()) {
		return nil, caseload.Invalid("startsAt", "must be in the future")
	}
	a, err := s.bookedFuture(ctx, id, "rescheduled")
	if err != nil {
		return nil, err
	}
	return a.Update().
		SetStartsAt(startsAt).
		SetEndsAt(endsAt).
		SetStatus(appointment.StatusSCHEDULED).
		ClearConfirmedAt().
		ClearReminderSentAt().
		ClearReminderChannel().
		Save(ctx)
}

// CancelAppointment cancels a booked future session. Whether a client's
// cancellation is late (a strike) the rules decide from the policy when
// they read it.
func (s *Service) CancelAppointment(ctx context.Context, id int, by appointment.CanceledBy, reason *string) (*ent.Appointment, error) {
	a, err := s.bookedFuture(ctx, id, "cancelled")
	if err != nil {
		return nil, err
	}
	update := a.Update().
		SetStatus(appointment.StatusCANCELED).
		SetCanceledBy(by).
		SetCanceledAt(s.now())
	if reason != nil && strings.TrimSpace(*reason) != "" {
		update.SetCancelReason(strings.TrimSpace(*reason))
	}
	return update.Save(ctx)
}

// ConfirmAppointment records that the client confirmed a booked future
// session.
func (s *Service) ConfirmAppointment(ctx context.Context, id int) (*ent.Appointment, error) {
	a, err := s.bookedFuture(ctx, id, "confirmed")
	if err != nil {
		return nil, err
	}
	return a.Update().SetStatus(appointment.StatusCONFIRMED).SetConfirmedAt(s.now()).Save(ctx)
}
