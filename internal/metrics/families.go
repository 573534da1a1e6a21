package metrics

import (
	"database/sql"
	"slices"
	"time"

	"github.com/caseload/caseload/internal/caseload"
)

// The families of figures: one aggregate statement each, written for both
// databases by the query builder of query.go.

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
