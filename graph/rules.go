package graph

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/viewer"
)

// The resolvers of the derived values: thin adapters from the API to the
// rules of internal/caseload, with the facts loaded per operation.

// clientFacts returns the rules and the history of a client.
func (r *Resolver) clientFacts(ctx context.Context, c *ent.ClientProfile) (caseload.Rules, *caseload.History, error) {
	f := r.facts(ctx)
	rules, err := f.Rules(ctx)
	if err != nil {
		return caseload.Rules{}, nil, err
	}
	h, err := f.History(ctx, c.ID)
	return rules, h, err
}

// appointmentFacts returns the rules, the appointment as the rules see it,
// and its client's history.
func (r *Resolver) appointmentFacts(ctx context.Context, a *ent.Appointment) (caseload.Rules, caseload.Appointment, *caseload.History, error) {
	f := r.facts(ctx)
	rules, err := f.Rules(ctx)
	if err != nil {
		return caseload.Rules{}, caseload.Appointment{}, nil, err
	}
	h, err := f.History(ctx, a.ClientID)
	if err != nil {
		return caseload.Rules{}, caseload.Appointment{}, nil, err
	}
	// The history knows whether the note is signed (its loader leaves
	// signed notes out of h.Documents).
	out := facts.Appointment(a)
	if ha, ok := h.Appointment(a.ID); ok {
		out.NoteSigned = ha.NoteSigned
	}
	return rules, out, h, nil
}

func datePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (r *Resolver) terminationRecommendation(ctx context.Context, c *ent.ClientProfile) (*model.TerminationRecommendation, error) {
	rules, h, err := r.clientFacts(ctx, c)
	if err != nil {
		return nil, err
	}
	rec := rules.Termination(h)
	out := &model.TerminationRecommendation{Action: model.TerminationAction(rec.Action), CloseBy: datePtr(rec.CloseBy), Explanation: rec.Explanation}
	if rec.Reason != "" {
		reason := model.TerminationReason(rec.Reason)
		out.Reason = &reason
	}
	return out, nil
}

func (r *Resolver) nextAppointment(ctx context.Context, c *ent.ClientProfile) (*ent.Appointment, error) {
	rules, h, err := r.clientFacts(ctx, c)
	if err != nil {
		return nil, err
	}
	next, ok := rules.NextAppointment(h)
	if !ok {
		return nil, nil
	}
	a, _, err := r.facts(ctx).appointments.get(ctx, next.ID)
	return a, err
}

func (r *Resolver) primaryCaregiver(ctx context.Context, c *ent.ClientProfile) (*ent.Caregiver, error) {
	_, h, err := r.clientFacts(ctx, c)
	if err != nil {
		return nil, err
	}
	cg, ok := caseload.PrimaryCaregiver(h)
	if !ok {
		return nil, nil
	}
	out, _, err := r.facts(ctx).caregivers.get(ctx, cg.ID)
	return out, err
}

// paperworkItems turns the rules' items into the API's, loading the
// documents, sessions and contacts they point at in one query per kind.
func (r *Resolver) paperworkItems(ctx context.Context, items []caseload.PaperworkItem) ([]*model.PaperworkItem, error) {
	f := r.facts(ctx)
	var docs, appts, contacts []int
	for _, it := range items {
		docs, appts, contacts = append(docs, it.DocumentID), append(appts, it.AppointmentID), append(contacts, it.ContactID)
	}
	d, a, c, err := r.related(ctx, f, docs, appts, contacts, nil)
	if err != nil {
		return nil, err
	}
	out := make([]*model.PaperworkItem, len(items))
	for i, it := range items {
		out[i] = &model.PaperworkItem{DocumentKind: document.Kind(it.DocumentKind), Status: model.PaperworkStatus(it.Status),
			Document: d[it.DocumentID], Appointment: a[it.AppointmentID], Contact: c[it.ContactID],
			DueAt: it.DueAt, Overdue: it.Overdue, Explanation: it.Explanation}
	}
	return out, nil
}

