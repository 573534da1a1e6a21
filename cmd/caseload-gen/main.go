// Command caseload-gen writes the large made-up practice of
// internal/fakepractice into a database for performance work (issue 7): by
// default 40 clinicians with 55 active clients each, 3,000 closed clients
// and two years of history.
//
//	go run ./cmd/caseload-gen -db "postgres://postgres@127.0.0.1:5432/caseload_gen?sslmode=disable"
//
// It migrates the schema first, writes one new practice in one transaction,
// and prints the rows per table, the time taken and the logins (never client
// data). The same -seed and -now give the same data.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/fakepractice"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "caseload-gen:", err)
		os.Exit(1)
	}
}

func run() error {
	d := fakepractice.Large
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		dsn = "./caseload-bench.db"
	}
	var (
		db      = flag.String("db", dsn, "a postgres:// URL or a SQLite file path (default from DATABASE_URL, as for the server)")
		seed    = flag.Int64("seed", 1, "seed of the data")
		clin    = flag.Int("clinicians", d.Clinicians, "clinicians")
		clients = flag.Int("clients", d.ActiveClientsPerClinician, "active clients per clinician")
		closed  = flag.Int("closed", d.ClosedClients, "closed clients")
		waiting = flag.Int("waitlist", d.WaitlistClients, "waitlisted clients")
		years   = flag.Float64("years", d.Years, "years of history")
		now     = flag.String("now", "", "the clock, RFC 3339 (default: the current hour)")
		domain  = flag.String("domain", "bench.example", "email domain of the logins (must be unused in the database)")
	)
	flag.Parse()
	opts := fakepractice.Options{
		Size: fakepractice.Size{Clinicians: *clin, ActiveClientsPerClinician: *clients, ClosedClients: *closed, WaitlistClients: *waiting, Years: *years},
		Seed: *seed, EmailDomain: *domain,
	}
	if *now != "" {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			return fmt.Errorf("-now: %w", err)
		}
		opts.Now = t.UTC()
	} else {
		opts.Now = time.Now().UTC().Truncate(time.Hour)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	began := time.Now()
	// No statement timeout: the bulk load is one long transaction.
	conn, err := database.Open(ctx, *db, database.Options{})
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Migrate(ctx); err != nil {
		return err
	}
	migrated := time.Since(began)
	stats, err := fakepractice.Load(ctx, conn, opts)
	if err != nil {
		return err
	}
	fmt.Printf("practice %d on %s, seed %d, now %s\n", stats.PracticeID, conn.Dialect, opts.Seed, opts.Now.Format(time.RFC3339))
	total := 0
	for _, t := range stats.Tables {
		fmt.Printf("  %-20s %9d  %v\n", t.Table, t.Rows, t.Took.Round(time.Millisecond))
		total += t.Rows
	}
	fmt.Printf("  %-20s %9d\n", "total", total)
	fmt.Printf("migrate %v, plan %v, write %v, total %v\n", migrated.Round(time.Millisecond), stats.Planning.Round(time.Millisecond),
		stats.Writing.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	fmt.Printf("logins (password %q):\n", fakepractice.Password)
	for _, l := range stats.Logins {
		fmt.Printf("  %-34s %s\n", l.Email, l.Role)
	}
	return nil
}
