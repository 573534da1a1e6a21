// Package history reads the records of clients' histories in one lean
// statement (see ReadRecords), for the per-operation store of facts
// (internal/facts) and the facts projection (internal/facts/projection).
// It bypasses ent and its privacy rules: callers give it only the ids of
// clients they may read, and it filters by the practice itself.
package history

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/caseload"
)

// The histories' records are read by one statement, a UNION ALL of the
// episodes, sessions, contacts and documents of the clients, with only the
// columns the rules read. A dashboard reads some 13,000 such rows for a
// caseload of 130 clients (two years of history); reading them as ent
// entities (every column, one struct and its pointers each) took most of its
// time and memory, and four statements.
//
// The statement bypasses ent and its privacy rules, so it filters by the
// viewer's practice itself, and it is only given the ids of clients that the
// privacy rules let the viewer read (their histories go with them).
//
// Every branch has the same columns; a branch's unused ones are NULL (both
// databases type a NULL of a UNION by its other branches):
//
//	rec     which record: recEpisode, recAppointment, recContact, recDocument
//	id, client_id
//	i1, i2, i3  episode: -; appointment: clinician_id, episode_id, minutes_late;
//	            contact: billable_minutes, -, -; document: appointment_id, contact_id, -
//	t1..t5      episode: opened_at, closed_at; appointment: starts_at, ends_at,
//	            canceled_at, confirmed_at, reminder_sent_at; contact: occurred_at,
//	            close_by; document: created_at, signed_at
//	s1..s5      appointment: kind, status, canceled_by, series_id,
//	            rescheduled_by; contact: direction, purpose; document: kind, status
//	b1          appointment: excused
//	b2          appointment, contact: NoteSigned
//
// It leaves out what no rule reads (see caseload.History): signed notes,
// which it reports as their session's or contact's NoteSigned instead (they
// are a third of the records: nearly every session has one), and OUTBOUND
// contacts that are neither billable nor closure warnings (reminders and
// check-ins: two thirds of the contacts).
const (
	recEpisode = iota + 1
	recAppointment
	recContact
	recDocument
)

const historyBranches = `SELECT 1 AS rec, id, client_id, NULL AS i1, NULL AS i2, NULL AS i3,
	?T(opened_at) AS t1, ?T(closed_at) AS t2, NULL AS t3, NULL AS t4, NULL AS t5,
	NULL AS s1, NULL AS s2, NULL AS s3, NULL AS s4, NULL AS s5, NULL AS b1, NULL AS b2
FROM episodes WHERE practice_id = ?P AND ?CLIENTS
UNION ALL
SELECT 2, id, client_id, clinician_id, episode_id, minutes_late,
	?T(starts_at), ?T(ends_at), ?T(canceled_at), ?T(confirmed_at), ?T(reminder_sent_at),
	kind, status, canceled_by, series_id, rescheduled_by, excused,
	status = 'ATTENDED' AND EXISTS (SELECT 1 FROM documents d WHERE d.appointment_id = appointments.id
		AND d.kind IN ('PROGRESS_NOTE', 'INTAKE') AND d.status = 'SIGNED'
		AND d.kind = CASE WHEN appointments.kind = 'INTAKE' THEN 'INTAKE' ELSE 'PROGRESS_NOTE' END)
FROM appointments WHERE practice_id = ?P AND ?CLIENTS
UNION ALL
SELECT 3, id, client_id, billable_minutes, NULL, NULL,
	?T(occurred_at), ?T(close_by), NULL, NULL, NULL,
	direction, purpose, NULL, NULL, NULL, NULL,
	billable_minutes > 0 AND n.contact_id IS NOT NULL
FROM contacts LEFT JOIN (SELECT DISTINCT contact_id FROM documents
		WHERE practice_id = ?P AND ?CLIENTS AND kind = 'CONTACT_NOTE' AND status = 'SIGNED') n ON n.contact_id = contacts.id
WHERE practice_id = ?P AND ?CLIENTS
	AND (direction = 'INBOUND' OR purpose = 'CLOSURE_WARNING' OR billable_minutes > 0)
UNION ALL
SELECT 4, id, client_id, appointment_id, contact_id, NULL,
	?T(created_at), ?T(signed_at), NULL, NULL, NULL,
	kind, status, NULL, NULL, NULL, NULL, NULL
FROM documents WHERE practice_id = ?P AND ?CLIENTS
	AND NOT (status = 'SIGNED' AND kind IN ('PROGRESS_NOTE', 'INTAKE', 'CONTACT_NOTE'))`

