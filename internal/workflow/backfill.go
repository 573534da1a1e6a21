package workflow

import (
	"context"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/internal/caseload"
)

// The backfill list: who wants an earlier slot, and filling a freed one.

// SetBackfillPreferenceInput is a client's place on the backfill list.
type SetBackfillPreferenceInput struct {
	// ClientID is the client.
	ClientID int
	// WantsEarlier is whether they want an earlier slot.
	WantsEarlier bool
	// Availability is the weekly windows in which they can come; none:
	// any time.
	Availability []*caseload.AvailabilityWindow
}

// SetBackfillPreference puts a client on (or takes them off) the backfill
// list, with the weekly windows in which they can come (none: any time).
// Every refusal is reported at once, each bad window by its index, before
// anything is written.
func (s *Service) SetBackfillPreference(ctx context.Context, in SetBackfillPreferenceInput) (*ent.ClientProfile, error) {
	if err := s.mayChangeClient(ctx, "clientID", in.ClientID); err != nil {
		return nil, err
	}
	var refused caseload.Collector
	windows := make([]caseload.AvailabilityWindow, 0, len(in.Availability))
	for i, w := range in.Availability {
		for _, e := range caseload.Refusals(w.Validate()) {
			refused.Refuse(e.In("availability", i))
		}
		windows = append(windows, *w)
	}
	tx := s.tx(ctx)
	if _, err := tx.ClientProfile.Get(ctx, in.ClientID); ent.IsNotFound(err) {
		refused.Refuse(caseload.NotFound().At("clientID"))
	} else if err != nil {
		return nil, err
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	return tx.ClientProfile.UpdateOneID(in.ClientID).
		SetWantsEarlierAppointment(in.WantsEarlier).
		SetAvailability(windows).
		Save(ctx)
}

// FillSlotInput is a freed slot to fill from the backfill list.
type FillSlotInput struct {
	// CanceledAppointmentID is the cancelled session whose slot to fill.
	CanceledAppointmentID int
	// ClientID is the client to book: eligible for the slot.
	ClientID int
	// KeepLaterAppointment keeps the client's later session too.
	KeepLaterAppointment bool
}

// FilledSlot is a freed slot filled. The audit log names the first record
// field of a payload, so Appointment stays first.
type FilledSlot struct {
	// Appointment is the session booked into the slot.
	Appointment *ent.Appointment
	// CanceledAppointment is the cancelled session whose slot it took.
	CanceledAppointment *ent.Appointment
	// LaterAppointment is the client's later session, now cancelled; nil
	// when it was kept or there was none.
	LaterAppointment *ent.Appointment
}

// slotRefusal is the message of a bar to taking a slot.
const slotRefusal = "the client cannot take this slot: %s"

// FillSlot books an eligible client into a cancelled session's slot and
// links the two. The client's later session is cancelled (by CLIENT, never
// a strike) unless KeepLaterAppointment. Every refusal is reported at once
// before anything is written: each bar of the rules separately, on
// clientID, and a double booking as CONFLICT.
func (s *Service) FillSlot(ctx context.Context, in FillSlotInput) (*FilledSlot, error) {
	tx := s.tx(ctx)
	f := s.facts(ctx)
	rules, err := f.Rules(ctx)
	if err != nil {
		return nil, err
	}
	var refused caseload.Collector
	freed, err := s.appointmentAt(ctx, &refused, in.CanceledAppointmentID, "canceledAppointmentID")
	if err != nil {
		return nil, err
	}
	fillable := false
	if freed != nil {
		switch {
		case freed.Status != appointment.StatusCANCELED:
			refused.Refuse(caseload.PolicyViolation("the session is %s: only a cancelled session's slot can be filled", freed.Status).At("canceledAppointmentID"))
		case !freed.StartsAt.After(s.now()):
			refused.Refuse(caseload.PolicyViolation("the slot has passed").At("canceledAppointmentID"))
		default:
			fillable = true
			taken, err := freed.QueryFilledBy().Exist(ctx)
			if err != nil {
				return nil, err
			}
			if taken {
				refused.Refuse(caseload.Conflict("the slot has already been filled").At("canceledAppointmentID"))
			}
		}
	}
	h, err := f.History(ctx, in.ClientID)
	switch {
	case caseload.ErrorCode(err) == caseload.CodeNotFound:
		refused.Refuse(caseload.NotFound().At("clientID"))
	case err != nil:
		return nil, err
	case fillable:
		// The client's bars are about this slot: asked of a slot that can
		// be filled only.
		slot := caseload.Slot{ClinicianID: freed.ClinicianID, Start: freed.StartsAt, End: freed.EndsAt}
		for _, reason := range rules.BackfillForSlot(h, slot).Reasons {
			if reason == caseload.ReasonBookedThen {
				refused.Refuse(caseload.Conflict(slotRefusal, reason))
				continue
			}
			refused.Refuse(caseload.PolicyViolation(slotRefusal, reason).At("clientID"))
		}
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	next, hasNext := rules.NextAppointment(h)
	create := tx.Appointment.Create().
		SetClientID(in.ClientID).
		SetClinicianID(freed.ClinicianID).
		SetStartsAt(freed.StartsAt).
		SetEndsAt(freed.EndsAt).
		SetKind(freed.Kind).
		SetFilledFromID(freed.ID)
	booked, err := bookInEpisode(ctx, tx, create, in.ClientID)
	if err != nil {
		return nil, err
	}
	filled := &FilledSlot{Appointment: booked, CanceledAppointment: freed}
	if hasNext && !in.KeepLaterAppointment {
		// The client gave up their later session for the earlier one: a
		// client cancellation that is never a strike, however close.
		filled.LaterAppointment, err = tx.Appointment.UpdateOneID(next.ID).
			SetStatus(appointment.StatusCANCELED).
			SetCanceledBy(appointment.CanceledByCLIENT).
			SetCanceledAt(s.now()).
			SetCancelReason("moved to an earlier slot from the backfill list").
			SetExcused(true).
			SetExcuseReason("moved to an earlier slot from the backfill list").
			Save(ctx)
		if err != nil {
			return nil, err
		}
	}
	return filled, nil
}
