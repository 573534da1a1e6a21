package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/caseload/caseload/internal/database"
)

// envServeLimit, set to a database address, makes this binary the limit
// server instead of the benchmark: it listens on a free port of 127.0.0.1,
// prints "listening ADDR" and serves until killed. A process of its own, so
// that its CPU time is the limit's alone.
const (
	envServeLimit    = "CASELOAD_BENCH_SERVE_LIMIT"
	envLimitClinic   = "CASELOAD_BENCH_LIMIT_CLINICIAN"
	limitReadyPrefix = "listening "
)

// serveLimit is the limit server's main: the same pool as the server's
// (database.Open's defaults), the wall clock.
func serveLimit(dsn, clinician string) error {
	ctx := context.Background()
	id, err := strconv.ParseInt(clinician, 10, 64)
	if err != nil {
		return fmt.Errorf("%s: %w", envLimitClinic, err)
	}
	db, err := database.Open(ctx, dsn, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := newLimitServer(ctx, db.SQL, db.Dialect, id, time.Now)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(limitReadyPrefix + ln.Addr().String())
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

// limitProcess is the running limit server.
type limitProcess struct {
	cmd *exec.Cmd
	URL string
}

// startLimit starts this binary as the limit server over dsn.
func startLimit(ctx context.Context, dsn string, clinicianID int64) (*limitProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), envServeLimit+"="+dsn, envLimitClinic+"="+strconv.FormatInt(clinicianID, 10))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the limit server: %w", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), limitReadyPrefix)
	if err != nil || !ok {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, errors.Join(errors.New("the limit server did not start"), err)
	}
	return &limitProcess{cmd: cmd, URL: "http://" + addr}, nil
}

// Stop kills the limit server (it holds no state).
func (p *limitProcess) Stop() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat's
// times: 100 on every Linux this runs on.
const clockTicks = 100

// processCPU is the CPU time (user + system) of a process so far.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: fields count from after it.
	_, rest, ok := strings.Cut(string(b), ") ")
	if !ok {
		return 0, errors.New("unexpected /proc stat")
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unexpected /proc stat")
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// databaseCPU is the CPU time of the PostgreSQL backends serving the
// database so far (their pids from pg_stat_activity, their times from
// /proc: the server runs on this machine); 0 for SQLite, whose work is in
// the process that calls it.
func databaseCPU(ctx context.Context, db *database.DB) (time.Duration, error) {
	if db.Dialect != "postgres" {
		return 0, nil
	}
	rows, err := db.SQL.QueryContext(ctx, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return 0, err
		}
		if cpu, err := processCPU(pid); err == nil { // a backend may have ended meanwhile
			total += cpu
		}
	}
	return total, rows.Err()
}
