package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/testdb"
	"github.com/caseload/caseload/operations"
)

// factsCase is a migrated database with two practices whose clients have
// histories, as an operator meets it: its address for the commands and
// Main, and a server over it for the fixtures and the checks.
type factsCase struct {
	dsn          string
	s            *apiServer
	north, south *practiceFixture
}

func newFactsCase(t *testing.T, dialectName string) *factsCase {
	t.Helper()
	dsn := testdb.DSN(t, dialectName)
	db, err := database.Open(context.Background(), dsn, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	fc := &factsCase{dsn: dsn, s: serverOn(t, db, nil)}
	fc.north = fc.s.seedPractice("North", "north.example")
	fc.south = fc.s.seedPractice("South", "south.example")
	for i, cl := range fc.north.ownClients {
		addHistory(db.Ent, fc.north, cl, i)
	}
	return fc
}

// exec runs a statement on the database behind the commands' back.
func (fc *factsCase) exec(t *testing.T, query string) {
	t.Helper()
	if _, err := fc.s.main.DB.SQL.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// row returns a client's stored strike count and version, ok false when
// the client has no row.
func (fc *factsCase) row(t *testing.T, client int) (strikes, version int, ok bool) {
	t.Helper()
	err := fc.s.main.DB.SQL.QueryRow("SELECT strike_count, version FROM client_facts WHERE client_id = "+strconv.Itoa(client)).Scan(&strikes, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return strikes, version, true
}

// noDrift fails the test unless every row equals a recompute.
func (fc *factsCase) noDrift(t *testing.T, when string) {
	t.Helper()
	db := fc.s.main.DB
	drift, err := db.Facts.Verify(context.Background(), db.Ent, 0)
	if err != nil || len(drift) != 0 {
		t.Fatalf("%s: drift %v (%v), want none", when, drift, err)
	}
	var clients, rows int
	if err := db.SQL.QueryRow("SELECT (SELECT COUNT(*) FROM clients), (SELECT COUNT(*) FROM client_facts WHERE version = "+
		strconv.Itoa(caseload.FactsVersion)+")").Scan(&clients, &rows); err != nil || clients != rows || clients != 10 {
		t.Fatalf("%s: %d clients, %d rows of version %d (%v); want 10 of each", when, clients, rows, caseload.FactsVersion, err)
	}
}

// driftLine is what `caseload facts verify` prints for a client.
func driftLine(f *practiceFixture, client int, what string) string {
	return fmt.Sprintf("practice %d client %d: %s", f.practice.ID, client, what)
}

// TestFactsCommand: `caseload facts verify` passes on a database whose rows
// the writes kept; reports a tampered and a missing row by practice and
// client id and the fields' names, and nothing else, exiting non-zero;
// `caseload facts rebuild` (of one practice, leaving the others' rows
// alone, then of all) restores them. Bad input and a database without
// this release's migrations change nothing.
func TestFactsCommand(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		fc := newFactsCase(t, d)
		// The database is DATABASE_URL, as an operator's environment names
		// it: a bad input that parsed would reach it, not a default path.
		c, out := testCLI(map[string]string{envDatabaseURL: fc.dsn}, "")
		facts := func(args ...string) (string, error) {
			t.Helper()
			return runCommand(t, c, out, append([]string{"facts"}, args...)...)
		}
		const clean = "the facts of every client match their histories\n"
		if printed, err := facts("verify"); err != nil || printed != clean {
			t.Fatalf("verify of a clean database: %v, printed %q; want %q", err, printed, clean)
		}

		tampered, deleted, southDeleted := fc.north.ownClients[0].ID, fc.north.ownClients[1].ID, fc.south.otherClients[0].ID
		strikes, _, _ := fc.row(t, tampered)
		fc.exec(t, "UPDATE client_facts SET strike_count = strike_count + 5 WHERE client_id = "+strconv.Itoa(tampered))
		fc.exec(t, "DELETE FROM client_facts WHERE client_id IN ("+strconv.Itoa(deleted)+", "+strconv.Itoa(southDeleted)+")")
		northDrift := driftLine(fc.north, tampered, "differs in [StrikeCount]") + "\n" + driftLine(fc.north, deleted, "no row") + "\n"
		southDrift := driftLine(fc.south, southDeleted, "no row") + "\n"
		// Every line is exactly a practice, a client id and field names:
		// no name, no value.
		for _, tc := range []struct {
			args         []string
			printed, err string
		}{
			{[]string{"verify"}, northDrift + southDrift, "3 clients' facts differ from their histories: run `caseload facts rebuild`"},
			{[]string{"verify", "-practice", strconv.Itoa(fc.north.practice.ID)}, northDrift, "2 clients' facts differ"},
			{[]string{"verify", "-practice", strconv.Itoa(fc.south.practice.ID)}, southDrift, "1 clients' facts differ"},
		} {
			printed, err := facts(tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.err) || printed != tc.printed {
				t.Errorf("%v: %v, printed\n%s\nwant the error %q and\n%s", tc.args, err, printed, tc.err, tc.printed)
			}
		}

		// Bad input: a usage error, and nothing rewritten.
		for _, tc := range []struct {
			args []string
			err  string
		}{
			{nil, "usage: caseload facts verify|rebuild [-db URL] [-practice N]"},
			{[]string{"frobnicate"}, "usage: caseload facts verify|rebuild [-db URL] [-practice N]"},
			{[]string{"-practice", "1", "rebuild"}, "usage: caseload facts verify|rebuild [-db URL] [-practice N]"},
			{[]string{"rebuild", "-practice", "abc"}, `invalid value "abc" for flag -practice`},
			{[]string{"verify", "-practice", "abc"}, `invalid value "abc" for flag -practice`},
			{[]string{"rebuild", "-practice", "-1"}, "-practice must be a practice's id, or 0 for every practice"},
			{[]string{"verify", "-practice", "999999"}, "no practice 999999"},
			{[]string{"rebuild", "-practice", "999999"}, "no practice 999999"},
			{[]string{"rebuild", "now"}, `caseload facts rebuild: unexpected argument "now"`},
		} {
			printed, err := facts(tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("facts %v: %v, want %q", tc.args, err, tc.err)
			}
			if strings.Contains(tc.err, "invalid value") && !strings.Contains(printed, "only this practice's clients") {
				t.Errorf("facts %v printed no usage of the flags:\n%s", tc.args, printed)
			}
		}
		if got, _, _ := fc.row(t, tampered); got != strikes+5 {
			t.Errorf("bad input changed the tampered row: strike count %d, want %d", got, strikes+5)
		}
		if _, _, ok := fc.row(t, deleted); ok {
			t.Error("bad input wrote the deleted row")
		}

		// A rebuild of one practice leaves the other's rows as they are.
		if printed, err := facts("rebuild", "-practice", strconv.Itoa(fc.south.practice.ID)); err != nil || printed != "rebuilt the facts of 5 clients\n" {
			t.Fatalf("rebuild of South: %v, printed %q", err, printed)
		}
		if printed, err := facts("verify", "-practice", strconv.Itoa(fc.south.practice.ID)); err != nil || printed != clean {
			t.Errorf("verify of South after its rebuild: %v, printed %q", err, printed)
		}
		if got, _, _ := fc.row(t, tampered); got != strikes+5 {
			t.Errorf("the rebuild of South rewrote North's tampered row: strike count %d, want %d", got, strikes+5)
		}
		if _, _, ok := fc.row(t, deleted); ok {
			t.Error("the rebuild of South wrote North's deleted row")
		}
		if printed, err := facts("verify"); err == nil || printed != northDrift {
			t.Errorf("verify after South's rebuild: %v, printed\n%s\nwant\n%s", err, printed, northDrift)
		}

		if printed, err := facts("rebuild"); err != nil || printed != "rebuilt the facts of 10 clients\n" {
			t.Fatalf("rebuild: %v, printed %q", err, printed)
		}
		if printed, err := facts("verify"); err != nil || printed != clean {
			t.Errorf("verify after the rebuild: %v, printed %q", err, printed)
		}
		if got, _, _ := fc.row(t, tampered); got != strikes {
			t.Errorf("after the rebuild the strike count is %d, want %d", got, strikes)
		}
		fc.noDrift(t, "after the rebuild")

		// A database without this release's schema: refused, not migrated.
		bare := testdb.DSN(t, d)
		for _, sub := range []string{"verify", "rebuild"} {
			_, err := runCommand(t, c, out, "facts", sub, "-db", bare)
			if err == nil || !regexp.MustCompile("^the database lacks [0-9]+ migrations of this release: run `caseload migrate` first$").MatchString(err.Error()) {
				t.Errorf("facts %s on an unmigrated database: %v", sub, err)
			}
		}
		db, err := database.Open(context.Background(), bare, database.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if tables := tableNames(t, db); len(tables) > 1 { // the history table at most
			t.Errorf("facts on an unmigrated database created tables: %v", tables)
		}
	})
}

// TestFactsCatchUpAtStart: the server's start writes the rows that are
// missing or of an old version, so that they equal a recompute; on
// PostgreSQL two replicas starting at once on the database both start and
// serve, and one of them rebuilds (the advisory lock).
func TestFactsCatchUpAtStart(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		fc := newFactsCase(t, d)
		stale := func(t *testing.T) {
			t.Helper()
			fc.exec(t, "DELETE FROM client_facts WHERE client_id IN ("+strconv.Itoa(fc.north.ownClients[0].ID)+", "+strconv.Itoa(fc.south.otherClients[1].ID)+")")
			fc.exec(t, "UPDATE client_facts SET version = "+strconv.Itoa(caseload.FactsVersion-1)+" WHERE client_id = "+strconv.Itoa(fc.north.ownClients[2].ID))
			if drift, err := fc.s.main.DB.Facts.Verify(context.Background(), fc.s.main.DB.Ent, 0); err != nil || len(drift) != 3 {
				t.Fatalf("before the start: drift %v (%v), want the 3 stale rows", drift, err)
			}
		}
		t.Run("one server", func(t *testing.T) {
			stale(t)
			_, logs := startMain(t, fc.dsn)
			fc.noDrift(t, "after the start")
			if !strings.Contains(logs.String(), "facts projection") || !strings.Contains(logs.String(), "rebuilt=3 skipped=false") {
				t.Errorf("the start did not say it rebuilt the 3 rows:\n%s", logs)
			}
			// Nothing stale: a second start rebuilds nothing, and says nothing of it.
			_, logs = startMain(t, fc.dsn)
			if strings.Contains(logs.String(), "facts projection") {
				t.Errorf("a start with every row current logged a rebuild:\n%s", logs)
			}
		})
		// Two replicas on PostgreSQL, whose lock lets one rebuild; SQLite
		// serves one process, which rebuilds.
		t.Run("replicas", func(t *testing.T) {
			stale(t)
			n := 1
			if d == dialect.Postgres {
				n = 2
			}
			replicas := make([]*Main, n)
			logs := make([]*bytes.Buffer, n)
			for i := range replicas {
				replicas[i], logs[i] = mainOn(fc.dsn)
			}
			errs := openTogether(replicas)
			rebuilt := 0
			var answers []string
			for i, m := range replicas {
				if errs[i] != nil {
					t.Fatalf("replica %d: %v\n%s", i, errs[i], logs[i])
				}
				t.Cleanup(func() { m.Close() })
				switch printed := logs[i].String(); {
				case strings.Contains(printed, "rebuilt=3 skipped=false"):
					rebuilt++
				case strings.Contains(printed, "facts projection") && !strings.Contains(printed, "rebuilt=0 skipped=true"):
					t.Errorf("replica %d neither rebuilt the 3 rows nor skipped:\n%s", i, printed)
				}
				answers = append(answers, caseloadOf(t, m, fc.north))
			}
			if rebuilt != 1 {
				t.Errorf("%d of %d replicas rebuilt the 3 stale rows, want exactly one:\n%s", rebuilt, n, logs)
			}
			if len(slices.Compact(answers)) != 1 {
				t.Errorf("the replicas answer differently: %v", answers)
			}
			fc.noDrift(t, "after the replicas started")
		})
	})
}

