package database_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	atlasschema "ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"

	entmigrate "github.com/caseload/caseload/ent/migrate"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/testdb"
)

// TestMigrationsMatchSchema: the committed migrations, replayed, give
// exactly the ent schema. A schema change without its migration fails
// here, with the migration it lacks in the message
// (`go run ./internal/database/newmigration -name ...` writes it).
func TestMigrationsMatchSchema(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		committed, err := database.MigrationDir(dialectName)
		if err != nil {
			t.Fatal(err)
		}
		files, err := committed.Files()
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatal("no migrations are embedded")
		}
		dir := &migrate.MemDir{}
		if err := dir.CopyFiles(files); err != nil {
			t.Fatal(err)
		}
		changed, err := database.PlanMigration(context.Background(), testdb.DSN(t, dialectName), dir, "missing")
		if err != nil {
			t.Fatal(err)
		}
		if changed {
			after, _ := dir.Files()
			t.Errorf("the ent schema has changes that no migration makes; run go run ./internal/database/newmigration -name NAME. The missing migration:\n%s",
				after[len(after)-1].Bytes())
		}
	})
}

// TestMigrateFreshDatabase: an empty database gets every migration, each
// recorded in the history as fully applied, and nothing is left pending.
func TestMigrateFreshDatabase(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		db := openEmpty(t, dialectName)
		got, err := db.ApplyMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := versions(t, dialectName)
		if strings.Join(got.Applied, ",") != strings.Join(want, ",") || got.Baselined != "" || got.Current != want[len(want)-1] {
			t.Errorf("applied %v (baselined %q, current %q), want %v", got.Applied, got.Baselined, got.Current, want)
		}
		history := readHistory(t, db)
		if len(history) != len(want) {
			t.Fatalf("history has %d rows, want %d: %v", len(history), len(want), history)
		}
		for i, h := range history {
			if h.version != want[i] || h.typ != uint(migrate.RevisionTypeExecute) || h.applied != h.total || h.total == 0 || h.errText != "" {
				t.Errorf("history row %d = %+v, want version %s fully executed", i, h, want[i])
			}
		}
		pending, err := db.PendingMigrations(ctx)
		if err != nil || len(pending) != 0 {
			t.Errorf("pending after migrating = %v, %v", pending, err)
		}
	})
}

// TestMigrateAgainChangesNothing: every replica migrates at start, so
// migrating an up-to-date database applies nothing and alters no object
// (a rebuilt index or constraint would have a new identity).
func TestMigrateAgainChangesNothing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		db := openEmpty(t, dialectName)
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		before := fingerprint(t, db)
		got, err := db.ApplyMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Applied) != 0 || got.Baselined != "" {
			t.Errorf("the second migration applied %v (baselined %q)", got.Applied, got.Baselined)
		}
		if after := fingerprint(t, db); after != before {
			t.Errorf("the second migration changed the schema:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestMigrateReplicasStartingTogether: two replicas migrating one empty
// database at the same moment both succeed, and each migration is applied
// once (PostgreSQL: the advisory lock; SQLite: each file's transaction
// takes the write lock and finds the other's history row).
func TestMigrateReplicasStartingTogether(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		dsn := testdb.DSN(t, dialectName)
		replicas := make([]*database.DB, 2)
		for i := range replicas {
			db, err := database.Open(ctx, dsn, database.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			replicas[i] = db
		}
		results := make([]database.Migrations, len(replicas))
		errs := make([]error, len(replicas))
		var start, done sync.WaitGroup
		start.Add(1)
		for i, db := range replicas {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				results[i], errs[i] = db.ApplyMigrations(ctx)
			}()
		}
		start.Done()
		done.Wait()
		applied := map[string]int{}
		for i := range replicas {
			if errs[i] != nil {
				t.Fatalf("replica %d: %v", i, errs[i])
			}
			for _, v := range results[i].Applied {
				applied[v]++
			}
		}
		want := versions(t, dialectName)
		for _, v := range want {
			if applied[v] != 1 {
				t.Errorf("migration %s was applied %d times, want once", v, applied[v])
			}
		}
		if h := readHistory(t, replicas[0]); len(h) != len(want) {
			t.Errorf("history has %d rows, want %d", len(h), len(want))
		}
		for i, r := range results {
			if r.Current != want[len(want)-1] {
				t.Errorf("replica %d ended at %q, want %q", i, r.Current, want[len(want)-1])
			}
		}
	})
}

