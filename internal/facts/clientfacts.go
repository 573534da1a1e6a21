package facts

import (
	"context"
	"slices"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts/projection"
	"github.com/caseload/caseload/internal/viewer"
)

// The screens read the projection (docs/facts.md): the facts of every
// client an operation reads come from client_facts in one statement, and a
// client's history is read only where the row cannot answer: no row yet,
// a row of another FactsVersion, a fact recorded ahead of now (Answers), or
// inside a mutation, whose writes the rows take in only when it commits.

// ClientFacts returns a client's record as the rules see it and its facts,
// loaded with every other registered client's; false if the viewer may not
// read the client.
func (f *Store) ClientFacts(ctx context.Context, clientID int) (*caseload.ClientFacts, bool, error) {
	if err := f.loadOwnCaseload(ctx); err != nil {
		return nil, false, err
	}
	return f.facts.get(ctx, clientID)
}

// ClientsFacts returns the facts of the clients, in order, leaving out the
// ones the viewer may not read.
func (f *Store) ClientsFacts(ctx context.Context, ids []int) ([]caseload.ClientFacts, error) {
	if err := f.loadOwnCaseload(ctx); err != nil {
		return nil, err
	}
	m, err := f.facts.getAll(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]caseload.ClientFacts, 0, len(ids))
	for _, id := range ids {
		if c, ok := m[id]; ok {
			out = append(out, *c)
		}
	}
	return out, nil
}

// inMutation reports whether ctx is a mutation's, whose writes the
// projection's rows do not hold yet.
func inMutation(ctx context.Context) bool { return ent.TxFromContext(ctx) != nil }

// loadFacts reads the facts of the clients: the clients through ent (its
// privacy rules decide which the viewer reads), then their rows of the
// projection in one statement, and the histories of those whose row cannot
// answer.
func (f *Store) loadFacts(ctx context.Context, ids []int) (map[int]*caseload.ClientFacts, error) {
	ctx = withoutRegistration(ctx) // the caller holds the batch's lock
	c := f.entClient(ctx)
	known, err := f.readClients(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, caseload.ErrNoViewer
	}
	rules, err := f.Rules(ctx)
	if err != nil {
		return nil, err
	}
	visible := make([]int, 0, len(known))
	for id := range known {
		visible = append(visible, id)
	}
	slices.Sort(visible)
	stored := map[int]projection.StoredFacts{}
	if !inMutation(ctx) && len(visible) > 0 {
		if stored, err = projection.Read(ctx, c, f.dialect, v.PracticeID, visible); err != nil {
			return nil, err
		}
	}
	out := make(map[int]*caseload.ClientFacts, len(visible))
	var fromHistory []int
	for _, id := range visible {
		row, ok := stored[id]
		if !ok || row.Version != caseload.FactsVersion || !rules.Answers(row.Facts) {
			fromHistory = append(fromHistory, id)
			continue
		}
		out[id] = &caseload.ClientFacts{Client: Client(known[id]), Facts: row.Facts}
	}
	if len(fromHistory) > 0 {
		f.histories.register(fromHistory...)
		hs, err := f.histories.getAll(ctx, fromHistory...)
		if err != nil {
			return nil, err
		}
		for id, h := range hs {
			out[id] = &caseload.ClientFacts{Client: h.Client, Facts: rules.FactsFor(h)}
		}
	}
	// The records the rules will point at (the drafts, sessions and
	// contacts paperwork is due for; the next session, the reminders and
	// the attendance to record; the primary caregiver and the one to
	// contact) are loaded as entities together when
	// first asked for, one query per kind, whichever field asks first.
	days := f.primedDays(rules)
	for _, cf := range out {
		for _, b := range cf.Facts.Booked {
			if days[rules.DateOf(b.Start)] {
				f.appointments.register(b.ID)
			}
		}
		for _, it := range rules.PaperworkDueOf(cf.Facts) {
			f.documents.register(it.DocumentID)
			f.appointments.register(it.AppointmentID)
			f.contacts.register(it.ContactID)
		}
		f.caregivers.register(cf.Facts.PrimaryCaregiverID, cf.Facts.ContactCaregiverID)
		if next, ok := rules.NextBooked(cf.Facts); ok {
			f.appointments.register(next.ID)
		}
		if cf.Client.Status == caseload.StatusClosed {
			continue
		}
		for _, b := range cf.Facts.Booked {
			if !b.Start.After(rules.Now) || rules.ReminderDueOf(b) {
				f.appointments.register(b.ID)
			}
		}
	}
	return out, nil
}

// primedDays are the days of the operation's calendars (see Prime).
func (f *Store) primedDays(rules caseload.Rules) map[time.Time]bool {
	days := map[time.Time]bool{}
	for _, d := range f.calendarDays {
		if d.IsZero() {
			d = rules.Tomorrow()
		}
		days[d] = true
	}
	return days
}
