package caseload

import (
	"fmt"
	"time"
)

// Rules evaluates the policy of one practice at one moment.
type Rules struct {
	// Policy is the practice's policy.
	Policy Policy
	// Location is the practice's time zone: days are counted there.
	Location *time.Location
	// Now is the moment of evaluation (an injected clock, never time.Now).
	Now time.Time
}

// NewRules returns the rules of a practice in the named IANA zone at now.
func NewRules(p Policy, timeZone string, now time.Time) (Rules, error) {
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		return Rules{}, fmt.Errorf("practice time zone %q: %w", timeZone, err)
	}
	return Rules{Policy: p, Location: loc, Now: now}, nil
}

// DateOf returns the calendar day of t in the practice's zone, as midnight UTC
// (the representation of a Date).
func (r Rules) DateOf(t time.Time) time.Time {
	y, m, d := t.In(r.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Today is the practice's current calendar day.
func (r Rules) Today() time.Time { return r.DateOf(r.Now) }

// Tomorrow is the practice's next calendar day.
func (r Rules) Tomorrow() time.Time { return r.Today().AddDate(0, 0, 1) }

// DaysBetween counts calendar days from date a to date b (midnight UTC dates).
func DaysBetween(a, b time.Time) int {
	return int(b.Sub(a).Hours()/24 + 0.5*sign(b.Sub(a)))
}

func sign(d time.Duration) float64 {
	if d < 0 {
		return -1
	}
	return 1
}

// DaysSince counts calendar days in the practice's zone from t to today.
func (r Rules) DaysSince(t time.Time) int { return DaysBetween(r.DateOf(t), r.Today()) }

// DayBounds returns the instants at which the practice's calendar day date
// starts and ends (a day is 23 or 25 hours long when clocks change).
func (r Rules) DayBounds(date time.Time) (start, end time.Time) {
	y, m, d := date.Date()
	start = time.Date(y, m, d, 0, 0, 0, 0, r.Location)
	end = time.Date(y, m, d+1, 0, 0, 0, 0, r.Location)
	return start, end
}

// EndOfDay is the instant the practice's calendar day date ends.
func (r Rules) EndOfDay(date time.Time) time.Time {
	_, end := r.DayBounds(date)
	return end
}
