package facts

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// The figures of a whole caseload and of the records the rules point at,
// with those records loaded as entities, one query per kind, through the
// operation's batches.

// ErrNotReadable marks a caseload the viewer may not read: its derived
// fields are null rather than computed over the clients the viewer sees.
var ErrNotReadable = errors.New("caseload not readable")

// Related is the records the rules' items point at, by id.
type Related struct {
	Documents    map[int]*ent.Document
	Appointments map[int]*ent.Appointment
	Contacts     map[int]*ent.Contact
}

// Related loads records by id, one query per kind.
func (f *Store) Related(ctx context.Context, docs, appts, contacts, clients []int) (Related, error) {
	f.documents.register(docs...)
	f.appointments.register(appts...)
	f.contacts.register(contacts...)
	f.clients.register(clients...)
	d, err := f.documents.getAll(ctx, docs...)
	if err != nil {
		return Related{}, err
	}
	a, err := f.appointments.getAll(ctx, appts...)
	if err != nil {
		return Related{}, err
	}
	c, err := f.contacts.getAll(ctx, contacts...)
	return Related{Documents: d, Appointments: a, Contacts: c}, err
}

// Appointment returns a session the operation reads, loaded with the others
// registered; false if the viewer may not read it.
func (f *Store) Appointment(ctx context.Context, id int) (*ent.Appointment, bool, error) {
	return f.appointments.get(ctx, id)
}

// Caregiver returns a caregiver loaded with the histories.
func (f *Store) Caregiver(ctx context.Context, id int) (*ent.Caregiver, bool, error) {
	return f.caregivers.get(ctx, id)
}

// readsCaseload reports whether the viewer may read the clinician's whole
// caseload: admins and analysts read every one, clinicians their own,
// supervisors also their supervisees'.
func readsCaseload(ctx context.Context, clinicianID int) bool {
	v := viewer.FromContext(ctx)
	return v.SeesWholePractice() || slices.Contains(v.ReadableClinicianIDs(), clinicianID)
}

// Caseload returns the facts of a clinician's clients (all statuses:
// closed clients still owe termination notes); ErrNotReadable if the viewer
// may not read the whole caseload.
func (f *Store) Caseload(ctx context.Context, clinicianID int) (caseload.Rules, []caseload.ClientFacts, error) {
	if !readsCaseload(ctx, clinicianID) {
		return caseload.Rules{}, nil, ErrNotReadable
	}
	rules, err := f.Rules(ctx)
	if err != nil {
		return caseload.Rules{}, nil, err
	}
	f.mu.Lock()
	cs, ok := f.caseloadFacts[clinicianID]
	f.mu.Unlock()
	if ok {
		return rules, cs, nil
	}
	ids, _, err := f.caseloads.get(ctx, clinicianID)
	if err != nil {
		return caseload.Rules{}, nil, err
	}
	if cs, err = f.ClientsFacts(ctx, ids); err != nil {
		return caseload.Rules{}, nil, err
	}
	// Health, To-Do and calendar of one dashboard share the list.
	f.mu.Lock()
	if f.caseloadFacts == nil {
		f.caseloadFacts = map[int][]caseload.ClientFacts{}
	}
	f.caseloadFacts[clinicianID] = cs
	f.mu.Unlock()
	return rules, cs, nil
}

// Health is the clinician's caseload measured against their slots.
func (f *Store) Health(ctx context.Context, c *ent.Clinician) (caseload.Health, error) {
	rules, cs, err := f.Caseload(ctx, c.ID)
	if err != nil {
		return caseload.Health{}, err
	}
	return rules.CaseloadHealthOf(c.WeeklySlots, cs), nil
}

// PaperworkItem is a rule's paperwork item with the records it points at.
type PaperworkItem struct {
	caseload.PaperworkItem
	Document    *ent.Document
	Appointment *ent.Appointment
	Contact     *ent.Contact
}

