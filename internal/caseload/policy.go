// Package caseload holds the practice's caseload policy and the rules of
// SPEC.md computed from it. It imports only the standard library: no
// database, no GraphQL, no clock of its own.
package caseload

import (
	"encoding/json"
	"time"
)

// Policy is a practice's caseload policy. Every rule reads its thresholds
// from here; the defaults come from the practice's policy document.
type Policy struct {
	// InactivityDays without a session or contact before a case is closed.
	InactivityDays int `json:"inactivityDays"`
	// ClosureWarningGraceDays from a closure warning to its close-by date.
	ClosureWarningGraceDays int `json:"closureWarningGraceDays"`
	// StrikeLimit of no-shows plus late cancels in an episode that closes it.
	StrikeLimit int `json:"strikeLimit"`
	// LateCancelWindowHours before the start inside which a client cancellation is late.
	LateCancelWindowHours int `json:"lateCancelWindowHours"`
	// ReminderLeadHours before the start at which a reminder is due.
	ReminderLeadHours int `json:"reminderLeadHours"`
	// RecurringEarnAfter consecutive on-time attended sessions earn a recurring series.
	RecurringEarnAfter int `json:"recurringEarnAfter"`
	// RecurringLostAfterClientCancels consecutive client cancellations lose it.
	RecurringLostAfterClientCancels int `json:"recurringLostAfterClientCancels"`
	// RecurringLostAfterLateArrivals consecutive late arrivals lose it.
	RecurringLostAfterLateArrivals int `json:"recurringLostAfterLateArrivals"`
	// LateArrivalMinutes late (or more) that count as a late arrival.
	LateArrivalMinutes int `json:"lateArrivalMinutes"`
	// TreatmentPlanReviewMonths between treatment plan reviews (3 to 6).
	TreatmentPlanReviewMonths int `json:"treatmentPlanReviewMonths"`
	// InitialTreatmentPlanDueDays after an episode opens.
	InitialTreatmentPlanDueDays int `json:"initialTreatmentPlanDueDays"`
	// NoteDueHours after a session or contact ends for its note to be signed.
	NoteDueHours int `json:"noteDueHours"`
	// NoteGoalMinutes is the practice's goal for finishing a note.
	NoteGoalMinutes int `json:"noteGoalMinutes"`
	// TerminationNoteDueDays after a case is closed.
	TerminationNoteDueDays int `json:"terminationNoteDueDays"`
	// CaseloadMinMultiple of weekly slots is the low end of a healthy caseload.
	CaseloadMinMultiple float64 `json:"caseloadMinMultiple"`
	// CaseloadMaxMultiple of weekly slots is the high end of a healthy caseload.
	CaseloadMaxMultiple float64 `json:"caseloadMaxMultiple"`
	// NoShowBuffer extra new clients to request for expected no-shows.
	NoShowBuffer int `json:"noShowBuffer"`
	// AttendanceWindowDays of history the attendance rate of caseload health looks at.
	AttendanceWindowDays int `json:"attendanceWindowDays"`
}

// DefaultPolicy returns the policy of the source document (SPEC.md "Policy").
func DefaultPolicy() Policy {
	return Policy{
		InactivityDays:                  30,
		ClosureWarningGraceDays:         14,
		StrikeLimit:                     3,
		LateCancelWindowHours:           24,
		ReminderLeadHours:               24,
		RecurringEarnAfter:              3,
		RecurringLostAfterClientCancels: 2,
		RecurringLostAfterLateArrivals:  3,
		LateArrivalMinutes:              10,
		TreatmentPlanReviewMonths:       3,
		InitialTreatmentPlanDueDays:     30,
		NoteDueHours:                    24,
		NoteGoalMinutes:                 5,
		TerminationNoteDueDays:          7,
		CaseloadMinMultiple:             1.3,
		CaseloadMaxMultiple:             1.7,
		NoShowBuffer:                    2,
		AttendanceWindowDays:            90,
	}
}

