package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdviceWithoutAdmin starts the real server on a new database without
// any admin: it logs how to create one and the IDE page shows it, until
// `caseload bootstrap` has created the admin (while the server runs).
func TestAdviceWithoutAdmin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caseload.db")
	base, out, stop := startServer(t, []string{"-db", path}, nil)
	page := func() string {
		resp, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the IDE page: %d", resp.StatusCode)
		}
		return string(b)
	}
	const notice = `<p class="caseload-notice" role="alert">No admin exists yet`
	if p := page(); !strings.Contains(p, notice) || !strings.Contains(p, "caseload bootstrap") || !strings.Contains(p, envBootstrapEmail) {
		t.Errorf("the IDE page before any admin exists has no setup notice:\n%.2000s", p)
	}
	logged := out.String()
	if !strings.Contains(logged, "level=WARN") || !strings.Contains(logged, "No admin exists yet") || !strings.Contains(logged, "caseload bootstrap") {
		t.Errorf("no warning in the log:\n%s", logged)
	}

	env := map[string]string{envBootstrapEmail: "admin@example.org", envBootstrapPassword: "a long enough password"}
	c, buf := testCLI(env, "")
	if printed, err := runCommand(t, c, buf, "bootstrap", "-db", path); err != nil {
		t.Fatalf("%v\n%s", err, printed)
	}
	if p := page(); strings.Contains(p, "caseload-notice") || strings.Contains(p, "No admin exists") {
		t.Errorf("the IDE page still shows the setup notice after bootstrap")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// Started again with an admin: no warning.
	_, out, _ = startServer(t, []string{"-db", path}, nil)
	if strings.Contains(out.String(), "No admin exists") {
		t.Errorf("a warning with an admin:\n%s", out.String())
	}
}

// TestBootstrapFromEnvironmentAtStart: the variables create the admin at
// start, once; left in the environment they do nothing afterwards.
func TestBootstrapFromEnvironmentAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caseload.db")
	env := map[string]string{envBootstrapEmail: "Admin@Example.org", envBootstrapPassword: "a long enough password", envBootstrapPractice: "Lakeside Therapy"}
	_, out, stop := startServer(t, []string{"-db", path}, env)
	if !strings.Contains(out.String(), "first practice and admin created") || strings.Contains(out.String(), "No admin exists") {
		t.Errorf("start with the bootstrap variables:\n%s", out.String())
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	env[envBootstrapEmail] = "other@example.org"
	_, out, _ = startServer(t, []string{"-db", path}, env)
	if strings.Contains(out.String(), "first practice and admin created") {
		t.Errorf("a second practice was bootstrapped:\n%s", out.String())
	}
	checkBootstrapped(t, path, "Lakeside Therapy", defaultTimeZone, "admin@example.org", "a long enough password")
}
