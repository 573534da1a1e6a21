package fakepractice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/database"
)

// Load plans the practice of opts and writes it in bulk into conn, whose
// schema must be migrated, in one transaction (on failure nothing is
// written), beside any practices there. It bypasses ent, whose per-row
// hooks would take minutes for a large practice, and writes the rows in
// the form ent writes them: every row in the new practice, instants in UTC.
func Load(ctx context.Context, conn *database.DB, opts Options) (*Stats, error) {
	p, hash, stats, err := prepare(opts)
	if err != nil {
		return nil, err
	}
	began := time.Now()
	tx, err := conn.SQL.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("fakepractice: starting a transaction: %w", err)
	}
	w := &bulkWriter{tx: tx, dialect: conn.Dialect}
	if err := p.writeBulk(ctx, w, hash, stats); err != nil {
		return nil, errors.Join(fmt.Errorf("fakepractice: %w", err), tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("fakepractice: committing: %w", err)
	}
	// The planner's statistics: without them, a query over the new rows is
	// planned as if the tables were still small (autovacuum gets to them
	// only later), and a benchmark right after loading measures bad plans.
	if _, err := conn.SQL.ExecContext(ctx, "ANALYZE"); err != nil {
		return nil, fmt.Errorf("fakepractice: analyzing: %w", err)
	}
	stats.Writing = time.Since(began)
	return stats, nil
}

// idStarts are the floors of each table's id range (ent's global IDs: the
// table is the id's upper 32 bits; see ent/internal/globalid.go).
var idStarts = map[string]int64{
	"appointments": 0, "audit_events": 4294967296, "caregivers": 8589934592, "clients": 12884901888,
	"clinicians": 17179869184, "contacts": 21474836480, "documents": 25769803776, "episodes": 30064771072,
	"new_client_requests": 34359738368, "practices": 38654705664, "users": 42949672960,
}

// writeBulk inserts the plan, parents before children.
func (p *planner) writeBulk(ctx context.Context, w *bulkWriter, hash string, stats *Stats) error {
	// On SQLite the transaction holds the write lock from its start; on
	// PostgreSQL this lock makes a second writer wait for the first.
	if w.dialect == dialect.Postgres {
		if _, err := w.tx.ExecContext(ctx, `LOCK TABLE users, practices IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("locking: %w", err)
		}
	}
	var taken int
	if err := w.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = `+w.placeholder(1), p.users[0].email).Scan(&taken); err != nil {
		return fmt.Errorf("looking for the logins: %w", err)
	}
	if taken > 0 {
		return fmt.Errorf("a user %s exists already: choose another email domain", p.users[0].email)
	}
	h := p.history()
	n := map[string]int{
		"practices": 1, "users": len(p.users), "clinicians": len(p.clinicians), "clients": len(p.clients),
		"caregivers": len(h.caregivers), "episodes": len(h.episodes), "appointments": len(h.appts) + len(h.fills),
		"contacts": len(h.contacts), "documents": len(h.docs) + len(h.addenda), "new_client_requests": len(p.requests), "audit_events": 1,
	}
	order := []string{"practices", "users", "clinicians", "clients", "caregivers", "episodes", "appointments",
		"contacts", "documents", "new_client_requests", "audit_events"}
	base := map[string]int{}
	for _, t := range order {
		first, err := w.reserveIDs(ctx, t, idStarts[t], n[t])
		if err != nil {
			return err
		}
		base[t] = int(first)
	}
	number(p.users, base["users"], func(u *userPlan) *int { return &u.id })
	number(p.clinicians, base["clinicians"], func(c *clinicianPlan) *int { return &c.id })
	number(p.clients, base["clients"], func(c *clientPlan) *int { return &c.id })
	number(h.caregivers, base["caregivers"], func(g caregiverOf) *int { return &g.id })
	number(h.episodes, base["episodes"], func(e *episodePlan) *int { return &e.id })
	// Sessions are written in time order per clinician, which keeps the
	// GiST indexes behind the no-double-booking constraints growing at one
	// edge; a backfilled one comes after the cancelled one it points at.
	byTime := func(a, b *apptPlan) int {
		if a.clin != b.clin {
			return a.clin.id - b.clin.id
		}
		return a.start.Compare(b.start)
	}
	slices.SortStableFunc(h.appts, byTime)
	slices.SortStableFunc(h.fills, byTime)
	appts := append(h.appts, h.fills...)
	docs := append(h.docs, h.addenda...)
	number(appts, base["appointments"], func(a *apptPlan) *int { return &a.id })
	number(h.contacts, base["contacts"], func(k *contactPlan) *int { return &k.id })
	number(docs, base["documents"], func(d *docPlan) *int { return &d.id })
	number(p.requests, base["new_client_requests"], func(r *requestPlan) *int { return &r.id })
	practice := base["practices"]
	policy, err := json.Marshal(p.policy)
	if err != nil {
		return err
	}
	tables := p.tables(h, appts, docs, practice, base["audit_events"], hash, string(policy))
	for _, t := range tables {
		began := time.Now()
		if err := w.write(ctx, t); err != nil {
			return err
		}
		stats.Tables = append(stats.Tables, TableCount{Table: t.name, Rows: t.n, Took: time.Since(began)})
	}
	stats.PracticeID = practice
	return nil
}

// number gives records consecutive ids from first.
func number[T any](xs []T, first int, id func(T) *int) {
	for i, x := range xs {
		*id(x) = first + i
	}
}
