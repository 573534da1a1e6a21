package caseload

import (
	"testing"
	"time"
)

// TestCheckInstant pins the range's edges: 1900-01-01 UTC is the first
// instant accepted and 2200-01-01 UTC the first refused (issue 16,
// finding 9: year 10000 could not be read back on SQLite).
func TestCheckInstant(t *testing.T) {
	for _, c := range []struct {
		at string
		ok bool
	}{
		{"1899-12-31T23:59:59Z", false},
		{"1900-01-01T00:00:00Z", true},
		{"2026-03-08T09:00:00-05:00", true},
		{"2199-12-31T23:59:59Z", true},
		{"2200-01-01T00:00:00Z", false},
		{"2199-12-31T20:00:00-05:00", false}, // 2200-01-01T01:00Z
	} {
		at, err := time.Parse(time.RFC3339, c.at)
		if err != nil {
			t.Fatal(err)
		}
		e := CheckInstant("startsAt", at)
		if (e == nil) != c.ok {
			t.Errorf("CheckInstant(%s) = %v, want ok %v", c.at, e, c.ok)
		}
		if e != nil && (e.Code != CodeBadUserInput || e.Field != "startsAt") {
			t.Errorf("CheckInstant(%s) = %+v, want BAD_USER_INPUT on startsAt", c.at, e)
		}
	}
	far := time.Date(10000, 1, 1, 1, 0, 0, 0, time.UTC)
	got := Refusals(CheckSessionTimes(far, far.Add(time.Hour)))
	if len(got) != 2 || got[0].Field != "startsAt" || got[1].Field != "endsAt" {
		t.Errorf("a session in year 10000: %v, want startsAt and endsAt refused", got)
	}
	var c Collector
	c.Refuse(Invalid("startsAt", "%s", InstantRangeMessage))
	c.Refuse(Invalid("startsAt", "%s", InstantRangeMessage))
	if n := len(Refusals(c.Err())); n != 1 {
		t.Errorf("the same refusal twice is reported %d times, want once", n)
	}
}
