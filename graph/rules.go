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
// facts.
func ofClient[T any](ctx context.Context, r *Resolver, c *ent.ClientProfile, rule func(caseload.Rules, caseload.ClientFacts) T) (T, error) {
	rules, cf, err := r.clientFacts(ctx, c.ID)
	if err != nil {
		var zero T
		return zero, err
	}
	return rule(rules, *cf), nil
}

// ofSession computes a derived value of a session from the rules, the
// session as the rules see it and its client's facts.
func ofSession[T any](ctx context.Context, r *Resolver, a *ent.Appointment, rule func(caseload.Rules, caseload.Appointment, caseload.Facts) T) (T, error) {
	rules, cf, err := r.clientFacts(ctx, a.ClientID)
	if err != nil {
		var zero T
		return zero, err
	}
	return rule(rules, facts.Appointment(a), cf.Facts), nil
}

// The rules as the API's fields read them.

func noteStatus(rules caseload.Rules, a caseload.Appointment, f caseload.Facts) model.NoteStatus {
	status, _ := rules.NoteStatusOf(f, a)
	return model.NoteStatus(status)
}

func noteOverdue(rules caseload.Rules, a caseload.Appointment, f caseload.Facts) bool {
	_, overdue := rules.NoteStatusOf(f, a)
	return overdue
}

func strikeCount(_ caseload.Rules, c caseload.ClientFacts) int { return c.Facts.StrikeCount }

func daysSinceSeen(rules caseload.Rules, c caseload.ClientFacts) *int {
	return rules.ActivityOf(c.Facts).DaysSinceSeen
}

func daysSinceContact(rules caseload.Rules, c caseload.ClientFacts) *int {
	return rules.ActivityOf(c.Facts).DaysSinceContact
}

func lastSeenAt(rules caseload.Rules, c caseload.ClientFacts) *time.Time {
	return datePtr(rules.ActivityOf(c.Facts).LastSeenAt)
}

func lastContactAt(rules caseload.Rules, c caseload.ClientFacts) *time.Time {
	return datePtr(rules.ActivityOf(c.Facts).LastContactAt)
}

func backfillEligible(rules caseload.Rules, c caseload.ClientFacts) bool {
	return rules.BackfillEligibilityOf(c).Eligible
}

func backfillEligibility(rules caseload.Rules, c caseload.ClientFacts) *caseload.Eligibility {
	e := rules.BackfillEligibilityOf(c)
	if e.Reasons == nil {
		e.Reasons = []string{}
	}
	return &e
}

func recurringEligibility(rules caseload.Rules, c caseload.ClientFacts) *caseload.RecurringEligibility {
	e := rules.RecurringEligibilityOf(c.Client.RecurringPrivilege, c.Facts)
	return &e
}

func treatmentPlanReviewDueOn(rules caseload.Rules, c caseload.ClientFacts) *time.Time {
	due, ok := rules.TreatmentPlanReviewDueOf(c.Facts)
	if !ok {
		return nil
	}
	day := rules.DateOf(due)
	return &day
}

func isMinor(rules caseload.Rules, c caseload.ClientFacts) bool { return rules.IsMinor(c.Client) }

// clientFacts returns the rules and the facts of a client; NOT_FOUND when
// the viewer may not read the client.
func (r *Resolver) clientFacts(ctx context.Context, clientID int) (caseload.Rules, *caseload.ClientFacts, error) {
	f := r.facts(ctx)
	rules, err := f.Rules(ctx)
	if err != nil {
		return caseload.Rules{}, nil, err
	}
	cf, ok, err := f.ClientFacts(ctx, clientID)
	if err == nil && !ok {
		err = caseload.NotFound()
	}
	return rules, cf, err
}

func datePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (r *Resolver) terminationRecommendation(ctx context.Context, c *ent.ClientProfile) (*model.TerminationRecommendation, error) {
	rules, cf, err := r.clientFacts(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	rec := rules.TerminationRecommendationOf(cf.Client.Status, cf.Facts)
	out := &model.TerminationRecommendation{Action: model.TerminationAction(rec.Action), CloseBy: datePtr(rec.CloseBy), Explanation: rec.Explanation}
	if rec.Reason != "" {
		reason := model.TerminationReason(rec.Reason)
		out.Reason = &reason
	}
	return out, nil
}

func (r *Resolver) nextAppointment(ctx context.Context, c *ent.ClientProfile) (*ent.Appointment, error) {
	rules, cf, err := r.clientFacts(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	next, ok := rules.NextBooked(cf.Facts)
	if !ok {
		return nil, nil
	}
	a, _, err := r.facts(ctx).Appointment(ctx, next.ID)
	return a, err
}

func (r *Resolver) primaryCaregiver(ctx context.Context, c *ent.ClientProfile) (*ent.Caregiver, error) {
	_, cf, err := r.clientFacts(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if cf.Facts.PrimaryCaregiverID == 0 {
		return nil, nil
	}
	out, _, err := r.facts(ctx).Caregiver(ctx, cf.Facts.PrimaryCaregiverID)
	return out, err
}

// paperworkDue is the client's paperwork due, with the records it points at.
func (r *Resolver) paperworkDue(ctx context.Context, c *ent.ClientProfile) ([]*model.PaperworkItem, error) {
	rules, cf, err := r.clientFacts(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	loaded, err := r.facts(ctx).Paperwork(ctx, rules.PaperworkDueOf(cf.Facts))
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
