package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/internal/fakepractice"
)

// dbRun is everything measured on one database.
type dbRun struct {
	Dialect, DatabaseVersion string
	Generated                time.Duration
	// Now is the clock of the data; CalendarDay the day of the calendars.
	Now         time.Time
	CalendarDay string
	Tables      []fakepractice.TableCount
	Results     []*result
	// DashboardStatements are the dashboard's statements at two list sizes.
	DashboardStatements []clientsStatements
	// PeakMemory is the server's peak resident set size (VmHWM), bytes.
	PeakMemory int64
	// LimitsChecked are the screens whose limit answered as the screen did.
	LimitsChecked []string
}

type clientsStatements struct{ Clients, Statements int }

func (r *dbRun) find(op string, concurrency int) *result {
	for _, res := range r.Results {
		if res.Operation == op && res.Concurrency == concurrency {
			return res
		}
	}
	return nil
}

// report is the whole benchmark run.
type report struct {
	Started  time.Time
	Settings settings
	Machine  machine
	Runs     []*dbRun
}

type machine struct {
	CPU, Kernel, Commit string
	Cores               int
	MemoryMB            int64
}

func describeMachine() machine {
	m := machine{CPU: "unknown", Cores: runtime.NumCPU(), Kernel: "unknown", Commit: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.MemoryMB = kb >> 10
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
			m.Commit += " (with uncommitted changes)"
		}
	}
	return m
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func statementsCell(r *result) string {
	switch {
	case r.StatementsMin < 0:
		return "n/a"
	case r.StatementsMin == r.StatementsMax:
		return fmt.Sprint(r.StatementsMin)
	}
	return fmt.Sprintf("%.1f (%d-%d)", r.StatementsMean, r.StatementsMin, r.StatementsMax)
}

// printRun writes the table of a database to the terminal.
func printRun(w io.Writer, r *dbRun) {
	fmt.Fprintf(w, "\n%s (%s)\n", r.Dialect, r.DatabaseVersion)
	writeTable(w, r)
	fmt.Fprintln(w)
	writeRatios(w, r)
	fmt.Fprintf(w, "server peak memory (VmHWM): %.1f MB\n\n", float64(r.PeakMemory)/(1<<20))
	for _, t := range targets(r) {
		fmt.Fprintf(w, "%-4s %s: %s\n", t.verdict(), t.Name, t.Measured)
	}
}

func writeTable(w io.Writer, r *dbRun) {
	fmt.Fprintln(w, "| operation | concurrency | requests | requests/s | p50 ms | p95 ms | p99 ms | CPU ms/request (server + database) | errors | SQL statements/request | server peak MB |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, res := range r.Results {
		peak := "-"
		if res.PeakMemory > 0 {
			peak = fmt.Sprintf("%.0f", float64(res.PeakMemory)/(1<<20))
		}
		fmt.Fprintf(w, "| %s | %d | %d | %.1f | %s | %s | %s | %s | %d | %s | %s |\n", res.Operation, res.Concurrency, res.Requests, res.RPS(),
			ms(res.Percentile(50)), ms(res.Percentile(95)), ms(res.Percentile(99)), cpuCell(res), res.Errors, statementsCell(res), peak)
	}
}

func cpuCell(r *result) string {
	return fmt.Sprintf("%s (%s + %s)", ms(r.CPUPerRequest()), ms(perRequest(r.CPUServer, r)), ms(perRequest(r.CPUDatabase, r)))
}

func perRequest(d time.Duration, r *result) time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return d / time.Duration(r.Requests)
}

// screensWithLimits are the screens measured beside their limit
// ("<screen> limit").
var screensWithLimits = []string{"caseload list", "dashboard", "todo", "calendar", "backfillCandidates"}

// limitRatio is a screen against its limit at one concurrency.
type limitRatio struct {
	Screen                    string
	Concurrency               int
	P50, P99, Throughput, CPU float64
}

// ratios are the screens' ratios to their limits: latency and CPU per
// request of the screen over the limit's, and the limit's throughput over
// the screen's (so that above 1 is always the screen costing more).
func ratios(r *dbRun) []limitRatio {
	var out []limitRatio
	div := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	for _, res := range r.Results {
		limit := r.find(res.Operation+" limit", res.Concurrency)
		if limit == nil || !slices.Contains(screensWithLimits, res.Operation) {
			continue
		}
		out = append(out, limitRatio{Screen: res.Operation, Concurrency: res.Concurrency,
			P50:        div(float64(res.Percentile(50)), float64(limit.Percentile(50))),
			P99:        div(float64(res.Percentile(99)), float64(limit.Percentile(99))),
			Throughput: div(limit.RPS(), res.RPS()),
			CPU:        div(float64(res.CPUPerRequest()), float64(limit.CPUPerRequest()))})
	}
	return out
}

