package caseload

import (
	"cmp"
	"slices"
	"time"
)

// endOfTime stands for "now" when FactsOf computes what does not depend on
// the day: every recorded fact is then in the past, and the reader filters
// by its own now (facts_read.go).
var endOfTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// FactsOf computes the projection's facts of a client from their whole
// history, with the rules' own functions (docs/facts.md). The result does
// not depend on r.Now: it depends on the history and the policy only, so a
// row stays right as days pass, and a policy change recomputes the rows.
func (r Rules) FactsOf(h *History) Facts {
	r.Now = endOfTime
	return r.factsAt(h)
}

// FactsFor is what a reader at r.Now reads of h: FactsOf, or, when those
// cannot answer yet (a fact recorded ahead of now, see Answers), the facts
// as they stand at r.Now, which answer at r.Now only.
func (r Rules) FactsFor(h *History) Facts {
	if f := r.FactsOf(h); r.Answers(f) {
		return f
	}
	return r.factsAt(h)
}

// factsAt computes the facts of h as they stand at r.Now.
func (r Rules) factsAt(h *History) Facts {
	f := Facts{ClientID: h.Client.ID, StrikeAppointmentIDs: []int{}, Booked: []BookedSession{}, Paperwork: []DueItem{}, Attendance: []AttendanceEvent{}}
	if ep, ok := h.CurrentEpisode(); ok {
		f.EpisodeID, f.EpisodeOpenedAt, f.EpisodeClosedAt = ep.ID, ep.OpenedAt, ep.ClosedAt
		for _, a := range h.Appointments {
			if inEpisode(a, ep) && r.CountsAsStrike(a) {
				f.StrikeAppointmentIDs = append(f.StrikeAppointmentIDs, a.ID)
			}
		}
		slices.Sort(f.StrikeAppointmentIDs)
		f.StrikeCount = len(f.StrikeAppointmentIDs)
	}
	act := r.Activity(h)
	f.LastSeenAt, f.LastContactAt = act.LastSeenAt, act.LastContactAt
	f.LastInboundAt, _ = r.lastInbound(h)
	if w, ok := r.activeWarning(h, act.LastSeenAt); ok {
		f.WarningSentAt, f.WarningCloseBy = w.At, w.CloseBy
	}
	for _, a := range h.Appointments {
		if a.Booked() {
			f.Booked = append(f.Booked, BookedSession{ID: a.ID, Start: a.Start, End: a.End, ReminderSentAt: a.ReminderSentAt, SeriesID: a.SeriesID})
		}
	}
	slices.SortFunc(f.Booked, func(a, b BookedSession) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return a.ID - b.ID
	})
	// Rule 5: the client's cancellations newer than the latest recorded
	// (attended or missed) session are pending; the streaks are counted
	// over the rest, which are all in the past once that session is.
	past := r.countedPast(h)
	pending := 0
	for pending < len(past) && past[pending].Status == Canceled {
		pending++
	}
	f.Recurring = r.recurringRuns(past[pending:])
	for _, a := range past[:pending] {
		f.Recurring.PendingCancels = append(f.Recurring.PendingCancels, a.Start)
		if r.IsLateCancel(*a) {
			f.Recurring.PendingLateCancels = append(f.Recurring.PendingLateCancels, a.Start)
		}
	}
	var latestRecorded time.Time
	if pending < len(past) {
		latestRecorded = past[pending].Start
	}
	// The paperwork as it stands at the end of time: what is due later is
	// filtered by the reader (PaperworkDueOf), and the notes of sessions
	// attended ahead of now are there for NoteStatusOf.
	late := r
	late.Now = endOfTime
	for _, it := range late.PaperworkDue(h) {
		d := DueItem{DocumentKind: it.DocumentKind, Status: it.Status, DocumentID: it.DocumentID, AppointmentID: it.AppointmentID,
			ContactID: it.ContactID, EpisodeID: it.EpisodeID, DueAt: it.DueAt, Explanation: it.Explanation}
		if a, ok := h.Appointment(it.AppointmentID); ok && it.AppointmentID != 0 {
			d.At = a.Start
		}
		for _, c := range h.Contacts {
			if it.ContactID != 0 && c.ID == it.ContactID {
				d.At = c.At
			}
		}
		f.Paperwork = append(f.Paperwork, d)
	}
	// Rule 9: the events the window can reach from any now at or after the
	// latest recorded session (a late cancel may lie ahead of it).
	for _, e := range r.attendanceEvents(h.Appointments) {
		if latestRecorded.IsZero() || !e.Start.Before(latestRecorded.Add(-r.attendanceWindow())) {
			f.Attendance = append(f.Attendance, e)
		}
	}
	// One order, whatever order the history was read in (rows compare equal).
	slices.SortFunc(f.Attendance, func(a, b AttendanceEvent) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(boolInt(a.Attended), boolInt(b.Attended))
	})
	slices.SortStableFunc(f.Paperwork, func(a, b DueItem) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.DocumentKind, b.DocumentKind), cmp.Compare(a.AppointmentID, b.AppointmentID),
			cmp.Compare(a.ContactID, b.ContactID), cmp.Compare(a.EpisodeID, b.EpisodeID))
	})
	f.ReviewDueAt, _ = r.TreatmentPlanReviewDue(h)
	f.Caregivers = len(h.Caregivers)
	if c, ok := PrimaryCaregiver(h); ok {
		f.PrimaryCaregiverID = c.ID
	}
	if c, ok := ContactCaregiver(h); ok {
		f.ContactCaregiverID = c.ID
	}
	for _, t := range []time.Time{latestRecorded, f.LastInboundAt, f.WarningSentAt} {
		if t.After(f.SettledUntil) {
			f.SettledUntil = t
		}
	}
	return f
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
