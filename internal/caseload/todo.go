package caseload

import (
	"fmt"
	"sort"
	"time"
)

// To-Do item kinds (rule 7).
const (
	TodoPaperwork          = "PAPERWORK"
	TodoSendReminder       = "SEND_REMINDER"
	TodoRecordAttendance   = "RECORD_ATTENDANCE"
	TodoSendWarning        = "SEND_WARNING"
	TodoCloseCase          = "CLOSE_CASE"
	TodoAddCaregiver       = "ADD_CAREGIVER"
	TodoNoConsentedContact = "NO_CONSENTED_CONTACT"
	TodoRevokeRecurring    = "REVOKE_RECURRING"
)

// TodoItem is one thing a clinician has to do (rule 7).
type TodoItem struct {
	Kind     string
	ClientID int
	// AppointmentID, DocumentID, ContactID, EpisodeID: what the item is about (0 if not that).
	AppointmentID, DocumentID, ContactID, EpisodeID int
	// DocumentKind is the document to write, for PAPERWORK.
	DocumentKind string
	// CloseBy is the close-by date of a warning to send.
	CloseBy time.Time
	DueAt   time.Time
	Overdue bool
	// Explanation says what to do and why.
	Explanation string
}

// Todo is a clinician's To-Do list over their clients' histories (rule 7),
// ordered by due time. Items that are due "now" (warnings, closures, missing
// caregivers, revocations) are due at Now.
func (r Rules) Todo(histories []*History) []TodoItem {
	var items []TodoItem
	for _, h := range histories {
		items = append(items, r.clientTodo(h)...)
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

func (r Rules) clientTodo(h *History) []TodoItem {
	id := h.Client.ID
	var items []TodoItem
	for _, p := range r.PaperworkDue(h) {
		items = append(items, TodoItem{Kind: TodoPaperwork, ClientID: id, AppointmentID: p.AppointmentID, DocumentID: p.DocumentID,
			ContactID: p.ContactID, EpisodeID: p.EpisodeID, DocumentKind: p.DocumentKind, DueAt: p.DueAt, Overdue: p.Overdue, Explanation: p.Explanation})
	}
	if h.Client.Status == StatusClosed {
		return items // a closed case owes only its paperwork
	}
	noContact := r.NoConsentedContact(h)
	for _, a := range h.Appointments {
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
	switch rec := r.TerminationRecommendation(h); rec.Action {
	case ActionSendWarning:
		items = append(items, TodoItem{Kind: TodoSendWarning, ClientID: id, CloseBy: rec.CloseBy, DueAt: r.Now, Explanation: rec.Explanation})
	case ActionClose:
		items = append(items, TodoItem{Kind: TodoCloseCase, ClientID: id, DueAt: r.Now, Explanation: rec.Explanation})
	}
	if r.IsMinor(h.Client) {
		if _, ok := PrimaryCaregiver(h); !ok {
			items = append(items, TodoItem{Kind: TodoAddCaregiver, ClientID: id, DueAt: r.Now,
				Explanation: "The client is a minor with no primary caregiver on file: add one."})
		}
		if noContact {
			items = append(items, TodoItem{Kind: TodoNoConsentedContact, ClientID: id, DueAt: r.Now,
				Explanation: "No consented contact for this minor: no caregiver on file has consented to be contacted, so no reminder or message may go out. Record a caregiver's consent, or add one who gives it."})
		}
	}
	if rec := r.RecurringEligibility(h); rec.ShouldRevoke && h.Client.Status == StatusActive {
		items = append(items, TodoItem{Kind: TodoRevokeRecurring, ClientID: id, DueAt: r.Now, Explanation: rec.Reason})
	}
	return items
}
