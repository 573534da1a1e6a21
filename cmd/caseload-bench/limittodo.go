package main

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts/history"
)

// limitTodoSQL is the best single statement for myTodo that we could
// write. The To-Do list is every rule at once (paperwork with its matching
// of termination notes to closures, reminders, attendance, rule 3, minors'
// caregivers, the recurring streaks), so the statement returns, in the
// layout of internal/facts' history statement (history.ScanHistories), only
// the records those rules can read for the clinician's clients, and the
// handler runs the rules (caseload.Rules.Todo) over these pruned histories:
//
//   - sessions: booked ones; attended ones without a signed note; the last
//     attended one (rule 2 takes the latest); no-shows and client
//     cancellations since the current episode opened (strikes); the
//     recorded ones since the latest attended on time (the recurring
//     streaks of rule 5 stop there); those plans and reviews document;
//   - contacts (of the kinds the rules read): billable ones without a
//     signed note, the last inbound one and the last closure warning up to
//     now, those plans and reviews document;
//   - every episode and caregiver, and documents but signed notes (as the
//     server's statement), and a row per client (rec 0).
//
// $1 the clinician, $2 now, $3 the practice's late-arrival minutes. The
// first branch types its NULLs: PostgreSQL types a UNION's columns pair by
// pair, and two NULLs make text.
var limitTodoSQL = `
WITH cl AS MATERIALIZED (
  SELECT c.id,
    (SELECT MAX(e.opened_at) FROM episodes e WHERE e.client_id = c.id) AS ep_opened,
    (SELECT a.id FROM appointments a WHERE a.client_id = c.id AND a.status = 'ATTENDED' AND a.starts_at <= $2
      ORDER BY a.starts_at DESC, a.id DESC LIMIT 1) AS last_seen_id,
    (SELECT MAX(a.starts_at) FROM appointments a WHERE a.client_id = c.id AND a.status = 'ATTENDED' AND a.starts_at <= $2
      AND COALESCE(a.minutes_late, 0) < $3) AS on_time_at,
    (SELECT ct.id FROM contacts ct WHERE ct.client_id = c.id AND ct.direction = 'INBOUND' AND ct.occurred_at <= $2
      ORDER BY ct.occurred_at DESC, ct.id LIMIT 1) AS inbound_id,
    (SELECT ct.id FROM contacts ct WHERE ct.client_id = c.id AND ct.purpose = 'CLOSURE_WARNING' AND ct.direction = 'OUTBOUND'
      AND ct.close_by IS NOT NULL AND ct.occurred_at <= $2 ORDER BY ct.occurred_at DESC, ct.id LIMIT 1) AS warning_id
  FROM clients c WHERE c.clinician_id = $1
),
signed AS MATERIALIZED (
  SELECT DISTINCT d.appointment_id, d.contact_id, d.kind FROM cl JOIN documents d ON d.client_id = cl.id
  WHERE d.kind IN ('PROGRESS_NOTE', 'INTAKE', 'CONTACT_NOTE') AND d.status = 'SIGNED'
),
planned AS MATERIALIZED (
  SELECT DISTINCT d.appointment_id, d.contact_id FROM cl JOIN documents d ON d.client_id = cl.id
  WHERE d.kind IN ('TREATMENT_PLAN', 'TREATMENT_PLAN_REVIEW')
)
SELECT 0 AS rec, c.id, c.id AS client_id, CAST(NULL AS bigint) AS i1, CAST(NULL AS bigint) AS i2, CAST(NULL AS bigint) AS i3,
  CAST(NULL AS timestamptz) AS t1, CAST(NULL AS timestamptz) AS t2, CAST(NULL AS timestamptz) AS t3, CAST(NULL AS timestamptz) AS t4,
  CAST(NULL AS timestamptz) AS t5, c.status AS s1, c.first_name AS s2, CAST(c.date_of_birth AS TEXT) AS s3, CAST(NULL AS TEXT) AS s4,
  CAST(NULL AS TEXT) AS s5, c.recurring_privilege AS b1, CAST(NULL AS boolean) AS b2
FROM clients c WHERE c.clinician_id = $1
UNION ALL
SELECT 1, e.id, e.client_id, NULL, NULL, NULL, e.opened_at, e.closed_at, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM cl JOIN episodes e ON e.client_id = cl.id
UNION ALL
SELECT 2, a.id, a.client_id, a.clinician_id, a.episode_id, a.minutes_late, a.starts_at, a.ends_at, a.canceled_at, a.confirmed_at, a.reminder_sent_at,
  a.kind, a.status, a.canceled_by, a.series_id, a.rescheduled_by, a.excused, a.status = 'ATTENDED' AND sn.appointment_id IS NOT NULL
FROM cl JOIN appointments a ON a.client_id = cl.id
LEFT JOIN signed sn ON sn.appointment_id = a.id AND sn.kind = CASE WHEN a.kind = 'INTAKE' THEN 'INTAKE' ELSE 'PROGRESS_NOTE' END
LEFT JOIN planned pa ON pa.appointment_id = a.id
WHERE a.status IN ('SCHEDULED', 'CONFIRMED')
  OR (a.status = 'ATTENDED' AND a.starts_at <= $2 AND sn.appointment_id IS NULL)
  OR a.id = cl.last_seen_id
  OR ((a.status = 'NO_SHOW' OR (a.status = 'CANCELED' AND a.canceled_by = 'CLIENT')) AND a.starts_at >= cl.ep_opened)
  OR (a.starts_at <= $2 AND (a.status = 'ATTENDED' OR a.status = 'NO_SHOW' OR (a.status = 'CANCELED' AND a.canceled_by = 'CLIENT'))
    AND (cl.on_time_at IS NULL OR a.starts_at >= cl.on_time_at))
  OR pa.appointment_id IS NOT NULL
UNION ALL
SELECT 3, ct.id, ct.client_id, ct.billable_minutes, NULL, NULL, ct.occurred_at, ct.close_by, NULL, NULL, NULL,
  ct.direction, ct.purpose, NULL, NULL, NULL, NULL, ct.billable_minutes > 0 AND sn.contact_id IS NOT NULL
FROM cl JOIN contacts ct ON ct.client_id = cl.id
LEFT JOIN signed sn ON sn.contact_id = ct.id AND sn.kind = 'CONTACT_NOTE'
LEFT JOIN planned pc ON pc.contact_id = ct.id
WHERE (ct.direction = 'INBOUND' OR ct.purpose = 'CLOSURE_WARNING' OR ct.billable_minutes > 0)
  AND ((ct.billable_minutes > 0 AND ct.occurred_at <= $2 AND sn.contact_id IS NULL)
    OR ct.id = cl.inbound_id OR ct.id = cl.warning_id OR pc.contact_id IS NOT NULL)
UNION ALL
SELECT 4, d.id, d.client_id, d.appointment_id, d.contact_id, NULL, d.created_at, d.signed_at, NULL, NULL, NULL,
  d.kind, d.status, NULL, NULL, NULL, NULL, NULL
FROM cl JOIN documents d ON d.client_id = cl.id
WHERE NOT (d.status = 'SIGNED' AND d.kind IN ('PROGRESS_NOTE', 'INTAKE', 'CONTACT_NOTE'))
UNION ALL
SELECT 5, g.id, g.client_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, g.is_primary, g.consent_to_contact
FROM cl JOIN caregivers g ON g.client_id = cl.id
ORDER BY 1`

