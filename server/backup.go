package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/caseload/caseload/internal/database"
)

// backupCommand is `caseload backup -o FILE`: a consistent copy of the
// SQLite database, taken with VACUUM INTO while the server may be running
// (it reads one snapshot; writers are not held up), then checked with
// PRAGMA integrity_check. The file is created, mode 0600, and never
// overwritten. PostgreSQL is backed up with pg_dump (docs/deploy.md).
func backupCommand(ctx context.Context, args []string, c *cli) error {
	var dsn, out string
	fs := commandFlags("backup", c, &dsn)
	fs.StringVar(&out, "o", "", "the backup file to create (it must not exist)")
	if err := parseCommandFlags(fs, args); err != nil {
		return err
	}
	if database.IsPostgres(dsn) {
		return errors.New("caseload backup copies the embedded SQLite database; back up PostgreSQL with pg_dump:\n" +
			"  pg_dump --format=custom --file=caseload.dump \"$DATABASE_URL\"\n" +
			"and restore it with pg_restore (docs/deploy.md, Backups and restore)")
	}
	if out == "" {
		return errors.New("backup: name the file to create with -o FILE")
	}
	if _, err := os.Stat(dsn); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: no database at %s (-db or DATABASE_URL names it)", dsn)
	} else if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	began := time.Now()
	if err := backupSQLite(ctx, dsn, out); err != nil {
		return err
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "backed up %s to %s (%d bytes, integrity ok, %v)\n", dsn, out, st.Size(), time.Since(began).Round(time.Millisecond))
	return nil
}

// backupSQLite writes the database at path into the new file out.
func backupSQLite(ctx context.Context, path, out string) (err error) {
	// Created here, empty, so that it is the server user's alone (VACUUM
	// INTO accepts an empty file) and an existing file is never replaced.
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("backup: %s exists; name a new file", out)
		}
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(out) // no half-written backup left to be trusted
		}
	}()
	src, err := database.Open(ctx, path, database.Options{})
	if err != nil {
		return err
	}
	defer src.Close()
	if _, err := src.SQL.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		return fmt.Errorf("backup: VACUUM INTO: %w", err)
	}
	return checkIntegrity(ctx, out)
}

// checkIntegrity runs PRAGMA integrity_check on the SQLite file at path.
func checkIntegrity(ctx context.Context, path string) error {
	db, err := database.Open(ctx, path, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.SQL.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("backup: checking the copy: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("backup: the copy fails PRAGMA integrity_check: %s", result)
	}
	return nil
}
