// Package database opens the data layer on the embedded SQLite default or on
// PostgreSQL, and migrates its schema. It is the only importer of the SQL
// drivers.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	atlas "ariga.io/atlas/sql/schema"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	entschema "entgo.io/ent/dialect/sql/schema"
	_ "github.com/lib/pq" // PostgreSQL driver "postgres"
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite"

	"github.com/caseload/caseload/ent"
	_ "github.com/caseload/caseload/ent/runtime" // registers schema hooks and privacy policies
)

// DB is an open database with its ent client.
type DB struct {
	// Ent is the ent client every request goes through.
	Ent *ent.Client
	// SQL is the connection pool underneath, for readiness pings.
	SQL *sql.DB
	// Dialect is dialect.SQLite or dialect.Postgres.
	Dialect string
	// Driver is the ent driver under Ent (wrapped by Options.WrapDriver),
	// for the aggregate SQL of the metrics, which ent does not express.
	Driver dialect.Driver
}

// Options tune how a database is opened.
type Options struct {
	// WrapDriver, if set, wraps the ent driver (tests count statements with it).
	WrapDriver func(dialect.Driver) dialect.Driver
	// MaxOpenConns caps the pool (PostgreSQL); 0 keeps the default of 20.
	MaxOpenConns int
	// StatementTimeout makes PostgreSQL cancel any statement that runs
	// longer (its statement_timeout, set on every connection); 0 sets
	// none. SQLite has no such setting: its busy timeout (SQLiteDSN) bounds
	// the wait for the write lock, and queries stop when their request's
	// context ends.
	StatementTimeout time.Duration
	// TracerProvider, if set, gives every SQL statement a span (tracing.go).
	TracerProvider trace.TracerProvider
}

// IsPostgres reports whether url names a PostgreSQL database.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// SQLiteDSN returns the driver DSN for a SQLite database file at path, with
// the pragmas ent and concurrent requests need: foreign keys (ent's migration
// refuses to run without them), a busy timeout, WAL, and transactions that
// take the write lock at BEGIN so that concurrent writers queue instead of
// failing half way.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open opens the database named by dsn: a postgres:// URL selects PostgreSQL,
// anything else is the path of a SQLite file (created if missing).
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	driverName, dialectName := "sqlite", dialect.SQLite
	var source string
	if IsPostgres(dsn) {
		driverName, dialectName = "postgres", dialect.Postgres
		var err error
		if source, err = withSessionSettings(dsn, opts.StatementTimeout); err != nil {
			return nil, err
		}
	} else {
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:")
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("creating database directory: %w", err)
			}
		}
		// Clinical data: the file (and the WAL files SQLite derives from
		// it) is readable by the server's user only.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("creating database file: %w", err)
		}
		f.Close()
		source = SQLiteDSN(path)
	}
	db, err := openSQL(driverName, dialectName, source, opts.TracerProvider)
	if err != nil {
		return nil, fmt.Errorf("opening %s database: %w", dialectName, err)
	}
	if dialectName == dialect.Postgres {
		maxOpen := opts.MaxOpenConns
		if maxOpen == 0 {
			maxOpen = 20
		}
		db.SetMaxOpenConns(maxOpen)
		db.SetMaxIdleConns(maxOpen)
		db.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		// One writer at a time is SQLite's model; a few readers share WAL.
		db.SetMaxOpenConns(8)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to %s database: %w", dialectName, err)
	}
	var drv dialect.Driver = entsql.OpenDB(dialectName, db)
	if opts.WrapDriver != nil {
		drv = opts.WrapDriver(drv)
	}
	return &DB{Ent: ent.NewClient(ent.Driver(drv)), SQL: db, Dialect: dialectName, Driver: drv}, nil
}

// withSessionSettings adds run-time parameters to a PostgreSQL URL: lib/pq
// sends the parameters it does not know itself as run-time parameters when
// it opens each connection, so every connection of the pool (and every
// reconnection) has them. A setting already in the URL wins.
//
//   - statement_timeout, when d > 0;
//   - jit=off: the server's JIT compiler costs hundreds of milliseconds per
//     statement whose estimated cost passes jit_above_cost (the practice
//     metrics at a year of a large practice) and pays off only on queries
//     running for seconds, which this API does not serve.
func withSessionSettings(dsn string, d time.Duration) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		// The error would quote the URL, password and all.
		return "", errors.New("the PostgreSQL URL is not a valid URL")
	}
	q := u.Query()
	set := func(name, value string) {
		if !q.Has(name) && !strings.Contains(q.Get("options"), name) {
			q.Set(name, value)
		}
	}
	if d > 0 {
		ms := (d + time.Millisecond - 1) / time.Millisecond
		set("statement_timeout", strconv.FormatInt(int64(ms), 10))
	}
	set("jit", "off")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Migrate creates or upgrades the schema. It is safe to run at every start
