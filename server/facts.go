package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/caseload/caseload/internal/database"
)

// factsCommand is `caseload facts verify|rebuild [-practice N]`: it
// compares the facts projection (docs/facts.md) with a recompute from the
// histories, reporting each client that differs by id (never a name) and
// exiting non-zero on drift, or rewrites the rows from the histories.
func factsCommand(ctx context.Context, args []string, c *cli) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "rebuild") {
		return errors.New("usage: caseload facts verify|rebuild [-db URL] [-practice N]")
	}
	sub := args[0]
	var dsn string
	fs := commandFlags("facts "+sub, c, &dsn)
	practice := fs.Int("practice", 0, "only this practice's clients (0: every practice)")
	if err := parseCommandFlags(fs, args[1:]); err != nil {
		return err
	}
	db, err := openMigrated(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "rebuild" {
		n, err := db.Facts.Rebuild(ctx, db.Ent, *practice)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "rebuilt the facts of %d clients\n", n)
		return nil
	}
	drift, err := db.Facts.Verify(ctx, db.Ent, *practice)
	if err != nil {
		return err
	}
	for _, d := range drift {
		fmt.Fprintln(c.stdout, d)
	}
	if len(drift) > 0 {
		return fmt.Errorf("%d clients' facts differ from their histories: run `caseload facts rebuild`", len(drift))
	}
	fmt.Fprintln(c.stdout, "the facts of every client match their histories")
	return nil
}

// openMigrated opens the database of a command that needs this release's
// schema.
func openMigrated(ctx context.Context, dsn string) (*database.DB, error) {
	db, err := database.Open(ctx, dsn, database.Options{})
	if err != nil {
		return nil, err
	}
	if pending, err := db.PendingMigrations(ctx); err != nil {
		db.Close()
		return nil, err
	} else if len(pending) > 0 {
		db.Close()
		return nil, fmt.Errorf("the database lacks %d migrations of this release: run `caseload migrate` first", len(pending))
	}
	return db, nil
}
