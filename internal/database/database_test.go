package database

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestSQLiteFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "caseload.db")
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, filepath.Dir(path)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v: readable by others", p, perm)
		}
	}
}

func TestIsPostgres(t *testing.T) {
	for url, want := range map[string]bool{
		"postgres://u@h/db":   true,
		"postgresql://u@h/db": true,
		"data/caseload.db":    false,
		"sqlite:x.db":         false,
	} {
		if got := IsPostgres(url); got != want {
			t.Errorf("IsPostgres(%q) = %v, want %v", url, got, want)
		}
	}
}

// TestSQLiteSyncsEveryCommit: every connection of the pool runs with
// synchronous=FULL (2), so an acknowledged write survives a power loss.
func TestSQLiteSyncsEveryCommit(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "caseload.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// Hold several connections at once, so the pragma is seen on each.
	var conns []*sql.Conn
	for range 3 {
		c, err := db.SQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		var mode int
		if err := c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != 2 {
			t.Errorf("connection %d: synchronous = %d, want 2 (FULL)", i, mode)
		}
		var journal string
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal); err != nil || journal != "wal" {
			t.Errorf("connection %d: journal_mode = %q (%v), want wal", i, journal, err)
		}
		c.Close()
	}
}

// BenchmarkSQLiteCommit is the cost of a small committed write, the price
// of synchronous=FULL (one sync of the log per commit).
func BenchmarkSQLiteCommit(b *testing.B) {
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "caseload.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.SQL.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := db.SQL.ExecContext(ctx, "INSERT INTO t (v) VALUES (?)", fmt.Sprint(i)); err != nil {
			b.Fatal(err)
		}
	}
}
