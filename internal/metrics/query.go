package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/caseload/caseload/internal/caseload"
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

const groupCols = "b, k1, k2, k3"

// family is one statement: how to write it and where its columns go.
type family struct {
	name string
	// cost is the family's share of a year's report on the generated
	// practice (ms on PostgreSQL), to schedule the heaviest first.
	cost  int
	write func(s *stmt)
	// dest returns the scan destinations after the keys, and a function
	// that stores the scanned values in c.
	dest func() ([]any, func(c *counts))
}

// byCost returns the families, the heaviest first.
func byCost(fams []family) []family {
	out := slices.Clone(fams)
	slices.SortStableFunc(out, func(a, b family) int { return b.cost - a.cost })
	return out
}

var families = []family{
	{
		// Distinct clients with a session, an open episode or a contact.
		name: "clients",
		cost: 177,
		write: func(s *stmt) {
			s.with().add(", facts AS (SELECT ").pointKeys("a.starts_at", "a.clinician_id").
				add(", a.client_id AS client_id").pointFrom("appointments", "a", "a.starts_at", "").
				add(" UNION ALL SELECT b.b AS b, ").keys("b.b < 0", "COALESCE(e.clinician_id, c.clinician_id)").
				add(", e.client_id AS client_id FROM episodes e JOIN buckets b ON b.lo < b.upto AND e.opened_at < b.upto"+
					" AND (e.closed_at IS NULL OR e.closed_at >= b.lo) JOIN clients c ON c.id = e.client_id WHERE e.practice_id = ?",
					s.q.req.PracticeID).
				add(" UNION ALL SELECT ").pointKeys("ct.occurred_at", "COALESCE(ct.clinician_id, c.clinician_id)").
				add(", ct.client_id AS client_id").pointFrom("contacts", "ct", "ct.occurred_at", "").add(")").
				add(" SELECT " + groupCols + ", COUNT(*) FROM (SELECT DISTINCT " + groupCols + ", client_id FROM facts) u GROUP BY " + groupCols)
		},
		dest: func() ([]any, func(*counts)) {
			var n int
			return []any{&n}, func(c *counts) { c.clients = n }
		},
	},
	{
		// Sessions by outcome; late cancels and the backfilled ones.
		name: "sessions",
		cost: 190,
		write: func(s *stmt) {
			s.with().add(", facts AS (SELECT ").pointKeys("a.starts_at", "a.clinician_id").
				add(", a.status AS status, a.canceled_by AS canceled_by, CASE WHEN ").lateCancel().
				add(" THEN 1 ELSE 0 END AS late, CASE WHEN ").lateCancel().
				add(" AND EXISTS (SELECT 1 FROM appointments f WHERE f.filled_from_id = a.id) THEN 1 ELSE 0 END AS filled").
				pointFrom("appointments", "a", "a.starts_at", "").add(")").
				add(" SELECT " + groupCols + ", COUNT(*)," +
					" SUM(CASE WHEN status = 'ATTENDED' THEN 1 ELSE 0 END)," +
					" SUM(CASE WHEN status IN ('ATTENDED', 'NO_SHOW') OR (status = 'CANCELED' AND canceled_by = 'CLIENT') THEN 1 ELSE 0 END)," +
					" SUM(CASE WHEN status = 'NO_SHOW' THEN 1 ELSE 0 END)," +
					" SUM(CASE WHEN status = 'CANCELED' AND canceled_by = 'CLIENT' THEN 1 ELSE 0 END)," +
					" SUM(late), SUM(filled) FROM facts GROUP BY " + groupCols)
		},
		dest: func() ([]any, func(*counts)) {
			var v [7]int
			return []any{&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]}, func(c *counts) {
				c.booked, c.attended, c.outcomes, c.noShows, c.clientCancels, c.lateCancels, c.backfilled =
					v[0], v[1], v[2], v[3], v[4], v[5], v[6]
			}
		},
	},
	{
		// Episodes opened, and how many of those with a known outcome were
		// retained: 6 attended sessions, or closed with GOALS_MET.
		name: "episodes opened",
		cost: 57,
		write: func(s *stmt) {
			s.with().add(", facts AS (SELECT ").pointKeys("e.opened_at", "COALESCE(e.clinician_id, c.clinician_id)").
				add(", CASE WHEN e.close_reason = 'GOALS_MET' OR "+attendedOf("e")+" >= 6 THEN 1 ELSE 0 END AS retained,"+
					" CASE WHEN e.closed_at IS NULL THEN 0 ELSE 1 END AS closed").
				pointFrom("episodes", "e", "e.opened_at", "").add(")").
				add(" SELECT " + groupCols + ", COUNT(*), SUM(retained), SUM(CASE WHEN retained = 1 OR closed = 1 THEN 1 ELSE 0 END)" +
					" FROM facts GROUP BY " + groupCols)
		},
		dest: func() ([]any, func(*counts)) {
			var opened, retained, decided int
			return []any{&opened, &retained, &decided}, func(c *counts) {
				c.opened, c.retained, c.retentionBase = opened, retained, decided
			}
		},
	},
	{
		// Episodes closed: by reason, early drop-outs, and the median and
		// 75th percentile of their attended sessions.
		name: "episodes closed",
		cost: 94,
		write: func(s *stmt) {
			s.with().add(", facts AS (SELECT ").pointKeys("e.closed_at", "COALESCE(e.clinician_id, c.clinician_id)").
				add(", e.close_reason AS reason, "+attendedOf("e")+" AS n").
				pointFrom("episodes", "e", "e.closed_at", "").add(")").
				ranked("", "n").
				add(" SELECT " + groupCols + ", COUNT(*)," +
					" SUM(CASE WHEN reason IN ('INACTIVE', 'STRIKES') AND n <= 3 THEN 1 ELSE 0 END)")
			for _, r := range closeReasons {
				s.add(", SUM(CASE WHEN reason = '" + r + "' THEN 1 ELSE 0 END)")
			}
			s.add(", " + s.q.percentile("n", "1 = 1", 1, 2) + ", " + s.q.percentile("n", "1 = 1", 3, 4) +
				" FROM ranked GROUP BY " + groupCols)
		},
		dest: func() ([]any, func(*counts)) {
			var closed, early int
			reasons := make([]int, len(closeReasons))
			var median, p75 sql.NullFloat64
			d := []any{&closed, &early}
			for i := range reasons {
				d = append(d, &reasons[i])
			}
			d = append(d, &median, &p75)
			return d, func(c *counts) {
				c.closed, c.earlyDropOuts = closed, early
				for i, r := range closeReasons {
					c.byReason[r] = reasons[i]
				}
				c.closedMedian, c.closedP75 = nullFloat(median, 2), nullFloat(p75, 2)
			}
		},
	},
	{
		// Notes of attended sessions: due (signed, or past the due time),
		// signed on time, signed within the goal, and the median minutes
		// from the session's end to the signature.
		name: "notes",
		cost: 459,
		write: func(s *stmt) {
			q, pol := s.q, s.q.req.Policy
			signedAfter := q.seconds("a.ends_at", "d.signed_at")
			s.with().add(", facts AS (SELECT ").pointKeys("a.starts_at", "a.clinician_id").
				add(", CASE WHEN d.id IS NULL THEN 0 ELSE 1 END AS signed,"+
					" CASE WHEN d.id IS NULL THEN NULL ELSE "+q.greatest(signedAfter, "0")+" END AS secs,"+
					" CASE WHEN d.id IS NOT NULL OR a.ends_at <= "+q.instant()+" THEN 1 ELSE 0 END AS due",
					q.req.Now.UTC().Add(-time.Duration(pol.NoteDueHours)*time.Hour)).
				pointFrom("appointments", "a", "a.starts_at",
					"LEFT JOIN documents d ON d.appointment_id = a.id AND d.status = 'SIGNED' AND d.signed_at IS NOT NULL"+
						" AND d.kind = CASE WHEN a.kind = 'INTAKE' THEN 'INTAKE' ELSE 'PROGRESS_NOTE' END").
				add(" AND a.status = 'ATTENDED')").
				ranked(", signed", "secs").
				add(" SELECT "+groupCols+", SUM(due), SUM(CASE WHEN signed = 1 AND secs <= ? THEN 1 ELSE 0 END),"+
					" SUM(CASE WHEN signed = 1 AND secs <= ? THEN 1 ELSE 0 END), ",
					pol.NoteDueHours*3600, pol.NoteGoalMinutes*60).
				add(q.percentile("secs / 60.0", "signed = 1", 1, 2) + " FROM ranked GROUP BY " + groupCols)
		},
		dest: func() ([]any, func(*counts)) {
			var due, onTime, goal int
			var median sql.NullFloat64
			return []any{&due, &onTime, &goal, &median}, func(c *counts) {
				c.notesDue, c.notesOnTime, c.notesWithinGoal, c.noteMedian = due, onTime, goal, nullFloat(median, 1)
			}
		},
	},
	{
		// Billable minutes of outbound contacts.
		name: "contacts",
		cost: 65,
		write: func(s *stmt) {
			s.with().add(", facts AS (SELECT ").pointKeys("ct.occurred_at", "COALESCE(ct.clinician_id, c.clinician_id)").
				add(", CASE WHEN ct.direction = 'OUTBOUND' THEN COALESCE(ct.billable_minutes, 0) ELSE 0 END AS minutes").
				pointFrom("contacts", "ct", "ct.occurred_at", "").add(")").
				add(" SELECT " + groupCols + ", SUM(minutes) FROM facts GROUP BY " + groupCols)
		},
		dest: func() ([]any, func(*counts)) {
			var minutes int
			return []any{&minutes}, func(c *counts) { c.outreachMinutes = minutes }
		},
	},
	{
		// Expected weekly sessions (rule 9) averaged over the bucket up to
		// now: every episode open in it weighs its client's frequency times
		// the client's attendance rate in the bucket (1 without any), times
		// the share of the bucket it was open.
		name: "caseload",
		cost: 244,
		write: func(s *stmt) {
			q := s.q
			s.with().add(", att AS (SELECT b, client_id, SUM(attended) AS attended, SUM(counted) AS counted FROM (SELECT ").
				pointKeys("a.starts_at", "NULL").
				add(", a.client_id AS client_id, CASE WHEN a.status = 'ATTENDED' THEN 1 ELSE 0 END AS attended,"+
					" CASE WHEN a.status IN ('ATTENDED', 'NO_SHOW') OR ").lateCancel().add(" THEN 1 ELSE 0 END AS counted").
				pointFrom("appointments", "a", "a.starts_at", "").
				add(" AND a.starts_at < "+q.instant()+") x GROUP BY b, client_id)", q.req.Now.UTC()).
				add(", facts AS (SELECT b.b AS b, ").keys("b.b < 0", "COALESCE(e.clinician_id, c.clinician_id)").
				add(", (CASE c.session_frequency WHEN 'WEEKLY' THEN "+q.typed("DOUBLE PRECISION")+" WHEN 'BIWEEKLY' THEN "+q.typed("DOUBLE PRECISION")+
					" WHEN 'MONTHLY' THEN "+q.typed("DOUBLE PRECISION")+" WHEN 'AS_NEEDED' THEN "+q.typed("DOUBLE PRECISION")+" ELSE 0 END)",
					caseload.FrequencyWeight(caseload.Weekly), caseload.FrequencyWeight(caseload.Biweekly),
					caseload.FrequencyWeight(caseload.Monthly), caseload.FrequencyWeight(caseload.AsNeeded)).
				add(" * (CASE WHEN att.counted > 0 THEN att.attended * 1.0 / att.counted ELSE 1.0 END)"+
					" * "+q.seconds(q.greatest("e.opened_at", "b.lo"), q.least("COALESCE(e.closed_at, b.upto)", "b.upto"))+
					" / "+q.seconds("b.lo", "b.upto")+" AS weekly"+
					" FROM episodes e JOIN buckets b ON b.lo < b.upto AND e.opened_at < b.upto AND (e.closed_at IS NULL OR e.closed_at > b.lo)"+
					" JOIN clients c ON c.id = e.client_id"+
					" LEFT JOIN att ON att.b = b.b AND att.client_id = e.client_id").
				add(" WHERE e.practice_id = ?)", q.req.PracticeID).
				add(" SELECT " + groupCols + ", SUM(weekly) FROM facts GROUP BY " + groupCols)
		},
		dest: func() ([]any, func(*counts)) {
			var weekly sql.NullFloat64
			return []any{&weekly}, func(c *counts) {
				c.expectedWeekly, c.hasCaseload = weekly.Float64, weekly.Valid
			}
		},
	},
}

// attendedOf is the SQL for the attended sessions of episode e.
func attendedOf(e string) string {
	return "(SELECT COUNT(*) FROM appointments x WHERE x.episode_id = " + e + ".id AND x.status = 'ATTENDED')"
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