// Paperwork loads the records the items point at, one query per kind.
func (f *Store) Paperwork(ctx context.Context, items []caseload.PaperworkItem) ([]PaperworkItem, error) {
	var docs, appts, contacts []int
	for _, it := range items {
		docs, appts, contacts = append(docs, it.DocumentID), append(appts, it.AppointmentID), append(contacts, it.ContactID)
	}
	rel, err := f.Related(ctx, docs, appts, contacts, nil)
	if err != nil {
		return nil, err
	}
	out := make([]PaperworkItem, len(items))
	for i, it := range items {
		out[i] = PaperworkItem{PaperworkItem: it, Document: rel.Documents[it.DocumentID],
			Appointment: rel.Appointments[it.AppointmentID], Contact: rel.Contacts[it.ContactID]}
	}
	return out, nil
}

// TodoItem is an item of a clinician's To-Do list with the records it is
// about.
type TodoItem struct {
	caseload.TodoItem
	Client      *ent.ClientProfile
	Appointment *ent.Appointment
	Document    *ent.Document
	Contact     *ent.Contact
}

// Todo is the clinician's To-Do list, by due time; items of clients the
// viewer may not read are left out.
func (f *Store) Todo(ctx context.Context, clinicianID int) ([]TodoItem, error) {
	rules, cs, err := f.Caseload(ctx, clinicianID)
	if err != nil {
		return nil, err
	}
	items := rules.TodoOf(cs)
	var docs, appts, contacts, clients []int
	for _, it := range items {
		docs, appts, contacts, clients = append(docs, it.DocumentID), append(appts, it.AppointmentID), append(contacts, it.ContactID), append(clients, it.ClientID)
	}
	rel, err := f.Related(ctx, docs, appts, contacts, clients)
	if err != nil {
		return nil, err
	}
	cl, err := f.clients.getAll(ctx, clients...)
	if err != nil {
		return nil, err
	}
	out := make([]TodoItem, 0, len(items))
	for _, it := range items {
		if cl[it.ClientID] == nil {
			continue
		}
		out = append(out, TodoItem{TodoItem: it, Client: cl[it.ClientID], Appointment: rel.Appointments[it.AppointmentID],
			Document: rel.Documents[it.DocumentID], Contact: rel.Contacts[it.ContactID]})
	}
	return out, nil
}

// Candidate is a client who could take a freed slot, with their record.
type Candidate struct {
	caseload.Candidate
	Client *ent.ClientProfile
}

// candidates loads the clients of the ranked candidates, at most first.
func (f *Store) candidates(ctx context.Context, ranked []caseload.Candidate, first int) ([]Candidate, error) {
	if len(ranked) > first {
		ranked = ranked[:first]
	}
	ids := make([]int, len(ranked))
	for i, c := range ranked {
		ids[i] = c.ClientID
	}
	f.clients.register(ids...)
	cl, err := f.clients.getAll(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]Candidate, 0, len(ranked))
	for _, c := range ranked {
		if cl[c.ClientID] != nil {
			out = append(out, Candidate{Candidate: c, Client: cl[c.ClientID]})
		}
	}
	return out, nil
}

// BackfillCandidates ranks the clients of the session's clinician who could
// take its slot, best first, at most first; NOT_FOUND if the viewer may not
// read the session.
func (f *Store) BackfillCandidates(ctx context.Context, appointmentID, first int) ([]Candidate, error) {
	a, ok, err := f.appointments.get(ctx, appointmentID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, caseload.NotFound()
	}
	rules, cs, err := f.Caseload(ctx, a.ClinicianID)
	if err != nil {
		return nil, err
	}
	others := make([]caseload.ClientFacts, 0, len(cs))
	for _, c := range cs {
		if c.Client.ID != a.ClientID {
			others = append(others, c)
		}
	}
	slot := caseload.Slot{ClinicianID: a.ClinicianID, Start: a.StartsAt, End: a.EndsAt}
	return f.candidates(ctx, rules.BackfillCandidatesOf(slot, others), first)
}

// CalendarCandidates is how many backfill candidates a calendar entry lists.
const CalendarCandidates = 5

// CalendarEntry is a session of a clinician's day with what to prepare.
type CalendarEntry struct {
	Appointment            *ent.Appointment
	Caregiver              *ent.Caregiver
	Risk                   caseload.NoShowRisk
	TreatmentPlanReviewDue bool
	Candidates             []Candidate
}

