package caseload

import "time"

// FactsVersion is the version of FactsOf's computation: a row of the
// projection written by another version is recomputed (docs/facts.md).
const FactsVersion = 2

// Facts is what the projection stores of one client (docs/facts.md): the
// inputs the rules read, for the current episode, as instants and counts
// that do not depend on the day. FactsOf computes it from the history; the
// rules read it with today (facts_read.go).
type Facts struct {
	ClientID int
	// EpisodeID is the current (latest) episode, 0 when there is none.
	EpisodeID                        int
	EpisodeOpenedAt, EpisodeClosedAt time.Time
	// StrikeCount and the sessions that are the strikes (rule 1).
	StrikeCount          int
	StrikeAppointmentIDs []int
	// LastSeenAt and LastContactAt are rule 2's, in the open episode.
	LastSeenAt, LastContactAt time.Time
	// LastInboundAt is the last INBOUND contact of any episode (rule 3).
	LastInboundAt time.Time
	// WarningSentAt and WarningCloseBy are the closure warning of the open
	// episode since the client was last seen (rule 3); zero when none.
	WarningSentAt, WarningCloseBy time.Time
	// SettledUntil is the latest instant of a recorded fact (a session
	// attended or missed, an inbound contact, a warning): until it has
	// passed the row cannot answer (Rules.Answers) and the reader reads the
	// history. The workflows record none of them in the future, so in
	// practice the row always answers.
	SettledUntil time.Time
	// Booked are the sessions still on the calendar, by start.
	Booked []BookedSession
	// Recurring are the streaks of rule 5.
	Recurring RecurringInputs
	// Paperwork is what is due (rule 6), by due time, without the overdue
	// flag (the reader's).
	Paperwork []DueItem
	// Attendance are the attended and missed sessions the attendance window
	// of rule 9 can still reach.
	Attendance []AttendanceEvent
	// PrimaryCaregiverID, ContactCaregiverID: 0 when none; Caregivers counts them.
	PrimaryCaregiverID, ContactCaregiverID, Caregivers int
	// ReviewDueAt is when the open episode's next treatment plan review is
	// due (TreatmentPlanReviewDue); zero without an open episode or a
	// signed plan.
	ReviewDueAt time.Time
}

// BookedSession is a session still on the calendar (SCHEDULED or CONFIRMED).
type BookedSession struct {
	ID             int       `json:"id"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	ReminderSentAt time.Time `json:"reminderSentAt,omitzero"`
	SeriesID       string    `json:"seriesId,omitempty"`
}

// RecurringInputs are rule 5's streaks over the recorded sessions up to the
// latest attended or missed one, and the client cancellations after it,
// which count once their start has passed.
type RecurringInputs struct {
	// Counted is how many recorded sessions the streaks were counted over.
	Counted int `json:"counted"`
	// OnTimeRun, CancelRun, LateRun: the runs of rule 5, newest first.
	OnTimeRun int `json:"onTimeRun"`
	CancelRun int `json:"cancelRun"`
	LateRun   int `json:"lateRun"`
	// PendingCancels are the starts of the client's cancellations after the
	// latest recorded session; PendingLateCancels those of them that were
	// late cancels.
	PendingCancels     []time.Time `json:"pendingCancels,omitempty"`
	PendingLateCancels []time.Time `json:"pendingLateCancels,omitempty"`
	// NoShows and LateCancels are among the Counted sessions: the no-show
	// risk's inputs (rule 8).
	NoShows     int `json:"noShows"`
	LateCancels int `json:"lateCancels"`
}

// DueItem is a PaperworkItem as stored: At is the instant of what it is
// for (a session's start, a contact's time; zero for an episode's
// paperwork), from which on it is due; the overdue flag is the reader's.
type DueItem struct {
	DocumentKind  string    `json:"kind"`
	Status        string    `json:"status"`
	DocumentID    int       `json:"documentId,omitempty"`
	AppointmentID int       `json:"appointmentId,omitempty"`
	ContactID     int       `json:"contactId,omitempty"`
	EpisodeID     int       `json:"episodeId,omitempty"`
	At            time.Time `json:"at,omitzero"`
	DueAt         time.Time `json:"dueAt"`
	Explanation   string    `json:"explanation"`
}

// AttendanceEvent is an attended (or missed: a no-show or a late cancel)
// session, for the attendance rate of rule 9.
type AttendanceEvent struct {
	Start    time.Time `json:"start"`
	Attended bool      `json:"attended"`
}