// TestPendingMigrations: what a replica started with -migrate=false checks.
func TestPendingMigrations(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		db := openEmpty(t, dialectName)
		pending, err := db.PendingMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := versions(t, dialectName); strings.Join(pending, ",") != strings.Join(want, ",") {
			t.Errorf("pending on an empty database = %v, want %v", pending, want)
		}
	})
}

// openEmpty opens a new database without migrating it.
func openEmpty(t *testing.T, dialectName string) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), testdb.DSN(t, dialectName), database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// versions are the embedded migrations' versions, oldest first.
func versions(t *testing.T, dialectName string) []string {
	t.Helper()
	dir, err := database.MigrationDir(dialectName)
	if err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Version()
	}
	return out
}

type historyRow struct {
	version        string
	typ            uint
	applied, total int
	errText        string
}

func readHistory(t *testing.T, db *database.DB) []historyRow {
	t.Helper()
	rows, err := db.SQL.QueryContext(context.Background(), `SELECT version, type, applied, total, COALESCE(error, '') FROM atlas_schema_revisions ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []historyRow
	for rows.Next() {
		var h historyRow
		if err := rows.Scan(&h.version, &h.typ, &h.applied, &h.total, &h.errText); err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// fingerprint names every table, index and constraint of the current
// schema with its identity: PostgreSQL's object ids change when an object
// is dropped and made again; SQLite's page numbers of a rebuilt table or
// index change likewise.
func fingerprint(t *testing.T, db *database.DB) string {
	t.Helper()
	query := `SELECT type || ':' || name || ':' || rootpage || ':' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name`
	if db.Dialect == dialect.Postgres {
		query = `SELECT kind || ':' || name || ':' || oid FROM (
			SELECT 'rel' AS kind, c.relname AS name, c.oid::bigint AS oid FROM pg_class c WHERE c.relnamespace = to_regnamespace(current_schema())
			UNION ALL
			SELECT 'con', con.conname, con.oid::bigint FROM pg_constraint con WHERE con.connamespace = to_regnamespace(current_schema())
		) objects ORDER BY kind, name`
	}
	rows, err := db.SQL.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	n := 0
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, s.String)
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("the fingerprint found only %d objects: %s", n, b.String())
	}
	return b.String()
}

// TestFailedMigrationLeavesNothingHalfDone: a migration file that fails
// on its second statement leaves neither its first statement's table nor
// a history row behind, and the migrations before it stay applied; the
// error names the file.
func TestFailedMigrationLeavesNothingHalfDone(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		db := openEmpty(t, dialectName)
		embedded, err := database.MigrationDir(dialectName)
		if err != nil {
			t.Fatal(err)
		}
		files, err := embedded.Files()
		if err != nil {
			t.Fatal(err)
		}
		broken := migrate.NewLocalFile("99990101000000_broken.sql",
			[]byte("CREATE TABLE half_done (id integer);\nINSERT INTO no_such_table VALUES (1);\n"))
		dir := &migrate.MemDir{}
		if err := dir.CopyFiles(append(files, broken)); err != nil {
			t.Fatal(err)
		}
		_, err = db.ApplyMigrationsFrom(ctx, dir)
		if err == nil || !strings.Contains(err.Error(), "99990101000000_broken.sql") {
			t.Fatalf("error = %v, want one naming the broken file", err)
		}
		var n int
		query := `SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'`
		if dialectName == dialect.Postgres {
			query = `SELECT COUNT(*) FROM pg_class WHERE relname = 'half_done' AND relnamespace = to_regnamespace(current_schema())`
		}
		if err := db.SQL.QueryRowContext(ctx, query).Scan(&n); err != nil || n != 0 {
			t.Errorf("the failed file's first statement stayed (%d tables, %v)", n, err)
		}
		history := readHistory(t, db)
		if len(history) != len(files) {
			t.Errorf("history = %+v, want only the %d good migrations", history, len(files))
		}
		pending, err := db.PendingMigrations(ctx)
		if err != nil || len(pending) != 0 {
			t.Errorf("the embedded migrations are not all applied: %v, %v", pending, err)
		}
	})
}

