package database_test

import (
	"context"
	"database/sql"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/testdb"
)

// Set by .ci/upgrade-from-previous-release: databases that the previous
// release's own binary created and filled with its demo practice.
const (
	envUpgradeSQLite   = "CASELOAD_UPGRADE_SQLITE"
	envUpgradePostgres = "CASELOAD_UPGRADE_POSTGRES"
)

// TestUpgradeFromPreviousRelease upgrades copies of databases made by the
// previous release (not by this code's idea of it) and checks that every
// row is still there, nothing is left pending, and the schema is exactly
// that of a database migrated from empty.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	testdb.SkipUnderShort(t, "it builds on databases prepared once per CI run")
	how := "CI prepares them: eval \"$(.ci/upgrade-from-previous-release)\", then go test ./internal/database -run TestUpgradeFromPreviousRelease"
	t.Run(dialect.SQLite, func(t *testing.T) {
		src := os.Getenv(envUpgradeSQLite)
		if src == "" {
			t.Skipf("%s is not set: %s", envUpgradeSQLite, how)
		}
		dst := filepath.Join(t.TempDir(), "previous.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			copyFile(t, src+suffix, dst+suffix)
		}
		upgradeAndCompare(t, dialect.SQLite, dst)
	})
	t.Run(dialect.Postgres, func(t *testing.T) {
		src := os.Getenv(envUpgradePostgres)
		if src == "" {
			if os.Getenv(testdb.EnvRequirePostgres) != "" {
				t.Fatalf("%s is set but %s is not: %s", testdb.EnvRequirePostgres, envUpgradePostgres, how)
			}
			t.Skipf("%s is not set: %s", envUpgradePostgres, how)
		}
		upgradeAndCompare(t, dialect.Postgres, postgresCopy(t, src))
	})
}

// upgradeAndCompare migrates the database at dsn and compares it with a
// new one.
func upgradeAndCompare(t *testing.T, dialectName, dsn string) {
	ctx := context.Background()
	db, err := database.Open(ctx, dsn, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := rowCounts(t, db)
	if before["appointments"] == 0 || before["users"] == 0 {
		t.Fatalf("the previous release's database holds no demo practice: %v", before)
	}
	got, err := db.ApplyMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("baselined %q, applied %v, now at %s", got.Baselined, got.Applied, got.Current)
	if pending, err := db.PendingMigrations(ctx); err != nil || len(pending) != 0 {
		t.Errorf("pending after the upgrade: %v, %v", pending, err)
	}
	for table, n := range rowCounts(t, db) {
		if n != before[table] {
			t.Errorf("%s: %d rows before the upgrade, %d after", table, before[table], n)
		}
	}
	fresh := openEmpty(t, dialectName)
	if err := fresh.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := schemaDiff(t, db, fresh); diff != "" {
		t.Errorf("the upgraded database's schema differs from a new one's:\n%s", diff)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if os.IsNotExist(err) {
		return // no WAL left: the previous release closed cleanly
	}
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// postgresCopy makes a copy of the database at src (CREATE DATABASE ...
// TEMPLATE), dropped when the test ends, and returns its URL.
func postgresCopy(t *testing.T, src string) string {
	t.Helper()
	u, err := url.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	from := filepath.Base(u.Path)
	to := from + "_copy"
	u.Path = "/postgres"
	maint, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer maint.Close()
		if _, err := maint.Exec("DROP DATABASE IF EXISTS " + to + " WITH (FORCE)"); err != nil {
			t.Errorf("dropping the copy: %v", err)
		}
	})
	if _, err := maint.Exec("DROP DATABASE IF EXISTS " + to + " WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	if _, err := maint.Exec("CREATE DATABASE " + to + " TEMPLATE " + from); err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + to
	return u.String()
}
