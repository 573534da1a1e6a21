package database

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
)

// revisionsTable is the migration history: one row per applied migration.
// It has the name and columns of the Atlas CLI's own history table, so an
// operator may also inspect or drive the migrations with `atlas migrate`.
const revisionsTable = "atlas_schema_revisions"

// revisions reads and writes the history for Atlas's executor, on the
// connection or transaction a migration runs on. Its statements number
// their placeholders ($1), which both PostgreSQL and SQLite read.
type revisions struct {
	q       querier
	dialect string
}

var _ migrate.RevisionReadWriter = (*revisions)(nil)

// create makes the history table if it is missing. It is the one piece of
// DDL outside the migration files: the files' own bookkeeping.
func (r *revisions) create(ctx context.Context) error {
	ddl := `CREATE TABLE IF NOT EXISTS atlas_schema_revisions (
		version text NOT NULL PRIMARY KEY,
		description text NOT NULL,
		type integer NOT NULL DEFAULT 2,
		applied integer NOT NULL DEFAULT 0,
		total integer NOT NULL DEFAULT 0,
		executed_at datetime NOT NULL,
		execution_time integer NOT NULL,
		error text NULL,
		error_stmt text NULL,
		hash text NOT NULL,
		partial_hashes json NULL,
		operator_version text NOT NULL
	)`
	if r.dialect == dialect.Postgres {
		ddl = `CREATE TABLE IF NOT EXISTS atlas_schema_revisions (
			version character varying NOT NULL PRIMARY KEY,
			description character varying NOT NULL,
			type bigint NOT NULL DEFAULT 2,
			applied bigint NOT NULL DEFAULT 0,
			total bigint NOT NULL DEFAULT 0,
			executed_at timestamptz NOT NULL,
			execution_time bigint NOT NULL,
			error text NULL,
			error_stmt text NULL,
			hash character varying NOT NULL,
			partial_hashes jsonb NULL,
			operator_version character varying NOT NULL
		)`
	}
	if _, err := r.q.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("creating the migration history: %w", err)
	}
	return nil
}

// Ident names the history table (in the connection's current schema).
func (r *revisions) Ident() *migrate.TableIdent {
	return &migrate.TableIdent{Name: revisionsTable}
}

const revisionColumns = `version, description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version`

// ReadRevisions returns the history, oldest version first.
func (r *revisions) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+revisionColumns+` FROM atlas_schema_revisions ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("reading the migration history: %w", err)
	}
	defer rows.Close()
	var out []*migrate.Revision
	for rows.Next() {
		rev, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rev)
	}
	return out, rows.Err()
}

// ReadRevision returns the history row of a version, or
// migrate.ErrRevisionNotExist.
func (r *revisions) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+revisionColumns+` FROM atlas_schema_revisions WHERE version = $1`, version)
	if err != nil {
		return nil, fmt.Errorf("reading the migration history: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, migrate.ErrRevisionNotExist
	}
	return scanRevision(rows)
}

// WriteRevision inserts or replaces the history row of rev's version.
func (r *revisions) WriteRevision(ctx context.Context, rev *migrate.Revision) error {
	hashes, err := json.Marshal(rev.PartialHashes)
	if err != nil {
		return err
	}
	if rev.ExecutedAt.IsZero() {
		rev.ExecutedAt = time.Now()
	}
	_, err = r.q.ExecContext(ctx, `INSERT INTO atlas_schema_revisions (`+revisionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (version) DO UPDATE SET description = excluded.description, type = excluded.type,
			applied = excluded.applied, total = excluded.total, executed_at = excluded.executed_at,
			execution_time = excluded.execution_time, error = excluded.error, error_stmt = excluded.error_stmt,
			hash = excluded.hash, partial_hashes = excluded.partial_hashes, operator_version = excluded.operator_version`,
		rev.Version, rev.Description, int64(rev.Type), rev.Applied, rev.Total, rev.ExecutedAt.UTC(),
		int64(rev.ExecutionTime), nullString(rev.Error), nullString(rev.ErrorStmt), rev.Hash, string(hashes), rev.OperatorVersion)
	if err != nil {
		return fmt.Errorf("writing the migration history: %w", err)
	}
	return nil
}

// DeleteRevision removes the history row of a version.
func (r *revisions) DeleteRevision(ctx context.Context, version string) error {
	_, err := r.q.ExecContext(ctx, `DELETE FROM atlas_schema_revisions WHERE version = $1`, version)
	return err
}

func scanRevision(rows *sql.Rows) (*migrate.Revision, error) {
	var (
		rev            migrate.Revision
		typ, execution int64
		errText, stmt  sql.NullString
		hashes         sql.NullString
	)
	if err := rows.Scan(&rev.Version, &rev.Description, &typ, &rev.Applied, &rev.Total, &rev.ExecutedAt,
		&execution, &errText, &stmt, &rev.Hash, &hashes, &rev.OperatorVersion); err != nil {
		return nil, fmt.Errorf("reading the migration history: %w", err)
	}
	rev.Type = migrate.RevisionType(typ)
	rev.ExecutionTime = time.Duration(execution)
	rev.Error, rev.ErrorStmt = errText.String, stmt.String
	if hashes.Valid && hashes.String != "" && hashes.String != "null" {
		if err := json.Unmarshal([]byte(hashes.String), &rev.PartialHashes); err != nil {
			return nil, errors.New("reading the migration history: malformed partial_hashes")
		}
	}
	return &rev, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
