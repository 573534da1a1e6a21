package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/retention"
	"github.com/caseload/caseload/internal/testdb"
)

func TestAuditRetentionConfig(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want time.Duration
		err  string
	}{
		{want: retention.DefaultPeriod},
		{env: "7y", want: 7 * retention.Year},
		{env: "forever", want: retention.Forever},
		{args: []string{"-audit-retention", "3650d"}, env: "forever", want: 3650 * retention.Day},
		{env: "30d", err: envAuditRetention + `: retention period "30d" is shorter than the minimum of 365 days`},
		{args: []string{"-audit-retention", "1w"}, err: `retention period "1w"`},
	} {
		env := map[string]string{envJWTSecret: strings.Repeat("s", 32), envAuditRetention: tc.env}
		cfg, err := ParseConfig(tc.args, func(k string) string { return env[k] })
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v %q: error %v, want %q", tc.args, tc.env, err, tc.err)
			}
		case err != nil:
			t.Errorf("%v %q: %v", tc.args, tc.env, err)
		case cfg.AuditRetention != tc.want:
			t.Errorf("%v %q: retention %v, want %v", tc.args, tc.env, cfg.AuditRetention, tc.want)
		}
	}
}

// `caseload prune-audit` deletes what is past the retention period, on the
// database the server uses, and says how much; the server's own events of
// the last six years stay.
func TestPruneAuditCommand(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		dsn := testdb.DSN(t, d)
		ctx := context.Background()
		db, err := database.Open(ctx, dsn, database.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		c, out := testCLI(nil, "")
		if _, err := runCommand(t, c, out, "prune-audit", "-db", dsn); err == nil || !strings.Contains(err.Error(), "caseload migrate") {
			t.Errorf("prune-audit on an unmigrated database: %v, want a refusal naming caseload migrate", err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		allow := privacy.DecisionContext(ctx, privacy.Allow)
		p, err := db.Ent.Practice.Create().SetName("Lakeside").Save(allow)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for _, age := range []time.Duration{8 * retention.Year, 7 * retention.Year, 6*retention.Year - retention.Day, 0} {
			if err := db.Ent.AuditEvent.Create().SetPracticeID(p.ID).SetAction("readDocumentBody").SetEntityType("Document").
				SetOutcome(auditevent.OutcomeSUCCESS).SetOccurredAt(now.Add(-age)).Exec(allow); err != nil {
				t.Fatal(err)
			}
		}
		printed, err := runCommand(t, c, out, "prune-audit", "-db", dsn)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(printed, "deleted 2 audit events before ") || !strings.Contains(printed, "(retention 6y) in 1 practice\n") {
			t.Errorf("prune-audit printed %q", printed)
		}
		left, err := db.Ent.AuditEvent.Query().Where(auditevent.Action("readDocumentBody")).Count(allow)
		if err != nil || left != 2 {
			t.Errorf("%d events left (%v), want the 2 within six years", left, err)
		}
		// A longer period set by the environment keeps them all.
		c.getenv = func(k string) string { return map[string]string{envAuditRetention: "10y"}[k] }
		if printed, err := runCommand(t, c, out, "prune-audit", "-db", dsn); err != nil || !strings.Contains(printed, "deleted 0 audit events") {
			t.Errorf("prune-audit with 10y: %q, %v", printed, err)
		}
		if printed, err := runCommand(t, c, out, "prune-audit", "-db", dsn, "-audit-retention", "forever"); err != nil || !strings.Contains(printed, "kept forever") {
			t.Errorf("prune-audit forever: %q, %v", printed, err)
		}
	})
}
