package caseload

import (
	"fmt"
	"time"
)

// Activity is how recently a client was seen and heard from (rule 2).
type Activity struct {
	// LastSeenAt is the start of the last attended session (zero if none).
	LastSeenAt time.Time
	// LastContactAt is the latest of LastSeenAt and the last INBOUND contact (zero if neither).
	LastContactAt time.Time
	// DaysSinceSeen counts calendar days since LastSeenAt, or since the open
	// episode opened when never seen; nil when there is neither.
	DaysSinceSeen *int
	// DaysSinceContact likewise for LastContactAt.
	DaysSinceContact *int
}

// Activity computes rule 2. While an episode is open only what happened in
// it counts: a returning client is counted from their new episode's opening,
// not from a session of the closed one, and contact is never older than seen.
func (r Rules) Activity(h *History) Activity {
	ep, open := h.OpenEpisode()
	var floor time.Time
	if open {
		floor = ep.OpenedAt
	}
	var lastSeen time.Time
	for _, a := range h.Appointments {
		if a.Status == Attended && !a.Start.After(r.Now) && !a.Start.Before(floor) && a.Start.After(lastSeen) {
			lastSeen = a.Start
		}
	}
	var lastInbound time.Time
	for _, c := range h.Contacts {
		if c.Direction == Inbound && !c.At.After(r.Now) && !c.At.Before(floor) && c.At.After(lastInbound) {
			lastInbound = c.At
		}
	}
	return r.ActivityFrom(lastSeen, lastInbound, ep.OpenedAt, open)
}

// ActivityFrom is rule 2 from its facts: the last attended session and the
// last INBOUND contact that count (those of the open episode while one is
// open; zero: none) and whether an episode is open, opened when. Activity
// gathers these from a history; a facts projection reads them stored.
func (r Rules) ActivityFrom(lastSeen, lastInbound, openedAt time.Time, open bool) Activity {
	act := Activity{LastSeenAt: lastSeen, LastContactAt: lastSeen}
	if lastInbound.After(act.LastContactAt) {
		act.LastContactAt = lastInbound
	}
	since := func(t time.Time) *int {
		switch {
		case !t.IsZero():
			d := r.DaysSince(t)
			return &d
		case open:
			d := r.DaysSince(openedAt)
			return &d
		}
		return nil
	}
	act.DaysSinceSeen = since(act.LastSeenAt)
	act.DaysSinceContact = since(act.LastContactAt)
	return act
}

// Termination actions and reasons (rule 3).
const (
	ActionNone        = "NONE"
	ActionSendWarning = "SEND_WARNING"
	ActionWait        = "WAIT"
	ActionClose       = "CLOSE"

	ReasonStrikes        = "STRIKES"
	ReasonWarningExpired = "WARNING_EXPIRED"
	ReasonInactive       = "INACTIVE"
)

// Recommendation says whether to warn or close a client's case (rule 3).
type Recommendation struct {
	// Action is NONE, SEND_WARNING, WAIT or CLOSE.
	Action string
	// Reason is STRIKES, WARNING_EXPIRED or INACTIVE for CLOSE, INACTIVE for
	// SEND_WARNING and WAIT, "" for NONE.
	Reason string
	// CloseBy is the close-by date of the warning to send or waited on (zero otherwise).
	CloseBy time.Time
	// Explanation says why, in the practice's words.
	Explanation string
}

// activeWarning returns the latest OUTBOUND closure warning sent in the open
// episode since the client was last seen (a session after a warning answers it).
func (r Rules) activeWarning(h *History, lastSeen time.Time) (Contact, bool) {
	ep, open := h.OpenEpisode()
	if !open {
		return Contact{}, false
	}
	var w Contact
	found := false
	for _, c := range h.Contacts {
		if c.Purpose != ClosureWarning || c.Direction != Outbound || c.CloseBy.IsZero() || c.At.After(r.Now) {
			continue
		}
		if c.At.Before(ep.OpenedAt) || (!lastSeen.IsZero() && c.At.Before(lastSeen)) {
			continue
		}
		if !found || c.At.After(w.At) {
			w, found = c, true
		}
	}
	return w, found
}

// TerminationRecommendation computes rule 3: the first matching recommendation wins.
func (r Rules) TerminationRecommendation(h *History) Recommendation {
	f := TerminationFacts{Status: h.Client.Status}
	if f.Status == StatusActive {
		f.Strikes = r.StrikeCount(h)
		if f.Strikes < r.Policy.StrikeLimit {
			_, f.Booked = r.NextAppointment(h)
			f.Activity = r.Activity(h)
			if w, ok := r.activeWarning(h, f.Activity.LastSeenAt); ok {
				f.Warned, f.WarnedAt, f.WarningCloseBy = true, w.At, w.CloseBy
			}
			f.LastInbound, _ = r.lastInbound(h)
		}
	}
	return r.Recommend(f)
}

