package projection

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts/history"
)

// The rows of client_facts, read and written by hand-written SQL (the
// table's ent policy denies every use through ent): one upsert on the
// client, and one read of many clients.

// factsColumns are the columns written, in order (see factsValues).
var factsColumns = []string{"practice_id", "client_id", "version", "updated_at", "episode_id", "episode_opened_at", "episode_closed_at",
	"strike_count", "strike_appointment_ids", "last_seen_at", "last_contact_at", "last_inbound_at", "warning_sent_at",
	"warning_close_by", "settled_until", "booked", "recurring", "paperwork", "attendance",
	"primary_caregiver_id", "contact_caregiver_id", "caregivers", "review_due_at"}

// placeholders returns n placeholders from the first, in the dialect.
func placeholders(dialectName string, first, n int) string {
	p := make([]string, n)
	for i := range p {
		if dialectName == dialect.Postgres {
			p[i] = "$" + strconv.Itoa(first+i)
		} else {
			p[i] = "?" + strconv.Itoa(first+i)
		}
	}
	return strings.Join(p, ", ")
}

var upsertStatement = func() map[bool]string {
	set := make([]string, 0, len(factsColumns))
	for _, c := range factsColumns[2:] {
		set = append(set, c+" = excluded."+c)
	}
	stmt := func(dialectName string) string {
		return "INSERT INTO client_facts (" + strings.Join(factsColumns, ", ") + ") VALUES (" +
			placeholders(dialectName, 1, len(factsColumns)) + ") ON CONFLICT (client_id) DO UPDATE SET " + strings.Join(set, ", ")
	}
	return map[bool]string{true: stmt(dialect.Postgres), false: stmt(dialect.SQLite)}
}()

type execQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// upsertFacts writes the row of f.
func upsertFacts(ctx context.Context, q execQuerier, dialectName string, practiceID int, f caseload.Facts, now time.Time) error {
	vals, err := factsValues(practiceID, f, now)
	if err != nil {
		return err
	}
	// Run as a query: every driver wrapper (the statement counters) passes
	// QueryContext on, as the histories' statement needs.
	rows, err := q.QueryContext(ctx, upsertStatement[dialectName == dialect.Postgres], vals...)
	if err != nil {
		return fmt.Errorf("writing the facts of client %d: %w", f.ClientID, err)
	}
	defer rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("writing the facts of client %d: %w", f.ClientID, err)
	}
	return nil
}

func factsValues(practiceID int, f caseload.Facts, now time.Time) ([]any, error) {
	js := make([][]byte, 0, 5)
	for _, v := range []any{f.StrikeAppointmentIDs, f.Booked, f.Recurring, f.Paperwork, f.Attendance} {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		js = append(js, b)
	}
	t := func(x time.Time) any {
		if x.IsZero() {
			return nil
		}
		return x.UTC()
	}
	n := func(x int) any {
		if x == 0 {
			return nil
		}
		return x
	}
	return []any{practiceID, f.ClientID, caseload.FactsVersion, now.UTC(), n(f.EpisodeID), t(f.EpisodeOpenedAt), t(f.EpisodeClosedAt),
		f.StrikeCount, string(js[0]), t(f.LastSeenAt), t(f.LastContactAt), t(f.LastInboundAt), t(f.WarningSentAt),
		t(f.WarningCloseBy), t(f.SettledUntil), string(js[1]), string(js[2]), string(js[3]), string(js[4]),
		n(f.PrimaryCaregiverID), n(f.ContactCaregiverID), f.Caregivers, t(f.ReviewDueAt)}, nil
}

// StoredFacts is a row as read: the facts and the version that wrote them.
type StoredFacts struct {
	caseload.Facts
	PracticeID int
	Version    int
}

// Read returns the rows of the clients of the practice, by client, in one
// statement (the screens' read; see internal/facts). q is a client or a
// transaction.
func Read(ctx context.Context, q execQuerier, dialectName string, practiceID int, ids []int) (map[int]StoredFacts, error) {
	if ids == nil {
		ids = []int{}
	}
	return readFacts(ctx, q, dialectName, practiceID, ids)
}