// historyStatement returns the statement for practice and the client ids,
// with the dialect's placeholders: every branch shares the same two (the
// practice and the ids), as a PostgreSQL array or numbered SQLite ones.
func historyStatement(dialectName string, practiceID int, ids []int) (string, []any) {
	var clients string
	args := []any{practiceID}
	if dialectName == dialect.Postgres {
		clients = "client_id = ANY($2)"
		arr := make([]int64, len(ids))
		for i, id := range ids {
			arr[i] = int64(id)
		}
		args = append(args, pq.Array(arr))
	} else {
		var b strings.Builder
		b.WriteString("client_id IN (")
		for i, id := range ids {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("?" + strconv.Itoa(i+2))
			args = append(args, id)
		}
		b.WriteString(")")
		clients = b.String()
	}
	practice := "?1"
	if dialectName == dialect.Postgres {
		practice = "$1"
	}
	return strings.NewReplacer("?P", practice, "?CLIENTS", clients).Replace(historyTimes[dialectName == dialect.Postgres]), args
}

// historyTimes is the statement with its instants (?T(column)) as
// PostgreSQL and SQLite send them best: PostgreSQL as microseconds since
// the epoch (an integer reads in a tenth of the time a timestamp's text
// parses in, and the instants were a quarter of a dashboard's decoding),
// SQLite as stored.
var historyTimes = map[bool]string{
	true:  regexp.MustCompile(`\?T\((\w+)\)`).ReplaceAllString(historyBranches, "CAST(EXTRACT(EPOCH FROM $1) * 1000000 AS bigint)"),
	false: regexp.MustCompile(`\?T\((\w+)\)`).ReplaceAllString(historyBranches, "$1"),
}

// historyChunk is the most clients one statement reads (SQLite allows 32,766
// parameters; a bigger read takes a statement per chunk).
const historyChunk = 5000

// record is one row of the histories' statement (see historyBranches for
// what each column holds per record kind, Rec).
type record struct {
	Rec, ID, ClientID  int
	I1, I2, I3         sql.NullInt64
	T1, T2, T3, T4, T5 Time
	S1, S2, S3, S4, S5 sql.NullString
	B1, B2             sql.NullBool
}

// ReadRecords runs the statement and adds each record to the history
// of its client in out (records of clients not in out are dropped).
func ReadRecords(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, dialectName string, practiceID int, ids []int, out map[int]*caseload.History) error {
	for len(ids) > historyChunk {
		if err := ReadRecords(ctx, q, dialectName, practiceID, ids[:historyChunk], out); err != nil {
			return err
		}
		ids = ids[historyChunk:]
	}
	if len(ids) == 0 {
		return nil
	}
	query, args := historyStatement(dialectName, practiceID, ids)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("reading histories: %w", err)
	}
	defer rows.Close()
	return scanHistories(rows, out)
}

