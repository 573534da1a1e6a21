// Package metrics computes the practice metrics of the analytics API: the
// figures the practice's policy is about (attendance, cancellations,
// backfill, episodes of care, retention, caseload use, paperwork timeliness,
// outreach), for a range of days, split by month, clinician, modality and
// session frequency.
//
// Every figure is computed in the database by aggregate SQL that runs the
// same on SQLite and PostgreSQL (GROUP BY, CASE sums, window functions for
// the percentiles); Go only fills in the rates from the counts. A statement
// per family of facts, whatever the number of groups: the queries return one
// row per group (and one for the total), never one per fact.
//
// No figure identifies anyone: there are no names or dates of birth in any
// query, and a group that involves fewer than MinGroupClients distinct
// clients is suppressed (its figures are dropped).
//
// The queries bypass ent's privacy layer: the caller decides who may see a
// practice's metrics, and every statement here is confined to
// Request.PracticeID.
package metrics

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/caseload/caseload/internal/caseload"
)

// MinGroupClients is the fewest distinct clients a group may involve and
// still be shown.
const MinGroupClients = 5

// MaxRangeDays bounds the range of one request (about three years).
const MaxRangeDays = 3 * 366

// Dimension is a way to split the figures.
type Dimension string

// The dimensions, in the order of the group keys.
const (
	Month     Dimension = "MONTH"
	Clinician Dimension = "CLINICIAN"
	Modality  Dimension = "MODALITY"
	Frequency Dimension = "FREQUENCY"
)

// Dimensions lists every dimension.
var Dimensions = []Dimension{Month, Clinician, Modality, Frequency}

// IsValid reports whether d is a known dimension.
func (d Dimension) IsValid() bool {
	for _, x := range Dimensions {
		if d == x {
			return true
		}
	}
	return false
}

// Request is what to compute.
type Request struct {
	// PracticeID is the tenant; every statement is confined to it.
	PracticeID int
	// Location is the practice's time zone: days and months are its.
	Location *time.Location
	// From and To are the first and last day of the range (their year,
	// month and day; the clock and zone are ignored).
	From, To time.Time
	// GroupBy splits the figures; empty gives the total alone.
	GroupBy []Dimension
	// Policy supplies the late-cancel window, the note due time and goal.
	Policy caseload.Policy
	// Now is the current instant: notes not yet due are not late, and the
	// caseload of a month is measured up to now.
	Now time.Time
}

// Key identifies a group; a zero field is a dimension not grouped by (or,
// for ClinicianID, data without a clinician).
type Key struct {
	// Month is the first day of the month (midnight UTC of that date), when
	// grouped by MONTH.
	Month time.Time
	// ClinicianID is the clinician, when grouped by CLINICIAN.
	ClinicianID int
	// Modality and Frequency are the client's, when grouped by them.
	Modality, Frequency string
}

// ReasonCount is how many episodes closed for one reason.
type ReasonCount struct {
	Reason string
	Count  int
}

// Figures are the metrics of one group. Pointers are nil when the group is
// suppressed, or for a rate without a denominator.
type Figures struct {
	Clients                        *int
	SessionsBooked                 *int
	SessionsAttended               *int
	NoShowRate                     *float64
	LateCancelRate                 *float64
	ClientCancelRate               *float64
	LateCanceledSlots              *int
	BackfilledSlots                *int
	BackfillRate                   *float64
	EpisodesOpened                 *int
	EpisodesClosed                 *int
	ClosedByReason                 []ReasonCount
	SessionsPerClosedEpisodeMedian *float64
	SessionsPerClosedEpisodeP75    *float64
	EarlyDropOutRate               *float64
	RetentionRate                  *float64
	ExpectedWeeklySessions         *float64
	WeeklySlots                    *int
	CaseloadUtilization            *float64
	NoteMinutesMedian              *float64
	NotesOnTimeRate                *float64
	NotesWithinGoalRate            *float64
	BillableOutreachMinutes        *int
}

