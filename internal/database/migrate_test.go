package database_test

import (
	"context"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/testdb"
)

// TestMigrateAgainChangesNothing: every replica migrates at start, so a
// migration of an up-to-date schema must not touch it. Rebuilding an index
// locks its table against writes for as long as the build takes (the
// documents' note index: seconds, on a large practice).
func TestMigrateAgainChangesNothing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		var counter *testdb.Counter
		db := testdb.Open(t, dialectName, testdb.Options{WrapDriver: func(d dialect.Driver) dialect.Driver {
			counter = testdb.NewCounter(d)
			return counter
		}})
		counter.Reset()
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, st := range counter.Statements() {
			upper := strings.ToUpper(strings.TrimSpace(st))
			for _, ddl := range []string{"CREATE ", "DROP ", "ALTER ", "RENAME "} {
				if strings.HasPrefix(upper, ddl) {
					t.Errorf("the second migration changed the schema: %s", st)
				}
			}
		}
	})
}

// TestMigrateDropsRetiredIndexes: a database migrated by an earlier version
// loses the index the schema replaced, and migrating again is harmless.
func TestMigrateDropsRetiredIndexes(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		db := testdb.Open(t, dialectName, testdb.Options{})
		ctx := context.Background()
		if _, err := db.SQL.ExecContext(ctx, "CREATE INDEX appointment_clinician_id_starts_at ON appointments (clinician_id, starts_at)"); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		query := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'appointment_clinician_id_starts_at'"
		if dialectName == dialect.Postgres {
			query = "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'appointment_clinician_id_starts_at'"
		}
		var n int
		if err := db.SQL.QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Error("the retired index is still there")
		}
	})
}
