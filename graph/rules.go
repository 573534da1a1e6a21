package graph

import (
	"context"
	"errors"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts"
)

// The derived values of the API: the rules of internal/caseload over the
// facts internal/facts loads per operation, translated to the API's types.

// facts returns the operation's store (a fresh one outside an operation).
func (r *Resolver) facts(ctx context.Context) *facts.Store {
	if f := facts.FromContext(ctx); f != nil {
		return f
	}
	return facts.New(r.db, r.driver.Dialect(), r.now)
}

// ofRecord computes a derived value of a record from the rules alone.
func ofRecord[R, T any](ctx context.Context, r *Resolver, record R, rule func(caseload.Rules, R) T) (T, error) {
	rules, err := r.facts(ctx).Rules(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return rule(rules, record), nil
}

// ofClient computes a derived value of a client from the rules and its
// history.
func ofClient[T any](ctx context.Context, r *Resolver, c *ent.ClientProfile, rule func(caseload.Rules, *caseload.History) T) (T, error) {
	rules, h, err := r.clientFacts(ctx, c)
	if err != nil {
		var zero T
		return zero, err
	}
	return rule(rules, h), nil
}

// ofSession computes a derived value of a session from the rules, the
// session as the rules see it and its client's history.
func ofSession[T any](ctx context.Context, r *Resolver, a *ent.Appointment, rule func(caseload.Rules, caseload.Appointment, *caseload.History) T) (T, error) {
	rules, out, h, err := r.appointmentFacts(ctx, a)
	if err != nil {
		var zero T
		return zero, err
	}
	return rule(rules, out, h), nil
}

// The rules as the API's fields read them.

func noteStatus(rules caseload.Rules, a caseload.Appointment, h *caseload.History) model.NoteStatus {
	status, _ := rules.NoteStatus(a, h.Documents)
	return model.NoteStatus(status)
}

func noteOverdue(rules caseload.Rules, a caseload.Appointment, h *caseload.History) bool {
	_, overdue := rules.NoteStatus(a, h.Documents)
	return overdue
}

func daysSinceSeen(rules caseload.Rules, h *caseload.History) *int {
	return rules.Activity(h).DaysSinceSeen
}

func daysSinceContact(rules caseload.Rules, h *caseload.History) *int {
	return rules.Activity(h).DaysSinceContact
}

func lastSeenAt(rules caseload.Rules, h *caseload.History) *time.Time {
	return datePtr(rules.Activity(h).LastSeenAt)
}

func lastContactAt(rules caseload.Rules, h *caseload.History) *time.Time {
	return datePtr(rules.Activity(h).LastContactAt)
}

func backfillEligible(rules caseload.Rules, h *caseload.History) bool {
	return rules.BackfillEligibility(h).Eligible
}

func backfillEligibility(rules caseload.Rules, h *caseload.History) *caseload.Eligibility {
	e := rules.BackfillEligibility(h)
	if e.Reasons == nil {
		e.Reasons = []string{}
	}
	return &e
}

func recurringEligibility(rules caseload.Rules, h *caseload.History) *caseload.RecurringEligibility {
	e := rules.RecurringEligibility(h)
	return &e
}

func treatmentPlanReviewDueOn(rules caseload.Rules, h *caseload.History) *time.Time {
	due, ok := rules.TreatmentPlanReviewDue(h)
	if !ok {
		return nil
	}
	day := rules.DateOf(due)
	return &day
}

func isMinor(rules caseload.Rules, h *caseload.History) bool { return rules.IsMinor(h.Client) }

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
	rec := rules.TerminationRecommendation(h)
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
	a, _, err := r.facts(ctx).Appointment(ctx, next.ID)
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
	out, _, err := r.facts(ctx).Caregiver(ctx, cg.ID)
	return out, err
}

// paperworkDue is the client's paperwork due, with the records it points at.
func (r *Resolver) paperworkDue(ctx context.Context, c *ent.ClientProfile) ([]*model.PaperworkItem, error) {
	rules, h, err := r.clientFacts(ctx, c)
	if err != nil {
		return nil, err
	}
	loaded, err := r.facts(ctx).Paperwork(ctx, rules.PaperworkDue(h))
	if err != nil {
		return nil, err
	}
	out := make([]*model.PaperworkItem, len(loaded))
	for i, it := range loaded {
		out[i] = &model.PaperworkItem{DocumentKind: document.Kind(it.DocumentKind), Status: model.PaperworkStatus(it.Status),
			Document: it.Document, Appointment: it.Appointment, Contact: it.Contact,
			DueAt: it.DueAt, Overdue: it.Overdue, Explanation: it.Explanation}
	}
	return out, nil
}

// ownCaseload runs a figure of the signed-in clinician's own caseload.
func ownCaseload[T any](ctx context.Context, figure func(context.Context, int) (T, error)) (T, error) {
	id, err := facts.OwnClinician(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return figure(ctx, id)
}

func (r *Resolver) todo(ctx context.Context, clinicianID int) ([]*model.TodoItem, error) {
	items, err := r.facts(ctx).Todo(ctx, clinicianID)
	if err != nil {
		return nil, err
	}
	out := make([]*model.TodoItem, len(items))
	for i, it := range items {
		out[i] = &model.TodoItem{Kind: model.TodoKind(it.Kind), Client: it.Client, Appointment: it.Appointment, Document: it.Document,
			Contact: it.Contact, CloseBy: datePtr(it.CloseBy), DueAt: it.DueAt, Overdue: it.Overdue, Explanation: it.Explanation}
		if it.DocumentKind != "" {
			k := document.Kind(it.DocumentKind)
			out[i].DocumentKind = &k
		}
	}
	return out, nil
}

// candidates turns backfill candidates into the API's.
func candidates(cs []facts.Candidate) []*model.BackfillCandidate {
	out := make([]*model.BackfillCandidate, len(cs))
	for i, c := range cs {
		out[i] = &model.BackfillCandidate{Client: c.Client, NextAppointmentAt: datePtr(c.Next), WaitDays: c.WaitDays,
			StrikeCount: c.Strikes, DaysSinceSeen: c.DaysSinceSeen}
	}
	return out
}

func (r *Resolver) calendar(ctx context.Context, clinicianID int, date *time.Time) ([]*model.CalendarEntry, error) {
	entries, err := r.facts(ctx).Calendar(ctx, clinicianID, date)
	if err != nil {
		return nil, err
	}
	out := make([]*model.CalendarEntry, len(entries))
	for i, e := range entries {
		risk := e.Risk
		out[i] = &model.CalendarEntry{Appointment: e.Appointment, Caregiver: e.Caregiver, NoShowRisk: &risk,
			TreatmentPlanReviewDue: e.TreatmentPlanReviewDue, BackfillCandidates: candidates(e.Candidates)}
	}
	return out, nil
}

func (r *Resolver) caseloadHealth(ctx context.Context, c *ent.Clinician) (*model.CaseloadHealth, error) {
	h, err := r.facts(ctx).Health(ctx, c)
	if err != nil {
		return nil, err
	}
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
	cs, err := r.facts(ctx).BackfillCandidates(ctx, appointmentID, n)
	if err != nil {
		return nil, err
	}
	return candidates(cs), nil
}

// nullIfNotReadable turns facts.ErrNotReadable into a null field.
func nullIfNotReadable[T any](v T, err error) (T, error) {
	if errors.Is(err, facts.ErrNotReadable) {
		var zero T
		return zero, nil
	}
	return v, err
}