// mainOn is the server of the tests that start it (replicas_test.go) on
// the database, migrating, with its log.
func mainOn(dsn string) (*Main, *bytes.Buffer) {
	logs := &bytes.Buffer{}
	return &Main{
		Config: &Config{DatabaseURL: dsn, Migrate: true, JWTSecret: []byte(strings.Repeat("f", 32)), TokenTTL: time.Hour},
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil)),
		Now:    utcNow,
	}, logs
}

// startMain opens the server on the database until the test ends.
func startMain(t *testing.T, dsn string) (*Main, *bytes.Buffer) {
	t.Helper()
	m, logs := mainOn(dsn)
	if err := m.Open(context.Background()); err != nil {
		t.Fatalf("start: %v\n%s", err, logs)
	}
	t.Cleanup(func() { m.Close() })
	return m, logs
}

// caseloadOf is what the server answers to MyCaseload for the practice's
// clinician, once it is ready: the clients and their strikes.
func caseloadOf(t *testing.T, m *Main, f *practiceFixture) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/readyz = %d %s", rec.Code, rec.Body)
	}
	doc, ok := operations.Get("MyCaseload")
	if !ok {
		t.Fatal("no operation MyCaseload")
	}
	s := &apiServer{t: t, main: m, handler: m.Handler(), logs: &bytes.Buffer{}}
	data := s.mustDo(s.token(f.clinicianUser), doc.Body, nil)
	var got struct {
		Clients struct {
			Edges []struct {
				Node struct {
					ID          string `json:"id"`
					StrikeCount int    `json:"strikeCount"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"clients"`
	}
	b, _ := json.Marshal(data)
	if err := json.Unmarshal(b, &got); err != nil || len(got.Clients.Edges) != len(f.ownClients) {
		t.Fatalf("MyCaseload: %v, %s; want the %d clients", err, b, len(f.ownClients))
	}
	return fmt.Sprint(got.Clients.Edges)
}
