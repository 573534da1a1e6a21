package database_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"

	"github.com/caseload/caseload/internal/testdb"
)

// TestStatementTimeoutOnPostgres: every connection of the pool has the
// statement timeout, and a statement running longer is cancelled by the
// server (SQLSTATE 57014) while a shorter one completes.
func TestStatementTimeoutOnPostgres(t *testing.T) {
	db := testdb.Open(t, dialect.Postgres, testdb.Options{StatementTimeout: 300 * time.Millisecond})
	ctx := context.Background()

	// Hold three connections at once, so that they are three different ones.
	for i := 0; i < 3; i++ {
		conn, err := db.SQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		var setting string
		if err := conn.QueryRowContext(ctx, "SHOW statement_timeout").Scan(&setting); err != nil {
			t.Fatal(err)
		}
		if setting != "300ms" {
			t.Errorf("connection %d: statement_timeout = %q, want 300ms", i, setting)
		}
	}

	if _, err := db.SQL.ExecContext(ctx, "SELECT pg_sleep(0.05)"); err != nil {
		t.Errorf("a statement within the timeout: %v", err)
	}
	start := time.Now()
	_, err := db.SQL.ExecContext(ctx, "SELECT pg_sleep(5)")
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "57014" {
		t.Fatalf("a statement beyond the timeout: %v, want query_canceled (57014)", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("cancelled after %v, want about 300ms", took)
	}

}

// TestNoStatementTimeoutWhenZero keeps PostgreSQL's own default (none).
func TestNoStatementTimeoutWhenZero(t *testing.T) {
	db := testdb.Open(t, dialect.Postgres, testdb.Options{})
	var setting string
	if err := db.SQL.QueryRowContext(context.Background(), "SHOW statement_timeout").Scan(&setting); err != nil {
		t.Fatal(err)
	}
	if setting != "0" {
		t.Errorf("statement_timeout = %q, want 0", setting)
	}
}