// Validate reports every setting outside its allowed range, each on its
// field: an Error for one, Errors for several.
func (p Policy) Validate() error {
	ints := []struct {
		field    string
		value    int
		min, max int
	}{
		{"inactivityDays", p.InactivityDays, 1, 365},
		{"closureWarningGraceDays", p.ClosureWarningGraceDays, 1, 90},
		{"strikeLimit", p.StrikeLimit, 1, 20},
		{"lateCancelWindowHours", p.LateCancelWindowHours, 0, 168},
		{"reminderLeadHours", p.ReminderLeadHours, 1, 168},
		{"recurringEarnAfter", p.RecurringEarnAfter, 1, 20},
		{"recurringLostAfterClientCancels", p.RecurringLostAfterClientCancels, 1, 20},
		{"recurringLostAfterLateArrivals", p.RecurringLostAfterLateArrivals, 1, 20},
		{"lateArrivalMinutes", p.LateArrivalMinutes, 1, 120},
		{"treatmentPlanReviewMonths", p.TreatmentPlanReviewMonths, 3, 6},
		{"initialTreatmentPlanDueDays", p.InitialTreatmentPlanDueDays, 1, 365},
		{"noteDueHours", p.NoteDueHours, 1, 24 * 14},
		{"noteGoalMinutes", p.NoteGoalMinutes, 1, 24 * 60},
		{"terminationNoteDueDays", p.TerminationNoteDueDays, 1, 90},
		{"noShowBuffer", p.NoShowBuffer, 0, 20},
		{"attendanceWindowDays", p.AttendanceWindowDays, 7, 365},
	}
	var refused Collector
	for _, s := range ints {
		if s.value < s.min || s.value > s.max {
			refused.Refuse(Invalid(s.field, "must be between %d and %d, got %d", s.min, s.max, s.value))
		}
	}
	if p.CaseloadMinMultiple <= 0 || p.CaseloadMinMultiple > 5 {
		refused.Refuse(Invalid("caseloadMinMultiple", "must be above 0 and at most 5, got %g", p.CaseloadMinMultiple))
	}
	if p.CaseloadMaxMultiple < p.CaseloadMinMultiple || p.CaseloadMaxMultiple > 5 {
		refused.Refuse(Invalid("caseloadMaxMultiple", "must be between caseloadMinMultiple (%g) and 5, got %g", p.CaseloadMinMultiple, p.CaseloadMaxMultiple))
	}
	return refused.Err()
}

// AvailabilityWindow is a weekly window in the practice's time zone in which a
// client on the backfill list can take an earlier appointment.
type AvailabilityWindow struct {
	// Weekday of the window.
	Weekday time.Weekday `json:"weekday"`
	// StartMinute is the window's start in minutes after local midnight.
	StartMinute int `json:"startMinute"`
	// EndMinute is the window's end in minutes after local midnight (exclusive).
	EndMinute int `json:"endMinute"`
}

// Validate reports a window that is empty or outside the day: every
// refusal at once, each on its field (Errors, or the one Error).
func (w AvailabilityWindow) Validate() error {
	var c Collector
	if w.Weekday < time.Sunday || w.Weekday > time.Saturday {
		c.Refuse(Invalid("weekday", "must be a day of the week"))
	}
	startOK := w.StartMinute >= 0 && w.StartMinute < 24*60
	endOK := w.EndMinute > 0 && w.EndMinute <= 24*60
	if !startOK {
		c.Refuse(Invalid("startMinute", "must be 0 to 1439 minutes after midnight"))
	}
	switch {
	case !endOK:
		c.Refuse(Invalid("endMinute", "must be 1 to 1440 minutes after midnight"))
	case startOK && w.EndMinute <= w.StartMinute:
		c.Refuse(Invalid("endMinute", "must be after startMinute: a window starts before it ends, within one day"))
	}
	return c.Err()
}

// UnmarshalJSON reads a stored policy; settings it lacks (added after it was
// stored) take their defaults.
func (p *Policy) UnmarshalJSON(b []byte) error {
	type plain Policy
	v := plain(DefaultPolicy())
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = Policy(v)
	return nil
}
