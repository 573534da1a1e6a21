package projection

import (
	"context"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/caregiver"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts/history"
)

// recompute writes the rows of the clients and of every client of the
// practices from their histories, in c's transaction. ctx must allow the
// reads (privacy.Allow): the projection is the data layer's own upkeep.
//
// On PostgreSQL it first locks the clients' rows (in id order, so that two
// transactions never wait on each other): a concurrent transaction on the
// same client then recomputes after this one commits, from a history that
// includes this one's writes, and the last row written is that of the
// whole history. SQLite runs one writing transaction at a time.
func (p *Projection) recompute(ctx context.Context, c *ent.Client, clients, practices []int) error {
	if len(practices) > 0 {
		more, err := c.ClientProfile.Query().Where(clientprofile.PracticeIDIn(practices...)).IDs(ctx)
		if err != nil {
			return err
		}
		clients = append(clients, more...)
	}
	slices.Sort(clients)
	clients = slices.Compact(clients)
	if len(clients) == 0 {
		return nil
	}
	if p.dialect == dialect.Postgres {
		if err := lockClients(ctx, c, clients); err != nil {
			return err
		}
	}
	facts, practiceOf, err := p.compute(ctx, c, clients)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	for _, id := range clients {
		f, ok := facts[id]
		if !ok {
			continue // no such client (a write that was refused later)
		}
		if err := upsertFacts(ctx, c, p.dialect, practiceOf[id], f, now); err != nil {
			return err
		}
	}
	return nil
}

// lockClients takes the clients' row locks until the transaction ends.
func lockClients(ctx context.Context, c *ent.Client, ids []int) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := c.QueryContext(ctx, "SELECT id FROM clients WHERE id IN ("+placeholders(dialect.Postgres, 1, len(ids))+") ORDER BY id FOR UPDATE", args...)
	if err != nil {
		return fmt.Errorf("locking clients: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// compute returns the facts of the clients (those that exist) computed
// from their whole histories, and each one's practice.
func (p *Projection) compute(ctx context.Context, c *ent.Client, ids []int) (map[int]caseload.Facts, map[int]int, error) {
	rows, err := c.ClientProfile.Query().Where(clientprofile.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, nil, err
	}
	byPractice := map[int]map[int]*caseload.History{}
	practiceOf := map[int]int{}
	for _, cp := range rows {
		if byPractice[cp.PracticeID] == nil {
			byPractice[cp.PracticeID] = map[int]*caseload.History{}
		}
		byPractice[cp.PracticeID][cp.ID] = &caseload.History{Client: history.Client(cp)}
		practiceOf[cp.ID] = cp.PracticeID
	}
	out := make(map[int]caseload.Facts, len(rows))
	for pid, hs := range byPractice {
		pr, err := c.Practice.Get(ctx, pid)
		if err != nil {
			return nil, nil, err
		}
		rules, err := caseload.NewRules(pr.Policy, pr.TimeZone, time.Now())
		if err != nil {
			return nil, nil, err
		}
		ids := make([]int, 0, len(hs))
		for id := range hs {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if err := history.ReadRecords(ctx, c, p.dialect, pid, ids, hs); err != nil {
			return nil, nil, err
		}
		cgs, err := c.Caregiver.Query().Where(caregiver.ClientIDIn(ids...)).All(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, cg := range cgs {
			h := hs[cg.ClientID]
			h.Caregivers = append(h.Caregivers, caseload.Caregiver{ID: cg.ID, IsPrimary: cg.IsPrimary, ConsentToContact: cg.ConsentToContact})
		}
		for id, h := range hs {
			out[id] = normalize(rules.FactsOf(h))
		}
	}
	return out, practiceOf, nil
}

// normalize puts every instant of f in UTC, as the rows read back.
func normalize(f caseload.Facts) caseload.Facts {
	u := func(t *time.Time) { *t = t.UTC() }
	for _, t := range []*time.Time{&f.EpisodeOpenedAt, &f.EpisodeClosedAt, &f.LastSeenAt, &f.LastContactAt, &f.LastInboundAt,
		&f.WarningSentAt, &f.WarningCloseBy, &f.SettledUntil, &f.ReviewDueAt} {
		u(t)
	}
	for i := range f.Booked {
		u(&f.Booked[i].Start)
		u(&f.Booked[i].End)
		u(&f.Booked[i].ReminderSentAt)
	}
	for i := range f.Recurring.PendingCancels {
		u(&f.Recurring.PendingCancels[i])
	}
	for i := range f.Recurring.PendingLateCancels {
		u(&f.Recurring.PendingLateCancels[i])
	}
	for i := range f.Paperwork {
		u(&f.Paperwork[i].At)
		u(&f.Paperwork[i].DueAt)
	}
	for i := range f.Attendance {
		u(&f.Attendance[i].Start)
	}
	return f
}
