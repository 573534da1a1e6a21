// Command newmigration writes the next versioned migration for both
// databases after a change to ent/schema (and `go generate ./ent`):
//
//	go run ./internal/database/newmigration -name add_consent_to_caregivers
//
// For each dialect it replays the committed migrations on a scratch
// database, compares the result with the ent schema, and writes what
// differs as a new file in internal/database/migrations/<dialect>, with
// atlas.sum brought up to date. The PostgreSQL scratch database is a
// temporary schema on the server named by CASELOAD_DEV_DATABASE_URL (by
// default the local one), dropped afterwards; SQLite's is a temporary file.
// Review the files as code: Atlas writes what the schema says, and a rename
// or a data move needs a hand (docs/migrations.md). After adding or editing
// a file by hand, `-hash` brings atlas.sum up to date.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/database"
)

const defaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

func main() {
	name := flag.String("name", "", "what the migration does, in snake_case (required unless -hash)")
	root := flag.String("dir", "internal/database/migrations", "the migrations directory")
	hash := flag.Bool("hash", false, "only bring each atlas.sum up to date, after writing a migration file by hand")
	flag.Parse()
	var err error
	if *hash {
		err = rehash(*root)
	} else {
		err = run(context.Background(), *name, *root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "newmigration:", err)
		os.Exit(1)
	}
}

var validName = regexp.MustCompile(`^[a-z][a-z0-9_]{2,60}$`)

func run(ctx context.Context, name, root string) error {
	if !validName.MatchString(name) {
		return errors.New("-name must be snake_case, 3 to 61 characters, such as add_consent_to_caregivers")
	}
	pg := os.Getenv("CASELOAD_DEV_DATABASE_URL")
	if pg == "" {
		pg = defaultPostgres
	}
	for _, d := range []string{dialect.Postgres, dialect.SQLite} {
		sub := "sqlite"
		if d == dialect.Postgres {
			sub = "postgres"
		}
		path := filepath.Join(root, sub)
		if err := os.MkdirAll(path, 0o755); err != nil {
			return err
		}
		dir, err := migrate.NewLocalDir(path)
		if err != nil {
			return err
		}
		changed, err := plan(ctx, d, pg, dir, name)
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		if changed {
			fmt.Printf("%s: wrote a new migration in %s\n", d, path)
		} else {
			fmt.Printf("%s: the migrations already match the ent schema\n", d)
		}
	}
	return nil
}

// rehash rewrites atlas.sum of each dialect's directory over its files,
// as `atlas migrate hash` does: after a file written by hand (a data
// migration, or DDL that ent cannot express) is added.
func rehash(root string) error {
	for _, sub := range []string{"postgres", "sqlite"} {
		dir, err := migrate.NewLocalDir(filepath.Join(root, sub))
		if err != nil {
			return err
		}
		sum, err := dir.Checksum()
		if err != nil {
			return err
		}
		if err := migrate.WriteSumFile(dir, sum); err != nil {
			return err
		}
		fmt.Printf("%s: atlas.sum covers %d files\n", sub, len(sum))
	}
	return nil
}

// plan runs database.PlanMigration on a scratch database of the dialect.
func plan(ctx context.Context, d, pg string, dir migrate.Dir, name string) (bool, error) {
	var dsn string
	if d == dialect.SQLite {
		tmp, err := os.MkdirTemp("", "caseload-newmigration-")
		if err != nil {
			return false, err
		}
		defer os.RemoveAll(tmp)
		dsn = filepath.Join(tmp, "dev.db")
	} else {
		scratch, drop, err := scratchSchema(ctx, pg)
		if err != nil {
			return false, err
		}
		defer drop()
		dsn = scratch
	}
	return database.PlanMigration(ctx, dsn, dir, name)
}

// scratchSchema creates an empty schema on the server and returns a URL
// whose search_path is that schema, and a function that drops it.
func scratchSchema(ctx context.Context, base string) (string, func(), error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "caseload_dev_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("postgres", base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("creating a scratch schema (is PostgreSQL running? set CASELOAD_DEV_DATABASE_URL): %w", err)
	}
	drop := func() {
		_, _ = admin.ExecContext(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, errors.New("CASELOAD_DEV_DATABASE_URL is not a valid URL")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}