func writeRatios(w io.Writer, r *dbRun) {
	rs := ratios(r)
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(w, "| screen / its limit | concurrency | p50 | p99 | throughput (limit's / screen's) | CPU per request |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: |")
	for _, x := range rs {
		fmt.Fprintf(w, "| %s | %d | %.2fx | %.2fx | %.2fx | %.2fx |\n", x.Screen, x.Concurrency, x.P50, x.P99, x.Throughput, x.CPU)
	}
}

// target is one goal of issue 18 with what was measured.
type target struct {
	Name, Measured string
	Met            bool
}

func (t target) verdict() string {
	if t.Met {
		return "PASS"
	}
	return "MISS"
}

// targetConcurrency is the concurrency issue 18's ratios are judged at.
const targetConcurrency = 16

// targets checks the goals of issue 18 ("Targets") against a database's
// run. A goal whose figures the run lacks is a MISS, saying what is missing.
func targets(r *dbRun) []target {
	var ts []target
	for _, screen := range []string{"caseload list", "dashboard"} { // the screens issue 18 sets a ratio for
		ts = append(ts, limitTarget(r, screen))
	}
	if d := r.find("dashboard", targetConcurrency); d != nil {
		p99 := d.Percentile(99)
		ts = append(ts, target{fmt.Sprintf("dashboard p99 at concurrency %d <= 50 ms", targetConcurrency), over(p99, 50*time.Millisecond), p99 <= 50*time.Millisecond})
	} else {
		ts = append(ts, target{fmt.Sprintf("dashboard p99 at concurrency %d <= 50 ms", targetConcurrency), "not measured at that concurrency", false})
	}
	ts = append(ts, statementsTarget(r))
	if r.Dialect == dialect.Postgres {
		ts = append(ts, writesTarget(r))
	}
	errs := 0
	for _, res := range r.Results {
		errs += res.Errors
	}
	mb := float64(r.PeakMemory) / (1 << 20)
	ts = append(ts, target{"server peak memory < 150 MB; no errors", fmt.Sprintf("%.1f MB, %d errors", mb, errs), mb < 150 && errs == 0})
	return ts
}

// limitTarget: p50 and CPU per request within 1.5x of the limit's at
// concurrency 16, throughput at least 1/1.5 of the limit's.
func limitTarget(r *dbRun, screen string) target {
	name := fmt.Sprintf("%s: p50 and CPU/request within 1.5x of its limit at concurrency %d, throughput >= 1/1.5 of the limit's", screen, targetConcurrency)
	for _, x := range ratios(r) {
		if x.Screen == screen && x.Concurrency == targetConcurrency {
			got := fmt.Sprintf("p50 %.2fx, CPU %.2fx, throughput %.2fx below the limit's", x.P50, x.CPU, x.Throughput)
			return target{name, got, x.P50 <= 1.5 && x.CPU <= 1.5 && x.Throughput <= 1.5}
		}
	}
	measured := slices.ContainsFunc(r.Results, func(res *result) bool { return res.Operation == screen+" limit" })
	if !measured {
		return target{name, "no limit for this screen yet", false}
	}
	return target{name, fmt.Sprintf("not measured at concurrency %d", targetConcurrency), false}
}

// statementsTarget: at most 4 statements per screen, the dashboard's the
// same at 10 and 60 clients.
func statementsTarget(r *dbRun) target {
	worst, parts := 0, []string(nil)
	for _, res := range r.Results {
		if slices.Contains(screensWithLimits, res.Operation) || res.Operation == "todo" || res.Operation == "calendar" || res.Operation == "backfillCandidates" {
			if res.StatementsMax > worst {
				worst = res.StatementsMax
			}
		}
	}
	same := true
	if len(r.DashboardStatements) == 2 {
		a, b := r.DashboardStatements[0], r.DashboardStatements[1]
		same = a.Statements == b.Statements
		parts = append(parts, fmt.Sprintf("dashboard %d at %d clients, %d at %d", a.Statements, a.Clients, b.Statements, b.Clients))
	}
	parts = append(parts, fmt.Sprintf("at most %d per screen under load", worst))
	return target{"at most 4 SQL statements per screen, independent of caseload size", strings.Join(parts, "; "), same && worst <= 4 && worst > 0}
}

// writesTarget: writes' p50 at concurrency 1 at most 10 ms on PostgreSQL.
func writesTarget(r *dbRun) target {
	name := "writes (scheduleAppointment, recordAttendance, cancelAppointment) p50 at concurrency 1 <= 10 ms on PostgreSQL"
	met := true
	for _, w := range []string{"scheduleAppointment", "recordAttendance", "cancelAppointment"} {
		res := r.find(w, 1)
		met = met && res != nil && res.Percentile(50) <= 10*time.Millisecond
	}
	return target{name, writesMeasured(r), met}
}

