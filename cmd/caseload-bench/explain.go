package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/database"
)

// writeExplain writes the plan of each limit statement on PostgreSQL, as
// EXPLAIN (ANALYZE, BUFFERS) reports it for the benchmark's clinician, to
// path (Markdown, for docs/explain.md). The statement runs once first, so
// that the plan is of a warm cache, as the benchmark's requests are.
func writeExplain(ctx context.Context, db *database.DB, path string, clinicianID int64, first int) error {
	limits, err := newLimitServer(ctx, db.SQL, dialect.Postgres, clinicianID, time.Now)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	args := []any{clinicianID, now, first, limits.rules.Policy.LateCancelWindowHours}
	var b bytes.Buffer
	fmt.Fprintf(&b, "### Caseload list limit (%d clients)\n\nParameters: the clinician, now (%s), %d, the late-cancel window (%d h).\n\n```\n",
		first, now.Format(time.RFC3339), first, limits.rules.Policy.LateCancelWindowHours)
	if _, err := db.SQL.ExecContext(ctx, limits.list, args...); err != nil {
		return fmt.Errorf("the caseload list limit: %w", err)
	}
	rows, err := db.SQL.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+limits.list, args...)
	if err != nil {
		return fmt.Errorf("explaining the caseload list limit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		b.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		return err
	}
	b.WriteString("```\n")
	return os.WriteFile(path, b.Bytes(), 0o644)
}
