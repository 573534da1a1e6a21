package main

import (
	"fmt"
	"regexp"
	"strings"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/caseload"
)

// caseloadListQuery is the caseload list screen: a clinician's first
// $first clients by last name with the figures a caseload list shows. Its
// limit (limitCaseloadSQL) answers the same in one statement.
const caseloadListQuery = `query CaseloadList($first: Int!) {
  clients(first: $first, orderBy: {field: LAST_NAME, direction: ASC}) {
    totalCount
    edges { node {
      id firstName lastName isMinor
      strikeCount daysSinceSeen daysSinceContact lastSeenAt lastContactAt
      nextAppointment { id startsAt }
      treatmentPlanReviewDueOn
      primaryCaregiver { name phone }
      terminationRecommendation { action reason closeBy }
    } }
  }
}`

// limitCaseloadSQL is the best single statement for the caseload list that
// we could write: per client of the page (one index range of clients), the
// facts the rules derive its figures from, each a correlated lookup by
// client_id on the indexes the server already has, so that no history is
// shipped to Go. The handler (limit.go) turns instants into day counts and
// the termination recommendation (rule 3) from these facts alone.
//
// $1 clinician id, $2 now, $3 how many clients, $4 the late-cancel window
// in hours (the practice's policy). FIRST_ROW lookups are joinFirst's.
var limitCaseloadSQL = `
WITH page AS (
  SELECT c.id, c.first_name, c.last_name, c.date_of_birth, c.status, COUNT(*) OVER () AS total
  FROM clients c WHERE c.clinician_id = $1
  ORDER BY c.last_name, c.id LIMIT $3
),
cur AS (SELECT p.*, ` + currentEpisode("page") + `),
seen AS (SELECT s.*, ` + lastSeenSQL + ` AS last_seen FROM cur s)
SELECT s.id, s.first_name, s.last_name, s.date_of_birth, s.status, s.total, s.ep_opened, s.ep_closed, s.last_seen,
  (SELECT MAX(ct.occurred_at) FROM contacts ct WHERE ct.client_id = s.id AND ct.direction = 'INBOUND' AND ct.occurred_at <= $2
    AND (s.ep_opened IS NULL OR s.ep_closed IS NOT NULL OR ct.occurred_at >= s.ep_opened)) AS inbound_in_episode,
  (SELECT MAX(ct.occurred_at) FROM contacts ct WHERE ct.client_id = s.id AND ct.direction = 'INBOUND' AND ct.occurred_at <= $2) AS last_inbound,
  ` + strikesSQL + ` AS strikes,
  w.occurred_at, w.close_by,
  n.id, n.starts_at,
  ` + lastPlanSQL + ` AS last_plan,
  cg.name, cg.phone
FROM seen s
FIRST_ROW(contacts w: x.client_id = s.id
  AND x.purpose = 'CLOSURE_WARNING' AND x.direction = 'OUTBOUND' AND x.close_by IS NOT NULL AND x.occurred_at <= $2
  AND s.ep_closed IS NULL AND x.occurred_at >= s.ep_opened AND (s.last_seen IS NULL OR x.occurred_at >= s.last_seen)
  ORDER BY x.occurred_at DESC, x.id)
` + nextSessionSQL + `
FIRST_ROW(caregivers cg: x.client_id = s.id AND x.is_primary ORDER BY x.id)
ORDER BY s.last_name, s.id`

// Fragments of the limit statements, over a client row s (id: the
// client's) with its current episode's ep_opened and ep_closed; $2 is now,
// $3 the strike limit and $4 the late-cancel window in every statement.
const (
	// lastSeenSQL is the last attended session up to now: of the open
	// episode while one is open (rule 2).
	lastSeenSQL = `(SELECT MAX(a.starts_at) FROM appointments a WHERE a.client_id = s.id AND a.status = 'ATTENDED' AND a.starts_at <= $2
      AND (s.ep_opened IS NULL OR s.ep_closed IS NOT NULL OR a.starts_at >= s.ep_opened))`
	// strikesSQL counts the strikes filed in the current episode (rule 1).
	strikesSQL = `(SELECT COUNT(*) FROM appointments a WHERE a.client_id = s.id AND NOT a.excused
    AND (a.status = 'NO_SHOW' OR (a.status = 'CANCELED' AND a.canceled_by = 'CLIENT' AND a.canceled_at IS NOT NULL AND LATE_CANCEL))
    AND a.starts_at >= s.ep_opened -- implied by the next line (filed <= starts), and an index bound
    AND FILED_AT >= s.ep_opened AND (s.ep_closed IS NULL OR FILED_AT < s.ep_closed))`
	// nextSessionSQL joins the next booked session after now as n.
	nextSessionSQL = `FIRST_ROW(appointments n: x.client_id = s.id AND x.status IN ('SCHEDULED', 'CONFIRMED') AND x.starts_at > $2 ORDER BY x.starts_at, x.id)`
	// lastPlanSQL is when the open episode's plan or last review was
	// signed (documents filed by what they document, rule 6).
	lastPlanSQL = `(SELECT MAX(d.signed_at) FROM documents d
    LEFT JOIN appointments a ON a.id = d.appointment_id AND a.client_id = d.client_id
    LEFT JOIN contacts dc ON dc.id = d.contact_id AND dc.client_id = d.client_id
      AND (dc.direction = 'INBOUND' OR dc.purpose = 'CLOSURE_WARNING' OR dc.billable_minutes > 0)
    WHERE d.client_id = s.id AND d.kind IN ('TREATMENT_PLAN', 'TREATMENT_PLAN_REVIEW') AND d.status = 'SIGNED'
      AND s.ep_closed IS NULL
      AND CASE WHEN a.id IS NOT NULL THEN FILED_AT WHEN dc.id IS NOT NULL THEN dc.occurred_at
        ELSE COALESCE(d.signed_at, d.created_at) END >= s.ep_opened)`
)

