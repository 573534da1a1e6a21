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
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq" // PostgreSQL driver "postgres"
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite"

	"github.com/caseload/caseload/ent"
	_ "github.com/caseload/caseload/ent/runtime" // registers schema hooks and privacy policies
	"github.com/caseload/caseload/internal/facts/projection"
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
	// Facts keeps the facts projection (client_facts, docs/facts.md)
	// current: its hook is installed on Ent, so every write through it,
	// whoever makes it (the API, a command, a job), maintains the rows in
	// its own transaction.
	Facts *projection.Projection
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
	// IOTimeout bounds each read and write of a PostgreSQL connection
	// (faults.go): a database that stops answering fails the statement
	// after this long instead of holding it for as long as it is frozen.
	// 0 sets none (the commands, whose migrations may run long).
	IOTimeout time.Duration
}

// DefaultConnectTimeout is the connect_timeout of a PostgreSQL URL that
// sets none: how long opening a connection may take.
const DefaultConnectTimeout = 5 * time.Second

// IsPostgres reports whether url names a PostgreSQL database.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// SQLiteDSN returns the driver DSN for a SQLite database file at path, with
// the pragmas ent and concurrent requests need: foreign keys (ent's migration
// refuses to run without them), a busy timeout, WAL, and transactions that
// take the write lock at BEGIN so that concurrent writers queue instead of
// failing half way. synchronous is FULL: in WAL mode NORMAL does not sync
// the log at each commit, so a power loss could drop writes the API had
// already acknowledged (a signed note, a booking); FULL syncs every commit
// (BenchmarkSQLiteCommit measures the cost).
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
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
	db, err := openSQL(driverName, dialectName, source, opts.TracerProvider, opts.IOTimeout)
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
	client := ent.NewClient(ent.Driver(drv))
	proj := projection.New(dialectName)
	client.Use(proj.Hook())
	return &DB{Ent: client, SQL: db, Dialect: dialectName, Driver: drv, Facts: proj}, nil
}

// withSessionSettings adds run-time parameters to a PostgreSQL URL: lib/pq
// sends the parameters it does not know itself as run-time parameters when
// it opens each connection, so every connection of the pool (and every
// reconnection) has them. A setting already in the URL wins.
//
//   - connect_timeout (DefaultConnectTimeout), which lib/pq applies to
//     the dial and the startup of each connection: without it, a database
//     that accepts no connections holds a request as long as the kernel
//     retries;
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
	set("connect_timeout", strconv.Itoa(int(DefaultConnectTimeout/time.Second)))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Close closes the pool.
func (db *DB) Close() error { return db.Ent.Close() }
