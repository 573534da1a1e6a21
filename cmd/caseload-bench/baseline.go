package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
)

// baselineQuery is the hand-written SQL of the dashboard's client list: in
// one statement, for a clinician's first clients by last name, the facts
// the dashboard derives its fields from. Per client: the current episode,
// its strikes (no-shows and client cancellations inside the 24 h late-cancel
// window, not excused), the last attended session, the last inbound
// contact and closure warning, the next booked session, past sessions
// still without attendance, notes due (attended sessions and billable
// contacts without a signed note), the last signed treatment plan or
// review, on-time sessions among the last three that count for the
// recurring privilege, and the primary caregiver. It is what a
// hand-tuned endpoint would send; the GraphQL dashboard is measured
// against it. $1 clinician id, $2 now, $3 how many clients.
//
// The policy figures (24 h, 10 minutes late, last 3) are the defaults the
// generated practice has; the server reads them from the practice.
const baselineQuery = `
WITH page AS (
  SELECT c.id, c.first_name, c.last_name, c.date_of_birth, c.status, c.wants_earlier_appointment
  FROM clients c WHERE c.clinician_id = $1
  ORDER BY c.last_name, c.id LIMIT $3
),
ep AS (
  SELECT client_id, id, opened_at, closed_at FROM (
    SELECT e.client_id, e.id, e.opened_at, e.closed_at,
      ROW_NUMBER() OVER (PARTITION BY e.client_id ORDER BY e.opened_at DESC, e.id DESC) AS rn
    FROM episodes e JOIN page p ON p.id = e.client_id) x
  WHERE rn = 1
),
appt AS (
  SELECT a.client_id,
    SUM(CASE WHEN a.episode_id = ep.id AND NOT a.excused AND (a.status = 'NO_SHOW'
      OR (a.status = 'CANCELED' AND a.canceled_by = 'CLIENT' AND LATE_CANCEL)) THEN 1 ELSE 0 END) AS strikes,
    MAX(CASE WHEN a.status = 'ATTENDED' THEN a.starts_at END) AS last_attended,
    MIN(CASE WHEN a.starts_at > $2 AND a.status IN ('SCHEDULED', 'CONFIRMED') THEN a.starts_at END) AS next_at,
    SUM(CASE WHEN a.starts_at < $2 AND a.status IN ('SCHEDULED', 'CONFIRMED') THEN 1 ELSE 0 END) AS unrecorded,
    SUM(CASE WHEN a.status = 'ATTENDED' AND NOT EXISTS (SELECT 1 FROM documents d
      WHERE d.appointment_id = a.id AND d.kind IN ('PROGRESS_NOTE', 'INTAKE') AND d.status = 'SIGNED') THEN 1 ELSE 0 END) AS session_notes_due
  FROM appointments a JOIN page p ON p.id = a.client_id LEFT JOIN ep ON ep.client_id = a.client_id
  GROUP BY a.client_id
),
recent AS (
  SELECT client_id, SUM(CASE WHEN status = 'ATTENDED' AND COALESCE(minutes_late, 0) < 10 THEN 1 ELSE 0 END) AS on_time FROM (
    SELECT a.client_id, a.status, a.minutes_late,
      ROW_NUMBER() OVER (PARTITION BY a.client_id ORDER BY a.starts_at DESC) AS rn
    FROM appointments a JOIN page p ON p.id = a.client_id
    WHERE a.starts_at < $2 AND NOT (a.status = 'CANCELED' AND a.canceled_by IN ('CLINICIAN', 'PRACTICE'))) x
  WHERE rn <= 3 GROUP BY client_id
),
contact AS (
  SELECT ct.client_id,
    MAX(CASE WHEN ct.direction = 'INBOUND' THEN ct.occurred_at END) AS last_inbound,
    MAX(CASE WHEN ct.purpose = 'CLOSURE_WARNING' THEN ct.close_by END) AS warning_close_by,
    SUM(CASE WHEN ct.billable_minutes > 0 AND NOT EXISTS (SELECT 1 FROM documents d
      WHERE d.client_id = ct.client_id AND d.contact_id = ct.id AND d.status = 'SIGNED') THEN 1 ELSE 0 END) AS contact_notes_due
  FROM contacts ct JOIN page p ON p.id = ct.client_id
  GROUP BY ct.client_id
),
plan AS (
  SELECT d.client_id, MAX(d.signed_at) AS last_plan
  FROM documents d JOIN page p ON p.id = d.client_id
  WHERE d.kind IN ('TREATMENT_PLAN', 'TREATMENT_PLAN_REVIEW') AND d.status = 'SIGNED'
  GROUP BY d.client_id
),
carer AS (
  SELECT cg.client_id, MIN(cg.name) AS name, MIN(cg.phone) AS phone
  FROM caregivers cg JOIN page p ON p.id = cg.client_id WHERE cg.is_primary
  GROUP BY cg.client_id
)
SELECT p.id, p.first_name, p.last_name, p.date_of_birth, p.status, p.wants_earlier_appointment,
  ep.id, ep.opened_at, ep.closed_at,
  COALESCE(appt.strikes, 0), appt.last_attended, contact.last_inbound, contact.warning_close_by,
  appt.next_at,
  (SELECT n.id FROM appointments n WHERE n.client_id = p.id AND n.starts_at = appt.next_at
    AND n.status IN ('SCHEDULED', 'CONFIRMED') ORDER BY n.id LIMIT 1),
  COALESCE(appt.unrecorded, 0),
  COALESCE(appt.session_notes_due, 0) + COALESCE(contact.contact_notes_due, 0),
  plan.last_plan, COALESCE(recent.on_time, 0), carer.name, carer.phone
FROM page p
LEFT JOIN ep ON ep.client_id = p.id
LEFT JOIN appt ON appt.client_id = p.id
LEFT JOIN recent ON recent.client_id = p.id
LEFT JOIN contact ON contact.client_id = p.id
LEFT JOIN plan ON plan.client_id = p.id
LEFT JOIN carer ON carer.client_id = p.id
ORDER BY p.last_name, p.id`

// baselineSQL returns baselineQuery in the dialect: SQLite keeps instants
// as text (Go's time format, all UTC) and numbers its parameters ?N.
func baselineSQL(dialectName string) string {
	if dialectName == dialect.Postgres {
		return strings.Replace(baselineQuery, "LATE_CANCEL", "a.canceled_at > a.starts_at - interval '24 hours'", 1)
	}
	q := strings.Replace(baselineQuery, "LATE_CANCEL",
		"datetime(substr(a.canceled_at, 1, 19)) > datetime(substr(a.starts_at, 1, 19), '-24 hours')", 1)
	for _, n := range []string{"1", "2", "3"} {
		q = strings.ReplaceAll(q, "$"+n, "?"+n)
	}
	return q
}

// baseline runs the dashboard's SQL through database/sql, reading every
// row and column as the server would.
func baseline(db *sql.DB, dialectName string, clinicianID int64, now time.Time, clients int) request {
	query := baselineSQL(dialectName)
	return func(ctx context.Context, _ int) (int, error) {
		rows, err := db.QueryContext(ctx, query, clinicianID, now, clients)
		if err != nil {
			return 1, err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return 1, err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		n := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return 1, err
			}
			n++
		}
		if err := rows.Err(); err != nil {
			return 1, err
		}
		if n != clients {
			return 1, fmt.Errorf("baseline returned %d clients, want %d", n, clients)
		}
		return 1, nil
	}
}
