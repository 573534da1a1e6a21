package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/retention"
)

// envAuditRetention is how long the audit log is kept (retention.ParsePeriod).
const envAuditRetention = "CASELOAD_AUDIT_RETENTION"

// retentionFlag defines -audit-retention, from CASELOAD_AUDIT_RETENTION,
// six years by default.
func retentionFlag(fs *flag.FlagSet, getenv func(string) string, dst *time.Duration) error {
	*dst = retention.DefaultPeriod
	if s := getenv(envAuditRetention); s != "" {
		d, err := retention.ParsePeriod(s)
		if err != nil {
			return fmt.Errorf("%s: %w", envAuditRetention, err)
		}
		*dst = d
	}
	fs.Func("audit-retention", "how long audit events are kept before the daily pruning deletes them: 6y, 2190d or forever; at least 365d (default 6y; env "+envAuditRetention+")",
		func(s string) error {
			d, err := retention.ParsePeriod(s)
			if err != nil {
				return err
			}
			*dst = d
			return nil
		})
	return nil
}

// pruner is the audit log's pruner on the server's database.
func pruner(db *database.DB, period time.Duration, m *Main) *retention.Pruner {
	p := &retention.Pruner{DB: db.Ent, SQL: db.SQL, Dialect: db.Dialect, Period: period, Now: m.Now, Logger: m.Logger}
	if m.DB != nil {
		p.Pruned = m.metrics().AuditPruned
	}
	return p
}

// startPruner prunes the audit log daily, in the background, until ctx
// ends. Every replica runs one; on PostgreSQL a lock lets only one of them
// prune at a time.
func (m *Main) startPruner(ctx context.Context) {
	p := pruner(m.DB, m.Config.AuditRetention, m)
	go p.Run(ctx, retention.DefaultInterval)
}

// pruneAuditCommand prunes the audit log once: `caseload prune-audit`, for
// operators who schedule it themselves.
func pruneAuditCommand(ctx context.Context, args []string, c *cli) error {
	var dsn string
	var period time.Duration
	fs := commandFlags("prune-audit", c, &dsn)
	if err := retentionFlag(fs, c.getenv, &period); err != nil {
		return err
	}
	if err := parseCommandFlags(fs, args); err != nil {
		return err
	}
	db, err := database.Open(ctx, dsn, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if pending, err := db.PendingMigrations(ctx); err != nil {
		return err
	} else if len(pending) > 0 {
		return fmt.Errorf("the database lacks %d migrations of this release: run `caseload migrate` first", len(pending))
	}
	m := &Main{Logger: newLogger("text", c.stderr), Now: utcNow}
	res, err := pruner(db, period, m).PruneOnce(ctx)
	if err != nil {
		return err
	}
	switch {
	case period == retention.Forever:
		fmt.Fprintln(c.stdout, "the audit log is kept forever: nothing pruned")
	case res.Skipped:
		fmt.Fprintln(c.stdout, "another replica is pruning the audit log now: nothing done")
	default:
		practices := "practices"
		if len(res.Deleted) == 1 {
			practices = "practice"
		}
		fmt.Fprintf(c.stdout, "deleted %d audit events before %s (retention %s) in %d %s\n",
			res.Total(), res.Cutoff.Format(time.RFC3339), retention.FormatPeriod(period), len(res.Deleted), practices)
	}
	return nil
}
