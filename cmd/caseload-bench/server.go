package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildServer compiles ./server into dir.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "caseload-server")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./server")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the server: %w", err)
	}
	return bin, nil
}

// serverProcess is the server under test, a child process on 127.0.0.1.
type serverProcess struct {
	cmd  *exec.Cmd
	URL  string
	log  *os.File
	done chan error
}

// startServer starts bin on a free port of 127.0.0.1 over the database dsn,
// with statement counts in the response headers, and waits until /readyz
// answers. Its log (one line per request, no client data) goes to logPath.
// memoryLimit, when not empty, is its GOMEMLIMIT.
func startServer(ctx context.Context, bin, dsn, logPath, memoryLimit string) (*serverProcess, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	var secret [32]byte
	_, _ = rand.Read(secret[:])
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	// No admin listener: its fixed port would make two runs on one machine collide.
	cmd := exec.Command(bin, "-addr", addr, "-admin-addr", "off", "-db", dsn, "-log-format", "json")
	cmd.Env = append(os.Environ(),
		"CASELOAD_JWT_SECRET="+hex.EncodeToString(secret[:]),
		"CASELOAD_EXPOSE_STATEMENT_COUNT=true",
		"CASELOAD_TOKEN_TTL=2h",
	)
	if memoryLimit != "" {
		cmd.Env = append(cmd.Env, "GOMEMLIMIT="+memoryLimit)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting the server: %w", err)
	}
	p := &serverProcess{cmd: cmd, URL: "http://" + addr, log: logf, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case err := <-p.done:
			logf.Close()
			return nil, fmt.Errorf("the server exited before it was ready (%w); its log: %s", err, logPath)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			p.Stop()
			return nil, fmt.Errorf("the server was not ready within a minute; its log: %s", logPath)
		}
	}
}

// PeakMemory returns the server's peak resident set size so far (VmHWM).
func (p *serverProcess) PeakMemory() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// ResetPeakMemory starts a new peak for PeakMemory: writing 5 to
// /proc/<pid>/clear_refs resets the process's VmHWM to its current size.
func (p *serverProcess) ResetPeakMemory() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0)
}

// Stop shuts the server down gracefully (SIGTERM), killing it after 20 s.
func (p *serverProcess) Stop() {
	defer p.log.Close()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	// The exit status after a signal says nothing about the benchmark.
	select {
	case <-p.done: //nolint:errcheck // see above
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done //nolint:errcheck // see above
	}
}
