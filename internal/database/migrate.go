package database

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sync"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"
)

// migrationFiles are the versioned migrations, one directory per dialect,
// each with Atlas's atlas.sum. They are written by
// `go run ./internal/database/newmigration -name NAME` (docs/migrations.md)
// and reviewed like code; a released file is never edited.
//
//go:embed migrations
var migrationFiles embed.FS

// MigrationDir returns the migration directory of a dialect (dialect.SQLite
// or dialect.Postgres) as Atlas reads it.
func MigrationDir(dialectName string) (*migrate.MemDir, error) {
	root := path.Join("migrations", dirName(dialectName))
	entries, err := fs.ReadDir(migrationFiles, root)
	if err != nil {
		return nil, fmt.Errorf("reading the %s migrations: %w", dialectName, err)
	}
	dir := &migrate.MemDir{}
	for _, e := range entries {
		b, err := fs.ReadFile(migrationFiles, path.Join(root, e.Name()))
		if err != nil {
			return nil, err
		}
		if err := dir.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	if err := migrate.Validate(dir); err != nil {
		return nil, fmt.Errorf("the %s migrations do not match their atlas.sum: %w", dialectName, err)
	}
	return dir, nil
}

// dirName is the directory of a dialect's migrations.
func dirName(dialectName string) string {
	if dialectName == dialect.Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Migrations is what Migrate found and did.
type Migrations struct {
	// Applied are the versions this call applied, oldest first.
	Applied []string
	// Baselined is the version recorded as already applied to a database
	// that an earlier release created without versioned migrations.
	Baselined string
	// Current is the database's version afterwards.
	Current string
	// Newer is set when the database holds a version this binary does not
	// know: a newer release migrated it (see Migrate).
	Newer string
}

// Migrate brings the schema to this release's newest migration. It is safe
// to run at every start and from several replicas at once: on PostgreSQL
// the replicas queue on an advisory lock of the database's schema, and the
// first one applies what is pending; the others find nothing left to do.
// Each migration file runs in one transaction, so a failure leaves the
// schema at the version before it, and its history row records nothing
// half done.
//
// A database that an earlier release created without versioned migrations
// (its tables exist but its history does not) is recorded at the first
// migration, which is that release's schema, and upgraded from there.
//
// A database already at a newer version than this binary knows (a replica
// of the previous release restarting during a rolling upgrade) is left
// alone: migrations keep the previous release working (expand, then
// contract), so refusing to start would only turn an upgrade into an
// outage. Migrations.Newer says so, and the server logs it.
func (db *DB) Migrate(ctx context.Context) error {
	_, err := db.ApplyMigrations(ctx)
	return err
}

// ApplyMigrations is Migrate, reporting what it did.
func (db *DB) ApplyMigrations(ctx context.Context) (Migrations, error) {
	dir, err := MigrationDir(db.Dialect)
	if err != nil {
		return Migrations{}, err
	}
	out, err := db.applyMigrations(ctx, dir)
	if err == nil {
		// The schema is this release's: the facts projection's table is there.
		db.Facts.Enable()
	}
	return out, err
}

// applyMigrations applies the files of dir (the tests give it others).
func (db *DB) applyMigrations(ctx context.Context, dir migrate.Dir) (Migrations, error) {
	var out Migrations
	files, err := dir.Files()
	if err != nil {
		return out, err
	}
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return out, fmt.Errorf("migrating: %w", err)
	}
	defer conn.Close()
	unlock, err := db.lockMigrations(ctx, conn)
	if err != nil {
		return out, err
	}
	defer unlock()

	history := &revisions{q: conn, dialect: db.Dialect}
	if err := history.create(ctx); err != nil {
		return out, err
	}
	revs, err := history.ReadRevisions(ctx)
	if err != nil {
		return out, err
	}
	if len(revs) == 0 && len(files) > 0 {
		legacy, err := tableExists(ctx, conn, db.Dialect, "practices")
		if err != nil {
			return out, err
		}
		if legacy {
			first := files[0]
			rev := &migrate.Revision{Version: first.Version(), Description: first.Desc(), Type: migrate.RevisionTypeBaseline, OperatorVersion: operator}
			if err := history.WriteRevision(ctx, rev); err != nil {
				return out, err
			}
			out.Baselined = first.Version()
			revs = append(revs, rev)
		}
	}
	pending, newer := pendingFiles(files, revs)
	out.Newer = newer
	for _, f := range pending {
		if err := db.applyFile(ctx, conn, dir, f); err != nil {
			return out, err
		}
		out.Applied = append(out.Applied, f.Version())
	}
	out.Current = currentVersion(revs, out.Applied)
	return out, nil
}

// PendingMigrations returns the versions this release would apply: the
// check of a replica started with -migrate=false.
func (db *DB) PendingMigrations(ctx context.Context) ([]string, error) {
	dir, err := MigrationDir(db.Dialect)
	if err != nil {
		return nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	history := &revisions{q: db.SQL, dialect: db.Dialect}
	exists, err := tableExists(ctx, db.SQL, db.Dialect, revisionsTable)
	if err != nil {
		return nil, err
	}
	var revs []*migrate.Revision
	if exists {
		if revs, err = history.ReadRevisions(ctx); err != nil {
			return nil, err
		}
	}
	pending, _ := pendingFiles(files, revs)
	versions := make([]string, len(pending))
	for i, f := range pending {
		versions[i] = f.Version()
	}
	if len(versions) == 0 {
		db.Facts.Enable() // the schema is this release's (see Migrate)
	}
	return versions, nil
}

// pendingFiles returns the files after the newest fully applied revision
// (and the one partially applied, if any: Atlas resumes it), and the
// version of a revision newer than every file, if there is one.
func pendingFiles(files []migrate.File, revs []*migrate.Revision) (pending []migrate.File, newer string) {
	if len(revs) == 0 {
		return files, ""
	}
	last := revs[len(revs)-1]
	if len(files) == 0 || last.Version > files[len(files)-1].Version() {
		return nil, last.Version
	}
	for _, f := range files {
		switch {
		case f.Version() > last.Version:
			pending = append(pending, f)
		case f.Version() == last.Version && last.Applied < last.Total:
			pending = append(pending, f)
		}
	}
	return pending, ""
}

func currentVersion(revs []*migrate.Revision, applied []string) string {
	if len(applied) > 0 {
		return applied[len(applied)-1]
	}
	if len(revs) > 0 {
		return revs[len(revs)-1].Version
	}
	return ""
}

// operator is what the history records as having applied a migration.
const operator = "caseload"

// applyFile runs one migration file in one transaction, with its history
// row written in the same transaction.
func (db *DB) applyFile(ctx context.Context, conn *sql.Conn, dir migrate.Dir, f migrate.File) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", f.Name(), err)
	}
	defer func() { _ = tx.Rollback() }()
	history := &revisions{q: tx, dialect: db.Dialect}
	// Another process may have applied it between our reading the
	// history and our transaction (SQLite has no advisory lock).
	if r, err := history.ReadRevision(ctx, f.Version()); err == nil && r.Applied == r.Total && r.Error == "" {
		return nil
	}
	var drv migrate.Driver
	if db.Dialect == dialect.Postgres {
		// A migration may rewrite a large table: the requests' statement
		// timeout is not its measure.
		if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
			return err
		}
		drv, err = postgres.Open(tx)
	} else {
		drv, err = sqlite.Open(tx)
	}
	if err != nil {
		return err
	}
	ex, err := migrate.NewExecutor(drv, dir, history, migrate.WithOperatorVersion(operator))
	if err != nil {
		return err
	}
	if err := ex.Execute(ctx, f); err != nil {
		return fmt.Errorf("migration %s: %w", f.Name(), err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: %w", f.Name(), err)
	}
	return nil
}

