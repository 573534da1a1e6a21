package caseload

import "time"

// The rules read from the projection's facts (facts.go) with today: each
// gives what its counterpart gives from the whole history, at any now at or
// after the row's SettledUntil (Answers), which the projection's property
// test checks (internal/facts/projection).

// Answers reports whether the facts can answer at r.Now: every recorded
// fact they were computed from is in the past.
func (r Rules) Answers(f Facts) bool { return !f.SettledUntil.After(r.Now) }

// openEpisode is the facts' current episode, and whether it is open.
func (f Facts) openEpisode() (Episode, bool) {
	ep := Episode{ID: f.EpisodeID, OpenedAt: f.EpisodeOpenedAt, ClosedAt: f.EpisodeClosedAt}
	return ep, f.EpisodeID != 0 && ep.Open()
}

// ActivityOf is Activity (rule 2) from the facts.
func (r Rules) ActivityOf(f Facts) Activity {
	ep, open := f.openEpisode()
	return r.ActivityFrom(f.LastSeenAt, f.LastContactAt, ep.OpenedAt, open)
}

// NextBooked is NextAppointment from the facts: the first booked session
// after now.
func (r Rules) NextBooked(f Facts) (BookedSession, bool) {
	for _, b := range f.Booked {
		if b.Start.After(r.Now) {
			return b, true
		}
	}
	return BookedSession{}, false
}

// TerminationRecommendationOf is TerminationRecommendation (rule 3) of a
// client in status from the facts.
func (r Rules) TerminationRecommendationOf(status string, f Facts) Recommendation {
	_, booked := r.NextBooked(f)
	return r.Recommend(TerminationFacts{
		Status: status, Strikes: f.StrikeCount, Booked: booked, Activity: r.ActivityOf(f),
		Warned: !f.WarningSentAt.IsZero(), WarnedAt: f.WarningSentAt, WarningCloseBy: f.WarningCloseBy,
		LastInbound: f.LastInboundAt,
	})
}

// RecurringEligibilityOf is RecurringEligibility (rule 5) from the facts,
// for a client who has (privilege) the recurring privilege or not.
func (r Rules) RecurringEligibilityOf(privilege bool, f Facts) RecurringEligibility {
	in := f.Recurring
	// The pending cancellations whose start has passed are the newest
	// recorded sessions: all cancellations, they break the on-time run,
	// extend the cancel run and leave the late run alone.
	started := 0
	for _, t := range in.PendingCancels {
		if !t.After(r.Now) {
			started++
		}
	}
	if started > 0 {
		in.OnTimeRun = 0
		in.CancelRun += started
		in.Counted += started
	}
	holds := privilege
	for _, b := range f.Booked {
		if b.SeriesID != "" && b.Start.After(r.Now) {
			holds = true
		}
	}
	return r.recurringVerdict(in, holds)
}

// PaperworkDueOf is PaperworkDue (rule 6) from the facts.
func (r Rules) PaperworkDueOf(f Facts) []PaperworkItem {
	var out []PaperworkItem
	for _, d := range f.Paperwork {
		if d.At.After(r.Now) || (d.DocumentKind == DocTreatmentPlanReview && r.DateOf(d.DueAt).After(r.Today())) {
			continue
		}
		out = append(out, PaperworkItem{DocumentKind: d.DocumentKind, Status: d.Status, DocumentID: d.DocumentID,
			AppointmentID: d.AppointmentID, ContactID: d.ContactID, EpisodeID: d.EpisodeID, DueAt: d.DueAt,
			Overdue: r.Now.After(d.DueAt), Explanation: d.Explanation})
	}
	return out
}

// AttendanceRateOf is AttendanceRate (rule 9) from the facts.
func (r Rules) AttendanceRateOf(f Facts) float64 { return r.attendanceRate(f.Attendance) }

// ReminderDueOf is ReminderDue (rule 10) of a booked session.
func (r Rules) ReminderDueOf(b BookedSession) bool {
	return r.ReminderDue(Appointment{Status: Scheduled, Start: b.Start, End: b.End, ReminderSentAt: b.ReminderSentAt})
}

// RiskOf is Risk (rule 8) of session a from its client's facts.
func (r Rules) RiskOf(f Facts, a Appointment) NoShowRisk {
	in := f.Recurring
	recorded, lateCancels := in.Counted, in.LateCancels
	for _, t := range in.PendingCancels {
		if !t.After(r.Now) {
			recorded++
		}
	}
	for _, t := range in.PendingLateCancels {
		if !t.After(r.Now) {
			lateCancels++
		}
	}
	return r.RiskFrom(recorded, in.NoShows, lateCancels, a)
}

// TreatmentPlanReviewDueOf is TreatmentPlanReviewDue from the facts.
func (r Rules) TreatmentPlanReviewDueOf(f Facts) (time.Time, bool) {
	return f.ReviewDueAt, !f.ReviewDueAt.IsZero()
}

// NoteStatusOf is NoteStatus (rule 10) of session a from its client's
// facts: the paperwork they store holds every attended session whose note
// is not signed.
func (r Rules) NoteStatusOf(f Facts, a Appointment) (status string, overdue bool) {
	if a.Status != Attended {
		return NoteNotRequired, false
	}
	for _, d := range f.Paperwork {
		if d.AppointmentID == a.ID && d.DocumentKind == NoteKind(a) {
			return d.Status, r.Now.After(r.noteDue(a.End))
		}
	}
	return NoteSigned, false
}