// TerminationFacts are what rule 3 reads of a client's history.
type TerminationFacts struct {
	Status  string
	Strikes int
	// Booked: a session is booked ahead.
	Booked   bool
	Activity Activity
	// Warned: a closure warning is active (activeWarning), sent at WarnedAt
	// with close-by date WarningCloseBy.
	Warned                   bool
	WarnedAt, WarningCloseBy time.Time
	// LastInbound is the last INBOUND contact of all time (zero: none).
	LastInbound time.Time
}

// Recommend is rule 3 from its facts: the first matching recommendation
// wins. TerminationRecommendation gathers the facts from a history; a
// facts projection reads them stored.
func (r Rules) Recommend(f TerminationFacts) Recommendation {
	if f.Status != StatusActive {
		return Recommendation{Action: ActionNone, Explanation: fmt.Sprintf("The client is %s: nothing to recommend.", f.Status)}
	}
	p := r.Policy
	strikes, booked, act := f.Strikes, f.Booked, f.Activity
	if strikes >= p.StrikeLimit {
		return Recommendation{Action: ActionClose, Reason: ReasonStrikes, Explanation: fmt.Sprintf(
			"%d no-shows or late cancellations in this episode (limit %d): inform the client of the violation and close the case.", strikes, p.StrikeLimit)}
	}
	today := r.Today()
	warning, warned := Contact{At: f.WarnedAt, CloseBy: f.WarningCloseBy}, f.Warned
	if warned && !booked && today.After(warning.CloseBy) {
		return Recommendation{Action: ActionClose, Reason: ReasonWarningExpired, CloseBy: warning.CloseBy, Explanation: fmt.Sprintf(
			"A closure warning was sent on %s with close-by date %s, which has passed, and no session is booked: close the case.",
			r.DateOf(warning.At).Format(time.DateOnly), warning.CloseBy.Format(time.DateOnly))}
	}
	// A warning promised a close-by date: wait for it, the date itself
	// included, even if the client has since gone quiet.
	if warned && !booked {
		return Recommendation{Action: ActionWait, Reason: ReasonInactive, CloseBy: warning.CloseBy, Explanation: fmt.Sprintf(
			"A closure warning was sent on %s: the case closes after %s unless a session is booked.",
			r.DateOf(warning.At).Format(time.DateOnly), warning.CloseBy.Format(time.DateOnly))}
	}
	inactive := func(days *int) bool { return days != nil && *days >= p.InactivityDays }
	if inactive(act.DaysSinceSeen) && !booked {
		if in := f.LastInbound; !in.IsZero() && r.DaysSince(in) < p.InactivityDays {
			closeBy := today.AddDate(0, 0, p.ClosureWarningGraceDays)
			return Recommendation{Action: ActionSendWarning, Reason: ReasonInactive, CloseBy: closeBy, Explanation: fmt.Sprintf(
				"Not seen for %d days (limit %d) but in contact %d days ago and nothing booked: warn that the case closes after %s unless a session is booked.",
				*act.DaysSinceSeen, p.InactivityDays, r.DaysSince(in), closeBy.Format(time.DateOnly))}
		}
	}
	if inactive(act.DaysSinceContact) && !booked {
		return Recommendation{Action: ActionClose, Reason: ReasonInactive, Explanation: fmt.Sprintf(
			"Not seen or heard from for %d days (limit %d) and nothing booked: close the case; a courtesy note (\"we are here if you need us again\") is suggested.",
			*act.DaysSinceContact, p.InactivityDays)}
	}
	return Recommendation{Action: ActionNone, Explanation: "Nothing to do: the client is within the policy."}
}

// IsMinor reports whether the client is under 18 today in the practice's zone.
// An unknown date of birth is not a minor.
func (r Rules) IsMinor(c Client) bool {
	if c.DateOfBirth.IsZero() {
		return false
	}
	eighteen := c.DateOfBirth.AddDate(18, 0, 0)
	return r.Today().Before(eighteen)
}

// PrimaryCaregiver returns the client's primary caregiver, or false.
func PrimaryCaregiver(h *History) (Caregiver, bool) {
	for _, c := range h.Caregivers {
		if c.IsPrimary {
			return c, true
		}
	}
	return Caregiver{}, false
}

// ContactCaregiver returns whom to contact about a minor's sessions (SPEC,
// Access, "Consent"): the primary caregiver if they consented to contact,
// else the first other caregiver who did (by id), else false. A caregiver
// who has not consented is never the one contacted: in a custody dispute
// that would tell the wrong adult about a child's therapy.
func ContactCaregiver(h *History) (Caregiver, bool) {
	var found Caregiver
	ok := false
	for _, c := range h.Caregivers {
		if !c.ConsentToContact {
			continue
		}
		if c.IsPrimary {
			return c, true
		}
		if !ok || c.ID < found.ID {
			found, ok = c, true
		}
	}
	return found, ok
}

// NoConsentedContact reports whether the client is a minor with caregivers
// on file none of whom consented to contact: nobody may be reminded or
// told anything about the sessions until one consents.
func (r Rules) NoConsentedContact(h *History) bool {
	if !r.IsMinor(h.Client) || len(h.Caregivers) == 0 {
		return false
	}
	_, ok := ContactCaregiver(h)
	return !ok
}
