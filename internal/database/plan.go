package database

import (
	"context"
	"fmt"
	"sync"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	"entgo.io/ent/dialect"
	entschema "entgo.io/ent/dialect/sql/schema"

	entmigrate "github.com/caseload/caseload/ent/migrate"
)

// PlanMigration writes to dir, as a new migration file named name, what
// the ent schema has that the migrations in dir do not: ent's versioned
// migration in replay mode, on dev, a scratch database (a DSN as Open takes
// it) whose current schema is empty. Atlas replays dir there, compares the
// result with the ent schema as the database itself would normalise it, and
// drops what it created. It writes nothing and returns false when the two
// agree. A PostgreSQL dev URL must name its schema with search_path: Atlas
// then inspects that schema alone.
//
// The developer's command `go run ./internal/database/newmigration` calls
// it; the tests call it on a copy of the committed directory and fail when
// it finds anything, so a schema change cannot land without its migration.
func PlanMigration(ctx context.Context, dev string, dir migrate.Dir, name string) (bool, error) {
	before, err := dir.Files()
	if err != nil {
		return false, err
	}
	opts := []entschema.MigrateOption{
		entschema.WithDir(dir),
		entschema.WithMigrationMode(entschema.ModeReplay),
		entschema.WithFormatter(migrate.DefaultFormatter),
		entschema.WithDropIndex(true),
		entschema.WithDropColumn(true),
		entschema.WithDiffHook(planningFilter),
	}
	var m *entschema.Atlas
	if IsPostgres(dev) {
		m, err = entschema.NewMigrateURL(dev, opts...)
	} else {
		var db *DB
		if db, err = Open(ctx, dev, Options{}); err != nil {
			return false, err
		}
		defer db.Close()
		m, err = entschema.NewMigrate(db.Driver, append(opts, entschema.WithDialect(dialect.SQLite))...)
	}
	if err != nil {
		return false, fmt.Errorf("planning a migration: %w", err)
	}
	// ent's migration writes package-level table descriptions.
	planMu.Lock()
	defer planMu.Unlock()
	if err := m.NamedDiff(ctx, name, entmigrate.Tables...); err != nil {
		return false, fmt.Errorf("planning a migration: %w", err)
	}
	after, err := dir.Files()
	if err != nil {
		return false, err
	}
	return len(after) != len(before), nil
}

var planMu sync.Mutex

// planningFilter leaves out of a planned migration the drop of every
// exclusion constraint: ent cannot declare one, so each one there is was
// added by a hand-written migration (the no-double-booking guarantee) and
// is meant to stay. It runs only when a migration is planned (the
// developer's command and the test that the migrations match the schema),
// never at a server's start.
func planningFilter(next entschema.Differ) entschema.Differ {
	return entschema.DiffFunc(func(current, desired *atlas.Schema) ([]atlas.Change, error) {
		changes, err := next.Diff(current, desired)
		if err != nil {
			return nil, err
		}
		out := changes[:0]
		for _, c := range changes {
			if mt, ok := c.(*atlas.ModifyTable); ok {
				mt.Changes = withoutExclusionDrops(mt.Changes)
				if len(mt.Changes) == 0 {
					continue
				}
			}
			out = append(out, c)
		}
		return out, nil
	})
}

// withoutExclusionDrops removes the drops of exclusion constraints.
func withoutExclusionDrops(changes []atlas.Change) []atlas.Change {
	out := changes[:0:0]
	for _, c := range changes {
		if d, ok := c.(*atlas.DropIndex); ok && isExclusion(d.I) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func isExclusion(i *atlas.Index) bool {
	for _, a := range i.Attrs {
		if c, ok := a.(*postgres.Constraint); ok && c.IsExclude() {
			return true
		}
	}
	return false
}
