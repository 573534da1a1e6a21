package caseload

import (
	"fmt"
	"sort"
	"time"
)

// The figures of whole caseloads (rules 4, 7, 8, 9) over their clients'
// facts: a screen reads them from the projection, and the functions that
// take histories (Todo, CaseloadHealth, Calendar, the backfill rules)
// compute the same facts from the histories first (FactsFor), so there is
// one implementation of each figure, checked both ways by the tests.

// ClientFacts is a client as the rules see them, with their facts.
type ClientFacts struct {
	Client Client
	Facts  Facts
}

// withFacts returns the clients of the histories with their facts at r.Now.
func (r Rules) withFacts(hs []*History) []ClientFacts {
	out := make([]ClientFacts, len(hs))
	for i, h := range hs {
		out[i] = ClientFacts{Client: h.Client, Facts: r.FactsFor(h)}
	}
	return out
}

// TodoOf is a clinician's To-Do list over their clients (rule 7), ordered
// by due time. Items that are due "now" (warnings, closures, missing
// caregivers, revocations) are due at Now.
func (r Rules) TodoOf(clients []ClientFacts) []TodoItem {
	var items []TodoItem
	for _, c := range clients {
		items = append(items, r.clientTodo(c)...)
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if !a.DueAt.Equal(b.DueAt) {
			return a.DueAt.Before(b.DueAt)
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.ClientID != b.ClientID {
			return a.ClientID < b.ClientID
		}
		return a.AppointmentID+a.DocumentID+a.ContactID+a.EpisodeID < b.AppointmentID+b.DocumentID+b.ContactID+b.EpisodeID
	})
	return items
}

// noConsentedContact is NoConsentedContact from the facts.
func (r Rules) noConsentedContact(c ClientFacts) bool {
	return r.IsMinor(c.Client) && c.Facts.Caregivers > 0 && c.Facts.ContactCaregiverID == 0
}

func (r Rules) clientTodo(c ClientFacts) []TodoItem {
	id, f := c.Client.ID, c.Facts
	var items []TodoItem
	for _, p := range r.PaperworkDueOf(f) {
		items = append(items, TodoItem{Kind: TodoPaperwork, ClientID: id, AppointmentID: p.AppointmentID, DocumentID: p.DocumentID,
			ContactID: p.ContactID, EpisodeID: p.EpisodeID, DocumentKind: p.DocumentKind, DueAt: p.DueAt, Overdue: p.Overdue, Explanation: p.Explanation})
	}
	if c.Client.Status == StatusClosed {
		return items // a closed case owes only its paperwork
	}
	noContact := r.noConsentedContact(c)
	for _, b := range f.Booked {
		a := Appointment{ID: b.ID, Status: Scheduled, Start: b.Start, End: b.End, ReminderSentAt: b.ReminderSentAt}
		switch {
		case r.ReminderDue(a) && noContact:
			// Nobody may be reminded: NO_CONSENTED_CONTACT below says so once.
		case r.ReminderDue(a):
			items = append(items, TodoItem{Kind: TodoSendReminder, ClientID: id, AppointmentID: a.ID, DueAt: a.Start,
				Explanation: fmt.Sprintf("Remind the client of the session at %s (within %d hours, no reminder sent yet).", a.Start.In(r.Location).Format("Mon Jan 2 15:04"), r.Policy.ReminderLeadHours)})
		case r.NeedsAttendance(a):
			items = append(items, TodoItem{Kind: TodoRecordAttendance, ClientID: id, AppointmentID: a.ID, DueAt: a.End,
				Overdue:     r.Now.After(r.noteDue(a.End)),
				Explanation: fmt.Sprintf("Record whether the client came to the session of %s.", a.Start.In(r.Location).Format("Mon Jan 2 15:04"))})
		}
	}
	switch rec := r.TerminationRecommendationOf(c.Client.Status, f); rec.Action {
	case ActionSendWarning:
		items = append(items, TodoItem{Kind: TodoSendWarning, ClientID: id, CloseBy: rec.CloseBy, DueAt: r.Now, Explanation: rec.Explanation})
	case ActionClose:
		items = append(items, TodoItem{Kind: TodoCloseCase, ClientID: id, DueAt: r.Now, Explanation: rec.Explanation})
	}
	if r.IsMinor(c.Client) {
		if f.PrimaryCaregiverID == 0 {
			items = append(items, TodoItem{Kind: TodoAddCaregiver, ClientID: id, DueAt: r.Now,
				Explanation: "The client is a minor with no primary caregiver on file: add one."})
		}
		if noContact {
			items = append(items, TodoItem{Kind: TodoNoConsentedContact, ClientID: id, DueAt: r.Now,
				Explanation: "No consented contact for this minor: no caregiver on file has consented to be contacted, so no reminder or message may go out. Record a caregiver's consent, or add one who gives it."})
		}
	}
	if rec := r.RecurringEligibilityOf(c.Client.RecurringPrivilege, f); rec.ShouldRevoke && c.Client.Status == StatusActive {
		items = append(items, TodoItem{Kind: TodoRevokeRecurring, ClientID: id, DueAt: r.Now, Explanation: rec.Reason})
	}
	return items
}

