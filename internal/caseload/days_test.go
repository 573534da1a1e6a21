package caseload

import (
	"testing"
	"time"
)

func TestDaysBetween(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b string
		want int
	}{
		{"same day", "2026-06-10", "2026-06-10", 0},
		{"next day", "2026-06-10", "2026-06-11", 1},
		{"previous day", "2026-06-11", "2026-06-10", -1},
		{"thirty days", "2026-05-16", "2026-06-15", 30},
		{"back thirty days", "2026-06-15", "2026-05-16", -30},
		{"over the spring-forward day", "2026-03-07", "2026-03-09", 2},
		{"over the fall-back day", "2026-10-31", "2026-11-02", 2},
		{"over a leap day", "2028-02-28", "2028-03-01", 2},
		{"over the year end", "2026-12-31", "2027-01-01", 1},
		{"a whole year", "2026-01-01", "2027-01-01", 365},
	} {
		if got := DaysBetween(date(c.a), date(c.b)); got != c.want {
			t.Errorf("%s: DaysBetween(%s, %s) = %d, want %d", c.name, c.a, c.b, got, c.want)
		}
	}
}

func TestDateOf(t *testing.T) {
	for _, c := range []struct {
		name    string
		loc     *time.Location
		instant string
		want    string
	}{
		{"New York, the last minute of the evening", newYork, "2026-06-10T03:59:00Z", "2026-06-09"},
		{"New York, local midnight", newYork, "2026-06-10T04:00:00Z", "2026-06-10"},
		{"New York, 23:59 before spring-forward", newYork, "2026-03-08T04:59:00Z", "2026-03-07"},
		{"New York, midnight of spring-forward", newYork, "2026-03-08T05:00:00Z", "2026-03-08"},
		{"New York, 23:59 of spring-forward (EDT)", newYork, "2026-03-09T03:59:00Z", "2026-03-08"},
		{"New York, midnight of fall-back (EDT)", newYork, "2026-11-01T04:00:00Z", "2026-11-01"},
		{"New York, 23:59 of fall-back (EST)", newYork, "2026-11-02T04:59:00Z", "2026-11-01"},
		{"New York, midnight after fall-back", newYork, "2026-11-02T05:00:00Z", "2026-11-02"},
		{"Auckland, 23:59 local", auckland, "2026-06-10T11:59:00Z", "2026-06-10"},
		{"Auckland, already tomorrow while UTC is still today", auckland, "2026-06-10T13:00:00Z", "2026-06-11"},
		{"Auckland, new year in summer time (UTC+13)", auckland, "2026-12-31T11:00:00Z", "2027-01-01"},
		{"UTC", time.UTC, "2026-06-10T23:59:00Z", "2026-06-10"},
	} {
		r := Rules{Policy: DefaultPolicy(), Location: c.loc}
		got := r.DateOf(utc(c.instant))
		if !got.Equal(date(c.want)) || got.Location() != time.UTC {
			t.Errorf("%s: DateOf(%s) = %v, want %s midnight UTC", c.name, c.instant, got, c.want)
		}
	}
}

func TestDayBounds(t *testing.T) {
	for _, c := range []struct {
		name       string
		loc        *time.Location
		day        string
		start, end string
		hours      float64
	}{
		{"New York, an ordinary day", newYork, "2026-06-10", "2026-06-10T04:00:00Z", "2026-06-11T04:00:00Z", 24},
		{"New York, spring-forward is 23 hours", newYork, "2026-03-08", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 23},
		{"New York, fall-back is 25 hours", newYork, "2026-11-01", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 25},
		{"New York, the day before spring-forward", newYork, "2026-03-07", "2026-03-07T05:00:00Z", "2026-03-08T05:00:00Z", 24},
		{"Auckland, an ordinary day", auckland, "2026-06-11", "2026-06-10T12:00:00Z", "2026-06-11T12:00:00Z", 24},
		{"Auckland, summer time ends (25 hours)", auckland, "2026-04-05", "2026-04-04T11:00:00Z", "2026-04-05T12:00:00Z", 25},
		{"Auckland, summer time starts (23 hours)", auckland, "2026-09-27", "2026-09-26T12:00:00Z", "2026-09-27T11:00:00Z", 23},
	} {
		r := Rules{Policy: DefaultPolicy(), Location: c.loc}
		start, end := r.DayBounds(date(c.day))
		if !start.Equal(utc(c.start)) || !end.Equal(utc(c.end)) || end.Sub(start).Hours() != c.hours {
			t.Errorf("%s: DayBounds(%s) = [%s, %s) (%gh), want [%s, %s) (%gh)",
				c.name, c.day, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), end.Sub(start).Hours(), c.start, c.end, c.hours)
		}
		if got := r.EndOfDay(date(c.day)); !got.Equal(end) {
			t.Errorf("%s: EndOfDay(%s) = %v, want %v", c.name, c.day, got, end)
		}
	}
}