// related loads records by id, one query per kind, through the operation's batches.
func (r *Resolver) related(ctx context.Context, f *factStore, docs, appts, contacts, clients []int) (map[int]*ent.Document, map[int]*ent.Appointment, map[int]*ent.Contact, error) {
	f.documents.register(docs...)
	f.appointments.register(appts...)
	f.contacts.register(contacts...)
	f.clients.register(clients...)
	d, err := f.documents.getAll(ctx, docs...)
	if err != nil {
		return nil, nil, nil, err
	}
	a, err := f.appointments.getAll(ctx, appts...)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := f.contacts.getAll(ctx, contacts...)
	return d, a, c, err
}

// readsCaseload reports whether the viewer may read the clinician's whole
// caseload: admins and analysts read every one, clinicians their own,
// supervisors also their supervisees'.
func readsCaseload(ctx context.Context, clinicianID int) bool {
	v := viewer.FromContext(ctx)
	return v.SeesWholePractice() || slices.Contains(v.ReadableClinicianIDs(), clinicianID)
}

// caseloadOf returns the rules and the histories of a clinician's clients
// (factStore.Caseload), reading the rules only for a caseload the viewer
// may read.
func (r *Resolver) caseloadOf(ctx context.Context, clinicianID int) (caseload.Rules, []*caseload.History, error) {
	if !readsCaseload(ctx, clinicianID) {
		return caseload.Rules{}, nil, errNotReadable
	}
	f := r.facts(ctx)
	rules, err := f.Rules(ctx)
	if err != nil {
		return caseload.Rules{}, nil, err
	}
	hs, err := f.Caseload(ctx, clinicianID)
	return rules, hs, err
}

func (r *Resolver) todo(ctx context.Context, clinicianID int) ([]*model.TodoItem, error) {
	rules, hs, err := r.caseloadOf(ctx, clinicianID)
	if err != nil {
		return nil, err
	}
	items := rules.Todo(hs)
	f := r.facts(ctx)
	var docs, appts, contacts, clients []int
	for _, it := range items {
		docs, appts, contacts, clients = append(docs, it.DocumentID), append(appts, it.AppointmentID), append(contacts, it.ContactID), append(clients, it.ClientID)
	}
	d, a, c, err := r.related(ctx, f, docs, appts, contacts, clients)
	if err != nil {
		return nil, err
	}
	cl, err := f.clients.getAll(ctx, clients...)
	if err != nil {
		return nil, err
	}
	out := make([]*model.TodoItem, 0, len(items))
	for _, it := range items {
		client := cl[it.ClientID]
		if client == nil {
			continue
		}
		item := &model.TodoItem{Kind: model.TodoKind(it.Kind), Client: client, Appointment: a[it.AppointmentID], Document: d[it.DocumentID],
			Contact: c[it.ContactID], CloseBy: datePtr(it.CloseBy), DueAt: it.DueAt, Overdue: it.Overdue, Explanation: it.Explanation}
		if it.DocumentKind != "" {
			k := document.Kind(it.DocumentKind)
			item.DocumentKind = &k
		}
		out = append(out, item)
	}
	return out, nil
}

// candidates turns ranked candidates into the API's, at most first.
func (r *Resolver) candidates(ctx context.Context, ranked []caseload.Candidate, first int) ([]*model.BackfillCandidate, error) {
	if len(ranked) > first {
		ranked = ranked[:first]
	}
	ids := make([]int, len(ranked))
	for i, c := range ranked {
		ids[i] = c.ClientID
	}
	f := r.facts(ctx)
	f.clients.register(ids...)
	cl, err := f.clients.getAll(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]*model.BackfillCandidate, 0, len(ranked))
	for _, c := range ranked {
		if cl[c.ClientID] == nil {
			continue
		}
		out = append(out, &model.BackfillCandidate{Client: cl[c.ClientID], NextAppointmentAt: datePtr(c.Next), WaitDays: c.WaitDays,
			StrikeCount: c.Strikes, DaysSinceSeen: c.DaysSinceSeen})
	}
	return out, nil
}

