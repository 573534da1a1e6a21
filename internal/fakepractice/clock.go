package fakepractice

import "time"

// Civil dates are midnight UTC, instants are UTC.

const day = 24 * time.Hour

func (p *planner) civil(t time.Time) time.Time {
	l := t.In(p.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// at is the instant of a local wall-clock time (minutes after midnight) on a civil date.
func (p *planner) at(day time.Time, minute int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, minute, 0, 0, p.loc).UTC()
}

func (p *planner) workday(day time.Time) bool {
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !p.holidays[day]
}

func (p *planner) daysAgo(n int) time.Time { return p.today.AddDate(0, 0, -n) }

// holidays the office is closed on.
func holidays(y int) []time.Time {
	d := func(m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	nth := func(m time.Month, wd time.Weekday, n int) time.Time {
		t := d(m, 1)
		for t.Weekday() != wd {
			t = t.AddDate(0, 0, 1)
		}
		return t.AddDate(0, 0, 7*(n-1))
	}
	memorial := d(time.May, 31)
	for memorial.Weekday() != time.Monday {
		memorial = memorial.AddDate(0, 0, -1)
	}
	thanksgiving := nth(time.November, time.Thursday, 4)
	return []time.Time{
		d(time.January, 1), memorial, d(time.July, 4), nth(time.September, time.Monday, 1),
		thanksgiving, thanksgiving.AddDate(0, 0, 1), d(time.December, 24), d(time.December, 25), d(time.December, 31),
	}
}

// officeHours moves an instant the office calls from out of the night:
// back to the previous evening (which only lengthens a cancellation's notice).
func (p *planner) officeHours(t time.Time) time.Time {
	l := t.In(p.loc)
	day := p.civil(t)
	switch {
	case l.Hour() < 8:
		return p.at(day.AddDate(0, 0, -1), 17*60+l.Minute())
	case l.Hour() >= 18:
		return p.at(day, 17*60+l.Minute())
	}
	return t
}

// sometimeBetween is a random business-hours instant between two instants (or a).
func (p *planner) sometimeBetween(a, b time.Time) time.Time {
	first, last := p.civil(a).AddDate(0, 0, 1), p.civil(b).AddDate(0, 0, -1)
	if last.Before(first) {
		return a.Add(2 * time.Hour)
	}
	days := int(last.Sub(first).Hours() / 24)
	return p.at(first.AddDate(0, 0, p.between(0, days)), p.between(8*60+30, 18*60))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// ---- random draws ----

// between is a whole number in [lo, hi].
func (p *planner) between(lo, hi int) int   { return lo + p.r.IntN(hi-lo+1) }
func (p *planner) chance(prob float64) bool { return p.r.Float64() < prob }

// minutes is a duration of whole minutes in [lo, hi].
func (p *planner) minutes(lo, hi int) time.Duration {
	return time.Duration(p.between(lo, hi)) * time.Minute
}

func pick[T any](p *planner, xs []T) T { return xs[p.r.IntN(len(xs))] }

func ptr[T any](v T) *T { return &v }
