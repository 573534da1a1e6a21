package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/testdb"
)

// TestReplicasStartTogetherOnAnEmptyDatabase: two replicas of the server
// started at the same moment on one empty PostgreSQL database both become
// ready, and each migration of the release is applied exactly once (the
// advisory lock; docs/migrations.md).
func TestReplicasStartTogetherOnAnEmptyDatabase(t *testing.T) {
	dsn := testdb.DSN(t, dialect.Postgres)
	replicas := make([]*Main, 2)
	for i := range replicas {
		replicas[i] = &Main{
			Config: &Config{DatabaseURL: dsn, Migrate: true, JWTSecret: []byte(strings.Repeat("r", 32)), TokenTTL: time.Hour},
			Logger: discardLogger(),
			Now:    utcNow,
		}
	}
	errs := openTogether(replicas)
	applied := map[string]int{}
	for i, m := range replicas {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		t.Cleanup(func() { m.Close() })
		for _, v := range m.Migrations.Applied {
			applied[v]++
		}
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		if rec.Code != http.StatusOK {
			t.Errorf("replica %d: /readyz = %d %s", i, rec.Code, rec.Body)
		}
	}
	dir, err := database.MigrationDir(dialect.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if applied[f.Version()] != 1 {
			t.Errorf("migration %s applied %d times by the two replicas, want once", f.Version(), applied[f.Version()])
		}
	}
	var rows int
	if err := replicas[0].DB.SQL.QueryRow(`SELECT COUNT(*) FROM atlas_schema_revisions`).Scan(&rows); err != nil || rows != len(files) {
		t.Errorf("history: %d rows (%v), want %d", rows, err, len(files))
	}
}

// openTogether opens the servers at the same moment, as replicas started
// together, and returns what each Open returned.
func openTogether(replicas []*Main) []error {
	errs := make([]error, len(replicas))
	var start, done sync.WaitGroup
	start.Add(1)
	for i, m := range replicas {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = m.Open(context.Background())
		}()
	}
	start.Done()
	done.Wait()
	return errs
}
