package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/caseload/caseload/internal/database"
)

// cli is what a command reads and writes: the environment, the standard
// streams, and whether a person is at a terminal to answer questions.
type cli struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	// interactive is true when stdin is a terminal.
	interactive bool
	// readPassword reads a line from stdin without echoing it.
	readPassword func() (string, error)
}

// osCLI is the cli of the process.
func osCLI() *cli {
	fd := int(os.Stdin.Fd()) //nolint:gosec // a file descriptor fits an int
	return &cli{
		getenv:      os.Getenv,
		stdin:       os.Stdin,
		stdout:      os.Stdout,
		stderr:      os.Stderr,
		interactive: term.IsTerminal(fd),
		readPassword: func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		},
	}
}

// command is one subcommand of the binary.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, args []string, c *cli) error
}

// commands are the subcommands, in the order `caseload help` lists them.
func commands() []command {
	return []command{
		{"serve", "[flags]", "serve the API (the default command; `caseload serve -h` lists the flags)", func(ctx context.Context, args []string, c *cli) error {
			return run(ctx, args, c.getenv, c.stdout)
		}},
		{"migrate", "[-db URL]", "apply the schema migrations and exit", migrateCommand},
		{"bootstrap", "[-db URL]", "create the first practice and its admin, from CASELOAD_BOOTSTRAP_* or by asking at a terminal", bootstrapCommand},
		{"prune-audit", "[-db URL] [-audit-retention 6y]", "delete the audit events older than the retention period, as the server does daily", pruneAuditCommand},
		{"facts", "verify|rebuild [-db URL] [-practice N]", "compare the facts projection with the histories (non-zero on drift), or rebuild it (docs/facts.md)", factsCommand},
		{"backup", "-o FILE [-db PATH]", "copy the SQLite database while the server runs (on PostgreSQL use pg_dump, see docs/deploy.md)", backupCommand},
		{"version", "", "print the version and the Go version", func(_ context.Context, args []string, c *cli) error {
			if len(args) > 0 {
				return fmt.Errorf("version takes no arguments, got %q", args[0])
			}
			fmt.Fprintln(c.stdout, "caseload", versionString())
			return nil
		}},
		{"help", "", "print this list", func(_ context.Context, _ []string, c *cli) error {
			usage(c.stdout)
			return nil
		}},
	}
}

// dispatch runs the command named by args[0]; with no command, or flags
// first, it serves (so `caseload -demo` and `go run ./server -demo` serve).
func dispatch(ctx context.Context, args []string, c *cli) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return run(ctx, args, c.getenv, c.stdout)
	}
	for _, cmd := range commands() {
		if cmd.name == args[0] {
			return cmd.run(ctx, args[1:], c)
		}
	}
	usage(c.stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

// usage lists the commands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: caseload [command] [flags]")
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, cmd := range commands() {
		fmt.Fprintf(tw, "  caseload %s %s\t%s\n", cmd.name, cmd.args, cmd.summary)
	}
	_ = tw.Flush() // writes to w, whose errors a usage message cannot report
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The database is -db or DATABASE_URL: a postgres:// URL, or the path of the SQLite file (default "+DefaultDatabasePath+").")
	fmt.Fprintln(w, "Deployment, upgrades and backups: docs/deploy.md.")
}

// commandFlags is the flag set of a command other than serve, with -db.
func commandFlags(name string, c *cli, dbURL *string) *flag.FlagSet {
	fs := flag.NewFlagSet("caseload "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	databaseFlag(fs, c.getenv, dbURL)
	return fs
}

// parseCommandFlags parses a command's flags and refuses stray arguments.
func parseCommandFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// openForCommand parses the flags of a command that takes only -db and
// opens its database, with no statement timeout.
func openForCommand(ctx context.Context, name string, args []string, c *cli) (*database.DB, string, error) {
	var dsn string
	if err := parseCommandFlags(commandFlags(name, c, &dsn), args); err != nil {
		return nil, "", err
	}
	db, err := database.Open(ctx, dsn, database.Options{})
	return db, dsn, err
}

// describeDatabase names a database for a message, without its password.
func describeDatabase(dsn string) string {
	if !database.IsPostgres(dsn) {
		return "SQLite " + dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "PostgreSQL (an invalid URL)"
	}
	return "PostgreSQL " + u.Redacted()
}

// migrateCommand applies the migrations: `caseload migrate`. It sets no
// statement timeout, so that a long migration is not cancelled half way.
func migrateCommand(ctx context.Context, args []string, c *cli) error {
	db, dsn, err := openForCommand(ctx, "migrate", args, c)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(c.stdout, "migrating %s\n", describeDatabase(dsn))
	began := time.Now()
	done, err := db.ApplyMigrations(ctx)
	if err != nil {
		return err
	}
	if done.Baselined != "" {
		fmt.Fprintf(c.stdout, "recorded the database of an earlier release at %s\n", done.Baselined)
	}
	for _, v := range done.Applied {
		fmt.Fprintf(c.stdout, "applied %s\n", v)
	}
	if done.Newer != "" {
		fmt.Fprintf(c.stdout, "the database is at %s, newer than this release knows: left as it is\n", done.Newer)
	}
	fmt.Fprintf(c.stdout, "the schema is current at %s (%d applied, %v)\n", done.Current, len(done.Applied), time.Since(began).Round(time.Millisecond))
	return nil
}