// and from several replicas (ent only adds what is missing).
func (db *DB) Migrate(ctx context.Context) error {
	// ent's migration writes package-level table descriptions: two at once
	// in one process race (seen under -race with parallel tests).
	migrateMu.Lock()
	defer migrateMu.Unlock()
	if err := db.Ent.Schema.Create(ctx, entschema.WithDiffHook(keepPartialIndexes)); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	for _, stmt := range retiredIndexes {
		if _, err := db.SQL.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("dropping a retired index: %w", err)
		}
	}
	if db.Dialect == dialect.Postgres {
		for _, stmt := range postgresConstraints {
			if _, err := db.SQL.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("adding constraints: %w", err)
			}
		}
	}
	return nil
}

// retiredIndexes drops the indexes an earlier schema declared and the
// current one replaced (ent's migration adds indexes, never drops them):
// each costs every write to its table and serves no query.
// appointment_clinician_id_starts_at gave way to
// appointment_practice_id_clinician_id_starts_at (docs/explain.md).
var retiredIndexes = []string{
	`DROP INDEX IF EXISTS appointment_clinician_id_starts_at`,
}

// postgresConstraints guarantee under concurrent requests what the
// appointment hook checks: no clinician and no client is ever double-booked.
// Ranges of the ids stand in for equality, so that the built-in GiST
// operator classes suffice (no btree_gist extension to install). Cancelled
// sessions free their slot.
var postgresConstraints = []string{
	`DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'appointments_clinician_no_overlap' AND connamespace = to_regnamespace(current_schema())) THEN
			ALTER TABLE appointments ADD CONSTRAINT appointments_clinician_no_overlap EXCLUDE USING gist
				(int8range(clinician_id, clinician_id, '[]') WITH &&, tstzrange(starts_at, ends_at) WITH &&)
				WHERE (status <> 'CANCELED');
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'appointments_client_no_overlap' AND connamespace = to_regnamespace(current_schema())) THEN
			ALTER TABLE appointments ADD CONSTRAINT appointments_client_no_overlap EXCLUDE USING gist
				(int8range(client_id, client_id, '[]') WITH &&, tstzrange(starts_at, ends_at) WITH &&)
				WHERE (status <> 'CANCELED');
		END IF;
	END $$`,
}

var migrateMu sync.Mutex

// keepPartialIndexes leaves out of a migration the rebuild of an existing
// partial index (a unique index with a WHERE clause: the one note per
// session, the one open new-client request per clinician) whose columns and
// uniqueness are as declared. PostgreSQL keeps an index's predicate in its
// own normal form ("((kind)::text = ANY (ARRAY[...]))"), never the text
// ent declares, so the migration saw a change at every start and dropped
// and rebuilt the index, locking its table against writes meanwhile. To
// change a predicate, give the index a new name.
func keepPartialIndexes(next entschema.Differ) entschema.Differ {
	return entschema.DiffFunc(func(current, desired *atlas.Schema) ([]atlas.Change, error) {
		changes, err := next.Diff(current, desired)
		if err != nil {
			return nil, err
		}
		out := changes[:0]
		for _, c := range changes {
			if mt, ok := c.(*atlas.ModifyTable); ok {
				mt.Changes = withoutIndexRebuilds(mt.Changes)
				if len(mt.Changes) == 0 {
					continue
				}
			}
			out = append(out, c)
		}
		return out, nil
	})
}

// withoutIndexRebuilds removes from a table's changes the modifications of
// an index that keep its name, columns and uniqueness, whether the plan
// states them as one change or as a drop and an add.
func withoutIndexRebuilds(changes []atlas.Change) []atlas.Change {
	dropped := map[string]*atlas.Index{}
	for _, c := range changes {
		if d, ok := c.(*atlas.DropIndex); ok {
			dropped[d.I.Name] = d.I
		}
	}
	rebuilt := map[string]bool{}
	for _, c := range changes {
		if a, ok := c.(*atlas.AddIndex); ok && dropped[a.I.Name] != nil && sameIndex(dropped[a.I.Name], a.I) {
			rebuilt[a.I.Name] = true
		}
	}
	out := changes[:0:0]
	for _, c := range changes {
		switch c := c.(type) {
		case *atlas.ModifyIndex:
			if c.Change == atlas.ChangeAttr && c.From.Name == c.To.Name && sameIndex(c.From, c.To) {
				continue
			}
		case *atlas.DropIndex:
			if rebuilt[c.I.Name] {
				continue
			}
		case *atlas.AddIndex:
			if rebuilt[c.I.Name] {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// sameIndex reports whether two indexes have the same uniqueness and columns.
func sameIndex(a, b *atlas.Index) bool {
	if a.Unique != b.Unique || len(a.Parts) != len(b.Parts) {
		return false
	}
	for i := range a.Parts {
		pa, pb := a.Parts[i], b.Parts[i]
		if (pa.C == nil) != (pb.C == nil) || (pa.C != nil && pa.C.Name != pb.C.Name) || pa.Desc != pb.Desc {
			return false
		}
	}
	return true
}

// Close closes the pool.
func (db *DB) Close() error { return db.Ent.Close() }
