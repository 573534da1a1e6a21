// Package projection keeps the facts projection (the client_facts table,
// docs/facts.md) current and checks it. Like internal/facts, it reads the
// histories with the lean statement of internal/facts/history, with
// privacy.Allow: it is the data layer's own upkeep, and it stores no
// identifying data (ids, instants, kinds and statuses only).
package projection

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/caregiver"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/ent/privacy"
)

// Projection keeps the facts projection (the client_facts table,
// docs/facts.md) current: its hook (Hook) collects the clients whose
// history a transaction changes, and before the transaction commits
// recomputes their rows from their whole history with the rules' own code
// (caseload.Rules.FactsOf). A write that fails, or a transaction rolled
// back, leaves the rows as they were: they are written in the same
// transaction. It is installed on every client the database opener returns
// (internal/database), so a workflow run by a command or a job keeps the
// rows current as one run by the API does.
type Projection struct {
	dialect string
	// enabled: the schema has the table (see Enable).
	enabled atomic.Bool
	// open are the pending recomputations of the open transactions, by
	// the transaction's client (see key).
	open sync.Map
}

// New returns the projection of a database of the dialect.
func New(dialectName string) *Projection { return &Projection{dialect: dialectName} }

// Enable turns the hook on. The database opener does once the schema is
// this release's (migrated, or found with no migration pending): writes to
// a database of an earlier schema (the migration tests) maintain nothing,
// and the server's start rebuilds what they left out (RebuildStale).
func (p *Projection) Enable() { p.enabled.Store(true) }

// pending is what a transaction will recompute when it commits.
type pending struct {
	mu        sync.Mutex
	clients   map[int]bool
	practices map[int]bool
}

func (p *pending) add(clients []int, practices []int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range clients {
		p.clients[id] = true
	}
	for _, id := range practices {
		p.practices[id] = true
	}
}

// txOf is what the generated mutations tell of their transaction.
type txOf interface {
	Tx() (*ent.Tx, error)
	Client() *ent.Client
}

// Hook is the ent hook of the projection: on every write of a record a
// rule reads (sessions, contacts, documents, episodes, clients,
// caregivers) it notes the clients concerned, on a write of a practice
// (its policy or time zone) all of the practice's clients.
func (p *Projection) Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !tracked[m.Type()] || !p.enabled.Load() {
				return next.Mutate(ctx, m)
			}
			allow := privacy.DecisionContext(ctx, privacy.Allow)
			before, err := touchedBefore(allow, m)
			if err != nil {
				return nil, fmt.Errorf("facts projection: %w", err)
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			clients, practices := touchedAfter(m, v, before)
			if len(clients) == 0 && len(practices) == 0 {
				return v, nil
			}
			t, ok := m.(txOf)
			if !ok {
				return v, nil
			}
			tx, err := t.Tx()
			if err != nil {
				// Not in a transaction: the write is committed already;
				// recompute in a transaction of its own.
				return v, p.recomputeNow(allow, t.Client(), clients, practices)
			}
			p.note(ctx, tx, clients, practices)
			return v, nil
		})
	}
}

// tracked are the records whose writes change a client's facts.
var tracked = map[string]bool{
	ent.TypeAppointment: true, ent.TypeContact: true, ent.TypeDocument: true, ent.TypeEpisode: true,
	ent.TypeClientProfile: true, ent.TypeCaregiver: true, ent.TypePractice: true,
}

// key identifies a transaction across its mutations: every mutation's
// Tx() is a new value, so the key is the transaction's driver, which they
// share (ent.TxKey). Without it each write of a seeding transaction would
// register a recomputation of its own at commit.
func key(tx *ent.Tx) any { return ent.TxKey(tx) }

// note adds clients and practices to the transaction's pending
// recomputation, registering its commit and rollback hooks the first time.
func (p *Projection) note(ctx context.Context, tx *ent.Tx, clients, practices []int) {
	k := key(tx)
	fresh := &pending{clients: map[int]bool{}, practices: map[int]bool{}}
	got, loaded := p.open.LoadOrStore(k, fresh)
	pend := got.(*pending)
	pend.add(clients, practices)
	if loaded {
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			p.open.Delete(k)
			pend.mu.Lock()
			clients, practices := keys(pend.clients), keys(pend.practices)
			pend.mu.Unlock()
			allow := privacy.DecisionContext(ctx, privacy.Allow)
			if err := p.recompute(allow, tx.Client(), clients, practices); err != nil {
				return fmt.Errorf("facts projection: %w", err)
			}
			return next.Commit(ctx, tx)
		})
	})
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
			p.open.Delete(k)
			return next.Rollback(ctx, tx)
		})
	})
}

// recomputeNow recomputes after a write made outside a transaction.
func (p *Projection) recomputeNow(ctx context.Context, c *ent.Client, clients, practices []int) error {
	tx, err := c.Tx(ctx)
	if err != nil {
		return fmt.Errorf("facts projection: %w", err)
	}
	if err := p.recompute(ctx, tx.Client(), clients, practices); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("facts projection: %w", err)
	}
	return tx.Commit()
}

// touchedBefore returns the clients of the rows an update or delete is
// about to change (read before it changes them).
func touchedBefore(ctx context.Context, m ent.Mutation) ([]int, error) {
	if m.Op().Is(ent.OpCreate) {
		return nil, nil
	}
	q, ok := m.(interface {
		IDs(context.Context) ([]int, error)
	})
	if !ok {
		return nil, nil
	}
	ids, err := q.IDs(ctx)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	c := m.(txOf).Client()
	switch m.Type() {
	case ent.TypeAppointment:
		return c.Appointment.Query().Where(appointment.IDIn(ids...)).Select(appointment.FieldClientID).Ints(ctx)
	case ent.TypeContact:
		return c.Contact.Query().Where(contact.IDIn(ids...)).Select(contact.FieldClientID).Ints(ctx)
	case ent.TypeDocument:
		return c.Document.Query().Where(document.IDIn(ids...)).Select(document.FieldClientID).Ints(ctx)
	case ent.TypeEpisode:
		return c.Episode.Query().Where(episode.IDIn(ids...)).Select(episode.FieldClientID).Ints(ctx)
	case ent.TypeCaregiver:
		return c.Caregiver.Query().Where(caregiver.IDIn(ids...)).Select(caregiver.FieldClientID).Ints(ctx)
	case ent.TypeClientProfile:
		return ids, nil
	case ent.TypePractice:
		return ids, nil // practices, see touchedAfter
	}
	return nil, nil
}

// touchedAfter adds the client a created row (or a row moved to another
// client) names to before, and splits off the practices.
func touchedAfter(m ent.Mutation, v ent.Value, before []int) (clients, practices []int) {
	if m.Type() == ent.TypePractice {
		if m.Op().Is(ent.OpCreate) {
			return nil, nil // no clients yet
		}
		return nil, before
	}
	clients = before
	if m.Type() == ent.TypeClientProfile {
		if c, ok := v.(*ent.ClientProfile); ok {
			clients = append(clients, c.ID)
		}
		return clients, nil
	}
	if id, ok := m.Field("client_id"); ok {
		if n, ok := id.(int); ok {
			clients = append(clients, n)
		}
	}
	return clients, nil
}

func keys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
