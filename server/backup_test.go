package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/testdb"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// tableNames lists the tables of the database's schema.
func tableNames(t *testing.T, db *database.DB) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if db.Dialect == dialect.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := db.SQL.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// rowCounts counts the rows of every table.
func rowCounts(t *testing.T, db *database.DB) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range tableNames(t, db) {
		var n int
		if err := db.SQL.QueryRowContext(context.Background(), `SELECT count(*) FROM "`+table+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}

// seedDemoThroughMain opens the database as the server does, seeds the
// demo practice and returns the open Main.
func seedDemoThroughMain(t *testing.T, dsn string, migrate bool) *Main {
	t.Helper()
	m := &Main{
		Config: &Config{DatabaseURL: dsn, Migrate: migrate, JWTSecret: []byte(strings.Repeat("s", 32)), TokenTTL: time.Hour, Addr: "127.0.0.1:8080"},
		Logger: discardLogger(),
		Now:    utcNow,
	}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.SeedDemo(context.Background(), io.Discard); err != nil {
		t.Fatal(err)
	}
	return m
}

// demoAnswer is the admin's answer to one question about the demo practice,
// as JSON: every client with their clinician and upcoming sessions.
func demoAnswer(t *testing.T, db *database.DB) string {
	t.Helper()
	s := serverOn(t, db, nil)
	admin, err := db.Ent.User.Query().Where(user.Email("admin@demo.example")).Only(sys())
	if err != nil {
		t.Fatal(err)
	}
	data := s.mustDo(s.token(admin), `{ clients(first: 100, orderBy: {field: LAST_NAME, direction: ASC}) {
		totalCount edges { node { id firstName lastName status clinician { name }
			appointments(first: 3, orderBy: {field: STARTS_AT, direction: ASC}) { totalCount edges { node { startsAt status } } } } } } }`, nil)
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// compareCopies checks that the copy has every table of the original, with
// as many rows, and gives the same answer to the same question.
func compareCopies(t *testing.T, original, copied *database.DB) {
	t.Helper()
	want, got := rowCounts(t, original), rowCounts(t, copied)
	if want["clients"] < 100 || want["appointments"] < 100 || want["users"] < 4 {
		t.Fatalf("the original holds too little to compare: %v", want)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows per table:\n copy     %v\n original %v", got, want)
	}
	if a, b := demoAnswer(t, copied), demoAnswer(t, original); a != b {
		t.Errorf("the copy answers differently:\n copy     %.300s\n original %.300s", a, b)
	}
}

// TestBackupWhileServing backs up the embedded database with `caseload
// backup` while the server has it open and serves, and opens the copy.
func TestBackupWhileServing(t *testing.T) {
	testdb.SkipUnderShort(t, "seeds the whole demo practice")
	dir := t.TempDir()
	path := filepath.Join(dir, "caseload.db")
	m := seedDemoThroughMain(t, path, true)
	s := serverOn(t, m.DB, nil)
	// A write the server has committed, still in the write-ahead log.
	admin := s.mustDo(s.token(must(m.DB.Ent.User.Query().Where(user.Email("admin@demo.example")).Only(sys()))),
		`mutation { createClient(input: {firstName: "Backup", lastName: "Probe", dateOfBirth: "1990-01-01"}) { client { id } userErrors { field message code } } }`, nil)
	if admin["createClient"] == nil {
		t.Fatalf("createClient: %v", admin)
	}

	out := filepath.Join(dir, "backup", "caseload-backup.db")
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		t.Fatal(err)
	}
	c, buf := testCLI(nil, "")
	printed, err := runCommand(t, c, buf, "backup", "-db", path, "-o", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(printed, "integrity ok") {
		t.Errorf("backup printed %q", printed)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := runCommand(t, c, buf, "backup", "-db", path, "-o", out); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a backup over an existing file: %v", err)
	}
	if st2, _ := os.Stat(out); st2.Size() != st.Size() || !st2.ModTime().Equal(st.ModTime()) {
		t.Error("the refused backup touched the existing file")
	}

	copied, err := database.Open(context.Background(), out, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	compareCopies(t, m.DB, copied)
	if n := rowCounts(t, copied)["clients"]; n == 0 {
		t.Error("no clients in the copy")
	}
}

// The commands of docs/deploy.md for PostgreSQL backups, which
// TestPostgresDumpAndRestore runs.
var (
	pgDump    = []string{"pg_dump", "--format=custom", "--file=caseload.dump"}      // + the database URL
	pgRestore = []string{"pg_restore", "--no-owner", "--exit-on-error", "--dbname"} // + the new database's URL, the dump
)

// TestPostgresDumpAndRestore is the round trip of docs/deploy.md: seed a
// fresh database through the server, pg_dump it, pg_restore the dump into
// a second new database, and compare the two.
func TestPostgresDumpAndRestore(t *testing.T) {
	testdb.SkipUnderShort(t, "seeds the whole demo practice")
	base := os.Getenv(testdb.EnvPostgres)
	var missing []string
	if base == "" {
		missing = append(missing, testdb.EnvPostgres)
	}
	for _, tool := range []string{"pg_dump", "pg_restore", "psql"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		why := "the PostgreSQL backup round trip needs " + testdb.EnvPostgres + " and pg_dump, pg_restore and psql on PATH " +
			"(apt-get install postgresql-client); missing: " + strings.Join(missing, ", ")
		if os.Getenv(testdb.EnvRequirePostgres) != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	dir := t.TempDir()
	original, restored := createDatabase(t, base, "orig"), createDatabase(t, base, "restored")

	// Migrated by the command, seeded by a server that does not migrate.
	c, buf := testCLI(nil, "")
	if printed, err := runCommand(t, c, buf, "migrate", "-db", original); err != nil {
		t.Fatalf("%v\n%s", err, printed)
	}
	m := seedDemoThroughMain(t, original, false)

	pgTool(t, dir, append(pgDump, original)...)
	pgTool(t, dir, append(pgRestore, restored, "caseload.dump")...)

	copied, err := database.Open(context.Background(), restored, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	compareCopies(t, m.DB, copied)
	// The restored sequences go on after the restored rows.
	s := serverOn(t, copied, nil)
	admin := must(copied.Ent.User.Query().Where(user.Email("admin@demo.example")).Only(sys()))
	if data := s.mustDo(s.token(admin), `mutation { createClient(input: {firstName: "After", lastName: "Restore", dateOfBirth: "1990-01-01"}) { client { id } userErrors { field message code } } }`, nil); data["createClient"] == nil {
		t.Errorf("a client created after the restore: %v", data)
	}
}

// createDatabase creates a new database on the server of base with psql, as
// docs/deploy.md does, drops it when the test ends, and returns its URL.
func createDatabase(t *testing.T, base, suffix string) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "caseload_test_" + suffix + "_" + hex.EncodeToString(b[:])
	pgTool(t, "", "psql", base, "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE "+name)
	t.Cleanup(func() {
		cmd := exec.Command("psql", base, "-q", "-c", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("dropping %s: %v\n%s", name, err, out)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String()
}

// pgTool runs a PostgreSQL client program in dir and fails the test with its
// output if it fails.
func pgTool(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", args[0], err, out)
	}
}

// TestBackupCommandsDocumented: the README and docs/deploy.md give the
// commands TestPostgresDumpAndRestore runs, and caseload backup's advice
// on PostgreSQL gives the same pg_dump.
func TestBackupCommandsDocumented(t *testing.T) {
	dump := strings.Join(pgDump, " ") + ` "$DATABASE_URL"`
	restore := strings.Join(pgRestore, " ") + ` "$RESTORE_URL" caseload.dump`
	create := `psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -c 'CREATE DATABASE caseload_restored'`
	for _, doc := range []string{"../README.md", "../docs/deploy.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{dump, create, restore, "caseload backup -o "} {
			if !strings.Contains(string(b), cmd) {
				t.Errorf("%s does not give the command %s", doc, cmd)
			}
		}
	}
	c, out := testCLI(nil, "")
	if _, err := runCommand(t, c, out, "backup", "-db", "postgres://db.example/caseload", "-o", "x"); err == nil || !strings.Contains(err.Error(), dump) {
		t.Errorf("caseload backup on PostgreSQL advises %v, want %s", err, dump)
	}
}
