// Package generate writes a large made-up practice for performance work: by
// default 40 clinicians with 55 active clients each, 3,000 closed clients and
// two years of sessions (about 250,000), notes, contacts, caregivers,
// treatment plans, closures, backfilled slots, recurring series, a waitlist
// and new-client requests, with every rule of SPEC.md showing somewhere.
//
// The data is deterministic for a given seed and clock. It is written in
// bulk into one transaction, with COPY on PostgreSQL and multi-row INSERTs
// on SQLite, bypassing ent (whose per-row hooks would take minutes), in the
// same form ent writes: every row in the new practice, instants in UTC.
package generate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // the practice's zone must load on a host without zoneinfo too

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/database"
)

// Options describe the practice to generate. Zero values of the sizes,
// Years, Now and the names take the defaults of DefaultOptions (Now: the
// current hour); ClosedClients and WaitlistClients may be 0.
type Options struct {
	// Seed makes the data: the same seed and Now give the same rows.
	Seed int64
	// Clinicians in the practice, every one with a login.
	Clinicians int
	// ActiveClientsPerClinician is each clinician's caseload today.
	ActiveClientsPerClinician int
	// ClosedClients are spread over the clinicians' history.
	ClosedClients int
	// WaitlistClients wait for a clinician.
	WaitlistClients int
	// Years of history before Now (fractions allowed: 0.5 is six months).
	Years float64
	// Now is the clock: history ends here, bookings run three weeks past it.
	Now time.Time
	// PracticeName names the new practice.
	PracticeName string
	// TimeZone is the practice's IANA zone.
	TimeZone string
	// EmailDomain is the domain of the logins (emails are unique across practices).
	EmailDomain string
	// Password of every login.
	Password string
}

