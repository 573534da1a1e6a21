package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/caseload/caseload/ent/practice"
	"github.com/caseload/caseload/ent/privacy"
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
	practiceID := fs.Int("practice", 0, "only this practice's clients (0: every practice)")
	if err := parseCommandFlags(fs, args[1:]); err != nil {
		return err
	}
	if *practiceID < 0 {
		return fmt.Errorf("-practice must be a practice's id, or 0 for every practice, not %d", *practiceID)
	}
	db, err := openMigrated(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// A practice that does not exist has no clients: without this check a
	// mistyped id would verify as matching.
	if *practiceID != 0 {
		found, err := db.Ent.Practice.Query().Where(practice.ID(*practiceID)).Exist(privacy.DecisionContext(ctx, privacy.Allow))
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("no practice %d", *practiceID)
		}
	}
	if sub == "rebuild" {
		n, err := db.Facts.Rebuild(ctx, db.Ent, *practiceID)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "rebuilt the facts of %d clients\n", n)
		return nil
	}
	drift, err := db.Facts.Verify(ctx, db.Ent, *practiceID)
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