// CaseloadHealthOf computes rule 9 over the clinician's clients.
func (r Rules) CaseloadHealthOf(weeklySlots int, clients []ClientFacts) Health {
	active := make([]float64, 0, len(clients))
	for _, c := range clients {
		if c.Client.Status == StatusActive {
			active = append(active, frequencyWeights[c.Client.SessionFrequency]*r.AttendanceRateOf(c.Facts))
		}
	}
	return r.health(weeklySlots, active)
}

// listReasonsOf are the bars to being on the backfill list at all.
func (r Rules) listReasonsOf(c ClientFacts) []string {
	var reasons []string
	if c.Client.Status != StatusActive {
		reasons = append(reasons, fmt.Sprintf("the client is %s, not ACTIVE", c.Client.Status))
	}
	if !c.Client.WantsEarlier {
		reasons = append(reasons, "the client has not asked for an earlier appointment")
	}
	if n := c.Facts.StrikeCount; n >= r.Policy.StrikeLimit {
		reasons = append(reasons, fmt.Sprintf("%d strikes in this episode (limit %d)", n, r.Policy.StrikeLimit))
	}
	return reasons
}

// BackfillEligibilityOf says whether the client is on the backfill list and
// not barred from it (rule 4, client level).
func (r Rules) BackfillEligibilityOf(c ClientFacts) Eligibility {
	return eligibility(r.listReasonsOf(c))
}

// BackfillForSlotOf says whether the client can take the freed slot (rule 4).
func (r Rules) BackfillForSlotOf(c ClientFacts, s Slot) Eligibility {
	reasons := r.listReasonsOf(c)
	if c.Client.ClinicianID != s.ClinicianID {
		reasons = append(reasons, "the client sees another clinician")
	}
	for _, b := range c.Facts.Booked {
		if b.Start.Before(s.End) && s.Start.Before(b.End) {
			reasons = append(reasons, ReasonBookedThen)
			break
		}
	}
	if next, ok := r.NextBooked(c.Facts); ok && !next.Start.After(s.Start) {
		reasons = append(reasons, "the client's next session is not later than the slot")
	}
	if !r.FitsAvailability(c.Client.Availability, s) {
		reasons = append(reasons, "the slot is outside the client's availability windows")
	}
	return eligibility(reasons)
}

// BackfillCandidatesOf returns the eligible clients for the slot, ranked:
// longest wait until their next session first (nothing booked waits
// longest), then fewer strikes, then longest since seen.
func (r Rules) BackfillCandidatesOf(s Slot, clients []ClientFacts) []Candidate {
	return r.candidatesExcept(s, clients, -1)
}

// candidatesExcept is BackfillCandidatesOf over the clients but the one at
// index skip (the session's own client).
func (r Rules) candidatesExcept(s Slot, clients []ClientFacts, skip int) []Candidate {
	var out []Candidate
	for i := range clients {
		c := &clients[i]
		if i == skip || !r.BackfillForSlotOf(*c, s).Eligible {
			continue
		}
		next, _ := r.NextBooked(c.Facts)
		out = append(out, r.Candidate(c.Client.ID, s, next.Start, c.Facts.StrikeCount, r.ActivityOf(c.Facts).DaysSinceSeen))
	}
	RankCandidates(out)
	return out
}

// CalendarOf lists the sessions of a clinician on a local day (rule 8):
// sessions are the clinician's sessions that day (those of clients outside
// clients are left out, as are cancelled ones), clients their caseload.
func (r Rules) CalendarOf(clinicianID int, day time.Time, sessions []Appointment, clients []ClientFacts) []CalendarEntry {
	start, end := r.DayBounds(day)
	byClient := make(map[int]int, len(clients))
	for i, c := range clients {
		byClient[c.Client.ID] = i
	}
	var entries []CalendarEntry
	for _, a := range sessions {
		i, ok := byClient[a.ClientID]
		if !ok || a.ClinicianID != clinicianID || a.Start.Before(start) || !a.Start.Before(end) || a.Status == Canceled {
			continue
		}
		c := clients[i]
		e := CalendarEntry{Appointment: a, Risk: r.RiskOf(c.Facts, a)}
		if due, ok := r.TreatmentPlanReviewDueOf(c.Facts); ok && !r.DateOf(due).After(day) {
			e.TreatmentPlanReviewDue = true
		}
		if r.IsMinor(c.Client) && c.Facts.ContactCaregiverID != 0 {
			e.Caregiver = &Caregiver{ID: c.Facts.ContactCaregiverID, IsPrimary: c.Facts.ContactCaregiverID == c.Facts.PrimaryCaregiverID, ConsentToContact: true}
		}
		if a.Booked() {
			e.Candidates = r.candidatesExcept(Slot{ClinicianID: clinicianID, Start: a.Start, End: a.End}, clients, i)
		}
		entries = append(entries, e)
	}
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i].Appointment, entries[j].Appointment
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		return a.ID < b.ID
	})
	return entries
}
