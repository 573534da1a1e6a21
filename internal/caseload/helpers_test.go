package caseload

import (
	"fmt"
	"strings"
	"time"
)

// The zones of the tests: New York for the usual practice (with its DST
// changes on 2026-03-08 and 2026-11-01), Auckland for a practice whose
// calendar day is ahead of UTC's.
var (
	newYork  = mustLoadLocation("America/New_York")
	auckland = mustLoadLocation("Pacific/Auckland")
)

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// wall parses a wall-clock time "2006-01-02 15:04" in loc.
func wall(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

// ny parses a New York wall-clock time "2006-01-02 15:04".
func ny(s string) time.Time { return wall(newYork, s) }

// utc parses an RFC 3339 instant such as "2026-06-10T13:00:00Z".
func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// date returns the calendar date "2006-01-02" as midnight UTC, the package's
// representation of a date.
func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// rulesAt returns the default policy of a New York practice at the wall time now.
func rulesAt(now string) Rules {
	return Rules{Policy: DefaultPolicy(), Location: newYork, Now: ny(now)}
}

// withPolicy returns r with its policy changed by change.
func withPolicy(r Rules, change func(*Policy)) Rules {
	change(&r.Policy)
	return r
}

// sessionLength is the length of the sessions the builders make.
const sessionLength = 50 * time.Minute

// apptOption changes an appointment made by session.
type apptOption func(*Appointment)

// session is a 50-minute THERAPY appointment of client 1 with clinician 1 at
// the New York wall time start.
func session(start, status string, opts ...apptOption) Appointment {
	return sessionAt(ny(start), status, opts...)
}

// sessionAt is session at the instant start (for zones other than New York).
func sessionAt(start time.Time, status string, opts ...apptOption) Appointment {
	a := Appointment{ClientID: 1, ClinicianID: 1, Start: start, End: start.Add(sessionLength), Kind: KindTherapy, Status: status}
	for _, o := range opts {
		o(&a)
	}
	return a
}

func withID(id int) apptOption      { return func(a *Appointment) { a.ID = id } }
func ofKind(kind string) apptOption { return func(a *Appointment) { a.Kind = kind } }

// noteSigned marks the session's note signed, as a loader that leaves
// signed notes out does.
func noteSigned() apptOption { return func(a *Appointment) { a.NoteSigned = true } }

// signedContact marks the contact's note signed (see noteSigned).
func signedContact(c Contact) Contact   { c.NoteSigned = true; return c }
func inEpisodeID(id int) apptOption     { return func(a *Appointment) { a.EpisodeID = id } }
func withClinician(id int) apptOption   { return func(a *Appointment) { a.ClinicianID = id } }
func lateBy(minutes int) apptOption     { return func(a *Appointment) { a.MinutesLate = minutes } }
func inSeries(series string) apptOption { return func(a *Appointment) { a.SeriesID = series } }
func excused() apptOption               { return func(a *Appointment) { a.Excused = true } }
func rescheduledBy(who string) apptOption {
	return func(a *Appointment) { a.RescheduledBy = who }
}
func confirmedAt(t time.Time) apptOption { return func(a *Appointment) { a.ConfirmedAt = t } }
func remindedAt(t time.Time) apptOption  { return func(a *Appointment) { a.ReminderSentAt = t } }

// cancelledBy records a cancellation by who, the given time before the start
// (negative: after it started).
func cancelledBy(who string, before time.Duration) apptOption {
	return func(a *Appointment) {
		a.Status = Canceled
		a.CanceledBy = who
		a.CanceledAt = a.Start.Add(-before)
	}
}

// historyOption changes a history made by history.
type historyOption func(*History)

// history is an ACTIVE weekly client 1 of clinician 1 with what opts add.
// Appointments without an id get one (client id*1000 + position) and the
// client's id.
func history(opts ...historyOption) *History {
	h := &History{Client: Client{ID: 1, ClinicianID: 1, Status: StatusActive, SessionFrequency: Weekly}}
	for _, o := range opts {
		o(h)
	}
	for i := range h.Appointments {
		a := &h.Appointments[i]
		a.ClientID = h.Client.ID
		if a.ID == 0 {
			a.ID = h.Client.ID*1000 + i + 1
		}
	}
	return h
}

func clientID(id int) historyOption       { return func(h *History) { h.Client.ID = id } }
func clientStatus(s string) historyOption { return func(h *History) { h.Client.Status = s } }
func seesClinician(id int) historyOption  { return func(h *History) { h.Client.ClinicianID = id } }
func frequency(f string) historyOption    { return func(h *History) { h.Client.SessionFrequency = f } }
func born(dob string) historyOption       { return func(h *History) { h.Client.DateOfBirth = date(dob) } }
func recurringPrivilege() historyOption {
	return func(h *History) { h.Client.RecurringPrivilege = true }
}

// wantsEarlier puts the client on the backfill list with these windows.
func wantsEarlier(windows ...AvailabilityWindow) historyOption {
	return func(h *History) { h.Client.WantsEarlier, h.Client.Availability = true, windows }
}

func sessions(a ...Appointment) historyOption {
	return func(h *History) { h.Appointments = append(h.Appointments, a...) }
}

func contacts(c ...Contact) historyOption {
	return func(h *History) { h.Contacts = append(h.Contacts, c...) }
}

func documents(d ...Document) historyOption {
	return func(h *History) { h.Documents = append(h.Documents, d...) }
}

func caregivers(c ...Caregiver) historyOption {
	return func(h *History) { h.Caregivers = append(h.Caregivers, c...) }
}

// opened adds an open episode opened at the New York wall time at.
func opened(id int, at string) historyOption {
	return func(h *History) { h.Episodes = append(h.Episodes, Episode{ID: id, OpenedAt: ny(at)}) }
}

// closedEpisode adds an episode open from opened to closed (New York wall times).
func closedEpisode(id int, opened, closed string) historyOption {
	return func(h *History) {
		h.Episodes = append(h.Episodes, Episode{ID: id, OpenedAt: ny(opened), ClosedAt: ny(closed)})
	}
}

func inbound(id int, at string) Contact {
	return Contact{ID: id, At: ny(at), Direction: Inbound, Purpose: "CHECK_IN"}
}

func outbound(id int, at string) Contact {
	return Contact{ID: id, At: ny(at), Direction: Outbound, Purpose: "CHECK_IN"}
}

// warningSent is an OUTBOUND closure warning sent at at with its close-by date.
func warningSent(id int, at, closeBy string) Contact {
	return Contact{ID: id, At: ny(at), Direction: Outbound, Purpose: ClosureWarning, CloseBy: date(closeBy)}
}

// billable is an OUTBOUND care-coordination call of the given billable minutes.
func billable(id int, at string, minutes int) Contact {
	return Contact{ID: id, At: ny(at), Direction: Outbound, Purpose: "CARE_COORDINATION", BillableMinutes: minutes}
}

// signed is a document signed at the New York wall time at (created an hour before).
func signed(id int, kind string, at string) Document {
	t := ny(at)
	return Document{ID: id, Kind: kind, Status: Signed, CreatedAt: t.Add(-time.Hour), SignedAt: t}
}

// draft is a document started at the New York wall time at.
func draft(id int, kind string, at string) Document {
	return Document{ID: id, Kind: kind, Status: Draft, CreatedAt: ny(at)}
}

// forAppointment links a document to a session.
func forAppointment(d Document, appointmentID int) Document {
	d.AppointmentID = appointmentID
	return d
}

// forContact links a document to a contact.
func forContact(d Document, contactID int) Document { d.ContactID = contactID; return d }

// days returns a pointer to n, for the *int results of rule 2.
func days(n int) *int { return &n }

// showDays prints a *int as a number or nil.
func showDays(p *int) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func sameDays(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// showTime prints an instant as New York wall time with its offset, or "-".
func showTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(newYork).Format("2006-01-02 15:04 -0700")
}

// showDate prints a date or "-".
func showDate(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.DateOnly)
}

// hasReasons reports whether reasons are exactly one per wanted fragment, each
// containing its fragment (the wording stays the package's own).
func hasReasons(reasons, fragments []string) bool {
	if len(reasons) != len(fragments) {
		return false
	}
	for _, f := range fragments {
		found := false
		for _, r := range reasons {
			if strings.Contains(r, f) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
