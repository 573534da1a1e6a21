package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/database"
)

// writeExplain writes the plan of each limit statement on PostgreSQL, as
// EXPLAIN (ANALYZE, BUFFERS) reports it for the benchmark's clinician (and
// its freed session, the database id of f.freedSlot), to path (Markdown, for
// docs/explain.md). Each statement runs once first, so that the plan is of
// a warm cache, as the benchmark's requests are.
func writeExplain(ctx context.Context, db *database.DB, path string, clinicianID int64, first, freedSlot int, day time.Time) error {
	limits, err := newLimitServer(ctx, db.SQL, dialect.Postgres, clinicianID, time.Now)
	if err != nil {
		return err
	}
	bounds := dayBounds(limits.rules, day)
	on := fmt.Sprintf("the bounds of %s", day.Format(time.DateOnly))
	var b bytes.Buffer
	for _, st := range []struct {
		title, params, query string
		args                 []any
	}{
		{fmt.Sprintf("caseload list limit (%d clients)", first), fmt.Sprintf("the clinician, %d", first), limits.list, []any{clinicianID, first}},
		{"backfill candidates limit", "a session of the calendar's day", limits.backfill, []any{freedSlot}},
		{fmt.Sprintf("dashboard limit (%d clients)", first), "the clinician, " + on + " (the first clients are the handler's)",
			limits.dashboardSQL, append([]any{clinicianID}, bounds...)},
		{"To-Do limit", "the clinician", limits.todoSQL, []any{clinicianID}},
		{"calendar limit", "the clinician, " + on, limits.calendarSQL, append([]any{clinicianID}, bounds...)},
	} {
		fmt.Fprintf(&b, "### Plan of the %s\n\nParameters: %s.\n\n```\n", st.title, st.params)
		if err := explainInto(ctx, db, &b, st.query, st.args); err != nil {
			return fmt.Errorf("%s: %w", st.title, err)
		}
		b.WriteString("```\n\n")
	}
	return os.WriteFile(path, bytes.TrimSuffix(b.Bytes(), []byte("\n")), 0o644)
}

// explainInto runs query once, then writes its EXPLAIN (ANALYZE, BUFFERS).
func explainInto(ctx context.Context, db *database.DB, b *bytes.Buffer, query string, args []any) error {
	if _, err := db.SQL.ExecContext(ctx, query, args...); err != nil {
		return err
	}
	rows, err := db.SQL.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		b.WriteString(line + "\n")
	}
	return rows.Err()
}

// dayBounds are the parameters of a day's bounds in the practice's zone.
func dayBounds(r caseload.Rules, day time.Time) []any {
	start, end := r.DayBounds(day)
	return []any{start.UTC(), end.UTC()}
}