// currentEpisode adds the current episode's span (the latest opened) to
// the client rows (id) of the CTE from: "SELECT p.*, " + currentEpisode(from).
func currentEpisode(from string) string {
	return `e.opened_at AS ep_opened, e.closed_at AS ep_closed
  FROM ` + from + ` p FIRST_ROW(episodes e: x.client_id = p.id ORDER BY x.opened_at DESC, x.id)`
}

// backfillList is CTEs ending in listed: the clients of the clinician (an
// SQL expression) on the backfill list (ACTIVE, asked for an earlier
// appointment, under the strike limit: rule 4), with the facts that rank
// them; computed once however many slots they are offered.
func backfillList(clinician string) string {
	return `bpage AS (SELECT c.id, c.first_name, c.availability FROM clients c
  WHERE c.clinician_id = ` + clinician + ` AND c.status = 'ACTIVE' AND c.wants_earlier_appointment),
bcur AS (SELECT p.*, ` + currentEpisode("bpage") + `),
bfacts AS (
  SELECT s.*, ` + lastSeenSQL + ` AS last_seen, ` + strikesSQL + ` AS strikes, n.starts_at AS next_at
  FROM bcur s ` + nextSessionSQL + `
),
listed AS MATERIALIZED (SELECT * FROM bfacts WHERE strikes < $3)`
}

// freeFor says that the listed client l is free for the slot [start, end)
// (SQL expressions): nothing booked sooner, nor at that time. Sessions last
// at most caseload.MaxSession: on PostgreSQL, a bound on the index of the
// overlap check; SQLite's instants are text, which its date functions would
// write in another form, so there the check goes without (PG_ONLY).
func freeFor(start, end string) string {
	return `(l.next_at IS NULL OR l.next_at > ` + start + `)
  AND NOT EXISTS (SELECT 1 FROM appointments b WHERE b.client_id = l.id AND b.status IN ('SCHEDULED', 'CONFIRMED')
    AND b.starts_at < ` + end + ` AND ` + start + ` < b.ends_at
    PG_ONLY{AND b.starts_at > ` + start + ` - make_interval(hours => ` + fmt.Sprint(int(caseload.MaxSession.Hours())) + `)})`
}

// firstRowPattern is FIRST_ROW(table alias: condition ORDER BY ...): a left
// join of the first row of table that the condition (over x, the
// candidate row, and the outer row) and the order pick, per outer row.
var firstRowPattern = regexp.MustCompile(`FIRST_ROW\((\w+) (\w+): ([^()]*(?:\([^()]*\)[^()]*)*)\)`)

// joinFirst writes a FIRST_ROW lookup for the dialect. PostgreSQL gets a
// LEFT JOIN LATERAL: an index scan per outer row that stops at the first
// match (the form "x.id = (SELECT ... LIMIT 1)" makes its planner hash-join
// the whole table). SQLite has no LATERAL; there the scalar subquery on
// the primary key is a per-row index search already.
func joinFirst(query, dialectName string) string {
	return firstRowPattern.ReplaceAllStringFunc(query, func(m string) string {
		p := firstRowPattern.FindStringSubmatch(m)
		table, alias, cond := p[1], p[2], p[3]
		if dialectName == dialect.Postgres {
			return "LEFT JOIN LATERAL (SELECT x.* FROM " + table + " x WHERE " + cond + " LIMIT 1) " + alias + " ON true"
		}
		return "LEFT JOIN " + table + " " + alias + " ON " + alias + ".id = (SELECT x.id FROM " + table + " x WHERE " + cond + " LIMIT 1)"
	})
}

// pgOnlyPattern is PG_ONLY{...}: SQL for PostgreSQL only.
var pgOnlyPattern = regexp.MustCompile(`PG_ONLY\{([^{}]*)\}`)

// dialectSQL writes a limit statement for the dialect: the clinical time
// by which a session is filed (a session cancelled before its start is
// filed at its cancellation), the late-cancel test, and SQLite's ?N
// parameters and instants kept as text in UTC (compared as text, as the
// server's own statements do; the late-cancel window to the second).
func dialectSQL(query, dialectName string) string {
	filed := "CASE WHEN a.status = 'CANCELED' AND a.canceled_at IS NOT NULL AND a.canceled_at < a.starts_at THEN a.canceled_at ELSE a.starts_at END"
	late := "a.starts_at - a.canceled_at < make_interval(hours => $4)"
	pgOnly := "$1"
	if dialectName == dialect.SQLite {
		late = "CAST(strftime('%s', substr(a.starts_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', substr(a.canceled_at, 1, 19)) AS INTEGER) < $4 * 3600"
		pgOnly = ""
	}
	q := strings.NewReplacer("FILED_AT", filed, "LATE_CANCEL", late).Replace(joinFirst(query, dialectName))
	q = pgOnlyPattern.ReplaceAllString(q, pgOnly)
	if dialectName == dialect.SQLite {
		for _, n := range []string{"1", "2", "3", "4", "5", "6"} {
			q = strings.ReplaceAll(q, "$"+n, "?"+n)
		}
	}
	return q
}
