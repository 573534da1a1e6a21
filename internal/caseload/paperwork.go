package caseload

import (
	"fmt"
	"sort"
	"time"
)

// Note statuses of a session (rule 10).
const (
	NoteNotRequired = "NOT_REQUIRED"
	NoteMissing     = "MISSING"
	NoteDraft       = "DRAFT"
	NoteSigned      = "SIGNED"
)

// PaperworkItem is a document that is due (rule 6).
type PaperworkItem struct {
	// DocumentKind is the kind of document to write and sign.
	DocumentKind string
	// Status is MISSING (not started) or DRAFT (started, not signed).
	Status string
	// DocumentID is the draft, when there is one.
	DocumentID int
	// AppointmentID, ContactID, EpisodeID: what the document is for (0 if not that).
	AppointmentID, ContactID, EpisodeID int
	// DueAt is when it must be signed.
	DueAt time.Time
	// Overdue: DueAt has passed.
	Overdue bool
	// Explanation says what is due and why.
	Explanation string
}

// NoteKind is the note an attended session needs.
func NoteKind(a Appointment) string {
	if a.Kind == KindIntake {
		return DocIntake
	}
	return DocProgressNote
}

// documentStatus finds the state of the document of kind that matches.
func documentStatus(docs []Document, kind string, match func(Document) bool) (string, int) {
	status, id := NoteMissing, 0
	for _, d := range docs {
		if d.Kind != kind || !match(d) {
			continue
		}
		if d.Status == Signed {
			return NoteSigned, d.ID
		}
		status, id = NoteDraft, d.ID
	}
	return status, id
}

// NoteStatus is the state of a session's note (rule 10).
func (r Rules) NoteStatus(a Appointment, docs []Document) (status string, overdue bool) {
	if a.Status != Attended {
		return NoteNotRequired, false
	}
	if a.NoteSigned {
		return NoteSigned, false
	}
	status, _ = documentStatus(docs, NoteKind(a), func(d Document) bool { return d.AppointmentID == a.ID })
	return status, status != NoteSigned && r.Now.After(r.noteDue(a.End))
}

func (r Rules) noteDue(end time.Time) time.Time {
	return end.Add(time.Duration(r.Policy.NoteDueHours) * time.Hour)
}

// addDays adds calendar days in the practice's zone (DST-safe).
func (r Rules) addDays(t time.Time, days int) time.Time {
	return t.In(r.Location).AddDate(0, 0, days)
}

// addMonths adds calendar months in the practice's zone. A day that the
// target month lacks becomes its last day (three months after November 30
// is February 28, not March 2).
func (r Rules) addMonths(t time.Time, months int) time.Time {
	local := t.In(r.Location)
	y, m, d := local.Date()
	lastDay := time.Date(y, m+time.Month(months)+1, 0, 0, 0, 0, 0, r.Location).Day()
	return time.Date(y, m+time.Month(months), min(d, lastDay), local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), r.Location)
}

// filedAt is the clinical time by which a document belongs to an episode
// (SPEC rule 1, for documents): the start of the session it names, else the
// time of the contact it names (a note is of the episode of what it
// documents, however late it was written), else when it was signed (the
// clinical act of a plan or review), else, for a draft, when it was written.
func filedAt(h *History, d Document) time.Time {
	if d.AppointmentID != 0 {
		if a, ok := h.Appointment(d.AppointmentID); ok {
			return a.FiledAt()
		}
	}
	if d.ContactID != 0 {
		for _, c := range h.Contacts {
			if c.ID == d.ContactID {
				return c.At
			}
		}
	}
	if d.Status == Signed && !d.SignedAt.IsZero() {
		return d.SignedAt
	}
	return d.CreatedAt
}

// lastPlanSigned is when the open episode's treatment plan or its latest
// review was signed (zero when there is no signed plan).
func (r Rules) lastPlanSigned(h *History, ep Episode) time.Time {
	var last time.Time
	for _, d := range h.Documents {
		if (d.Kind == DocTreatmentPlan || d.Kind == DocTreatmentPlanReview) && d.Status == Signed &&
			ep.Contains(filedAt(h, d)) && d.SignedAt.After(last) {
			last = d.SignedAt
		}
	}
	return last
}

// TreatmentPlanReviewDue is when the open episode's next treatment plan
// review is due: the review interval after the last signed plan or review.
// False when there is no open episode or no signed plan yet.
func (r Rules) TreatmentPlanReviewDue(h *History) (time.Time, bool) {
	ep, open := h.OpenEpisode()
	if !open {
		return time.Time{}, false
	}
	last := r.lastPlanSigned(h, ep)
	if last.IsZero() {
		return time.Time{}, false
	}
	return r.ReviewDueAfter(last), true
}

// ReviewDueAfter is when the next treatment plan review is due after a plan
// or review signed at signed: the practice's review interval later.
func (r Rules) ReviewDueAfter(signed time.Time) time.Time {
	return r.addMonths(signed, r.Policy.TreatmentPlanReviewMonths)
}