// Group is one row of the report.
type Group struct {
	Key
	// Suppressed is true when the group involves fewer than MinGroupClients
	// clients; its Figures are then all nil.
	Suppressed bool
	Figures
}

// Report is the result of Compute.
type Report struct {
	// From and To are the range's first and last day.
	From, To time.Time
	// GroupBy is the dimensions the groups are split by, in canonical order.
	GroupBy []Dimension
	// MinimumGroupClients is the suppression threshold (MinGroupClients).
	MinimumGroupClients int
	// Groups are in order of month, clinician id, modality, frequency
	// (callers that know clinician names may reorder).
	Groups []*Group
	// Total is the whole range, all groups together.
	Total *Group
}

// Has reports whether the report is grouped by d.
func (r *Report) Has(d Dimension) bool {
	for _, x := range r.GroupBy {
		if x == d {
			return true
		}
	}
	return false
}

// Compute runs the metrics queries over drv (SQLite or PostgreSQL).
//
// On PostgreSQL they run in read-only REPEATABLE READ transactions on
// Workers connections at once, every one on the snapshot of the first (so
// that every figure is of the same moment), with the memory for their sorts
// and hashes raised from the server's default (4 MB, which a year of a large
// practice spills to disk). Each statement runs on one core; a year of a
// large practice took 1.3 s one after the other, 0.7 s on two connections.
// At most MaxConcurrent reports are computed at once in a process (the rest
// wait their turn), so that reports cannot take the connections the other
// requests need. SQLite reads without a transaction, one statement after
// the other: its transactions take the write lock here (see
// database.SQLiteDSN), which a report must not hold.
func Compute(ctx context.Context, drv dialect.Driver, req Request) (*Report, error) {
	q, err := newQuery(drv.Dialect(), req)
	if err != nil {
		return nil, err
	}
	select {
	case computing <- struct{}{}:
		defer func() { <-computing }()
	case <-ctx.Done():
		return nil, fmt.Errorf("metrics: %w", ctx.Err())
	}
	acc := newAccumulator()
	if q.dialect != dialect.Postgres {
		for _, fam := range families {
			if err := q.run(ctx, drv, fam, acc); err != nil {
				return nil, fmt.Errorf("metrics: %s: %w", fam.name, err)
			}
		}
		slots, err := q.slots(ctx, drv)
		if err != nil {
			return nil, fmt.Errorf("metrics: slots: %w", err)
		}
		return acc.report(q, slots), nil
	}

	txs, err := snapshotTxs(ctx, drv, Workers)
	defer func() {
		for _, tx := range txs {
			_ = tx.Rollback() // read only: nothing to commit, nothing to report
		}
	}()
	if err != nil {
		return nil, err
	}
	// The heaviest families first, each taken by the next free connection.
	queue := make(chan family, len(families))
	for _, fam := range byCost(families) {
		queue <- fam
	}
	close(queue)
	errs := make(chan error, len(txs))
	for _, tx := range txs {
		go func() {
			for fam := range queue {
				if err := q.run(ctx, tx, fam, acc); err != nil {
					errs <- fmt.Errorf("metrics: %s: %w", fam.name, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range txs {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	if err != nil {
		return nil, err
	}
	slots, err := q.slots(ctx, txs[0])
	if err != nil {
		return nil, fmt.Errorf("metrics: slots: %w", err)
	}
	return acc.report(q, slots), nil
}

// Workers is how many connections a report reads on at once (PostgreSQL).
const Workers = 2

// MaxConcurrent is how many reports a process computes at once. With
// Workers connections each, they hold at most 8 of the pool's connections
// (20 by default; docs/benchmarks.md).
const MaxConcurrent = 4

var computing = make(chan struct{}, MaxConcurrent)

// snapshotID is the form of pg_export_snapshot's result, checked before it
// is written into SET TRANSACTION SNAPSHOT (which takes no parameters).
var snapshotID = regexp.MustCompile(`^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$`)

// snapshotTxs begins n read-only REPEATABLE READ transactions that see the
// same snapshot: the first exports it, the others import it. It returns the
// transactions begun so far even on error, for the caller to roll back.
func snapshotTxs(ctx context.Context, drv dialect.Driver, n int) ([]dialect.Tx, error) {
	const setup = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
	const memory = "; SET LOCAL work_mem = '32MB'"
	first, err := drv.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	txs := []dialect.Tx{first}
	if err := first.Exec(ctx, setup+memory, []any{}, nil); err != nil {
		return txs, fmt.Errorf("metrics: %w", err)
	}
	var rows entsql.Rows
	if err := first.Query(ctx, "SELECT pg_export_snapshot()", []any{}, &rows); err != nil {
		return txs, fmt.Errorf("metrics: exporting the snapshot: %w", err)
	}
	var id string
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return txs, fmt.Errorf("metrics: exporting the snapshot: %w", err)
		}
	}
	rows.Close()
	if !snapshotID.MatchString(id) {
		return txs, fmt.Errorf("metrics: unexpected snapshot id %q", id)
	}
	for len(txs) < n {
		tx, err := drv.Tx(ctx)
		if err != nil {
			return txs, fmt.Errorf("metrics: %w", err)
		}
		txs = append(txs, tx)
		if err := tx.Exec(ctx, setup+"; SET TRANSACTION SNAPSHOT '"+id+"'"+memory, []any{}, nil); err != nil {
			return txs, fmt.Errorf("metrics: importing the snapshot: %w", err)
		}
	}
	return txs, nil
}

// canonical returns the dimensions deduplicated and in the order of Key.
func canonical(ds []Dimension) ([]Dimension, error) {
	seen := map[Dimension]bool{}
	for _, d := range ds {
		if !d.IsValid() {
			return nil, caseload.Invalid("groupBy", "unknown dimension %q", d)
		}
		seen[d] = true
	}
	var out []Dimension
	for _, d := range Dimensions {
		if seen[d] {
			out = append(out, d)
		}
	}
	return out, nil
}

func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// bucket is a stretch of the range, [lo, hi) in UTC. The total bucket has
// index -1; the others are the months of the range (or one bucket for the
// whole range when not grouped by month), clipped to it.
type bucket struct {
	index  int
	month  time.Time // first day of the month, as a civil date; zero for non-month buckets
	lo, hi time.Time
	// upTo is min(hi, now): the caseload of a bucket is measured up to now.
	upTo time.Time
}

func buckets(req Request, byMonth bool) ([]bucket, error) {
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	from, to := civil(req.From), civil(req.To)
	if to.Before(from) {
		return nil, caseload.Invalid("to", "is before from")
	}
	if days := int(to.Sub(from).Hours()/24) + 1; days > MaxRangeDays {
		return nil, caseload.Invalid("to", "the range is %d days; at most %d", days, MaxRangeDays)
	}
	localDay := func(d time.Time) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).UTC()
	}
	lo, hi := localDay(from), localDay(to.AddDate(0, 0, 1))
	mk := func(i int, month, lo, hi time.Time) bucket {
		upTo := hi
		if req.Now.Before(upTo) {
			upTo = req.Now.UTC()
		}
		return bucket{index: i, month: month, lo: lo, hi: hi, upTo: upTo}
	}
	out := []bucket{mk(-1, time.Time{}, lo, hi)}
	if !byMonth {
		return append(out, mk(0, time.Time{}, lo, hi)), nil
	}
	for m, i := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC), 0; !m.After(to); m, i = m.AddDate(0, 1, 0), i+1 {
		start, end := localDay(m), localDay(m.AddDate(0, 1, 0))
		if start.Before(lo) {
			start = lo
		}
		if end.After(hi) {
			end = hi
		}
		out = append(out, mk(i, m, start, end))
	}
	return out, nil
}
