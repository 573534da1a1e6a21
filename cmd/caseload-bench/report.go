package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
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
	fmt.Fprintf(w, "server peak memory (VmHWM): %.1f MB\n\n", float64(r.PeakMemory)/(1<<20))
	for _, t := range targets(r) {
		fmt.Fprintf(w, "%-4s %s: %s\n", t.verdict(), t.Name, t.Measured)
	}
}

func writeTable(w io.Writer, r *dbRun) {
	fmt.Fprintln(w, "| operation | concurrency | requests | requests/s | p50 ms | p95 ms | p99 ms | errors | SQL statements/request | server peak MB |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, res := range r.Results {
		peak := "-"
		if res.PeakMemory > 0 {
			peak = fmt.Sprintf("%.0f", float64(res.PeakMemory)/(1<<20))
		}
		fmt.Fprintf(w, "| %s | %d | %d | %.1f | %s | %s | %s | %d | %s | %s |\n", res.Operation, res.Concurrency, res.Requests, res.RPS(),
			ms(res.Percentile(50)), ms(res.Percentile(95)), ms(res.Percentile(99)), res.Errors, statementsCell(res), peak)
	}
}

// target is one goal of issue 7 with what was measured.
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

// targets checks the goals of issue 7 against a database's run.
func targets(r *dbRun) []target {
	var ts []target
	maxC := 0
	for _, res := range r.Results {
		maxC = max(maxC, res.Concurrency)
	}
	if d := r.find("dashboard", maxC); d != nil {
		p99 := d.Percentile(99)
		ts = append(ts, target{fmt.Sprintf("dashboard p99 at concurrency %d <= 50 ms", maxC), over(p99, 50*time.Millisecond), p99 <= 50*time.Millisecond})
	}
	if len(r.DashboardStatements) == 2 {
		a, b := r.DashboardStatements[0], r.DashboardStatements[1]
		worst := 0
		for _, res := range r.Results {
			if res.Operation == "dashboard" {
				worst = max(worst, res.StatementsMax)
			}
		}
		ts = append(ts, target{"SQL statements per dashboard <= 10, the same at 10 and 60 clients",
			fmt.Sprintf("%d at %d clients, %d at %d clients, at most %d under load", a.Statements, a.Clients, b.Statements, b.Clients, worst),
			a.Statements == b.Statements && b.Statements <= 10 && worst <= 10})
	}
	met, parts := true, []string(nil)
	for _, res := range r.Results {
		if res.Operation != "dashboard" {
			continue
		}
		base := r.find("dashboard SQL baseline", res.Concurrency)
		if base == nil || base.Percentile(50) == 0 {
			continue
		}
		ratio := float64(res.Percentile(50)) / float64(base.Percentile(50))
		met = met && ratio <= 2
		parts = append(parts, fmt.Sprintf("p50 %.1fx at concurrency %d (%s vs %s ms)", ratio, res.Concurrency, ms(res.Percentile(50)), ms(base.Percentile(50))))
	}
	if len(parts) > 0 {
		ts = append(ts, target{"GraphQL dashboard within 2x of the SQL baseline's latency", strings.Join(parts, "; "), met})
	}
	if m := r.find("practiceMetrics", 1); m != nil {
		ts = append(ts, target{"practiceMetrics for a year by month < 300 ms (p99, concurrency 1)", over(m.Percentile(99), 300*time.Millisecond), m.Percentile(99) < 300*time.Millisecond})
	}
	errs := 0
	for _, res := range r.Results {
		errs += res.Errors
	}
	ts = append(ts, target{"no errors", fmt.Sprintf("%d errors", errs), errs == 0})
	mb := float64(r.PeakMemory) / (1 << 20)
	ts = append(ts, target{"server peak memory < 150 MB", fmt.Sprintf("%.1f MB", mb), mb < 150})
	return ts
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
	fmt.Fprintf(&b, "- The operations, as a clinician with 130 clients (55 active) unless said: **dashboard** (`me { clinician { caseloadHealth todo calendar } }` and `clients(first: 60)` with every derived field, next appointment and primary caregiver: the query of `cmd/caseload-bench/ops.go`); **dashboard SQL baseline** (one hand-written SQL statement computing the same facts for the same 60 clients through `database/sql`, no GraphQL, no HTTP: `cmd/caseload-bench/baseline.go`); **todo** (`myTodo`); **calendar** (`myCalendar` of tomorrow, or of the next day with sessions when tomorrow is a weekend, with backfill candidates per session; the dashboard's `calendar` is of the same day); **backfillCandidates** (for a session of that day, first 10); **practiceMetrics** (as the analyst: the last year, by month, every figure); **login** (cycling over the 40 clinicians: bcrypt cost dominates on purpose); **scheduleAppointment** (each request books a new hour a year ahead for an active client, in turn).\n")
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
		fmt.Fprintf(&b, "| target (issue 7) | measured | |\n| --- | --- | --- |\n")
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