// readFacts returns the rows of the clients of the practice (every client
// of it when ids is nil), by client.
func readFacts(ctx context.Context, q execQuerier, dialectName string, practiceID int, ids []int) (map[int]StoredFacts, error) {
	query := "SELECT " + Columns("client_facts") + " FROM client_facts WHERE practice_id = " + placeholders(dialectName, 1, 1)
	args := []any{practiceID}
	if ids != nil {
		if len(ids) == 0 {
			return map[int]StoredFacts{}, nil
		}
		query += " AND client_id IN (" + placeholders(dialectName, 2, len(ids)) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the facts: %w", err)
	}
	defer rows.Close()
	out := map[int]StoredFacts{}
	var sc Scanner
	for rows.Next() {
		if err := rows.Scan(sc.Dest()...); err != nil {
			return nil, fmt.Errorf("reading the facts: %w", err)
		}
		s, _, err := sc.Stored()
		if err != nil {
			return nil, err
		}
		out[s.ClientID] = s
	}
	return out, rows.Err()
}

// Columns are the columns of a row of client_facts, qualified by alias
// (the table's name or alias in a statement), in the order Scanner reads
// them: a statement of its own (a benchmark's limit) selects them among its
// other columns, and decodes them with Scanner, as Read does.
func Columns(alias string) string {
	cols := make([]string, len(factsColumns))
	for i, c := range factsColumns {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}

// Scanner decodes the columns of Columns of one row at a time, the one
// decoder of client_facts: pass Dest() to rows.Scan (after the statement's
// other columns, in their order), then Stored() decodes them. A row of a
// LEFT JOIN that found no client_facts row scans as none. A Scanner is
// reused from row to row; it is not safe for concurrent use.
type Scanner struct {
	practice, client, version, strikes, caregivers                   sql.NullInt64
	episode, primary, contactCG                                      sql.NullInt64
	updated, opened, closed, seen, contact, inbound, warned, closeBy history.Time
	settled, review                                                  history.Time
	js                                                               [5][]byte
	dest                                                             []any
}

// Dest are the scan destinations of Columns, in order.
func (s *Scanner) Dest() []any {
	if s.dest == nil {
		s.dest = []any{&s.practice, &s.client, &s.version, &s.updated, &s.episode, &s.opened, &s.closed, &s.strikes, &s.js[0],
			&s.seen, &s.contact, &s.inbound, &s.warned, &s.closeBy, &s.settled, &s.js[1], &s.js[2], &s.js[3], &s.js[4],
			&s.primary, &s.contactCG, &s.caregivers, &s.review}
	}
	return s.dest
}

// Stored decodes the row last scanned into Dest; false when it had none
// (its columns all NULL, as a LEFT JOIN leaves them).
func (s *Scanner) Stored() (StoredFacts, bool, error) {
	if !s.client.Valid {
		return StoredFacts{}, false, nil
	}
	var out StoredFacts
	out.PracticeID, out.ClientID, out.Version = int(s.practice.Int64), int(s.client.Int64), int(s.version.Int64)
	out.StrikeCount, out.Caregivers = int(s.strikes.Int64), int(s.caregivers.Int64)
	out.EpisodeID, out.PrimaryCaregiverID, out.ContactCaregiverID = int(s.episode.Int64), int(s.primary.Int64), int(s.contactCG.Int64)
	out.EpisodeOpenedAt, out.EpisodeClosedAt, out.LastSeenAt, out.LastContactAt = s.opened.Time, s.closed.Time, s.seen.Time, s.contact.Time
	out.LastInboundAt, out.WarningSentAt, out.WarningCloseBy, out.SettledUntil = s.inbound.Time, s.warned.Time, s.closeBy.Time, s.settled.Time
	out.ReviewDueAt = s.review.Time
	for i, dst := range []any{&out.StrikeAppointmentIDs, &out.Booked, &out.Recurring, &out.Paperwork, &out.Attendance} {
		if err := json.Unmarshal(s.js[i], dst); err != nil {
			return StoredFacts{}, false, fmt.Errorf("reading the facts of client %d: %w", out.ClientID, err)
		}
	}
	out.Facts = normalize(out.Facts)
	return out, true, nil
}
