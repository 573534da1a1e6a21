package projection

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/caseload"
)

// The operator's side of the projection (`caseload facts verify` and
// `caseload facts rebuild`, server/facts.go) and the start's catch-up
// (RebuildStale): each compares or rewrites rows against a recompute from
// the whole history.

// rebuildBatch is how many clients one transaction of a rebuild recomputes.
const rebuildBatch = 200

// Drift is a client whose row is not what a recompute from the history
// gives: missing, written by another version, or differing in Fields
// (the names of caseload.Facts' fields; never a value).
type Drift struct {
	PracticeID, ClientID int
	Missing              bool
	Version              int
	Fields               []string
}

func (d Drift) String() string {
	switch {
	case d.Missing:
		return fmt.Sprintf("practice %d client %d: no row", d.PracticeID, d.ClientID)
	case d.Version != caseload.FactsVersion:
		return fmt.Sprintf("practice %d client %d: written by version %d (now %d)", d.PracticeID, d.ClientID, d.Version, caseload.FactsVersion)
	}
	return fmt.Sprintf("practice %d client %d: differs in %v", d.PracticeID, d.ClientID, d.Fields)
}

// clientsOf returns the ids of the clients of the practice (0: of every
// practice), by practice.
func clientsOf(ctx context.Context, c *ent.Client, practiceID int) (map[int][]int, error) {
	q := c.ClientProfile.Query()
	if practiceID != 0 {
		q = q.Where(clientprofile.PracticeID(practiceID))
	}
	rows, err := q.Select(clientprofile.FieldID, clientprofile.FieldPracticeID).All(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int][]int{}
	for _, r := range rows {
		out[r.PracticeID] = append(out[r.PracticeID], r.ID)
	}
	return out, nil
}

// Verify compares the rows of the practice's clients (0: every practice)
// with a recompute from their histories and returns the clients that
// differ, by practice and client id.
func (p *Projection) Verify(ctx context.Context, c *ent.Client, practiceID int) ([]Drift, error) {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	byPractice, err := clientsOf(ctx, c, practiceID)
	if err != nil {
		return nil, err
	}
	var drift []Drift
	for pid, ids := range byPractice {
		slices.Sort(ids)
		for chunk := range slices.Chunk(ids, rebuildBatch) {
			want, _, err := p.compute(ctx, c, chunk)
			if err != nil {
				return nil, err
			}
			got, err := readFacts(ctx, c, p.dialect, pid, chunk)
			if err != nil {
				return nil, err
			}
			for _, id := range chunk {
				if d, ok := compare(pid, id, got, want[id]); !ok {
					drift = append(drift, d)
				}
			}
		}
	}
	slices.SortFunc(drift, func(a, b Drift) int { return a.ClientID - b.ClientID })
	return drift, nil
}

// compare tells whether the row of client id in got is want.
func compare(pid, id int, got map[int]StoredFacts, want caseload.Facts) (Drift, bool) {
	s, ok := got[id]
	d := Drift{PracticeID: pid, ClientID: id, Missing: !ok, Version: s.Version}
	if !ok {
		return d, false
	}
	gv, wv := reflect.ValueOf(s.Facts), reflect.ValueOf(want)
	for i := range gv.NumField() {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			d.Fields = append(d.Fields, gv.Type().Field(i).Name)
		}
	}
	return d, len(d.Fields) == 0 && s.Version == caseload.FactsVersion
}

// Rebuild recomputes the rows of the practice's clients (0: every
// practice), a batch of clients per transaction, and returns how many it
// wrote.
func (p *Projection) Rebuild(ctx context.Context, c *ent.Client, practiceID int) (int, error) {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	byPractice, err := clientsOf(ctx, c, practiceID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ids := range byPractice {
		k, err := p.rebuildClients(ctx, c, ids)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (p *Projection) rebuildClients(ctx context.Context, c *ent.Client, ids []int) (int, error) {
	slices.Sort(ids)
	n := 0
	for chunk := range slices.Chunk(ids, rebuildBatch) {
		tx, err := c.Tx(ctx)
		if err != nil {
			return n, err
		}
		if err := p.recompute(ctx, tx.Client(), chunk, nil); err != nil {
			_ = tx.Rollback()
			return n, fmt.Errorf("rebuilding the facts: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return n, fmt.Errorf("rebuilding the facts: %w", err)
		}
		n += len(chunk)
	}
	return n, nil
}

// lockClass is the first key of the catch-up's PostgreSQL advisory lock
// ("fact" in ASCII; the audit pruner's is "case"); the second is a hash of
// the schema, as the pruner's.
const lockClass int32 = 0x66616374

// RebuildStale writes the rows of the clients that have none, or one of
// another version (after the migration that adds the table, or a new
// FactsVersion), and returns how many. The server runs it at start, after
// migrating; on PostgreSQL under an advisory lock, so that of several
// replicas starting at once one rebuilds and the others skip (rows are
// kept current by every write meanwhile, and a row written twice is the
// same row).
func (p *Projection) RebuildStale(ctx context.Context, c *ent.Client, db *sql.DB) (n int, skipped bool, err error) {
	if p.dialect == dialect.Postgres {
		conn, err := db.Conn(ctx)
		if err != nil {
			return 0, false, err
		}
		defer conn.Close()
		var locked bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, hashtext(current_schema()))", lockClass).Scan(&locked); err != nil {
			return 0, false, fmt.Errorf("taking the facts rebuild's lock: %w", err)
		}
		if !locked {
			return 0, true, nil
		}
		defer func() {
			_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1, hashtext(current_schema()))", lockClass)
		}()
	}
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	ids, err := staleClients(ctx, c, p.dialect)
	if err != nil {
		return 0, false, err
	}
	n, err = p.rebuildClients(ctx, c, ids)
	return n, false, err
}

// staleClients are the clients with no row, or one of another version.
func staleClients(ctx context.Context, c *ent.Client, dialectName string) ([]int, error) {
	rows, err := c.QueryContext(ctx, "SELECT c.id FROM clients c LEFT JOIN client_facts f ON f.client_id = c.id WHERE f.client_id IS NULL OR f.version <> "+
		placeholders(dialectName, 1, 1)+" ORDER BY c.id", caseload.FactsVersion)
	if err != nil {
		return nil, fmt.Errorf("finding clients without facts: %w", err)
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