// scanHistories adds the records of rows, of the histories' statement, to
// the histories of their clients in out (records of clients not in out are
// dropped).
func scanHistories(rows *sql.Rows, out map[int]*caseload.History) error {
	var r record
	for rows.Next() {
		if err := rows.Scan(&r.Rec, &r.ID, &r.ClientID, &r.I1, &r.I2, &r.I3,
			&r.T1, &r.T2, &r.T3, &r.T4, &r.T5, &r.S1, &r.S2, &r.S3, &r.S4, &r.S5, &r.B1, &r.B2); err != nil {
			return fmt.Errorf("reading histories: %w", err)
		}
		if r.Rec < recEpisode || r.Rec > recDocument {
			return fmt.Errorf("reading histories: unknown record %d", r.Rec)
		}
		h := out[r.ClientID]
		if h == nil {
			continue
		}
		switch r.Rec {
		case recEpisode:
			h.Episodes = append(h.Episodes, caseload.Episode{ID: r.ID, OpenedAt: r.T1.Time, ClosedAt: r.T2.Time})
		case recAppointment:
			h.Appointments = append(h.Appointments, caseload.Appointment{
				ID: r.ID, ClientID: r.ClientID, ClinicianID: int(r.I1.Int64), EpisodeID: int(r.I2.Int64),
				Start: r.T1.Time, End: r.T2.Time, Kind: r.S1.String, Status: r.S2.String,
				MinutesLate: int(r.I3.Int64), CanceledBy: r.S3.String, CanceledAt: r.T3.Time, Excused: r.B1.Bool,
				ConfirmedAt: r.T4.Time, ReminderSentAt: r.T5.Time, SeriesID: r.S4.String, RescheduledBy: r.S5.String, NoteSigned: r.B2.Bool,
			})
		case recContact:
			h.Contacts = append(h.Contacts, caseload.Contact{ID: r.ID, At: r.T1.Time, Direction: r.S1.String, Purpose: r.S2.String,
				BillableMinutes: int(r.I1.Int64), CloseBy: r.T2.Time, NoteSigned: r.B2.Bool})
		case recDocument:
			h.Documents = append(h.Documents, caseload.Document{ID: r.ID, Kind: r.S1.String, Status: r.S2.String,
				AppointmentID: int(r.I1.Int64), ContactID: int(r.I2.Int64), CreatedAt: r.T1.Time, SignedAt: r.T2.Time})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading histories: %w", err)
	}
	return nil
}

// Time scans a nullable instant as either database returns it in a UNION:
// PostgreSQL as microseconds since the epoch (see historyTimes); SQLite as a time when it knows the column's type,
// else as the text ent wrote (time.Time's String form, in UTC) or a date.
// NULL is the zero time.
type Time struct{ time.Time }

// sqliteTimeLayouts are the forms SQLite's driver writes and ent's tests use.
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999-07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	time.DateOnly,
}

// Scan implements sql.Scanner.
func (t *Time) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		t.Time = time.Time{}
		return nil
	case time.Time:
		t.Time = v
		return nil
	case int64:
		// Microseconds since the epoch (see historyTimes).
		t.Time = time.UnixMicro(v).UTC()
		return nil
	case []byte:
		return t.parse(string(v))
	case string:
		return t.parse(v)
	}
	return fmt.Errorf("Time: cannot scan %T", v)
}

func (t *Time) parse(s string) error {
	// time.Time's String form ends with the monotonic clock reading when it
	// has one.
	if i := strings.Index(s, " m="); i >= 0 {
		s = s[:i]
	}
	for _, layout := range sqliteTimeLayouts {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time = p
			return nil
		}
	}
	return fmt.Errorf("Time: unknown time format %q", s)
}

// Client is the rules' view of a client record.
func Client(c *ent.ClientProfile) caseload.Client {
	out := caseload.Client{
		ID:                 c.ID,
		Status:             string(c.Status),
		SessionFrequency:   string(c.SessionFrequency),
		WantsEarlier:       c.WantsEarlierAppointment,
		Availability:       c.Availability,
		RecurringPrivilege: c.RecurringPrivilege,
	}
	if c.ClinicianID != nil {
		out.ClinicianID = *c.ClinicianID
	}
	if c.DateOfBirth != nil {
		out.DateOfBirth = *c.DateOfBirth
	}
	return out
}
