package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// query builds the statements of one request. Each statement starts with
// the same buckets table (the total, then the months or the whole range)
// and a facts table whose rows carry their bucket and group keys k1
// (clinician id), k2 (modality) and k3 (frequency); the final SELECT
// aggregates facts by (b, k1, k2, k3). A fact falls in the total bucket and
// in one other, so each statement reads its rows once per bucket it is in.
type query struct {
	req     Request
	dialect string
	dims    []Dimension
	buckets []bucket
}

func newQuery(dialectName string, req Request) (*query, error) {
	if dialectName != dialect.SQLite && dialectName != dialect.Postgres {
		return nil, fmt.Errorf("metrics: unsupported dialect %q", dialectName)
	}
	dims, err := canonical(req.GroupBy)
	if err != nil {
		return nil, err
	}
	if req.Location == nil {
		req.Location = time.UTC
	}
	q := &query{req: req, dialect: dialectName, dims: dims}
	if q.buckets, err = buckets(req, q.has(Month)); err != nil {
		return nil, err
	}
	return q, nil
}

func (q *query) has(d Dimension) bool {
	for _, x := range q.dims {
		if x == d {
			return true
		}
	}
	return false
}

// stmt is one statement being written: its text and its arguments, with ?
// placeholders that PostgreSQL gets renumbered as $n.
type stmt struct {
	q    *query
	sb   strings.Builder
	args []any
}

func (q *query) stmt() *stmt { return &stmt{q: q} }

// add appends text, replacing each ? by the next of args.
func (s *stmt) add(text string, args ...any) *stmt {
	if n := strings.Count(text, "?"); n != len(args) {
		panic(fmt.Sprintf("metrics: %d placeholders, %d arguments in %q", n, len(args), text))
	}
	s.sb.WriteString(text)
	s.args = append(s.args, args...)
	return s
}

func (s *stmt) String() string {
	text := s.sb.String()
	if s.q.dialect != dialect.Postgres {
		return text
	}
	var out strings.Builder
	n := 0
	for _, r := range text {
		if r == '?' {
			n++
			out.WriteString("$" + strconv.Itoa(n))
			continue
		}
		out.WriteRune(r)
	}
	return out.String()
}

// with starts the statement with the buckets table: b is the bucket's index
// (-1 for the total), [lo, hi) its stretch of time and upto the earlier of hi
// and now.
func (s *stmt) with() *stmt {
	s.add("WITH buckets(b, lo, hi, upto) AS (VALUES ")
	for i, b := range s.q.buckets {
		if i > 0 {
			s.add(", ")
		}
		if s.q.dialect == dialect.Postgres {
			s.add("(CAST(? AS INTEGER), CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ))", b.index, b.lo, b.hi, b.upTo)
		} else {
			s.add("(?, ?, ?, ?)", b.index, b.lo, b.hi, b.upTo)
		}
	}
	return s.add(")")
}

// keys writes the group key columns k1, k2, k3 of a fact; total is the SQL
// condition that the fact is counted for the total (which has no keys),
// clinician the column of its clinician; the client's table is c.
func (s *stmt) keys(total, clinician string) *stmt {
	key := func(d Dimension, column, alias string) {
		if s.q.has(d) {
			s.add("CASE WHEN " + total + " THEN NULL ELSE " + column + " END AS " + alias)
		} else {
			s.add("NULL AS " + alias)
		}
	}
	key(Clinician, clinician, "k1")
	s.add(", ")
	key(Modality, "c.modality", "k2")
	s.add(", ")
	key(Frequency, "c.session_frequency", "k3")
	return s
}

// Facts that fall on one instant (a session's start, a contact) are read
// once from an index range scan of the whole range, and each row is counted
// twice through a join with dup: once for the total (dup.total = 1), once
// for the bucket its instant falls in. Joining them to the buckets table by
// range instead would compare every row with every month.
const (
	dupTable = "(SELECT 1 AS total UNION ALL SELECT 0 AS total) dup"
	inTotal  = "dup.total = 1"
)

// pointKeys writes b, the bucket of the instant in column at (-1 for the
// total), and the keys.
func (s *stmt) pointKeys(at, clinician string) *stmt {
	s.add("CASE WHEN " + inTotal + " THEN -1")
	months := s.q.buckets[1:]
	for _, b := range months[:len(months)-1] {
		s.add(" WHEN "+at+" < "+s.q.instant()+" THEN ?", b.hi, b.index)
	}
	s.add(" ELSE ? END AS b, ", months[len(months)-1].index)
	return s.keys(inTotal, clinician)
}

// pointFrom writes the FROM and WHERE of point facts: the rows of table
// (as alias, with joins) of the practice whose instant in column at is in
// the range, with their client c, each twice (see dupTable).
func (s *stmt) pointFrom(table, alias, at, joins string) *stmt {
	total := s.q.buckets[0]
	return s.add(" FROM "+table+" "+alias+" JOIN clients c ON c.id = "+alias+".client_id "+joins+" CROSS JOIN "+dupTable+
		" WHERE "+alias+".practice_id = ? AND "+at+" >= "+s.q.instant()+" AND "+at+" < "+s.q.instant(),
		s.q.req.PracticeID, total.lo, total.hi)
}

// instant is a placeholder for an instant argument.
func (q *query) instant() string { return q.typed("TIMESTAMPTZ") }

