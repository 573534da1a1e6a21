package fakepractice

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"
)

// civilDate is a calendar date column (SQL type date). ent writes it on
// SQLite as the time.Time of midnight UTC; PostgreSQL takes the plain date.
type civilDate time.Time

// table is one table's rows, produced on demand so that the 250,000
// appointments never exist as a quarter of a million []any at once.
type table struct {
	name string
	cols []string
	n    int
	// row fills buf (len(cols) values) with row i.
	row func(i int, buf []any)
}

// bulkWriter writes tables into one transaction: COPY on PostgreSQL,
// multi-row INSERTs on SQLite.
type bulkWriter struct {
	tx      *sql.Tx
	dialect string
}

// sqliteMaxVars is SQLite's default limit on the parameters of one statement.
const sqliteMaxVars = 32766

func (w *bulkWriter) write(ctx context.Context, t table) error {
	if t.n == 0 {
		return nil
	}
	buf := make([]any, len(t.cols))
	if w.dialect == dialect.Postgres {
		stmt, err := w.tx.PrepareContext(ctx, pq.CopyIn(t.name, t.cols...))
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		for i := range t.n {
			t.row(i, buf)
			w.encode(buf)
			if _, err := stmt.ExecContext(ctx, buf...); err != nil {
				stmt.Close()
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
		if _, err := stmt.ExecContext(ctx); err != nil {
			stmt.Close()
			return fmt.Errorf("%s: %w", t.name, err)
		}
		if err := stmt.Close(); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		return nil
	}
	per := min(sqliteMaxVars/len(t.cols), 1000)
	quoted := make([]string, len(t.cols))
	for i, c := range t.cols {
		quoted[i] = `"` + c + `"`
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.cols)), ",") + ")"
	head := `INSERT INTO "` + t.name + `" (` + strings.Join(quoted, ",") + `) VALUES `
	args := make([]any, 0, per*len(t.cols))
	var full *sql.Stmt // the statement of a full batch, prepared once
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for from := 0; from < t.n; from += per {
		k := min(per, t.n-from)
		args = args[:0]
		for i := from; i < from+k; i++ {
			t.row(i, buf)
			w.encode(buf)
			args = append(args, buf...)
		}
		query := head + strings.TrimSuffix(strings.Repeat(one+",", k), ",")
		var err error
		if k == per {
			if full == nil {
				if full, err = w.tx.PrepareContext(ctx, query); err != nil {
					return fmt.Errorf("%s: %w", t.name, err)
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = w.tx.ExecContext(ctx, query, args...)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return nil
}

// encode turns the planned values into what the driver writes the way
// ent does. On SQLite a time.Time is passed through: the modernc driver
// formats it as ent's own writes are formatted (Time.String of a UTC
// instant, "2026-01-02 15:04:05.12 +0000 UTC"), so text comparisons of
// ranges keep working.
func (w *bulkWriter) encode(buf []any) {
	for i, v := range buf {
		if s, ok := plainString(v); ok {
			buf[i] = s
			continue
		}
		switch v := v.(type) {
		case time.Time:
			if v.IsZero() {
				buf[i] = nil
			} else {
				buf[i] = v.UTC()
			}
		case civilDate:
			t := time.Time(v)
			switch {
			case t.IsZero():
				buf[i] = nil
			case w.dialect == dialect.Postgres:
				buf[i] = t.Format(time.DateOnly)
			default:
				buf[i] = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			}
		}
	}
}

// reserveIDs returns the first of n consecutive ids of a table that no other
// writer will hand out, keeping each table in the id range ent's global IDs
// assign it (start is that range's floor).
func (w *bulkWriter) reserveIDs(ctx context.Context, name string, start int64, n int) (int64, error) {
	var maxID sql.NullInt64
	if err := w.tx.QueryRowContext(ctx, `SELECT MAX(id) FROM "`+name+`"`).Scan(&maxID); err != nil {
		return 0, fmt.Errorf("reading the ids of %s: %w", name, err)
	}
	first := max(start+1, maxID.Int64+1)
	if w.dialect == dialect.Postgres {
		// Move the sequence past the block first: a concurrent insert then
		// takes an id after it instead of colliding.
		var next int64
		if err := w.tx.QueryRowContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id'))`, name).Scan(&next); err != nil {
			return 0, fmt.Errorf("reserving ids of %s: %w", name, err)
		}
		first = max(first, next)
		if n > 0 {
			if _, err := w.tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, name, first+int64(n)-1); err != nil {
				return 0, fmt.Errorf("reserving ids of %s: %w", name, err)
			}
		}
		return first, nil
	}
	// SQLite's AUTOINCREMENT remembers the largest id ever used; an
	// explicit id above it moves it on by itself.
	var seq sql.NullInt64
	err := w.tx.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = ?`, name).Scan(&seq)
	if err != nil && err != sql.ErrNoRows {
		return 0, fmt.Errorf("reading the sequence of %s: %w", name, err)
	}
	return max(first, seq.Int64+1), nil
}

func (w *bulkWriter) placeholder(i int) string {
	if w.dialect == dialect.Postgres {
		return fmt.Sprintf("$%d", i)
	}
	return "?"
}
