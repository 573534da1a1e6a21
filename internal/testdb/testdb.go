// Package testdb opens real, migrated, empty databases for tests: SQLite in
// the test's temporary directory, and PostgreSQL (a fresh schema per test)
// when CASELOAD_TEST_DATABASE_URL is set. There are no mocks of the database.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/database"
)

// EnvPostgres names the PostgreSQL server tests run against.
const EnvPostgres = "CASELOAD_TEST_DATABASE_URL"

// EnvRequirePostgres makes a missing PostgreSQL a failure instead of a skip (CI sets it).
const EnvRequirePostgres = "CASELOAD_REQUIRE_POSTGRES"

// Dialects are the databases every database test runs on.
var Dialects = []string{dialect.SQLite, dialect.Postgres}

// Options tune the opened database.
type Options = database.Options

// Open returns a migrated empty database of the given dialect, closed when
// the test ends. A PostgreSQL test is skipped when no server is configured
// (and fails instead when CASELOAD_REQUIRE_POSTGRES is set).
func Open(tb testing.TB, dialectName string, opts Options) *database.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, DSN(tb, dialectName), opts)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	return db
}

// DSN returns the address of a new, empty database of the given dialect,
// as database.Open takes it, removed when the test ends: a file in the
// test's temporary directory, or a fresh schema on the configured
// PostgreSQL server (skipping the test when there is none, as Open does).
func DSN(tb testing.TB, dialectName string) string {
	tb.Helper()
	switch dialectName {
	case dialect.SQLite:
		return filepath.Join(tb.TempDir(), "caseload.db")
	case dialect.Postgres:
		return postgresSchema(tb)
	default:
		tb.Fatalf("testdb: unknown dialect %q", dialectName)
		return ""
	}
}

// Run runs fn as a subtest on each dialect ("sqlite3", "postgres").
func Run(t *testing.T, fn func(t *testing.T, dialectName string)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) { fn(t, d) })
	}
}

// postgresSchema creates a fresh schema on the configured server, dropped
// when the test ends, and returns a URL whose search_path points at it.
func postgresSchema(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		if os.Getenv(EnvRequirePostgres) != "" {
			tb.Fatalf("testdb: %s is set but %s is not", EnvRequirePostgres, EnvPostgres)
		}
		tb.Skipf("PostgreSQL tests need %s", EnvPostgres)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("postgres", base)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		tb.Fatalf("testdb: creating schema: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("testdb: dropping schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("testdb: %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// SkipUnderShort skips a slow test under `go test -short`. CI runs the whole
// suite first, then again with -race and -short: the slowest tests, which
// exercise no concurrency of their own, run once, without the race
// detector's eightfold slowdown.
func SkipUnderShort(t *testing.T, why string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: " + why)
	}
}