// typed is a placeholder for an argument of the PostgreSQL type: lib/pq
// sends arguments untyped, and PostgreSQL would otherwise take the type of
// the first such argument it meets in an expression (say an integer for a
// float). SQLite needs no cast.
func (q *query) typed(pgType string) string {
	if q.dialect == dialect.Postgres {
		return "CAST(? AS " + pgType + ")"
	}
	return "?"
}

// seconds is the SQL for the whole seconds from instant a to instant b.
//
// The SQLite driver stores an instant as the text of Go's time.Time.String
// ("2026-01-02 15:04:05.5 +0000 UTC"), which SQLite's date functions do not
// read; every instant is stored in UTC (see ent/schema), so its first 19
// characters are the UTC date and time, which they do.
func (q *query) seconds(a, b string) string {
	if q.dialect == dialect.Postgres {
		return "EXTRACT(EPOCH FROM (" + b + " - " + a + "))"
	}
	return "(unixepoch(substr(" + b + ", 1, 19)) - unixepoch(substr(" + a + ", 1, 19)))"
}

// greatest and least of two instants.
func (q *query) greatest(a, b string) string {
	if q.dialect == dialect.Postgres {
		return "GREATEST(" + a + ", " + b + ")"
	}
	return "MAX(" + a + ", " + b + ")"
}

func (q *query) least(a, b string) string {
	if q.dialect == dialect.Postgres {
		return "LEAST(" + a + ", " + b + ")"
	}
	return "MIN(" + a + ", " + b + ")"
}

// lateCancel is the SQL condition that appointment a was cancelled by the
// client less than the policy's window before its start (rule 1).
func (s *stmt) lateCancel() *stmt {
	return s.add("(a.status = 'CANCELED' AND a.canceled_by = 'CLIENT' AND a.canceled_at IS NOT NULL AND "+
		s.q.seconds("a.canceled_at", "a.starts_at")+" < ?)", s.q.req.Policy.LateCancelWindowHours*3600)
}

// percentile writes the p = num/den percentile of v over the rows of a
// group where cond holds, interpolated linearly between the two nearest
// ranks. PostgreSQL has it as percentile_cont. On SQLite the rows must carry
// rn, their rank by v among the rows of the group with cond, and cnt, their
// number (see ranked), and the value is picked from the ranks.
func (q *query) percentile(v, cond string, num, den int) string {
	if q.dialect == dialect.Postgres {
		return fmt.Sprintf("percentile_cont(%d * 1.0 / %d) WITHIN GROUP (ORDER BY CAST(CASE WHEN %s THEN %s END AS DOUBLE PRECISION))",
			num, den, cond, v)
	}
	lo := fmt.Sprintf("1 + (%d * (cnt - 1)) / %d", num, den)
	hi := fmt.Sprintf("1 + (%d * (cnt - 1) + %d) / %d", num, den-1, den)
	frac := fmt.Sprintf("((%d * (cnt - 1)) %% %d) * 1.0 / %d", num, den, den)
	at := func(rank string) string {
		return "MAX(CASE WHEN " + cond + " AND rn = " + rank + " THEN " + v + " END)"
	}
	return "(" + at(lo) + " + (" + at(hi) + " - " + at(lo) + ") * MAX(CASE WHEN " + cond + " THEN " + frac + " END))"
}

// ranked writes the ranked table percentile reads: the facts with, on
// SQLite, their rank rn by orderBy within their group (and partition) and
// the group's count cnt. PostgreSQL's percentile_cont needs neither, and
// the window functions would cost it a sort of every fact.
func (s *stmt) ranked(partition, orderBy string) *stmt {
	if s.q.dialect == dialect.Postgres {
		return s.add(", ranked AS (SELECT facts.* FROM facts)")
	}
	// One window, so one sort: the count is over the whole partition.
	return s.add(", ranked AS (SELECT facts.*, ROW_NUMBER() OVER w AS rn," +
		" COUNT(*) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS cnt FROM facts" +
		" WINDOW w AS (PARTITION BY " + groupCols + partition + " ORDER BY " + orderBy + "))")
}

func nullFloat(v sql.NullFloat64, places int) *float64 {
	if !v.Valid {
		return nil
	}
	return ptr(round(v.Float64, places))
}

// run sends one family's statement and adds its rows to acc.
func (q *query) run(ctx context.Context, drv dialect.ExecQuerier, fam family, acc *accumulator) error {
	s := q.stmt()
	fam.write(s)
	var rows entsql.Rows
	if err := drv.Query(ctx, s.String(), s.args, &rows); err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			b          int
			k1         sql.NullInt64
			k2, k3     sql.NullString
			dest, save = fam.dest()
		)
		if err := rows.Scan(append([]any{&b, &k1, &k2, &k3}, dest...)...); err != nil {
			return err
		}
		acc.mu.Lock()
		save(acc.at(groupKey{bucket: b, clinician: int(k1.Int64), modality: k2.String, frequency: k3.String}))
		acc.mu.Unlock()
	}
	return rows.Err()
}

// slots returns the weekly slots of each clinician of the practice.
func (q *query) slots(ctx context.Context, drv dialect.ExecQuerier) (map[int]int, error) {
	s := q.stmt().add("SELECT id, weekly_slots FROM clinicians WHERE practice_id = ?", q.req.PracticeID)
	var rows entsql.Rows
	if err := drv.Query(ctx, s.String(), s.args, &rows); err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var id, n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