// calendarCandidates is how many backfill candidates a calendar entry lists.
const calendarCandidates = 5

func (r *Resolver) calendar(ctx context.Context, clinicianID int, date *time.Time) ([]*model.CalendarEntry, error) {
	rules, hs, err := r.caseloadOf(ctx, clinicianID)
	if err != nil {
		return nil, err
	}
	day := rules.Tomorrow()
	if date != nil {
		day = *date
	}
	entries := rules.Calendar(clinicianID, day, hs)
	f := r.facts(ctx)
	var appts, caregivers, clients []int
	for _, e := range entries {
		appts = append(appts, e.Appointment.ID)
		if e.Caregiver != nil {
			caregivers = append(caregivers, e.Caregiver.ID)
		}
		for i, c := range e.Candidates {
			if i < calendarCandidates {
				clients = append(clients, c.ClientID)
			}
		}
	}
	f.clients.register(clients...)
	_, a, _, err := r.related(ctx, f, nil, appts, nil, nil)
	if err != nil {
		return nil, err
	}
	cg, err := f.caregivers.getAll(ctx, caregivers...)
	if err != nil {
		return nil, err
	}
	out := make([]*model.CalendarEntry, 0, len(entries))
	for _, e := range entries {
		cands, err := r.candidates(ctx, e.Candidates, calendarCandidates)
		if err != nil {
			return nil, err
		}
		risk := e.Risk
		entry := &model.CalendarEntry{Appointment: a[e.Appointment.ID], NoShowRisk: &risk, TreatmentPlanReviewDue: e.TreatmentPlanReviewDue, BackfillCandidates: cands}
		if e.Caregiver != nil {
			entry.Caregiver = cg[e.Caregiver.ID]
		}
		if entry.Appointment != nil {
			out = append(out, entry)
		}
	}
	return out, nil
}

func (r *Resolver) caseloadHealth(ctx context.Context, c *ent.Clinician) (*model.CaseloadHealth, error) {
	rules, hs, err := r.caseloadOf(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	h := rules.Health(c.WeeklySlots, hs)
	return &model.CaseloadHealth{ActiveClients: h.ActiveClients, WeeklySlots: h.WeeklySlots, ExpectedWeeklySessions: h.ExpectedWeeklySessions,
		Utilization: h.Utilization, RecommendedMin: h.RecommendedMin, RecommendedMax: h.RecommendedMax, Status: model.CaseloadStatus(h.Status),
		NewClientsToRequest: h.NewClientsToRequest, Explanation: h.Explanation}, nil
}

// backfillCandidates ranks the clients who could take a session's slot.
func (r *Resolver) backfillCandidates(ctx context.Context, appointmentID int, first *int) ([]*model.BackfillCandidate, error) {
	n := 10
	if first != nil {
		if *first < 1 || *first > MaxPageSize {
			return nil, caseload.Invalid("first", "must be between 1 and %d", MaxPageSize)
		}
		n = *first
	}
	a, ok, err := r.facts(ctx).appointments.get(ctx, appointmentID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, caseload.NotFound()
	}
	rules, hs, err := r.caseloadOf(ctx, a.ClinicianID)
	if err != nil {
		return nil, err
	}
	var others []*caseload.History
	for _, h := range hs {
		if h.Client.ID != a.ClientID {
			others = append(others, h)
		}
	}
	slot := caseload.Slot{ClinicianID: a.ClinicianID, Start: a.StartsAt, End: a.EndsAt}
	return r.candidates(ctx, rules.BackfillCandidates(slot, others), n)
}

// errNotReadable marks a caseload the viewer may not read: its derived
// fields are null rather than computed over the clients the viewer sees.
var errNotReadable = errors.New("caseload not readable")

// nullIfNotReadable turns errNotReadable into a null field.
func nullIfNotReadable[T any](v T, err error) (T, error) {
	if errors.Is(err, errNotReadable) {
		var zero T
		return zero, nil
	}
	return v, err
}
