package graph

import (
	"context"
	"strings"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/workflow"
)

// The backfill list: who wants an earlier slot, and filling a freed one.

var weekdays = []model.Weekday{model.WeekdaySunday, model.WeekdayMonday, model.WeekdayTuesday, model.WeekdayWednesday,
	model.WeekdayThursday, model.WeekdayFriday, model.WeekdaySaturday}

func toWindows(ws []caseload.AvailabilityWindow) []*model.AvailabilityWindow {
	out := make([]*model.AvailabilityWindow, 0, len(ws))
	for _, w := range ws {
		out = append(out, &model.AvailabilityWindow{Weekday: weekdays[w.Weekday], StartMinute: w.StartMinute, EndMinute: w.EndMinute})
	}
	return out
}

func (r *Resolver) setBackfillPreference(ctx context.Context, clientID int, wants bool, in []*model.AvailabilityWindowInput) (*ent.ClientProfile, error) {
	windows := make([]caseload.AvailabilityWindow, 0, len(in))
	for _, w := range in {
		win := caseload.AvailabilityWindow{Weekday: toWeekday(w.Weekday), StartMinute: w.StartMinute, EndMinute: w.EndMinute}
		if err := win.Validate(); err != nil {
			return nil, caseload.Invalid("availability", "%v", err)
		}
		windows = append(windows, win)
	}
	return ent.FromContext(ctx).ClientProfile.UpdateOneID(clientID).
		SetWantsEarlierAppointment(wants).
		SetAvailability(windows).
		Save(ctx)
}

// fillSlot books an eligible client into a cancelled session's slot.
func (r *Resolver) fillSlot(ctx context.Context, canceledID, clientID int, keepLater bool) (*ent.Appointment, error) {
	tx := ent.FromContext(ctx)
	f := r.facts(ctx)
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
	case !freed.StartsAt.After(r.now()):
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
	ep, err := workflow.OpenEpisode(ctx, tx, clientID)
	if err != nil {
		return nil, err
	}
	if ep != nil {
		create.SetEpisodeID(ep.ID)
	}
	booked, err := create.Save(ctx)
	if err != nil {
		return nil, err
	}
	if hasNext && !keepLater {
		// The client gave up their later session for the earlier one: a
		// client cancellation that is never a strike, however close.
		err := tx.Appointment.UpdateOneID(next.ID).
			SetStatus(appointment.StatusCANCELED).
			SetCanceledBy(appointment.CanceledByCLIENT).
			SetCanceledAt(r.now()).
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
