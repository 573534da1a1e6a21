// Package retention keeps the audit log for the practice's retention period
// and no longer: it deletes the events older than that, a batch at a time,
// and records in each practice's log how many it deleted.
//
// The log is append-only for everyone else (ent/schema.AuditEvent's hook):
// the pruner writes its DELETE in SQL, under the only rule that may remove
// an event, its age.
package retention

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/privacy"
)

// Day is 24 hours: retention periods are counted in whole days.
const Day = 24 * time.Hour

// Year is 365 days, the unit of "6y".
const Year = 365 * Day

// DefaultPeriod is how long audit events are kept unless configured:
// six years, the retention HIPAA asks of a covered entity's documentation
// (45 CFR 164.316(b)(2)), which practices apply to their access logs.
const DefaultPeriod = 6 * Year

// MinPeriod is the shortest period accepted: an audit log kept for less
// than a year cannot answer the questions it is kept for (who read this
// client's notes last quarter), so a shorter setting is surely a mistake.
const MinPeriod = Year

// Forever keeps every event: the pruner never runs.
const Forever time.Duration = 0

// DefaultInterval is how often the server prunes.
const DefaultInterval = 24 * time.Hour

// DefaultBatch is how many events one DELETE removes: small enough that a
// batch holds its locks (and SQLite its write lock) for milliseconds, so
// requests are not held up behind the pruner.
const DefaultBatch = 2000

// Action is the audit event's action that records a pruning.
const Action = "pruneAuditLog"

// ParsePeriod reads a retention period: "forever" (or "off"), a number of
// years ("6y"), of days ("2190d"), or a Go duration ("52560h"). It refuses
// one shorter than MinPeriod.
func ParsePeriod(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "forever", "off", "never":
		return Forever, nil
	case "":
		return 0, errors.New("empty retention period: say 6y, 2190d or forever")
	}
	var d time.Duration
	if n, unit := s[:len(s)-1], s[len(s)-1]; unit == 'y' || unit == 'd' {
		v, err := strconv.Atoi(n)
		if err != nil || v <= 0 || (unit == 'y' && v > 200) || v > 200*365 {
			return 0, fmt.Errorf("retention period %q: want a whole number of years (6y) or days (2190d), or forever", s)
		}
		d = time.Duration(v) * Day
		if unit == 'y' {
			d = time.Duration(v) * Year
		}
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("retention period %q: want 6y, 2190d, a duration such as 52560h, or forever", s)
		}
	}
	if d < MinPeriod {
		return 0, fmt.Errorf("retention period %q is shorter than the minimum of %d days", s, int(MinPeriod/Day))
	}
	return d, nil
}

// FormatPeriod writes a period the way ParsePeriod reads it.
func FormatPeriod(d time.Duration) string {
	switch {
	case d == Forever:
		return "forever"
	case d%Year == 0:
		return strconv.Itoa(int(d/Year)) + "y"
	case d%Day == 0:
		return strconv.Itoa(int(d/Day)) + "d"
	}
	return d.String()
}

// Pruner deletes the audit events older than Period.
type Pruner struct {
	// DB is the ent client, for the practices and the pruner's own events.
	DB *ent.Client
	// SQL is the pool underneath, for the DELETEs and PostgreSQL's lock.
	SQL *sql.DB
	// Dialect is dialect.SQLite or dialect.Postgres.
	Dialect string
	// Period is how long events are kept; Forever keeps them all.
	Period time.Duration
	// Batch is the most events one statement deletes (DefaultBatch if 0).
	Batch int
	// Now is the clock.
	Now func() time.Time
	// Logger says what each run did (counts only).
	Logger *slog.Logger
	// Pruned, if set, is told how many events a run deleted (the metrics).
	Pruned func(n int)
}

// Result is what one run did.
type Result struct {
	// Cutoff is the instant before which events were deleted.
	Cutoff time.Time
	// Deleted is the number of events deleted, by practice.
	Deleted map[int]int
	// Skipped says another replica held the lock, so this one did nothing.
	Skipped bool
}

// Total is the number of events deleted in every practice.
func (r Result) Total() int {
	n := 0
	for _, v := range r.Deleted {
		n += v
	}
	return n
}

// lockClass is the first key of the pruner's PostgreSQL advisory lock
// ("case" in ASCII); the second is a hash of the schema, so that the
// replicas of one database share the lock and other schemas (tests) do not.
const lockClass int32 = 0x63617365

