package caseload

import (
	"cmp"
	"fmt"
	"slices"
)

// RecurringEligibility is rule 5.
type RecurringEligibility struct {
	// Eligible: the last RecurringEarnAfter counted sessions were attended
	// on time, none of them moved at the client's request.
	Eligible bool
	// ConsecutiveOnTime counts the most recent on-time attended sessions in
	// a row that the client did not ask to reschedule.
	ConsecutiveOnTime int
	// Needed is the policy's RecurringEarnAfter.
	Needed int
	// ShouldRevoke: a client holding a recurring series cancelled the last
	// RecurringLostAfterClientCancels counted sessions, or arrived late to the
	// last RecurringLostAfterLateArrivals attended ones.
	ShouldRevoke bool
	// Reason explains the verdict.
	Reason string
}

// counted reports whether a is one of the client's recorded past sessions:
// cancellations by the clinician or practice count neither way, and
// sessions whose attendance is not recorded yet do not count.
func (r Rules) counted(a Appointment) bool {
	if a.Start.After(r.Now) || a.Booked() {
		return false
	}
	return a.Status != Canceled || a.CanceledBy == ByClient
}

// countedPast returns the client's recorded past sessions (see counted),
// newest first (the later id first at the same start, so that the order is
// always the same). They point into h, which the caller must not change.
func (r Rules) countedPast(h *History) []*Appointment {
	out := make([]*Appointment, 0, len(h.Appointments))
	for i := range h.Appointments {
		if r.counted(h.Appointments[i]) {
			out = append(out, &h.Appointments[i])
		}
	}
	slices.SortFunc(out, func(a, b *Appointment) int {
		if c := b.Start.Compare(a.Start); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return out
}

func (r Rules) late(a Appointment) bool { return a.MinutesLate >= r.Policy.LateArrivalMinutes }

// onTime reports whether a keeps the on-time streak of rule 5: attended, not
// late, and not rescheduled at the client's request ("without
// rescheduling/cancellations"; a reschedule is still no strike).
func (r Rules) onTime(a Appointment) bool {
	return a.Status == Attended && !r.late(a) && a.RescheduledBy != ByClient
}

// HoldsRecurring reports whether the client has the privilege or a booked
// session of a recurring series.
func (r Rules) HoldsRecurring(h *History) bool {
	if h.Client.RecurringPrivilege {
		return true
	}
	for _, a := range h.Appointments {
		if a.SeriesID != "" && a.Booked() && a.Start.After(r.Now) {
			return true
		}
	}
	return false
}

// RecurringEligibility computes rule 5.
func (r Rules) RecurringEligibility(h *History) RecurringEligibility {
	past := r.countedPast(h)
	return r.recurringVerdict(r.recurringRuns(past), r.HoldsRecurring(h))
}

// recurringRuns counts rule 5's runs over the recorded sessions, newest first.
func (r Rules) recurringRuns(past []*Appointment) RecurringInputs {
	in := RecurringInputs{Counted: len(past)}
	for _, a := range past {
		switch {
		case a.Status == NoShow:
			in.NoShows++
		case r.IsLateCancel(*a):
			in.LateCancels++
		}
	}
	for _, a := range past {
		if !r.onTime(*a) {
			break
		}
		in.OnTimeRun++
	}
	for _, a := range past {
		if a.Status != Canceled {
			break
		}
		in.CancelRun++
	}
	for _, a := range past {
		if a.Status != Attended {
			continue
		}
		if !r.late(*a) {
			break
		}
		in.LateRun++
	}
	return in
}

// recurringVerdict is rule 5 over its runs (from a history, or from the
// projection's facts: facts_read.go) and whether the client holds a series.
func (r Rules) recurringVerdict(in RecurringInputs, holds bool) RecurringEligibility {
	p := r.Policy
	res := RecurringEligibility{Needed: p.RecurringEarnAfter, ConsecutiveOnTime: in.OnTimeRun}
	res.Eligible = res.ConsecutiveOnTime >= p.RecurringEarnAfter
	cancels, lateRun := in.CancelRun, in.LateRun
	switch {
	case holds && cancels >= p.RecurringLostAfterClientCancels:
		res.ShouldRevoke = true
		res.Reason = fmt.Sprintf("Cancelled the last %d sessions in a row (limit %d): the recurring series should be revoked.", cancels, p.RecurringLostAfterClientCancels)
	case holds && lateRun >= p.RecurringLostAfterLateArrivals:
		res.ShouldRevoke = true
		res.Reason = fmt.Sprintf("Arrived %d or more minutes late to the last %d sessions (limit %d): the recurring series should be revoked.", p.LateArrivalMinutes, lateRun, p.RecurringLostAfterLateArrivals)
	case res.Eligible:
		res.Reason = fmt.Sprintf("Attended the last %d sessions on time (needs %d): a recurring series is earned.", res.ConsecutiveOnTime, p.RecurringEarnAfter)
	case in.Counted == 0:
		res.Reason = fmt.Sprintf("No sessions yet: a recurring series is earned after %d on-time sessions in a row.", p.RecurringEarnAfter)
	default:
		res.Reason = fmt.Sprintf("%d of the %d on-time sessions in a row needed for a recurring series (late arrivals, client cancellations and reschedules the client asked for start the count again).", res.ConsecutiveOnTime, p.RecurringEarnAfter)
	}
	return res
}
