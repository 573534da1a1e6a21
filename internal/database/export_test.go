package database

import (
	"context"

	"ariga.io/atlas/sql/migrate"
)

// ApplyMigrationsFrom applies the files of dir instead of the embedded
// ones: the tests' broken migration.
func (db *DB) ApplyMigrationsFrom(ctx context.Context, dir migrate.Dir) (Migrations, error) {
	return db.applyMigrations(ctx, dir)
}