// DefaultOptions is the practice of issue 7.
func DefaultOptions() Options {
	return Options{
		Clinicians: 40, ActiveClientsPerClinician: 55, ClosedClients: 3000, WaitlistClients: 40, Years: 2,
		PracticeName: "Bench Practice", TimeZone: "America/New_York", EmailDomain: "bench.example", Password: "caseload-bench",
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Clinicians == 0 {
		o.Clinicians = d.Clinicians
	}
	if o.ActiveClientsPerClinician == 0 {
		o.ActiveClientsPerClinician = d.ActiveClientsPerClinician
	}
	if o.Years == 0 {
		o.Years = d.Years
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC().Truncate(time.Hour)
	}
	if o.PracticeName == "" {
		o.PracticeName = d.PracticeName
	}
	if o.TimeZone == "" {
		o.TimeZone = d.TimeZone
	}
	if o.EmailDomain == "" {
		o.EmailDomain = d.EmailDomain
	}
	if o.Password == "" {
		o.Password = d.Password
	}
	return o
}

// TableCount is the number of rows written into one table.
type TableCount struct {
	Table string
	Rows  int
	// Took is the time spent writing the table.
	Took time.Duration
}

// Stats say what was written.
type Stats struct {
	PracticeID int
	// Tables in the order they were written.
	Tables []TableCount
	// Logins are the users' emails and roles (all share Options.Password).
	Logins []Login
	// Planning and Writing are the time spent building the data and writing it.
	Planning, Writing time.Duration
}

// Login is one user of the generated practice.
type Login struct{ Email, Role string }

// Rows returns the rows written into a table.
func (s Stats) Rows(table string) int {
	for _, t := range s.Tables {
		if t.Table == table {
			return t.Rows
		}
	}
	return 0
}

// Run generates a practice into db, whose schema must be migrated, in one
// transaction: on failure nothing is written.
func Run(ctx context.Context, db *database.DB, opts Options) (Stats, error) {
	opts = opts.withDefaults()
	if opts.Clinicians < 1 || opts.ActiveClientsPerClinician < 1 || opts.ClosedClients < 0 || opts.WaitlistClients < 0 || opts.Years <= 0 {
		return Stats{}, errors.New("generate: clinicians and clients per clinician must be positive, closed and waitlist clients not negative, years positive")
	}
	began := time.Now()
	p, err := newPlanner(opts)
	if err != nil {
		return Stats{}, fmt.Errorf("generate: %w", err)
	}
	if err := p.build(); err != nil {
		return Stats{}, fmt.Errorf("generate: %w", err)
	}
	// One bcrypt hash for every login: hashing is slow on purpose.
	hash, err := auth.HashPassword(opts.Password)
	if err != nil {
		return Stats{}, fmt.Errorf("generate: hashing the password: %w", err)
	}
	stats := Stats{Planning: time.Since(began)}
	for _, u := range p.users {
		stats.Logins = append(stats.Logins, Login{Email: u.email, Role: u.role})
	}
	began = time.Now()
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return Stats{}, fmt.Errorf("generate: starting a transaction: %w", err)
	}
	w := &bulkWriter{tx: tx, dialect: db.Dialect}
	if err := p.write(ctx, w, hash, &stats); err != nil {
		return Stats{}, errors.Join(fmt.Errorf("generate: %w", err), tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return Stats{}, fmt.Errorf("generate: committing: %w", err)
	}
	// The planner's statistics: without them, a query over the new rows is
	// planned as if the tables were still small (autovacuum gets to them
	// only later), and a benchmark right after loading measures bad plans.
	if _, err := db.SQL.ExecContext(ctx, "ANALYZE"); err != nil {
		return Stats{}, fmt.Errorf("generate: analyzing: %w", err)
	}
	stats.Writing = time.Since(began)
	return stats, nil
}

// idStarts are the floors of each table's id range (ent's global IDs: the
// table is the id's upper 32 bits; see ent/internal/globalid.go).
var idStarts = map[string]int64{
	"appointments": 0, "audit_events": 4294967296, "caregivers": 8589934592, "clients": 12884901888,
	"clinicians": 17179869184, "contacts": 21474836480, "documents": 25769803776, "episodes": 30064771072,
	"new_client_requests": 34359738368, "practices": 38654705664, "users": 42949672960,
}

// write inserts the plan, parents before children.
func (p *planner) write(ctx context.Context, w *bulkWriter, hash string, stats *Stats) error {
	// On SQLite the transaction holds the write lock from its start; on
	// PostgreSQL this lock makes a second generator wait for the first.
	if w.dialect == dialect.Postgres {
		if _, err := w.tx.ExecContext(ctx, `LOCK TABLE users, practices IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("locking: %w", err)
		}
	}
	var taken int
	if err := w.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = `+w.placeholder(1), p.users[0].email).Scan(&taken); err != nil {
		return fmt.Errorf("looking for the logins: %w", err)
	}
	if taken > 0 {
		return fmt.Errorf("a user %s exists already: choose another email domain", p.users[0].email)
	}
	n := map[string]int{
		"practices": 1, "users": len(p.users), "clinicians": len(p.clinicians), "clients": len(p.clients),
		"caregivers": len(p.caregivers), "episodes": len(p.episodes), "appointments": len(p.appts),
		"contacts": len(p.contacts), "documents": len(p.docs) + len(p.addenda), "new_client_requests": len(p.requests),
		"audit_events": 1,
	}
	base := map[string]int64{}
	for _, t := range []string{"practices", "users", "clinicians", "clients", "caregivers", "episodes", "appointments",
		"contacts", "documents", "new_client_requests", "audit_events"} {
		first, err := w.reserveIDs(ctx, t, idStarts[t], n[t])
		if err != nil {
			return err
		}
		base[t] = first
	}
	practice := base["practices"]
	ref := func(table string, i int) any {
		if i < 0 {
			return nil
		}
		return base[table] + int64(i)
	}
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	// Sessions are written in plan order, except that a backfilled one comes
	// after the cancelled one it points at.
	apptOrder := make([]int, 0, len(p.appts))
	for i, a := range p.appts {
		if !a.fill {
			apptOrder = append(apptOrder, i)
		}
	}
	// In time order per clinician, which keeps the GiST indexes behind
	// the no-double-booking constraints growing at one edge.
	byTime := func(x, y int) int {
		a, b := p.appts[x].row, p.appts[y].row
		if a.clinician != b.clinician {
			return a.clinician - b.clinician
		}
		return a.start.Compare(b.start)
	}
	slices.SortStableFunc(apptOrder, byTime)
	fills := len(apptOrder)
	for i, a := range p.appts {
		if a.fill {
			apptOrder = append(apptOrder, i)
		}
	}
	slices.SortStableFunc(apptOrder[fills:], byTime)
	apptID := make([]int64, len(p.appts))
	for pos, i := range apptOrder {
		apptID[i] = base["appointments"] + int64(pos)
	}
	apptRef := func(i int) any {
		if i < 0 {
			return nil
		}
		return apptID[i]
	}
	policy, err := json.Marshal(p.policy)
	if err != nil {
		return err
	}
	since := p.at(0, 8, 0).Add(-30 * day)
	tables := []table{
		{name: "practices", cols: []string{"id", "created_at", "updated_at", "name", "time_zone", "policy"}, n: 1,
			row: func(_ int, b []any) {
				fill(b, practice, since, since, p.opts.PracticeName, p.opts.TimeZone, string(policy))
			}},
		{name: "users", cols: []string{"id", "created_at", "updated_at", "email", "password_hash", "role", "active", "practice_id"}, n: len(p.users),
			row: func(i int, b []any) {
				u := p.users[i]
				fill(b, ref("users", i), since, since, u.email, hash, u.role, u.active, practice)
			}},
		{name: "clinicians", cols: []string{"id", "created_at", "updated_at", "name", "credentials", "weekly_slots", "accepting_new_clients",
			"modalities", "practice_id", "supervisor_id", "user_id"}, n: len(p.clinicians),
			row: func(i int, b []any) {
				c := p.clinicians[i]
				mods, _ := json.Marshal(c.modalities)
				fill(b, ref("clinicians", i), since, since, c.name, c.credentials, c.slots, c.accepting, string(mods), practice,
					ref("clinicians", c.supervisor), ref("users", c.user))
			}},
		{name: "clients", cols: []string{"id", "created_at", "updated_at", "first_name", "last_name", "date_of_birth", "email", "phone",
			"preferred_contact_channel", "session_frequency", "status", "modality", "wants_earlier_appointment", "availability",
			"recurring_privilege", "practice_id", "clinician_id"}, n: len(p.clients),
			row: func(i int, b []any) {
				c := p.clients[i]
				fill(b, ref("clients", i), c.created, c.updated, c.first, c.last, civilDate(c.dob), str(c.email), str(c.phone),
					c.channel, c.freq, c.status, str(c.modality), c.wantsEarlier, str(c.availability), c.recurring, practice,
					ref("clinicians", c.clinician))
			}},
		{name: "caregivers", cols: []string{"id", "created_at", "updated_at", "name", "relationship", "phone", "email", "is_primary",
			"consent_to_contact", "practice_id", "client_id"}, n: len(p.caregivers),
			row: func(i int, b []any) {
				g := p.caregivers[i]
				at := p.clients[g.client].created
				fill(b, ref("caregivers", i), at, at, g.name, g.relationship, str(g.phone), str(g.email), g.primary, g.consent,
					practice, ref("clients", g.client))
			}},
		{name: "episodes", cols: []string{"id", "created_at", "updated_at", "opened_at", "closed_at", "close_reason", "client_id",
			"practice_id", "clinician_id"}, n: len(p.episodes),
			row: func(i int, b []any) {
				e := p.episodes[i]
				fill(b, ref("episodes", i), e.opened, maxTime(e.opened, e.closed), e.opened, e.closed, str(e.reason),
					ref("clients", e.client), practice, ref("clinicians", e.clinician))
			}},
		{name: "appointments", cols: []string{"id", "created_at", "updated_at", "starts_at", "ends_at", "kind", "status", "minutes_late",
			"canceled_by", "canceled_at", "cancel_reason", "confirmed_at", "reminder_sent_at", "reminder_channel", "excused",
			"excuse_reason", "series_id", "practice_id", "filled_from_id", "client_id", "clinician_id", "episode_id"}, n: len(p.appts),
			row: func(pos int, b []any) {
				i := apptOrder[pos]
				a := p.appts[i].row
				var late any
				if a.minutesLate >= 0 {
					late = a.minutesLate
				}
				fill(b, apptID[i], a.created, a.updated, a.start, a.end, a.kind, a.status, late, str(a.canceledBy), a.canceledAt,
					str(a.cancelReason), a.confirmedAt, a.reminderAt, str(a.reminderChannel), a.excused, str(a.excuseReason),
					str(a.series), practice, apptRef(a.filledFrom), ref("clients", a.client), ref("clinicians", a.clinician),
					ref("episodes", a.episode))
			}},
		{name: "contacts", cols: []string{"id", "created_at", "updated_at", "channel", "direction", "purpose", "occurred_at",
			"billable_minutes", "close_by", "note", "client_id", "practice_id", "clinician_id"}, n: len(p.contacts),
			row: func(i int, b []any) {
				k := p.contacts[i]
				fill(b, ref("contacts", i), k.at, k.at, k.channel, k.direction, k.purpose, k.at, k.billable, civilDate(k.closeBy),
					str(k.note), ref("clients", k.client), practice, ref("clinicians", k.clinician))
			}},
		{name: "documents", cols: []string{"id", "created_at", "updated_at", "kind", "body", "status", "signed_at", "version",
			"appointment_id", "client_id", "contact_id", "practice_id", "author_id", "amends_id"}, n: len(p.docs) + len(p.addenda),
			row: func(i int, b []any) {
				var d documentRow
				if i < len(p.docs) {
					d = p.docs[i]
				} else {
					d = p.addenda[i-len(p.docs)]
				}
				fill(b, ref("documents", i), d.created, d.updated, d.kind, d.body, d.status, d.signedAt, d.version, apptRef(d.appt),
					ref("clients", d.client), ref("contacts", d.contact), practice, ref("users", d.author), ref("documents", d.amends))
			}},
		{name: "new_client_requests", cols: []string{"id", "created_at", "updated_at", "count", "note", "status", "assigned_count",
			"closed_at", "clinician_id", "practice_id"}, n: len(p.requests),
			row: func(i int, b []any) {
				r := p.requests[i]
				fill(b, ref("new_client_requests", i), r.created, r.updated, r.count, r.note, r.status, r.assigned, r.closed,
					ref("clinicians", r.clinician), practice)
			}},
		{name: "audit_events", cols: []string{"id", "action", "entity_type", "entity_id", "occurred_at", "detail", "outcome", "practice_id"}, n: 1,
			row: func(_ int, b []any) {
				fill(b, base["audit_events"], "generatePractice", "Practice", practice, p.now,
					fmt.Sprintf("generated %d clinicians, %d clients", len(p.clinicians), len(p.clients)), "SUCCESS", practice)
			}},
	}
	for _, t := range tables {
		began := time.Now()
		if err := w.write(ctx, t); err != nil {
			return err
		}
		stats.Tables = append(stats.Tables, TableCount{Table: t.name, Rows: t.n, Took: time.Since(began)})
	}
	stats.PracticeID = int(practice)
	return nil
}

func fill(b []any, vals ...any) { copy(b, vals) }

func (w *bulkWriter) placeholder(i int) string {
	if w.dialect == dialect.Postgres {
		return fmt.Sprintf("$%d", i)
	}
	return "?"
}