// PaperworkDue lists the documents due for a client (rule 6), ordered by due
// time: a note for every attended session and billable contact, the initial
// treatment plan of the open episode, its review once due, and a termination
// note for every closed episode.
func (r Rules) PaperworkDue(h *History) []PaperworkItem {
	var items []PaperworkItem
	add := func(it PaperworkItem) {
		it.Overdue = r.Now.After(it.DueAt)
		items = append(items, it)
	}
	for _, a := range h.Appointments {
		if a.Status != Attended || a.Start.After(r.Now) || a.NoteSigned {
			continue
		}
		kind := NoteKind(a)
		status, id := documentStatus(h.Documents, kind, func(d Document) bool { return d.AppointmentID == a.ID })
		if status == NoteSigned {
			continue
		}
		add(PaperworkItem{DocumentKind: kind, Status: status, DocumentID: id, AppointmentID: a.ID, DueAt: r.noteDue(a.End),
			Explanation: fmt.Sprintf("Sign the %s of the session on %s (due %d hours after it ended).", humanKind(kind), r.DateOf(a.Start).Format(time.DateOnly), r.Policy.NoteDueHours)})
	}
	for _, c := range h.Contacts {
		if c.BillableMinutes <= 0 || c.At.After(r.Now) || c.NoteSigned {
			continue
		}
		status, id := documentStatus(h.Documents, DocContactNote, func(d Document) bool { return d.ContactID == c.ID })
		if status == NoteSigned {
			continue
		}
		add(PaperworkItem{DocumentKind: DocContactNote, Status: status, DocumentID: id, ContactID: c.ID, DueAt: r.noteDue(c.At),
			Explanation: fmt.Sprintf("Sign the contact note of the %d billable minutes on %s.", c.BillableMinutes, r.DateOf(c.At).Format(time.DateOnly))})
	}
	if ep, open := h.OpenEpisode(); open {
		inEp := func(d Document) bool { return ep.Contains(filedAt(h, d)) }
		status, id := documentStatus(h.Documents, DocTreatmentPlan, inEp)
		if status != NoteSigned {
			add(PaperworkItem{DocumentKind: DocTreatmentPlan, Status: status, DocumentID: id, EpisodeID: ep.ID,
				DueAt:       r.addDays(ep.OpenedAt, r.Policy.InitialTreatmentPlanDueDays),
				Explanation: fmt.Sprintf("Write and sign the initial treatment plan (due %d days after the episode opened on %s).", r.Policy.InitialTreatmentPlanDueDays, r.DateOf(ep.OpenedAt).Format(time.DateOnly))})
		} else if due, ok := r.TreatmentPlanReviewDue(h); ok && !r.DateOf(due).After(r.Today()) {
			status, id := documentStatus(h.Documents, DocTreatmentPlanReview, func(d Document) bool { return d.Status != Signed && inEp(d) })
			add(PaperworkItem{DocumentKind: DocTreatmentPlanReview, Status: status, DocumentID: id, EpisodeID: ep.ID, DueAt: due,
				Explanation: fmt.Sprintf("Review the treatment plan with the client (every %d months), and revisit the no-show and late-cancel policy with them.", r.Policy.TreatmentPlanReviewMonths)})
		}
	}
	// Each closed episode owes a termination note. It is written after the
	// closing, so it is matched to closures rather than filed by span: a note settles the
	// latest closure at or before it was written that has none yet (so a
	// note written after the client came back still settles the closure
	// before); a note drafted before closing settles that episode.
	var closed []Episode
	for _, ep := range h.Episodes {
		if !ep.Open() {
			closed = append(closed, ep)
		}
	}
	sort.Slice(closed, func(i, j int) bool { return closed[i].ClosedAt.Before(closed[j].ClosedAt) })
	var notes []Document
	for _, d := range h.Documents {
		if d.Kind == DocTerminationNote {
			notes = append(notes, d)
		}
	}
	sort.SliceStable(notes, func(i, j int) bool { return notes[i].CreatedAt.Before(notes[j].CreatedAt) })
	noteOf := make([]*Document, len(closed))
	for i := range notes {
		d := &notes[i]
		best := -1
		for j, ep := range closed {
			if noteOf[j] == nil && !ep.ClosedAt.After(d.CreatedAt) {
				best = j
			}
		}
		if best < 0 {
			for j, ep := range closed {
				if noteOf[j] == nil && !ep.OpenedAt.After(d.CreatedAt) {
					best = j
				}
			}
		}
		if best >= 0 {
			noteOf[best] = d
		}
	}
	for j, ep := range closed {
		status, id := NoteMissing, 0
		if d := noteOf[j]; d != nil {
			status, id = NoteDraft, d.ID
			if d.Status == Signed {
				continue
			}
		}
		add(PaperworkItem{DocumentKind: DocTerminationNote, Status: status, DocumentID: id, EpisodeID: ep.ID,
			DueAt:       r.addDays(ep.ClosedAt, r.Policy.TerminationNoteDueDays),
			Explanation: fmt.Sprintf("Write and sign the termination note of the episode closed on %s (due within %d days).", r.DateOf(ep.ClosedAt).Format(time.DateOnly), r.Policy.TerminationNoteDueDays)})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].DueAt.Before(items[j].DueAt) })
	return items
}

func humanKind(kind string) string {
	switch kind {
	case DocIntake:
		return "intake note"
	case DocProgressNote:
		return "progress note"
	}
	return kind
}