// Record kinds of limitTodoSQL beside facts' four.
const (
	recTodoClient    = 0
	recTodoCaregiver = 5
)

// todoItem is an item of myTodo, of the GraphQL screen or of its limit.
type todoItem struct {
	Kind         string  `json:"kind"`
	DueAt        string  `json:"dueAt"`
	Overdue      bool    `json:"overdue"`
	Explanation  string  `json:"explanation"`
	DocumentKind *string `json:"documentKind"`
	CloseBy      *string `json:"closeBy"`
	Client       struct {
		ID        string `json:"id"`
		FirstName string `json:"firstName"`
	} `json:"client"`
	Appointment *struct {
		ID       string `json:"id"`
		StartsAt string `json:"startsAt"`
	} `json:"appointment"`
	Document *idOnly `json:"document"`
	Contact  *idOnly `json:"contact"`
}

type idOnly struct {
	ID string `json:"id"`
}

// todo runs limitTodoSQL and the To-Do rule over its pruned histories.
func (s *limitServer) todo(ctx context.Context, clinicianID int64) ([]todoItem, error) {
	rules := s.rules
	rules.Now = s.now().UTC()
	rows, err := s.db.QueryContext(ctx, s.todoSQL, clinicianID, rules.Now, rules.Policy.LateArrivalMinutes) //nolint:rowserrcheck // history.ScanHistories checks rows.Err
	if err != nil {
		return nil, fmt.Errorf("todo limit: %w", err)
	}
	defer rows.Close()
	hs := map[int]*caseload.History{}
	names := map[int]string{}
	err = history.ScanHistories(rows, hs, func(r *history.Record) error {
		switch r.Rec {
		case recTodoClient:
			h, err := clientHistory(r.ID, clinicianID, r.S1.String, r.S3, r.B1.Bool)
			hs[r.ID], names[r.ID] = h, r.S2.String
			return err
		case recTodoCaregiver:
			addCaregiver(hs, r)
		default:
			return fmt.Errorf("todo limit: unknown record %d", r.Rec)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("todo limit: %w", err)
	}
	items := rules.Todo(slices.Collect(maps.Values(hs)))
	out := make([]todoItem, 0, len(items))
	for _, it := range items {
		out = append(out, toTodoItem(it, hs[it.ClientID], names[it.ClientID]))
	}
	return out, nil
}

// toTodoItem is a rule's item in the screen's shape, with the session,
// document and contact it is about.
func toTodoItem(it caseload.TodoItem, h *caseload.History, name string) todoItem {
	out := todoItem{Kind: it.Kind, DueAt: instant(it.DueAt), Overdue: it.Overdue, Explanation: it.Explanation}
	out.Client.ID, out.Client.FirstName = scalar.EncodeID(it.ClientID), name
	if it.DocumentKind != "" {
		out.DocumentKind = &it.DocumentKind
	}
	if !it.CloseBy.IsZero() {
		by := date(it.CloseBy)
		out.CloseBy = &by
	}
	if a, ok := h.Appointment(it.AppointmentID); ok {
		out.Appointment = &struct {
			ID       string `json:"id"`
			StartsAt string `json:"startsAt"`
		}{scalar.EncodeID(a.ID), instant(a.Start)}
	}
	if it.DocumentID != 0 {
		out.Document = &idOnly{scalar.EncodeID(it.DocumentID)}
	}
	if it.ContactID != 0 {
		out.Contact = &idOnly{scalar.EncodeID(it.ContactID)}
	}
	return out
}

// clientHistory is the history of a client row of a limit statement: its
// status, date of birth (as text, NULL when unknown) and recurring
// privilege; its records come after it.
func clientHistory(id int, clinicianID int64, status string, dob sql.NullString, recurring bool) (*caseload.History, error) {
	var born history.Time
	if dob.Valid {
		if err := born.Scan(dob.String); err != nil {
			return nil, err
		}
	}
	return &caseload.History{Client: caseload.Client{ID: id, ClinicianID: int(clinicianID), Status: status,
		DateOfBirth: born.Time, RecurringPrivilege: recurring}}, nil
}

// addCaregiver adds a caregiver row of a limit statement (b1 primary, b2
// consented to contact) to its client's history.
func addCaregiver(hs map[int]*caseload.History, r *history.Record) {
	if h := hs[r.ClientID]; h != nil {
		h.Caregivers = append(h.Caregivers, caseload.Caregiver{ID: r.ID, IsPrimary: r.B1.Bool, ConsentToContact: r.B2.Bool})
	}
}
