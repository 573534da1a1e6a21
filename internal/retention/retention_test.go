package retention_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/retention"
	"github.com/caseload/caseload/internal/testdb"
)

var now = time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)

func TestParsePeriod(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"6y", 6 * retention.Year, ""},
		{"2190d", 2190 * retention.Day, ""},
		{" 7Y ", 7 * retention.Year, ""},
		{"forever", retention.Forever, ""},
		{"off", retention.Forever, ""},
		{"8760h", retention.Year, ""},
		{"364d", 0, "shorter than the minimum of 365 days"},
		{"30m", 0, "shorter than the minimum"},
		{"0y", 0, "whole number"},
		{"-1y", 0, "whole number"},
		{"1.5y", 0, "whole number"},
		{"999y", 0, "whole number"},
		{"six years", 0, "want 6y"},
		{"", 0, "empty"},
	} {
		got, err := retention.ParsePeriod(c.in)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("ParsePeriod(%q): %v", c.in, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParsePeriod(%q) = %v, %v; want an error saying %q", c.in, got, err, c.err)
		case c.err == "" && got != c.want:
			t.Errorf("ParsePeriod(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	for _, d := range []time.Duration{retention.DefaultPeriod, 2000 * retention.Day, retention.Forever} {
		back, err := retention.ParsePeriod(retention.FormatPeriod(d))
		if err != nil || back != d {
			t.Errorf("FormatPeriod(%v) = %q reads back as %v, %v", d, retention.FormatPeriod(d), back, err)
		}
	}
}

// seed writes n events at each of the given ages into a new practice and
// returns the practice.
func seed(t *testing.T, db *ent.Client, name string, n int, ages ...time.Duration) int {
	t.Helper()
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	p, err := db.Practice.Create().SetName(name).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var creates []*ent.AuditEventCreate
	for _, age := range ages {
		for i := 0; i < n; i++ {
			creates = append(creates, db.AuditEvent.Create().SetPracticeID(p.ID).SetAction("readClientIdentity").
				SetEntityType("Client").SetEntityID(i+1).SetClientID(i+1).SetOutcome(auditevent.OutcomeSUCCESS).
				SetOccurredAt(now.Add(-age)))
		}
	}
	if err := db.AuditEvent.CreateBulk(creates...).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func pruner(db *database.DB, period time.Duration) *retention.Pruner {
	return &retention.Pruner{
		DB: db.Ent, SQL: db.SQL, Dialect: db.Dialect, Period: period, Batch: 3,
		Now:    func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// events returns a practice's events older than cutoff and the pruner's own.
func events(t *testing.T, db *ent.Client, pid int, cutoff time.Time) (old int, pruned []*ent.AuditEvent) {
	t.Helper()
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	old, err := db.AuditEvent.Query().Where(auditevent.PracticeID(pid), auditevent.OccurredAtLT(cutoff)).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pruned, err = db.AuditEvent.Query().Where(auditevent.PracticeID(pid), auditevent.Action(retention.Action)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return old, pruned
}

func TestPruneDeletesOnlyEventsPastRetention(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		db := testdb.Open(t, d, testdb.Options{})
		year := retention.Year
		// Practice a: 7 events each 7 and 10 years old (past the default
		// six years, more than two batches) and 7 from 5 years and 1 day ago.
		a := seed(t, db.Ent, "A", 7, 7*year, 10*year, 5*year+retention.Day)
		// Practice b: only events inside the period, one a minute short of it.
		b := seed(t, db.Ent, "B", 4, retention.DefaultPeriod-time.Minute, time.Hour)
		p := pruner(db, retention.DefaultPeriod)

		res, err := p.PruneOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		cutoff := now.Add(-retention.DefaultPeriod)
		if !res.Cutoff.Equal(cutoff) || res.Skipped {
			t.Fatalf("cutoff %v skipped %v, want %v and not skipped", res.Cutoff, res.Skipped, cutoff)
		}
		if res.Deleted[a] != 14 || res.Deleted[b] != 0 || res.Total() != 14 {
			t.Fatalf("deleted %v, want 14 in practice %d and none in %d", res.Deleted, a, b)
		}
		old, pruned := events(t, db.Ent, a, cutoff)
		if old != 0 {
			t.Errorf("practice A keeps %d events past retention", old)
		}
		if len(pruned) != 1 || pruned[0].ActorID != nil || pruned[0].Outcome != auditevent.OutcomeSUCCESS ||
			pruned[0].Detail != "deleted 14 events before "+cutoff.Format(time.RFC3339)+" (retention 6y)" {
			t.Errorf("practice A's log of the pruning: %+v", pruned)
		}
		ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
		if n, err := db.Ent.AuditEvent.Query().Where(auditevent.PracticeID(a)).Count(ctx); err != nil || n != 8 {
			t.Errorf("practice A has %d events (%v), want the 7 recent ones and the pruning's", n, err)
		}
		if n, err := db.Ent.AuditEvent.Query().Where(auditevent.PracticeID(b)).Count(ctx); err != nil || n != 8 {
			t.Errorf("practice B has %d events (%v), want all 8 kept", n, err)
		}
		if _, pruned := events(t, db.Ent, b, cutoff); len(pruned) != 0 {
			t.Errorf("practice B logs a pruning that deleted nothing: %+v", pruned)
		}

		// Again: nothing left to delete, nothing logged.
		res, err = p.PruneOnce(context.Background())
		if err != nil || res.Total() != 0 {
			t.Fatalf("second run deleted %d (%v), want 0", res.Total(), err)
		}
		if _, pruned := events(t, db.Ent, a, cutoff); len(pruned) != 1 {
			t.Errorf("second run logged a pruning: %d events", len(pruned))
		}

		// Kept forever: nothing is deleted, however old.
		c := seed(t, db.Ent, "C", 2, 50*year)
		if res, err := pruner(db, retention.Forever).PruneOnce(context.Background()); err != nil || res.Total() != 0 {
			t.Fatalf("forever deleted %d (%v)", res.Total(), err)
		}
		if old, _ := events(t, db.Ent, c, now); old != 2 {
			t.Errorf("forever kept %d of 2 events", old)
		}
	})
}

// The log stays append-only for everything but the pruner: ent refuses to
// delete an event, whoever asks (and its fields are immutable).
func TestAuditLogStaysAppendOnly(t *testing.T) {
	db := testdb.Open(t, dialect.SQLite, testdb.Options{})
	a := seed(t, db.Ent, "A", 1, 10*retention.Year)
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	if _, err := db.Ent.AuditEvent.Delete().Where(auditevent.PracticeID(a)).Exec(ctx); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("deleting through ent: %v, want refused as append-only", err)
	}
}

// With several replicas on one PostgreSQL, one prunes and the others skip:
// a replica holding the lock keeps another from pruning at the same time.
func TestPruneRunsOnOneReplicaAtATime(t *testing.T) {
	db := testdb.Open(t, dialect.Postgres, testdb.Options{})
	a := seed(t, db.Ent, "A", 3, 10*retention.Year)
	ctx := context.Background()
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var locked bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(1667330917, hashtext(current_schema()))").Scan(&locked); err != nil || !locked {
		t.Fatalf("the other replica's lock: %v %v", locked, err)
	}
	res, err := pruner(db, retention.DefaultPeriod).PruneOnce(ctx)
	if err != nil || !res.Skipped || res.Total() != 0 {
		t.Fatalf("while another replica prunes: skipped %v, deleted %d, %v; want skipped", res.Skipped, res.Total(), err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock(1667330917, hashtext(current_schema()))"); err != nil {
		t.Fatal(err)
	}
	res, err = pruner(db, retention.DefaultPeriod).PruneOnce(ctx)
	if err != nil || res.Skipped || res.Deleted[a] != 3 {
		t.Fatalf("after the lock is released: skipped %v, deleted %v, %v; want 3 deleted", res.Skipped, res.Deleted, err)
	}
	// The lock is released after the run: the next one takes it again.
	if res, err := pruner(db, retention.DefaultPeriod).PruneOnce(ctx); err != nil || res.Skipped {
		t.Fatalf("third run: skipped %v, %v", res.Skipped, err)
	}
}
