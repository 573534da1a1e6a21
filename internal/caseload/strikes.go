package caseload

import "time"

// IsLateCancel reports whether the client cancelled a inside the late-cancel
// window: less than LateCancelWindowHours before its start. A cancellation
// exactly at the window's edge is on time.
func (r Rules) IsLateCancel(a Appointment) bool {
	if a.Status != Canceled || a.CanceledBy != ByClient || a.CanceledAt.IsZero() {
		return false
	}
	window := time.Duration(r.Policy.LateCancelWindowHours) * time.Hour
	return a.Start.Sub(a.CanceledAt) < window
}

// CountsAsStrike reports whether a is a strike (rule 1): a no-show or a late
// cancel by the client, not excused. (Whether it is in the current episode is
// StrikeCount's concern.)
func (r Rules) CountsAsStrike(a Appointment) bool {
	if a.Excused {
		return false
	}
	return a.Status == NoShow || r.IsLateCancel(a)
}

// StrikeCount counts the strikes of the client's current episode (rule 1).
// A new episode starts again at zero.
func (r Rules) StrikeCount(h *History) int {
	ep, ok := h.CurrentEpisode()
	if !ok {
		return 0
	}
	n := 0
	for _, a := range h.Appointments {
		if inEpisode(a, ep) && r.CountsAsStrike(a) {
			n++
		}
	}
	return n
}

// ReminderDue reports whether a reminder should be sent for a now (rule 10):
// it is booked, starts within the reminder lead time, and none was sent.
func (r Rules) ReminderDue(a Appointment) bool {
	if !a.Booked() || !a.ReminderSentAt.IsZero() || !a.Start.After(r.Now) {
		return false
	}
	return a.Start.Sub(r.Now) <= time.Duration(r.Policy.ReminderLeadHours)*time.Hour
}

// NeedsAttendance reports whether a is over but its attendance is not recorded.
func (r Rules) NeedsAttendance(a Appointment) bool {
	return a.Booked() && !a.End.After(r.Now)
}

// NextAppointment returns the client's next booked session after now.
func (r Rules) NextAppointment(h *History) (Appointment, bool) {
	var next Appointment
	found := false
	for _, a := range h.Appointments {
		if a.Booked() && a.Start.After(r.Now) && (!found || a.Start.Before(next.Start)) {
			next, found = a, true
		}
	}
	return next, found
}

// lastInbound returns the time of the latest INBOUND contact up to now.
func (r Rules) lastInbound(h *History) (time.Time, bool) {
	var last time.Time
	for _, c := range h.Contacts {
		if c.Direction == Inbound && !c.At.After(r.Now) && c.At.After(last) {
			last = c.At
		}
	}
	return last, !last.IsZero()
}
