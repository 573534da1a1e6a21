// Command caseload-bench measures the key operations of the API (issue 7)
// on a large generated practice: it builds the server, generates the
// large practice of internal/fakepractice into a fresh PostgreSQL database (and,
// separately, a SQLite file), starts the server on 127.0.0.1, drives each
// operation at concurrency 1 and 16 together with the limits of the screens
// (the best single hand-written SQL statement for the same answer, served
// as JSON over HTTP by a minimal handler: limit.go), after checking that
// each limit answers as its screen, and writes the report.
//
//	go run ./cmd/caseload-bench            # both databases, writes docs/benchmarks.md
//	go run ./cmd/caseload-bench -db sqlite -requests 100 -out /tmp/bench.md
//
// PostgreSQL is the local server (-pg, trust authentication): the command
// creates a database caseload_bench_<time> there and drops it at the end
// unless -keep. It never prints tokens or client data.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the practice's zone on a host without zoneinfo

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/screens"
)

// benchPassword is the password of every generated login.
var benchPassword = fakepractice.Password

func main() {
	if dsn := os.Getenv(envServeLimit); dsn != "" {
		if err := serveLimit(dsn, os.Getenv(envLimitClinic)); err != nil {
			fmt.Fprintln(os.Stderr, "caseload-bench limit server:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "caseload-bench:", err)
		os.Exit(1)
	}
}

type settings struct {
	databases   []string
	pgAdmin     string
	server      string
	out         string
	keep        bool
	requests    int
	duration    time.Duration
	warmup      int
	concurrency []int
	// memoryLimit is the server's GOMEMLIMIT ("" for none).
	memoryLimit string
	// only, when not empty, names the operations to run.
	only map[string]bool
	// size is the generated practice's.
	size fakepractice.Size
	// checkOnly compares the limits' answers with the screens' and measures nothing.
	checkOnly bool
	// explain writes the limits' plans (EXPLAIN ANALYZE) to this file.
	explain string
}

func run() error {
	var (
		s      settings
		dbs    = flag.String("db", "both", "postgres, sqlite or both")
		levels = flag.String("concurrency", "1,16", "comma-separated concurrency levels")
		only   = flag.String("ops", "", "comma-separated operations to run (default: all)")
	)
	flag.StringVar(&s.pgAdmin, "pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "a PostgreSQL URL the command may create and drop databases with")
	flag.StringVar(&s.server, "server", "", "the server binary (default: go build ./server)")
	flag.StringVar(&s.out, "out", "docs/benchmarks.md", "the report to write (empty: none)")
	flag.BoolVar(&s.keep, "keep", false, "keep the generated databases")
	flag.IntVar(&s.requests, "requests", 300, "most measured requests per operation and concurrency")
	flag.DurationVar(&s.duration, "duration", 15*time.Second, "longest measured run per operation and concurrency")
	flag.IntVar(&s.warmup, "warmup", 10, "unmeasured requests before each run")
	practice := flag.String("practice", "large", "the generated practice: large (the benchmark's) or small (4 clinicians: a smoke run, -explain)")
	flag.BoolVar(&s.checkOnly, "check", false, "only compare each limit's answer with its screen's, field by field, and measure nothing")
	flag.StringVar(&s.explain, "explain", "", "write the EXPLAIN (ANALYZE, BUFFERS) of each limit statement on PostgreSQL to this file")
	flag.StringVar(&s.memoryLimit, "gomemlimit", "110MiB", "the server's soft memory limit, GOMEMLIMIT (empty: none)")
	flag.Parse()
	switch *dbs {
	case "both":
		s.databases = []string{dialect.Postgres, dialect.SQLite}
	case "postgres", "sqlite":
		s.databases = []string{map[string]string{"postgres": dialect.Postgres, "sqlite": dialect.SQLite}[*dbs]}
	default:
		return fmt.Errorf("-db must be postgres, sqlite or both, got %q", *dbs)
	}
	for _, f := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 256 {
			return fmt.Errorf("-concurrency: %q is not a level between 1 and 256", f)
		}
		s.concurrency = append(s.concurrency, n)
	}
	switch *practice {
	case "large":
		s.size = fakepractice.Large
	case "small":
		s.size = smallPractice
	default:
		return fmt.Errorf("-practice must be large or small, got %q", *practice)
	}
	if *only != "" {
		s.only = map[string]bool{}
		for _, op := range strings.Split(*only, ",") {
			s.only[strings.TrimSpace(op)] = true
		}
	}
	if s.requests < 1 || s.duration <= 0 || s.warmup < 0 {
		return fmt.Errorf("-requests and -duration must be positive, -warmup not negative")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tmp, err := os.MkdirTemp("", "caseload-bench-")
	if err != nil {
		return err
	}
	if !s.keep {
		defer os.RemoveAll(tmp)
	}
	if s.server == "" {
		fmt.Println("building the server")
		if s.server, err = buildServer(ctx, tmp); err != nil {
			return err
		}
	}
	rep := &report{Started: time.Now().UTC(), Settings: s, Machine: describeMachine()}
	for _, d := range s.databases {
		r, err := benchDatabase(ctx, s, d, tmp)
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		rep.Runs = append(rep.Runs, r)
		printRun(os.Stdout, r)
	}
	if s.out != "" && !s.checkOnly {
		if err := rep.write(s.out); err != nil {
			return err
		}
		fmt.Println("wrote", s.out)
	}
	return nil
}

// benchDatabase generates the practice into a new database of the dialect,
// starts the server on it and measures every operation.
func benchDatabase(ctx context.Context, s settings, dialectName, tmp string) (*dbRun, error) {
	r := &dbRun{Dialect: dialectName}
	dsn := filepath.Join(tmp, "bench.db")
	if dialectName == dialect.Postgres {
		name := fmt.Sprintf("caseload_bench_%d", time.Now().Unix())
		drop, err := createPostgresDatabase(ctx, s.pgAdmin, name)
		if err != nil {
			return nil, err
		}
		if s.keep {
			fmt.Println("keeping PostgreSQL database", name)
		} else {
			defer drop()
		}
		u, _ := url.Parse(s.pgAdmin)
		u.Path = "/" + name
		dsn = u.String()
	} else if s.keep {
		fmt.Println("keeping SQLite database", dsn)
	}

	// The server's clock is the wall clock: the practice is generated up
	// to the current hour, so that "tomorrow" has its sessions.
	now := time.Now().UTC().Truncate(time.Hour)
	fmt.Printf("%s: generating the practice (now %s)\n", dialectName, now.Format(time.RFC3339))
	conn, err := database.Open(ctx, dsn, database.Options{})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.Migrate(ctx); err != nil {
		return nil, err
	}
	opts := fakepractice.Options{Size: s.size, Seed: 1, Now: now}
	began := time.Now()
	stats, err := fakepractice.Load(ctx, conn, opts)
	if err != nil {
		return nil, err
	}
	r.Generated, r.Tables = time.Since(began), stats.Tables
	if r.DatabaseVersion, err = databaseVersion(ctx, conn); err != nil {
		return nil, err
	}
	zone, err := time.LoadLocation(fakepractice.TimeZone())
	if err != nil {
		return nil, err
	}

	srv, err := startServer(ctx, s.server, dsn, filepath.Join(tmp, "server-"+dialectName+".log"), s.memoryLimit)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	a := newAPI(srv.URL)
	f, err := loadFixtures(ctx, a, time.Now().UTC(), zone, s.size.Clinicians)
	if err != nil {
		return nil, err
	}
	r.CalendarDay, r.Now = f.day, now
	// Statements of the dashboard at two sizes of the client list.
	for _, n := range []int{10, f.dashboardClients} {
		st, err := a.do(ctx, f.clinician, screens.Dashboard, map[string]any{"first": n, "day": f.day}, nil)
		if err != nil {
			return nil, fmt.Errorf("dashboard of %d clients: %w", n, err)
		}
		r.DashboardStatements = append(r.DashboardStatements, clientsStatements{Clients: n, Statements: st})
	}
	var clinicianID int64
	if err := conn.SQL.QueryRowContext(ctx, "SELECT c.id FROM clinicians c JOIN users u ON u.id = c.user_id WHERE u.email = '"+benchClinician+"'").Scan(&clinicianID); err != nil {
		return nil, fmt.Errorf("finding %s: %w", benchClinician, err)
	}
	if f.recorded, err = recordedSessions(ctx, conn, clinicianID, now, 500); err != nil {
		return nil, err
	}
	limit, err := startLimit(ctx, dsn, clinicianID)
	if err != nil {
		return nil, err
	}
	defer limit.Stop()
	if r.LimitsChecked, err = checkLimits(ctx, a, f, limit.URL, clinicianID); err != nil {
		return nil, err
	}
	fmt.Printf("%s: the limits answer as their screens (%s), field by field\n", dialectName, strings.Join(r.LimitsChecked, ", "))
	if s.explain != "" && dialectName == dialect.Postgres {
		slot, err := scalar.DecodeID(f.freedSlot)
		if err != nil {
			return nil, err
		}
		day, err := time.Parse(time.DateOnly, f.day)
		if err != nil {
			return nil, err
		}
		if err := writeExplain(ctx, conn, s.explain, clinicianID, f.dashboardClients, slot, day); err != nil {
			return nil, err
		}
		fmt.Println("wrote", s.explain)
	}
	if s.checkOnly {
		return r, nil
	}
	ops, err := withLimits(operations(a, f), a, f, limit.URL, clinicianID)
	if err != nil {
		return nil, err
	}
	serverPid, limitPid := srv.cmd.Process.Pid, limit.cmd.Process.Pid
	index := 0 // bookings count on across runs: each books a new hour
	for _, op := range ops {
		if s.only != nil && !s.only[op.name] {
			continue
		}
		for _, c := range s.concurrency {
			pid := serverPid
			if strings.HasSuffix(op.name, " limit") {
				pid = limitPid
			}
			if op.prepare != nil {
				n := s.requests + max(s.warmup, c)
				if err := op.prepare(ctx, index, n); err != nil {
					return nil, fmt.Errorf("%s: %w", op.name, err)
				}
				index += n
			}
			l := load{Concurrency: c, Requests: s.requests, Duration: s.duration, Warmup: max(s.warmup, c), CPU: func() (time.Duration, time.Duration) {
				server, _ := processCPU(pid)
				database, _ := databaseCPU(ctx, conn)
				return server, database
			}}
			peakBefore, _ := srv.PeakMemory()
			reset := srv.ResetPeakMemory() == nil
			res, next := l.run(ctx, op.name, index, op.send)
			index = next
			if peak, err := srv.PeakMemory(); err == nil && reset {
				res.PeakMemory = peak
			}
			if peakBefore > r.PeakMemory {
				r.PeakMemory = peakBefore
			}
			r.Results = append(r.Results, res)
			fmt.Printf("  %-24s c=%-3d %5d req %8.1f req/s  p50 %-9v p99 %-9v cpu/req %-9v errors %d\n", op.name, c, res.Requests, res.RPS(),
				res.Percentile(50).Round(10*time.Microsecond), res.Percentile(99).Round(10*time.Microsecond), res.CPUPerRequest().Round(10*time.Microsecond), res.Errors)
			if res.Errors > 0 {
				fmt.Printf("    first error: %s\n", res.FirstError)
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
		}
	}
	last, err := srv.PeakMemory()
	if err != nil {
		return nil, err
	}
	r.PeakMemory = max(r.PeakMemory, last)
	for _, res := range r.Results {
		r.PeakMemory = max(r.PeakMemory, res.PeakMemory)
	}
	return r, nil
}

// createPostgresDatabase creates a database on the server of adminURL and
// returns the func that drops it.
func createPostgresDatabase(ctx context.Context, adminURL, name string) (func(), error) {
	admin, err := database.Open(ctx, adminURL, database.Options{MaxOpenConns: 1})
	if err != nil {
		return nil, err
	}
	if _, err := admin.SQL.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, fmt.Errorf("creating database %s: %w", name, err)
	}
	return func() {
		defer admin.Close()
		if _, err := admin.SQL.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "caseload-bench: dropping %s: %v\n", name, err)
		}
	}, nil
}

// smallPractice is the practice of a smoke run and of -explain: four
// clinicians (clinician02 is not a supervisor) with the large one's
// caseloads and years of history.
var smallPractice = fakepractice.Size{Clinicians: 4, ActiveClientsPerClinician: 55, ClosedClients: 120, WaitlistClients: 4, Years: 2}

// databaseVersion names the database server or library.
func databaseVersion(ctx context.Context, db *database.DB) (string, error) {
	q := "SELECT version()"
	if db.Dialect == dialect.SQLite {
		q = "SELECT 'SQLite ' || sqlite_version()"
	}
	var v string
	err := db.SQL.QueryRowContext(ctx, q).Scan(&v)
	return v, err
}