// sqliteMigrations serialises the migrations of one process (tests open
// many databases at once; a SQLite file has one writer at a time anyway,
// and each file's transaction takes the write lock at BEGIN).
var sqliteMigrations sync.Mutex

// lockMigrations holds PostgreSQL's advisory lock of the current schema on
// conn until the returned function is called. Replicas of one deployment
// share it; another deployment in another schema of the same database
// (the tests) does not wait.
func (db *DB) lockMigrations(ctx context.Context, conn *sql.Conn) (func(), error) {
	if db.Dialect != dialect.Postgres {
		sqliteMigrations.Lock()
		return sqliteMigrations.Unlock, nil
	}
	const key = `hashtext('caseload migrations ' || current_schema())`
	// Polled rather than waited for in one statement: the connection's
	// statement_timeout would cancel a wait longer than it.
	for {
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+key+`)`).Scan(&got); err != nil {
			return nil, fmt.Errorf("taking the migration lock: %w", err)
		}
		if got {
			break
		}
		// Another replica is migrating: wait for it, then find nothing to do.
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for another replica's migration: %w", ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
	return func() {
		// A fresh context: the lock must go even when ctx has ended (and
		// closing the connection would release it anyway).
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`)
	}, nil
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tableExists reports whether the current schema has the table.
func tableExists(ctx context.Context, q querier, dialectName, table string) (bool, error) {
	query := `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = $1`
	if dialectName == dialect.Postgres {
		query = `SELECT to_regclass($1) IS NOT NULL`
	}
	var exists bool
	if err := q.QueryRowContext(ctx, query, table).Scan(&exists); err != nil {
		return false, fmt.Errorf("inspecting the schema: %w", err)
	}
	return exists, nil
}
