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
		got, err := withStatementTimeout(c.dsn, c.d)
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
	if got, _ := withStatementTimeout(dsn, time.Second); got != dsn {
		t.Errorf("options with a statement_timeout: %s, want it untouched", got)
	}
	if _, err := withStatementTimeout("postgres://u:secret@h:port/db", time.Second); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("invalid URL: %v, want an error that does not quote the password", err)
	}
}
