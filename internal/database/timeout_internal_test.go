package database

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestWithStatementTimeout(t *testing.T) {
	for _, c := range []struct {
		dsn  string
		d    time.Duration
		want string // the statement_timeout parameter of the result
	}{
		{"postgres://u@h/db?sslmode=disable", 5 * time.Second, "5000"},
		{"postgres://u@h/db", 1500 * time.Microsecond, "2"},
		{"postgres://u@h/db?sslmode=disable", 0, ""},
		{"postgres://u@h/db?statement_timeout=100", 5 * time.Second, "100"},
	} {
		got, err := withSessionSettings(c.dsn, c.d)
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		if p := u.Query().Get("statement_timeout"); p != c.want {
			t.Errorf("%s with %v: statement_timeout=%q, want %q", c.dsn, c.d, p, c.want)
		}
		if u.Query().Get("sslmode") != "" && u.Query().Get("sslmode") != "disable" {
			t.Errorf("%s: lost sslmode: %s", c.dsn, got)
		}
	}
	// A user's options=-c statement_timeout=... wins too.
	dsn := "postgres://u@h/db?options=-c%20statement_timeout%3D100"
	if got, _ := withSessionSettings(dsn, time.Second); strings.Contains(got, "&statement_timeout") || strings.Contains(got, "?statement_timeout") {
		t.Errorf("options with a statement_timeout: %s, want no second one", got)
	}
	// JIT is off unless the URL says otherwise.
	for dsn, want := range map[string]string{"postgres://u@h/db": "off", "postgres://u@h/db?jit=on": "on"} {
		got, _ := withSessionSettings(dsn, 0)
		if u, _ := url.Parse(got); u.Query().Get("jit") != want {
			t.Errorf("%s: %s, want jit=%s", dsn, got, want)
		}
	}
	if _, err := withSessionSettings("postgres://u:secret@h:port/db", time.Second); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("invalid URL: %v, want an error that does not quote the password", err)
	}
}

// TestConnectTimeout: a PostgreSQL URL without connect_timeout gets the
// default, so that a database accepting no connections cannot hold a
// request for as long as the kernel retries; the URL's own wins.
func TestConnectTimeout(t *testing.T) {
	for dsn, want := range map[string]string{"postgres://u@h/db": "5", "postgres://u@h/db?connect_timeout=2": "2"} {
		got, _ := withSessionSettings(dsn, 0)
		if u, _ := url.Parse(got); u.Query().Get("connect_timeout") != want {
			t.Errorf("%s: %s, want connect_timeout=%s", dsn, got, want)
		}
	}
}