// PruneOnce deletes the events older than the period, in every practice,
// and records each practice's count as an event of its log. On PostgreSQL
// it first takes an advisory lock, so that when several replicas run at
// once one prunes and the others skip.
func (p *Pruner) PruneOnce(ctx context.Context) (Result, error) {
	res := Result{Deleted: map[int]int{}}
	if p.Period == Forever {
		return res, nil
	}
	res.Cutoff = p.Now().UTC().Add(-p.Period)
	if p.Dialect == dialect.Postgres {
		conn, err := p.SQL.Conn(ctx)
		if err != nil {
			return res, err
		}
		defer conn.Close()
		var locked bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, hashtext(current_schema()))", lockClass).Scan(&locked); err != nil {
			return res, fmt.Errorf("taking the pruner's lock: %w", err)
		}
		if !locked {
			res.Skipped = true
			return res, nil
		}
		defer func() {
			// A fresh context: the lock must go even when ctx has ended
			// (closing the connection would release it too).
			_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1, hashtext(current_schema()))", lockClass)
		}()
	}
	allow := privacy.DecisionContext(ctx, privacy.Allow)
	practices, err := p.DB.Practice.Query().IDs(allow)
	if err != nil {
		return res, fmt.Errorf("listing practices: %w", err)
	}
	for _, pid := range practices {
		n, err := p.prunePractice(ctx, pid, res.Cutoff)
		if n > 0 {
			res.Deleted[pid] = n
			if p.Pruned != nil {
				p.Pruned(n)
			}
			if rerr := p.record(allow, pid, n, res.Cutoff); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if err != nil {
			return res, fmt.Errorf("pruning the audit log of practice %d: %w", pid, err)
		}
	}
	return res, nil
}

// prunePractice deletes one practice's old events a batch at a time, each
// batch its own statement (and so its own short transaction), through the
// (practice_id, occurred_at) index.
func (p *Pruner) prunePractice(ctx context.Context, pid int, cutoff time.Time) (int, error) {
	batch := p.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	total := 0
	for {
		b := entsql.Dialect(p.Dialect)
		old := b.Select(auditevent.FieldID).From(b.Table(auditevent.Table)).
			Where(entsql.And(
				entsql.EQ(auditevent.FieldPracticeID, pid),
				entsql.LT(auditevent.FieldOccurredAt, cutoff),
			)).
			OrderBy(auditevent.FieldOccurredAt).
			Limit(batch)
		query, args := b.Delete(auditevent.Table).Where(entsql.In(auditevent.FieldID, old)).Query()
		r, err := p.SQL.ExecContext(ctx, query, args...)
		if err != nil {
			return total, err
		}
		n, err := r.RowsAffected()
		if err != nil {
			return total, err
		}
		total += int(n)
		if n < int64(batch) {
			return total, nil
		}
	}
}

// record writes the pruning into the practice's log: the system acted, and
// the detail says how many events before which instant.
func (p *Pruner) record(ctx context.Context, pid, n int, cutoff time.Time) error {
	return p.DB.AuditEvent.Create().
		SetPracticeID(pid).
		SetAction(Action).
		SetEntityType("AuditEvent").
		SetOutcome(auditevent.OutcomeSUCCESS).
		SetOccurredAt(p.Now().UTC()).
		SetDetail(fmt.Sprintf("deleted %d events before %s (retention %s)", n, cutoff.Format(time.RFC3339), FormatPeriod(p.Period))).
		Exec(ctx)
}

// Run prunes every interval until ctx ends, first after a random part of
// a minute (so that replicas started together do not all try at once).
// A failed run is logged and tried again at the next interval.
func (p *Pruner) Run(ctx context.Context, interval time.Duration) {
	if p.Period == Forever {
		p.Logger.Info("audit log kept forever: no pruning")
		return
	}
	wait := time.Duration(rand.Int64N(int64(time.Minute))) //nolint:gosec // jitter, not a secret
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = interval
		res, err := p.PruneOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			p.Logger.Error("pruning the audit log", "err", err, "deleted", res.Total())
		case res.Skipped:
			p.Logger.Info("audit log pruned by another replica")
		default:
			p.Logger.Info("audit log pruned", "deleted", res.Total(), "before", res.Cutoff, "retention", FormatPeriod(p.Period))
		}
	}
}
