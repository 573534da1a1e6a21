package caseload

import "time"

// Values of the records' enums, as stored (the same strings as the API's).
const (
	StatusWaitlist = "WAITLIST"
	StatusActive   = "ACTIVE"
	StatusClosed   = "CLOSED"

	Scheduled = "SCHEDULED"
	Confirmed = "CONFIRMED"
	Attended  = "ATTENDED"
	NoShow    = "NO_SHOW"
	Canceled  = "CANCELED"

	ByClient    = "CLIENT"
	ByClinician = "CLINICIAN"
	ByPractice  = "PRACTICE"

	KindIntake              = "INTAKE"
	KindTherapy             = "THERAPY"
	KindTreatmentPlanReview = "TREATMENT_PLAN_REVIEW"
	KindFamily              = "FAMILY"

	Inbound        = "INBOUND"
	Outbound       = "OUTBOUND"
	ClosureWarning = "CLOSURE_WARNING"

	DocIntake              = "INTAKE"
	DocTreatmentPlan       = "TREATMENT_PLAN"
	DocTreatmentPlanReview = "TREATMENT_PLAN_REVIEW"
	DocProgressNote        = "PROGRESS_NOTE"
	DocContactNote         = "CONTACT_NOTE"
	DocTerminationNote     = "TERMINATION_NOTE"
	DocAddendum            = "ADDENDUM"

	Draft  = "DRAFT"
	Signed = "SIGNED"

	Weekly   = "WEEKLY"
	Biweekly = "BIWEEKLY"
	Monthly  = "MONTHLY"
	AsNeeded = "AS_NEEDED"
)

// Client is what the rules need of a client.
type Client struct {
	ID          int
	ClinicianID int // 0 when unassigned
	Status      string
	// DateOfBirth is a calendar date (midnight UTC); zero when unknown.
	DateOfBirth        time.Time
	SessionFrequency   string
	WantsEarlier       bool
	Availability       []AvailabilityWindow
	RecurringPrivilege bool
}

// Episode is a stretch of care.
type Episode struct {
	ID       int
	OpenedAt time.Time
	ClosedAt time.Time // zero while open
}

// Open reports whether the episode is still open.
func (e Episode) Open() bool { return e.ClosedAt.IsZero() }

// Appointment is a session.
type Appointment struct {
	ID          int
	ClientID    int
	ClinicianID int
	EpisodeID   int // 0 when not linked
	Start, End  time.Time
	Kind        string
	Status      string
	// MinutesLate on arrival, for an attended session.
	MinutesLate int
	CanceledBy  string // "" unless cancelled
	// RescheduledBy is who asked to move the session (CLIENT once the
	// client asked for any move); "" if it was never rescheduled.
	RescheduledBy  string
	CanceledAt     time.Time
	Excused        bool
	ConfirmedAt    time.Time
	ReminderSentAt time.Time
	SeriesID       string
	// NoteSigned: a signed note of the session's kind (see NoteKind) is on
	// file. A loader may set it and leave the signed note itself out of
	// History.Documents; the rules then need not look for it.
	NoteSigned bool
}

// Booked reports whether the session is still on the calendar.
func (a Appointment) Booked() bool { return a.Status == Scheduled || a.Status == Confirmed }

// Contact is a contact outside a session.
type Contact struct {
	ID              int
	At              time.Time
	Direction       string
	Purpose         string
	BillableMinutes int
	// CloseBy is the closure warning's date (midnight UTC); zero otherwise.
	CloseBy time.Time
	// NoteSigned: a signed CONTACT_NOTE of the contact is on file (as
	// Appointment.NoteSigned).
	NoteSigned bool
}

// Document is a piece of paperwork.
type Document struct {
	ID            int
	Kind          string
	Status        string
	AppointmentID int
	ContactID     int
	CreatedAt     time.Time
	SignedAt      time.Time // zero unless signed
}

// Caregiver is a parent or guardian.
type Caregiver struct {
	ID               int
	IsPrimary        bool
	ConsentToContact bool
}

// History is everything the rules know about one client. Slices may be in
// any order.
//
// A loader may leave out the records no rule reads: signed notes of
// sessions and contacts (when it sets their NoteSigned instead), and
// OUTBOUND contacts that are neither billable nor closure warnings. Rules
// must not count or list other records than those.
type History struct {
	Client       Client
	Episodes     []Episode
	Appointments []Appointment
	Contacts     []Contact
	Documents    []Document
	Caregivers   []Caregiver
}

// Appointment returns the session with the id, or false.
func (h *History) Appointment(id int) (Appointment, bool) {
	for _, a := range h.Appointments {
		if a.ID == id {
			return a, true
		}
	}
	return Appointment{}, false
}

// CurrentEpisode returns the latest episode (open or not), or false.
func (h *History) CurrentEpisode() (Episode, bool) {
	var cur Episode
	found := false
	for _, e := range h.Episodes {
		if !found || e.OpenedAt.After(cur.OpenedAt) {
			cur, found = e, true
		}
	}
	return cur, found
}

// OpenEpisode returns the open episode, or false.
func (h *History) OpenEpisode() (Episode, bool) {
	e, ok := h.CurrentEpisode()
	if !ok || !e.Open() {
		return Episode{}, false
	}
	return e, true
}

// Contains reports whether the instant t falls in the episode's span,
// [OpenedAt, ClosedAt): from its opening up to, not including, its closing
// (an open episode has no end). Spans of one client never overlap, so an
// instant is in at most one episode; one before the first episode or
// between a closing and the next opening is in none.
func (e Episode) Contains(t time.Time) bool {
	return !t.Before(e.OpenedAt) && (e.Open() || t.Before(e.ClosedAt))
}

// EpisodeAt returns the episode whose span contains t, or false when t is
// before the first episode or between two (SPEC rule 1: a record belongs to
// the episode of its clinical time, however late it was entered).
func (h *History) EpisodeAt(t time.Time) (Episode, bool) {
	for _, e := range h.Episodes {
		if e.Contains(t) {
			return e, true
		}
	}
	return Episode{}, false
}

// FiledAt is the clinical time by which a session belongs to an episode:
// its start, or, for a session cancelled before it started, when it was
// cancelled (the cancellation is what happened; a late cancel made before a
// closing is a strike of the closed episode, not of the next one).
func (a Appointment) FiledAt() time.Time {
	if a.Status == Canceled && !a.CanceledAt.IsZero() && a.CanceledAt.Before(a.Start) {
		return a.CanceledAt
	}
	return a.Start
}

// inEpisode reports whether a belongs to episode e: the span contains its
// clinical time (FiledAt). The stored link (EpisodeID) is not read: it is filed from the same
// span by the workflows (and repaired by a migration where it was not), and
// the clinical time is what the rules go by, whenever a record was entered.
func inEpisode(a Appointment, e Episode) bool {
	return e.Contains(a.FiledAt())
}
