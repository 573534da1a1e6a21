package caseload

import "time"

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

// Todo is a clinician's To-Do list over their clients' histories (rule 7):
// TodoOf over their facts.
func (r Rules) Todo(histories []*History) []TodoItem {
	return r.TodoOf(r.withFacts(histories))
}