func writesMeasured(r *dbRun) string {
	var parts []string
	for _, w := range []string{"scheduleAppointment", "recordAttendance", "cancelAppointment"} {
		if res := r.find(w, 1); res != nil {
			parts = append(parts, w+" "+ms(res.Percentile(50))+" ms")
		} else {
			parts = append(parts, w+" not measured")
		}
	}
	return strings.Join(parts, ", ")
}

// over says a latency and, when it misses its limit, by how much.
func over(got, limit time.Duration) string {
	if got <= limit {
		return ms(got) + " ms"
	}
	return fmt.Sprintf("%s ms (%s ms, %.1fx, over)", ms(got), ms(got-limit), float64(got)/float64(limit))
}

// Markers of the hand-written analysis, which a new run keeps.
const (
	analysisStart = "<!-- analysis: written by hand, kept by caseload-bench -->"
	analysisEnd   = "<!-- end of analysis -->"
)

// write writes the report as Markdown to path, keeping the hand-written
// analysis of the file it replaces.
func (rep *report) write(path string) error {
	analysis := "_No analysis yet: read the figures above and write what misses its target, why, and what would close it._\n"
	if old, err := os.ReadFile(path); err == nil {
		if _, rest, ok := strings.Cut(string(old), analysisStart+"\n"); ok {
			if kept, _, ok := strings.Cut(rest, analysisEnd); ok {
				analysis = kept
			}
		}
	}
	var b bytes.Buffer
	s := rep.Settings
	fmt.Fprintf(&b, "# Benchmarks\n\n")
	fmt.Fprintf(&b, "Written by `go run ./cmd/caseload-bench` on %s (UTC). Every figure below is from that one run; rerun to refresh them.\n\n", rep.Started.Format("2006-01-02 15:04"))
	fmt.Fprintf(&b, "## Machine and versions\n\n")
	fmt.Fprintf(&b, "| | |\n| --- | --- |\n")
	fmt.Fprintf(&b, "| CPU | %s, %d cores |\n| memory | %d MB |\n| OS | %s |\n| Go | %s |\n| commit | %s |\n", rep.Machine.CPU, rep.Machine.Cores, rep.Machine.MemoryMB, rep.Machine.Kernel, runtime.Version(), rep.Machine.Commit)
	for _, r := range rep.Runs {
		fmt.Fprintf(&b, "| %s | %s |\n", r.Dialect, r.DatabaseVersion)
	}
	fmt.Fprintf(&b, "\n## How it is measured\n\n")
	fmt.Fprintf(&b, "- The data: the large practice of `internal/fakepractice` (seed 1, the clock at the hour of the run): %s.\n", describeData(rep.Runs))
	memory := "no `GOMEMLIMIT`"
	if s.memoryLimit != "" {
		memory = "`GOMEMLIMIT=" + s.memoryLimit + "` (the Go runtime's soft memory limit: the collector works harder near it; see the README)"
	}
	fmt.Fprintf(&b, "- The server: built from this checkout, started on 127.0.0.1 with `CASELOAD_EXPOSE_STATEMENT_COUNT=true` (the statement count of each request in `X-SQL-Statements`) and %s, default settings otherwise: connection pool 20 on PostgreSQL, 8 on SQLite; query cache and persisted queries on; gqlgen resolves at most 4 elements of a list at once; JSON request log to a file.\n", memory)
	fmt.Fprintf(&b, "- The load: a Go client on the same machine, keep-alive connections; per operation and concurrency, %d unmeasured warm-up requests (at least the concurrency), then at most %d requests or %v, whichever ends first. Latency is client-side, from sending the request to reading the whole response. An error is any status but 200 or any GraphQL `errors`.\n", s.warmup, s.requests, s.duration)
	fmt.Fprintf(&b, "- The operations, as a clinician with 130 clients (55 active) unless said: **dashboard** (`me { clinician { caseloadHealth todo calendar } }` and `clients(first: 60)` with every derived field, next appointment and primary caregiver: the query of `cmd/caseload-bench/ops.go`); **caseload list** (`clients(first: 60)` by last name with strike count, days since seen and since contact, last seen and contact, next appointment, treatment plan review date, minor, primary caregiver and termination recommendation: `caseloadListQuery` of `cmd/caseload-bench/limitsql.go`); **caseload list limit** (the best single SQL statement we could write for the same answer, `limitCaseloadSQL`: the page of clients joined to their rows of the facts projection `client_facts` and their primary caregivers, the figures computed from the facts with the rules the server runs; served as the same JSON over HTTP by a minimal `net/http` + `database/sql` handler in a process of its own with the server's pool size; no authentication or audit; checked field by field against the screen before the run: `cmd/caseload-bench/limit.go`, docs/explain.md has its plan); **todo** (`myTodo`); **calendar** (`myCalendar` of tomorrow, or of the next day with sessions when tomorrow is a weekend, with backfill candidates per session; the dashboard's `calendar` is of the same day); **backfillCandidates** (for a session of that day, first 10); **practiceMetrics** (as the analyst: the last year, by month, every figure); **login** (cycling over the clinicians: bcrypt cost dominates on purpose); **scheduleAppointment** (each request books a new hour a year ahead for an active client, in turn); **cancelAppointment** (cancels, as the client, sessions booked for it a year ahead before each run, unmeasured, one per request); **recordAttendance** (records the clinician's latest 500 recorded sessions again as they were, in turn). The **dashboard limit**, **todo limit**, **calendar limit** and **backfillCandidates limit** are those screens' single statements, served and checked as the caseload list's: each reads the clinician's clients joined to their `client_facts` rows, plus what the screen shows beside (the caregivers' names, the calendar day's sessions, the weekly slots), and no history (`cmd/caseload-bench/limitdashboard.go`, `limittodo.go`, `limitcalendar.go`, `limitbackfill.go`; docs/explain.md says what each reads and computes in its handler).\n")
	fmt.Fprintf(&b, "- CPU per request: the CPU time (user + system, `/proc/<pid>/stat`) over the measured requests of the process serving them (the server, or the limit's process) plus, on PostgreSQL, of the database's backends (their pids from `pg_stat_activity`, their times from `/proc`), divided by the requests; SQLite works inside the serving process. The ratios are the screen's figure over its limit's (throughput: the limit's over the screen's), so above 1 is the screen costing more.\n")
	fmt.Fprintf(&b, "- Server memory: peak resident set size (`VmHWM` of `/proc/<pid>/status`): per run (the mark is reset before each through `/proc/<pid>/clear_refs`; a dash where the kernel refused), and over the whole run.\n\n")
	for _, r := range rep.Runs {
		name := map[string]string{dialect.Postgres: "PostgreSQL", dialect.SQLite: "SQLite"}[r.Dialect]
		fmt.Fprintf(&b, "## %s\n\n", name)
		writeTable(&b, r)
		for _, res := range r.Results {
			if res.Errors > 0 {
				fmt.Fprintf(&b, "\n%s at concurrency %d, first error: `%s`\n", res.Operation, res.Concurrency, res.FirstError)
			}
		}
		fmt.Fprintf(&b, "\nDashboard SQL statements:")
		for _, d := range r.DashboardStatements {
			fmt.Fprintf(&b, " %d at %d clients;", d.Statements, d.Clients)
		}
		fmt.Fprintf(&b, " server peak memory %.1f MB. Data generated up to %s in %v; the calendars are of %s.\n\n", float64(r.PeakMemory)/(1<<20),
			r.Now.Format(time.RFC3339), r.Generated.Round(time.Second), r.CalendarDay)
		fmt.Fprintf(&b, "Limits that answered as their screen, field by field, before the run: %s.\n\n", strings.Join(r.LimitsChecked, ", "))
		writeRatios(&b, r)
		b.WriteString("\n")
		fmt.Fprintf(&b, "| target (issue 18) | measured | |\n| --- | --- | --- |\n")
		for _, t := range targets(r) {
			fmt.Fprintf(&b, "| %s | %s | **%s** |\n", t.Name, t.Measured, t.verdict())
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "## Analysis\n\n%s\n%s%s\n\n", analysisStart, analysis, analysisEnd)
	fmt.Fprintf(&b, "## Reproduce\n\n```sh\ngo run ./cmd/caseload-bench\n```\n\n")
	fmt.Fprintf(&b, "It needs Go and a local PostgreSQL that `postgres://postgres@127.0.0.1:5432/postgres` may create databases on (`-pg` names another; `-db sqlite` skips PostgreSQL). `-requests`, `-duration`, `-concurrency`, `-keep` (keep the generated databases), `-gomemlimit` (the server's `GOMEMLIMIT`) and `-out` change the run; `go run ./cmd/caseload-bench -h` lists them.\n")
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func describeData(runs []*dbRun) string {
	if len(runs) == 0 {
		return "none"
	}
	var parts []string
	for _, t := range runs[0].Tables {
		parts = append(parts, fmt.Sprintf("%d %s", t.Rows, strings.ReplaceAll(t.Table, "_", " ")))
	}
	return strings.Join(parts, ", ")
}
