package main

import (
	"strings"

	"entgo.io/ent/dialect"
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
// in hours (the practice's policy).
const limitCaseloadSQL = `
WITH page AS (
  SELECT c.id, c.first_name, c.last_name, c.date_of_birth, c.status, COUNT(*) OVER () AS total
  FROM clients c WHERE c.clinician_id = $1
  ORDER BY c.last_name, c.id LIMIT $3
),
cur AS (
  SELECT p.*, e.opened_at AS ep_opened, e.closed_at AS ep_closed
  FROM page p LEFT JOIN episodes e ON e.id = (SELECT e2.id FROM episodes e2 WHERE e2.client_id = p.id
    ORDER BY e2.opened_at DESC, e2.id LIMIT 1)
),
seen AS (
  SELECT cur.*,
    (SELECT MAX(a.starts_at) FROM appointments a WHERE a.client_id = cur.id AND a.status = 'ATTENDED' AND a.starts_at <= $2
      AND (cur.ep_opened IS NULL OR cur.ep_closed IS NOT NULL OR a.starts_at >= cur.ep_opened)) AS last_seen
  FROM cur
)
SELECT s.id, s.first_name, s.last_name, s.date_of_birth, s.status, s.total, s.ep_opened, s.ep_closed, s.last_seen,
  (SELECT MAX(ct.occurred_at) FROM contacts ct WHERE ct.client_id = s.id AND ct.direction = 'INBOUND' AND ct.occurred_at <= $2
    AND (s.ep_opened IS NULL OR s.ep_closed IS NOT NULL OR ct.occurred_at >= s.ep_opened)) AS inbound_in_episode,
  (SELECT MAX(ct.occurred_at) FROM contacts ct WHERE ct.client_id = s.id AND ct.direction = 'INBOUND' AND ct.occurred_at <= $2) AS last_inbound,
  (SELECT COUNT(*) FROM appointments a WHERE a.client_id = s.id AND NOT a.excused
    AND (a.status = 'NO_SHOW' OR (a.status = 'CANCELED' AND a.canceled_by = 'CLIENT' AND a.canceled_at IS NOT NULL AND LATE_CANCEL))
    AND FILED_AT >= s.ep_opened AND (s.ep_closed IS NULL OR FILED_AT < s.ep_closed)) AS strikes,
  w.occurred_at, w.close_by,
  n.id, n.starts_at,
  (SELECT MAX(d.signed_at) FROM documents d
    LEFT JOIN appointments a ON a.id = d.appointment_id AND a.client_id = d.client_id
    LEFT JOIN contacts dc ON dc.id = d.contact_id AND dc.client_id = d.client_id
      AND (dc.direction = 'INBOUND' OR dc.purpose = 'CLOSURE_WARNING' OR dc.billable_minutes > 0)
    WHERE d.client_id = s.id AND d.kind IN ('TREATMENT_PLAN', 'TREATMENT_PLAN_REVIEW') AND d.status = 'SIGNED'
      AND s.ep_closed IS NULL
      AND CASE WHEN a.id IS NOT NULL THEN FILED_AT WHEN dc.id IS NOT NULL THEN dc.occurred_at
        ELSE COALESCE(d.signed_at, d.created_at) END >= s.ep_opened) AS last_plan,
  cg.name, cg.phone
FROM seen s
LEFT JOIN contacts w ON w.id = (SELECT ct.id FROM contacts ct WHERE ct.client_id = s.id
  AND ct.purpose = 'CLOSURE_WARNING' AND ct.direction = 'OUTBOUND' AND ct.close_by IS NOT NULL AND ct.occurred_at <= $2
  AND s.ep_closed IS NULL AND ct.occurred_at >= s.ep_opened AND (s.last_seen IS NULL OR ct.occurred_at >= s.last_seen)
  ORDER BY ct.occurred_at DESC, ct.id LIMIT 1)
LEFT JOIN appointments n ON n.id = (SELECT a.id FROM appointments a WHERE a.client_id = s.id
  AND a.status IN ('SCHEDULED', 'CONFIRMED') AND a.starts_at > $2 ORDER BY a.starts_at, a.id LIMIT 1)
LEFT JOIN caregivers cg ON cg.id = (SELECT MIN(c2.id) FROM caregivers c2 WHERE c2.client_id = s.id AND c2.is_primary)
ORDER BY s.last_name, s.id`

// dialectSQL writes a limit statement for the dialect: the clinical time
// by which a session is filed (a session cancelled before its start is
// filed at its cancellation), the late-cancel test, and SQLite's ?N
// parameters and instants kept as text in UTC (compared as text, as the
// server's own statements do; the late-cancel window to the second).
func dialectSQL(query, dialectName string) string {
	filed := "CASE WHEN a.status = 'CANCELED' AND a.canceled_at IS NOT NULL AND a.canceled_at < a.starts_at THEN a.canceled_at ELSE a.starts_at END"
	late := "a.starts_at - a.canceled_at < make_interval(hours => $4)"
	if dialectName == dialect.SQLite {
		late = "CAST(strftime('%s', substr(a.starts_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', substr(a.canceled_at, 1, 19)) AS INTEGER) < $4 * 3600"
	}
	q := strings.NewReplacer("FILED_AT", filed, "LATE_CANCEL", late).Replace(query)
	if dialectName == dialect.SQLite {
		for _, n := range []string{"1", "2", "3", "4"} {
			q = strings.ReplaceAll(q, "$"+n, "?"+n)
		}
	}
	return q
}
