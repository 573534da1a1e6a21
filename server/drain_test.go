package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadinessWhileDraining stops a real server (the context is what
// SIGTERM cancels) while a request is in flight: /readyz answers 503 at
// once, during the drain delay, the listener then closes, and the request in
// flight still completes.
func TestReadinessWhileDraining(t *testing.T) {
	base, out, stop := startServer(t, []string{"-db", filepath.Join(t.TempDir(), "caseload.db"), "-drain-delay", "1s"}, nil)
	addr := strings.TrimPrefix(base, "http://")

	// A request whose body is still on its way: the server is busy with it.
	body := `{"query":"{ __typename }"}`
	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:10])

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	sawDraining := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			t.Fatalf("/readyz during the drain delay: %v", err)
		}
		text, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && strings.TrimSpace(string(text)) == "draining" {
			sawDraining = true
			break
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/readyz answered %d %q", resp.StatusCode, text)
		}
	}
	if !sawDraining {
		t.Fatal("/readyz never answered 503 draining")
	}

	// After the delay the listener closes; the request in flight goes on.
	closed := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			closed = true
			break
		}
		c.Close()
	}
	if !closed {
		t.Fatal("the listener stayed open after the drain delay")
	}
	select {
	case err := <-stopped:
		t.Fatalf("the server stopped (%v) with a request in flight", err)
	default:
	}
	if _, err := io.WriteString(slow, body[10:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(slow), nil)
	if err != nil {
		t.Fatalf("the request in flight got no response: %v", err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(answer), `"__typename":"Query"`) {
		t.Errorf("the request in flight: %d %s", resp.StatusCode, answer)
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("graceful shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop after its last request")
	}
	if !strings.Contains(out.String(), "draining: /readyz answers 503") {
		t.Errorf("no draining line in the log:\n%s", out.String())
	}
}

// TestShutdownTimeoutIsConfigurable: a request that is still in flight when
// the shutdown timeout (-shutdown-timeout) ends no longer holds the server:
// it stops then, saying so, instead of after a hard-coded 15 s.
func TestShutdownTimeoutIsConfigurable(t *testing.T) {
	base, _, stop := startServer(t, []string{"-db", filepath.Join(t.TempDir(), "caseload.db"), "-drain-delay", "0", "-shutdown-timeout", "1s"}, nil)
	addr := strings.TrimPrefix(base, "http://")
	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	// A body that never arrives in full: the request stays in flight.
	fmt.Fprintf(slow, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", addr)
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	err = stop()
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "shutting down") {
		t.Errorf("stop with a request in flight past the timeout: %v", err)
	}
	if took < 900*time.Millisecond || took > 5*time.Second {
		t.Errorf("stopped after %v, want about the 1s shutdown timeout", took)
	}
}
