package workflow

import (
	"context"
	"strings"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/internal/caseload"
)

// The backfill list: who wants an earlier slot, and filling a freed one.

// SetBackfillPreference puts a client on (or takes them off) the backfill
// list, with the weekly windows in which they can come (none: any time).
func (s *Service) SetBackfillPreference(ctx context.Context, clientID int, wantsEarlier bool, availability []*caseload.AvailabilityWindow) (*ent.ClientProfile, error) {
	windows := make([]caseload.AvailabilityWindow, 0, len(availability))
	for _, w := range availability {
		if err := w.Validate(); err != nil {
			return nil, caseload.Invalid("availability", "%v", err)
		}
		windows = append(windows, *w)
	}
	return s.tx(ctx).ClientProfile.UpdateOneID(clientID).
		SetWantsEarlierAppointment(wantsEarlier).
		SetAvailability(windows).
		Save(ctx)
}

// FillSlot books an eligible client into a cancelled session's slot and
// links the two. The client's later session is cancelled (by CLIENT, never
// a strike) unless keepLater.
func (s *Service) FillSlot(ctx context.Context, canceledID, clientID int, keepLater bool) (*ent.Appointment, error) {
	tx := s.tx(ctx)
	f := s.facts(ctx)
	rules, err := f.Rules(ctx)
	if err != nil {
		return nil, err
	}
	freed, err := tx.Appointment.Get(ctx, canceledID)
	if err != nil {
		return nil, err
	}
	switch {
	case freed.Status != appointment.StatusCANCELED:
		return nil, caseload.PolicyViolation("the session is %s: only a cancelled session's slot can be filled", freed.Status)
	case !freed.StartsAt.After(s.now()):
		return nil, caseload.PolicyViolation("the slot has passed")
	}
	taken, err := freed.QueryFilledBy().Exist(ctx)
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, caseload.Conflict("the slot has already been filled")
	}
	h, err := f.History(ctx, clientID)
	if err != nil {
		return nil, err
	}
	slot := caseload.Slot{ClinicianID: freed.ClinicianID, Start: freed.StartsAt, End: freed.EndsAt}
	if e := rules.BackfillForSlot(h, slot); !e.Eligible {
		return nil, caseload.PolicyViolation("the client cannot take this slot: %s", strings.Join(e.Reasons, "; "))
	}
	next, hasNext := rules.NextAppointment(h)
	create := tx.Appointment.Create().
		SetClientID(clientID).
		SetClinicianID(freed.ClinicianID).
		SetStartsAt(freed.StartsAt).
		SetEndsAt(freed.EndsAt).
		SetKind(freed.Kind).
		SetFilledFromID(freed.ID)
	booked, err := bookInOpenEpisode(ctx, tx, create, clientID)
	if err != nil {
		return nil, err
	}
	if hasNext && !keepLater {
		// The client gave up their later session for the earlier one: a
		// client cancellation that is never a strike, however close.
		err := tx.Appointment.UpdateOneID(next.ID).
			SetStatus(appointment.StatusCANCELED).
			SetCanceledBy(appointment.CanceledByCLIENT).
			SetCanceledAt(s.now()).
			SetCancelReason("moved to an earlier slot from the backfill list").
			SetExcused(true).
			SetExcuseReason("moved to an earlier slot from the backfill list").
			Exec(ctx)
		if err != nil {
			return nil, err
		}
	}
	return booked, nil
}
