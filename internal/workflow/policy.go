package workflow

import (
	"context"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// PolicyChange is a change to the practice's policy: the settings given
// (non-nil) replace their value, the others keep theirs. caseload.Policy
// says what each means and which values it takes.
type PolicyChange struct {
	InactivityDays                  *int
	ClosureWarningGraceDays         *int
	StrikeLimit                     *int
	LateCancelWindowHours           *int
	ReminderLeadHours               *int
	RecurringEarnAfter              *int
	RecurringLostAfterClientCancels *int
	RecurringLostAfterLateArrivals  *int
	LateArrivalMinutes              *int
	TreatmentPlanReviewMonths       *int
	InitialTreatmentPlanDueDays     *int
	NoteDueHours                    *int
	NoteGoalMinutes                 *int
	TerminationNoteDueDays          *int
	CaseloadMinMultiple             *float64
	CaseloadMaxMultiple             *float64
	NoShowBuffer                    *int
	AttendanceWindowDays            *int
}

// applyTo returns pol with the change's settings.
func (in PolicyChange) applyTo(pol caseload.Policy) caseload.Policy {
	set := func(v *int, out *int) {
		if v != nil {
			*out = *v
		}
	}
	set(in.InactivityDays, &pol.InactivityDays)
	set(in.ClosureWarningGraceDays, &pol.ClosureWarningGraceDays)
	set(in.StrikeLimit, &pol.StrikeLimit)
	set(in.LateCancelWindowHours, &pol.LateCancelWindowHours)
	set(in.ReminderLeadHours, &pol.ReminderLeadHours)
	set(in.RecurringEarnAfter, &pol.RecurringEarnAfter)
	set(in.RecurringLostAfterClientCancels, &pol.RecurringLostAfterClientCancels)
	set(in.RecurringLostAfterLateArrivals, &pol.RecurringLostAfterLateArrivals)
	set(in.LateArrivalMinutes, &pol.LateArrivalMinutes)
	set(in.TreatmentPlanReviewMonths, &pol.TreatmentPlanReviewMonths)
	set(in.InitialTreatmentPlanDueDays, &pol.InitialTreatmentPlanDueDays)
	set(in.NoteDueHours, &pol.NoteDueHours)
	set(in.NoteGoalMinutes, &pol.NoteGoalMinutes)
	set(in.TerminationNoteDueDays, &pol.TerminationNoteDueDays)
	set(in.NoShowBuffer, &pol.NoShowBuffer)
	set(in.AttendanceWindowDays, &pol.AttendanceWindowDays)
	if in.CaseloadMinMultiple != nil {
		pol.CaseloadMinMultiple = *in.CaseloadMinMultiple
	}
	if in.CaseloadMaxMultiple != nil {
		pol.CaseloadMaxMultiple = *in.CaseloadMaxMultiple
	}
	return pol
}

// UpdatePolicy changes the settings given and validates the whole policy
// (ADMIN only): every setting out of range is refused at once, each on its
// field, and nothing is changed.
func (s *Service) UpdatePolicy(ctx context.Context, in PolicyChange) (*ent.Practice, error) {
	v := viewer.FromContext(ctx)
	if !v.IsAdmin() {
		return nil, caseload.Forbidden("only an admin changes the policy")
	}
	tx := s.tx(ctx)
	p, err := tx.Practice.Get(ctx, v.PracticeID)
	if err != nil {
		return nil, err
	}
	pol := in.applyTo(p.Policy)
	if err := pol.Validate(); err != nil {
		return nil, err
	}
	return tx.Practice.UpdateOneID(p.ID).SetPolicy(pol).Save(ctx)
}