func TestTodayAndTomorrow(t *testing.T) {
	for _, c := range []struct {
		name            string
		loc             *time.Location
		now             string
		today, tomorrow string
	}{
		{"Auckland, still the 10th", auckland, "2026-06-10T11:59:00Z", "2026-06-10", "2026-06-11"},
		{"Auckland, the 11th while UTC is the 10th", auckland, "2026-06-10T13:00:00Z", "2026-06-11", "2026-06-12"},
		{"Auckland, new year's day while UTC is new year's eve", auckland, "2026-12-31T11:00:00Z", "2027-01-01", "2027-01-02"},
		{"Auckland, the eve of summer time's end", auckland, "2026-04-04T10:00:00Z", "2026-04-04", "2026-04-05"},
		{"New York, the eve of spring-forward", newYork, "2026-03-08T04:30:00Z", "2026-03-07", "2026-03-08"},
		{"New York, the evening of fall-back (EST)", newYork, "2026-11-02T04:30:00Z", "2026-11-01", "2026-11-02"},
		{"New York, month end", newYork, "2026-07-01T03:00:00Z", "2026-06-30", "2026-07-01"},
	} {
		r := Rules{Policy: DefaultPolicy(), Location: c.loc, Now: utc(c.now)}
		if got := r.Today(); !got.Equal(date(c.today)) {
			t.Errorf("%s: Today() at %s = %s, want %s", c.name, c.now, showDate(got), c.today)
		}
		if got := r.Tomorrow(); !got.Equal(date(c.tomorrow)) {
			t.Errorf("%s: Tomorrow() at %s = %s, want %s", c.name, c.now, showDate(got), c.tomorrow)
		}
	}
}

func TestDaysSince(t *testing.T) {
	for _, c := range []struct {
		name string
		r    Rules
		then time.Time
		want int
	}{
		{"same local day", rulesAt("2026-06-15 23:59"), ny("2026-06-15 00:00"), 0},
		{"23:30 the evening before spring-forward, now just after midnight", rulesAt("2026-03-08 00:05"), ny("2026-03-07 23:30"), 1},
		{"the evening before fall-back, now late on fall-back (over 24h later)", rulesAt("2026-11-01 23:55"), ny("2026-10-31 23:30"), 1},
		{"Auckland, 23:00 local yesterday is the same UTC date", Rules{Policy: DefaultPolicy(), Location: auckland, Now: utc("2026-06-10T13:00:00Z")}, utc("2026-06-10T11:00:00Z"), 1},
	} {
		if got := c.r.DaysSince(c.then); got != c.want {
			t.Errorf("%s: DaysSince(%s) at %s = %d, want %d", c.name, c.then.In(c.r.Location), c.r.Now.In(c.r.Location), got, c.want)
		}
	}
}

func TestNewRules(t *testing.T) {
	now := utc("2026-06-10T13:00:00Z")
	r, err := NewRules(DefaultPolicy(), "Pacific/Auckland", now)
	if err != nil {
		t.Fatalf("NewRules(Pacific/Auckland): %v", err)
	}
	if got, want := r.Today(), date("2026-06-11"); !got.Equal(want) || !r.Now.Equal(now) {
		t.Errorf("NewRules(Pacific/Auckland) today = %s, now = %v, want %s, %v", showDate(got), r.Now, showDate(want), now)
	}
	if _, err := NewRules(DefaultPolicy(), "Mars/Olympus_Mons", now); err == nil {
		t.Errorf("NewRules(Mars/Olympus_Mons): got no error, want one naming the zone")
	}
}
