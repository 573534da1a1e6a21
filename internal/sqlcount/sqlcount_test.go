package sqlcount_test

import (
	"context"
	"testing"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/caseload/caseload/internal/sqlcount"
	"github.com/caseload/caseload/internal/testdb"
)

// TestCountsPerContext: statements are counted in the counter of their own
// context, in and out of transactions; a context without one counts nowhere.
func TestCountsPerContext(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		db := testdb.Open(t, dialectName, testdb.Options{WrapDriver: sqlcount.Wrap})
		a, b := &sqlcount.Counter{}, &sqlcount.Counter{}
		ctxA, ctxB := sqlcount.NewContext(context.Background(), a), sqlcount.NewContext(context.Background(), b)
		var rows entsql.Rows
		for _, ctx := range []context.Context{ctxA, ctxA, ctxB, context.Background()} {
			if err := db.Driver.Query(ctx, "SELECT 1", []any{}, &rows); err != nil {
				t.Fatal(err)
			}
			rows.Close()
		}
		tx, err := db.Driver.Tx(ctxB)
		if err != nil {
			t.Fatal(err)
		}
		var res entsql.Result
		if err := tx.Exec(ctxB, "SELECT 1", []any{}, &res); err != nil {
			t.Fatal(err)
		}
		if err := tx.Query(ctxB, "SELECT 1", []any{}, &rows); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if a.Count() != 2 || b.Count() != 3 {
			t.Errorf("counts: a %d, b %d; want 2 and 3", a.Count(), b.Count())
		}
		if sqlcount.FromContext(context.Background()) != nil {
			t.Error("a bare context has a counter")
		}
	})
}