// Calendar is the clinician's sessions on a day (nil: tomorrow) of the
// practice's calendar.
func (f *Store) Calendar(ctx context.Context, clinicianID int, date *time.Time) ([]CalendarEntry, error) {
	rules, cs, err := f.Caseload(ctx, clinicianID)
	if err != nil {
		return nil, err
	}
	day := rules.Tomorrow()
	if date != nil {
		day = *date
	}
	sessions, err := f.daySessions(ctx, clinicianID, day, cs)
	if err != nil {
		return nil, err
	}
	entries := rules.CalendarOf(clinicianID, day, sessions, cs)
	var appts, caregivers, clients []int
	for _, e := range entries {
		appts = append(appts, e.Appointment.ID)
		if e.Caregiver != nil {
			caregivers = append(caregivers, e.Caregiver.ID)
		}
		for i, c := range e.Candidates {
			if i < CalendarCandidates {
				clients = append(clients, c.ClientID)
			}
		}
	}
	f.clients.register(clients...)
	rel, err := f.Related(ctx, nil, appts, nil, nil)
	if err != nil {
		return nil, err
	}
	cg, err := f.caregivers.getAll(ctx, caregivers...)
	if err != nil {
		return nil, err
	}
	out := make([]CalendarEntry, 0, len(entries))
	for _, e := range entries {
		cands, err := f.candidates(ctx, e.Candidates, CalendarCandidates)
		if err != nil {
			return nil, err
		}
		entry := CalendarEntry{Appointment: rel.Appointments[e.Appointment.ID], Risk: e.Risk, TreatmentPlanReviewDue: e.TreatmentPlanReviewDue, Candidates: cands}
		if e.Caregiver != nil {
			entry.Caregiver = cg[e.Caregiver.ID]
		}
		if entry.Appointment != nil {
			out = append(out, entry)
		}
	}
	return out, nil
}

// daySessions are the clinician's sessions that are not cancelled on a day
// of the practice's calendar, as the rules see them; the entities are kept
// for the calendar's entries. A day wholly ahead holds booked sessions
// only, which the caseload's facts list: they are loaded by id with the
// other sessions the operation reads (registered by loadFacts when the
// operation's calendar days are known, see Prime). Another day is read by
// one query.
func (f *Store) daySessions(ctx context.Context, clinicianID int, day time.Time, cs []caseload.ClientFacts) ([]caseload.Appointment, error) {
	rules, err := f.Rules(ctx)
	if err != nil {
		return nil, err
	}
	start, end := rules.DayBounds(day)
	var rows []*ent.Appointment
	if ids, ok := bookedOn(rules, start, end, cs); ok {
		got, err := f.appointments.getAll(ctx, ids...)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if a := got[id]; a != nil && a.ClinicianID == clinicianID {
				rows = append(rows, a)
			}
		}
	} else {
		rows, err = f.entClient(ctx).Appointment.Query().
			Where(appointment.ClinicianID(clinicianID), appointment.StartsAtGTE(start), appointment.StartsAtLT(end), appointment.StatusNEQ(appointment.StatusCANCELED)).
			All(withoutRegistration(ctx))
		if err != nil {
			return nil, err
		}
		for _, a := range rows {
			f.appointments.prime(a.ID, a)
		}
	}
	f.attachClients(rows)
	out := make([]caseload.Appointment, len(rows))
	for i, a := range rows {
		out[i] = Appointment(a)
	}
	return out, nil
}

// bookedOn returns the booked sessions of the clients that start in
// [start, end), when that span lies wholly ahead of now and every client's
// facts are settled before it: then they are all the sessions there (none
// can have been recorded yet); false otherwise.
func bookedOn(rules caseload.Rules, start, end time.Time, cs []caseload.ClientFacts) ([]int, bool) {
	if !start.After(rules.Now) {
		return nil, false
	}
	var ids []int
	for _, c := range cs {
		if c.Facts.SettledUntil.After(rules.Now) {
			return nil, false
		}
		for _, b := range c.Facts.Booked {
			if !b.Start.Before(start) && b.Start.Before(end) {
				ids = append(ids, b.ID)
			}
		}
	}
	return ids, true
}
