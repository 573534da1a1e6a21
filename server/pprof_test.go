package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPprofOnTheAdminListenerOnly runs the real server with -pprof: the
// admin listener serves the profiles' index and a one-second CPU profile,
// the public address answers 404 for them; without -pprof the admin
// listener serves none, and -pprof without an admin listener is refused.
func TestPprofOnTheAdminListenerOnly(t *testing.T) {
	get := func(t *testing.T, url string) (int, []byte) {
		t.Helper()
		client := &http.Client{Timeout: 30 * time.Second}
		resp, err := client.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		return resp.StatusCode, body
	}

	t.Run("with -pprof", func(t *testing.T) {
		admin := freeAddr(t)
		base, _, stop := startServer(t, []string{"-admin-addr", admin, "-pprof", "-db", filepath.Join(t.TempDir(), "caseload.db")}, nil)
		status, body := get(t, "http://"+admin+"/debug/pprof/")
		if status != http.StatusOK || !strings.Contains(string(body), "goroutine") || !strings.Contains(string(body), "heap") {
			t.Errorf("admin /debug/pprof/ = %d, want 200 with the profiles' index:\n%.300s", status, body)
		}
		status, body = get(t, "http://"+admin+"/debug/pprof/profile?seconds=1")
		// A CPU profile is a gzipped protocol buffer.
		if status != http.StatusOK || !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
			t.Errorf("admin /debug/pprof/profile?seconds=1 = %d, %d bytes, want 200 and a gzipped profile: %.200q", status, len(body), body)
		}
		if status, _ := get(t, "http://"+admin+"/debug/pprof/goroutine?debug=1"); status != http.StatusOK {
			t.Errorf("admin /debug/pprof/goroutine = %d, want 200", status)
		}
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/profile?seconds=1", "/debug/pprof/heap", "/debug/pprof/cmdline"} {
			if status, body := get(t, base+path); status != http.StatusNotFound {
				t.Errorf("public %s = %d, want 404: %.200s", path, status, body)
			}
		}
		if status, _ := get(t, "http://"+admin+"/metrics"); status != http.StatusOK {
			t.Errorf("admin /metrics with -pprof = %d, want 200", status)
		}
		if err := stop(); err != nil {
			t.Errorf("graceful shutdown: %v", err)
		}
		if c, err := net.DialTimeout("tcp", admin, time.Second); err == nil {
			c.Close()
			t.Errorf("the admin listener %s still listens after shutdown", admin)
		}
	})

	t.Run("without -pprof", func(t *testing.T) {
		admin := freeAddr(t)
		base, _, _ := startServer(t, []string{"-admin-addr", admin, "-db", filepath.Join(t.TempDir(), "caseload.db")}, nil)
		for _, url := range []string{"http://" + admin + "/debug/pprof/", "http://" + admin + "/debug/pprof/profile?seconds=1", base + "/debug/pprof/"} {
			if status, body := get(t, url); status != http.StatusNotFound {
				t.Errorf("%s without -pprof = %d, want 404: %.200s", url, status, body)
			}
		}
	})

	t.Run("config", func(t *testing.T) {
		env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
		db := filepath.Join(t.TempDir(), "c.db")
		cfg, err := ParseConfig([]string{"-db", db}, env(nil))
		if err != nil || cfg.Pprof {
			t.Errorf("default: Pprof = %v (%v), want off", cfg != nil && cfg.Pprof, err)
		}
		cfg, err = ParseConfig([]string{"-db", db}, env(map[string]string{envPprof: "true"}))
		if err != nil || !cfg.Pprof || cfg.AdminAddr != DefaultAdminAddr {
			t.Errorf("%s=true: %+v %v, want pprof on the loopback admin listener", envPprof, cfg, err)
		}
		if _, err := ParseConfig([]string{"-db", db, "-pprof", "-admin-addr", "off"}, env(nil)); err == nil || !strings.Contains(err.Error(), envAdminAddr) {
			t.Errorf("-pprof without an admin listener: %v, want a refusal naming %s", err, envAdminAddr)
		}
		if _, err := ParseConfig([]string{"-db", db}, env(map[string]string{envPprof: "yes please"})); err == nil || !strings.Contains(err.Error(), envPprof) {
			t.Errorf("%s=\"yes please\": %v, want an error naming it", envPprof, err)
		}
		if _, err := ParseConfig([]string{"-db", db, "-pprof", "-addr", "127.0.0.1:8080", "-admin-addr", "127.0.0.1:8080"}, env(nil)); err == nil {
			t.Error("-pprof with the admin address on the public one was accepted")
		}
	})
}
