package main

import (
	"fmt"
	"strings"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/facts/projection"
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

// The limit statements read what the screens read since the facts
// projection (docs/facts.md): the clinician's clients joined to their rows
// of client_facts, plus what else a screen shows (caregivers' names, the
// day's sessions). Nothing in them depends on the day but the calendar's
// bounds: the handlers compute every figure from the facts and now with the
// rules the server runs (internal/caseload's *Of functions, limitfacts.go).

// limitCaseloadSQL is the best single statement for the caseload list that
// we could write: the page of the clinician's clients by last name (with
// the caseload's size), each with its row of the projection and its primary
// caregiver.
//
// $1 the clinician, $2 how many clients.
var limitCaseloadSQL = `
WITH page AS (
  SELECT ` + clientColumns("c", false) + `, COUNT(*) OVER () AS total
  FROM clinicians cl JOIN clients c ON c.practice_id = cl.practice_id AND c.clinician_id = cl.id
  WHERE cl.id = $1
  ORDER BY c.last_name, c.id LIMIT $2
)
SELECT p.total, ` + clientColumns("p", false) + `, ` + projectionColumns + `, g.name, g.phone
FROM page p LEFT JOIN client_facts f ON f.client_id = p.id
LEFT JOIN caregivers g ON g.id = f.primary_caregiver_id
ORDER BY p.last_name, p.id`

// clientsWithFacts joins the clients of the clinician cl (on the index
// practice_id, clinician_id, status) as c, and their rows of the
// projection as f: "FROM clinicians cl JOIN " + clientsWithFacts. A client
// without a row has NULL facts, which the handler refuses (clientRow.read).
const clientsWithFacts = `clients c ON c.practice_id = cl.practice_id AND c.clinician_id = cl.id
LEFT JOIN client_facts f ON f.client_id = c.id`

// projectionColumns are the columns of the client's row of the projection
// (f), which projection.Scanner decodes as the server's read does.
var projectionColumns = projection.Columns("f")

// clientColumns are the columns of a client (of the table or CTE c) that
// clientRow reads, named as in clients; the availability windows only when
// the screen ranks backfill candidates (NULL otherwise: no JSON to decode).
func clientColumns(c string, availability bool) string {
	avail := "NULL"
	if availability {
		avail = c + ".availability"
	}
	return fmt.Sprintf("%[1]s.id AS id, %[1]s.clinician_id AS clinician_id, %[1]s.status AS status, CAST(%[1]s.date_of_birth AS TEXT) AS date_of_birth, "+
		"%[1]s.session_frequency AS session_frequency, %[1]s.wants_earlier_appointment AS wants_earlier_appointment, "+
		"%[1]s.recurring_privilege AS recurring_privilege, %[1]s.first_name AS first_name, %[1]s.last_name AS last_name, %[2]s AS availability", c, avail)
}

// sessionColumns are the columns of a session (a) that sessionRow reads:
// what the rules of a calendar entry read.
const sessionColumns = "a.id, a.kind, a.status, a.starts_at, a.ends_at, a.canceled_at, a.canceled_by, a.excused, a.confirmed_at, a.reminder_sent_at"

// daySessions joins to each client c of the clinician cl their sessions
// with cl that are not cancelled and start in [$2, $3) (the day's bounds in
// the practice's zone) as a, on the index practice_id, clinician_id,
// starts_at; a client without one has a row of NULLs. The caregiver to
// contact (g) is joined only where there is a session.
const daySessions = `LEFT JOIN appointments a ON a.practice_id = cl.practice_id AND a.clinician_id = cl.id AND a.client_id = c.id
  AND a.starts_at >= $2 AND a.starts_at < $3 AND a.status <> 'CANCELED'
LEFT JOIN caregivers g ON a.id IS NOT NULL AND g.id = f.contact_caregiver_id`

// dialectSQL writes a statement for the dialect: SQLite's parameters are
// ?N (its instants are text in UTC, compared as text, as the server's own
// statements do).
func dialectSQL(query, dialectName string) string {
	if dialectName != dialect.SQLite {
		return query
	}
	for _, n := range []string{"1", "2", "3", "4", "5", "6"} {
		query = strings.ReplaceAll(query, "$"+n, "?"+n)
	}
	return query
}