// TestMigrateUpgradesDatabaseOfEarlierRelease: a database created by the
// releases before versioned migrations (ent's automatic migration at every
// start, plus the no-double-booking constraints on PostgreSQL), holding
// data, is recorded at the first migration, gets the later ones, keeps
// every row, and ends with exactly the schema of a database migrated from
// empty.
func TestMigrateUpgradesDatabaseOfEarlierRelease(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		legacy := openEmpty(t, dialectName)
		// The earlier release's schema is the first migration, which is
		// exactly what that release's automatic migration created (not
		// the current ent schema, which has what later migrations add).
		dir, err := database.MigrationDir(dialectName)
		if err != nil {
			t.Fatal(err)
		}
		files, err := dir.Files()
		if err != nil {
			t.Fatal(err)
		}
		stmts, err := files[0].Stmts()
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range stmts {
			if _, err := legacy.SQL.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("creating the earlier release's schema: %v", err)
			}
		}
		if dialectName == dialect.Postgres {
			for _, c := range []string{"clinician", "client"} {
				stmt := fmt.Sprintf(`ALTER TABLE appointments ADD CONSTRAINT appointments_%[1]s_no_overlap EXCLUDE USING gist
					(int8range(%[1]s_id, %[1]s_id, '[]') WITH &&, tstzrange(starts_at, ends_at) WITH &&) WHERE (status <> 'CANCELED')`, c)
				if _, err := legacy.SQL.ExecContext(ctx, stmt); err != nil {
					t.Fatal(err)
				}
			}
		}
		res, err := fakepractice.Seed(ctx, legacy.Ent, fakepractice.Options{Size: fakepractice.Demo, Now: time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		before := rowCounts(t, legacy)
		if before["appointments"] == 0 || before["appointments"] != res.Rows("appointments") {
			t.Fatalf("seeded %d appointments, counted %d", res.Rows("appointments"), before["appointments"])
		}

		got, err := legacy.ApplyMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := versions(t, dialectName)
		if got.Baselined != want[0] || strings.Join(got.Applied, ",") != strings.Join(want[1:], ",") {
			t.Errorf("baselined %q and applied %v, want %q and %v", got.Baselined, got.Applied, want[0], want[1:])
		}
		if after := rowCounts(t, legacy); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("rows before the upgrade %v, after %v", before, after)
		}

		fresh := openEmpty(t, dialectName)
		if err := fresh.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := schemaDiff(t, legacy, fresh); diff != "" {
			t.Errorf("the upgraded database's schema differs from a new one's:\n%s", diff)
		}
	})
}

// rowCounts counts the rows of every table of the application.
func rowCounts(t *testing.T, db *database.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range entmigrate.Tables {
		if table.Name == "client_facts" {
			continue // derived from the others, rebuilt at start (docs/facts.md); no earlier release has it
		}
		var n int
		if err := db.SQL.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table.Name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table.Name] = n
	}
	return out
}

// schemaDiff returns the statements that would turn a's schema into b's
// (the migration history aside), as Atlas inspects both.
func schemaDiff(t *testing.T, a, b *database.DB) string {
	t.Helper()
	ctx := context.Background()
	inspect := func(db *database.DB) (migrate.Driver, *atlasschema.Schema) {
		var drv migrate.Driver
		var err error
		if db.Dialect == dialect.Postgres {
			drv, err = postgres.Open(db.SQL)
		} else {
			drv, err = sqlite.Open(db.SQL)
		}
		if err != nil {
			t.Fatal(err)
		}
		s, err := drv.InspectSchema(ctx, "", &atlasschema.InspectOptions{Exclude: []string{"atlas_schema_revisions"}})
		if err != nil {
			t.Fatal(err)
		}
		s.Name = ""
		return drv, s
	}
	drv, from := inspect(a)
	_, to := inspect(b)
	if len(from.Tables) < len(entmigrate.Tables) {
		t.Fatalf("inspected %d tables, want %d", len(from.Tables), len(entmigrate.Tables))
	}
	changes, err := drv.SchemaDiff(from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) == 0 {
		return ""
	}
	plan, err := drv.PlanChanges(ctx, "diff", changes)
	if err != nil {
		return fmt.Sprintf("%d changes (%v)", len(changes), err)
	}
	var out strings.Builder
	for _, c := range plan.Changes {
		fmt.Fprintln(&out, c.Cmd)
	}
	return out.String()
}
