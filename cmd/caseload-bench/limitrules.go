package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/caseload/caseload/internal/caseload"
)

// clientFacts are what the caseload list's limit statement returns per
// client: instants and counts, from which the figures that depend on the
// day are computed at read time (as a facts projection would, issue 18).
type clientFacts struct {
	status string
	// opened and closed are the current episode's span (zero: none, open).
	opened, closed time.Time
	strikes        int
	// seen is the last attended session of the open episode (of all time
	// without one); inboundInEpisode the last inbound contact likewise;
	// inbound the last inbound contact of all time.
	seen, inboundInEpisode, inbound time.Time
	// warnedAt and closeBy are the active closure warning (zero: none).
	warnedAt, closeBy time.Time
	booked            bool
	// plan is when the open episode's plan or last review was signed.
	plan time.Time
}

// derive computes the list's figures from the facts: the rules of
// internal/caseload (activity.go, strikes.go, paperwork.go) over facts
// instead of a history.
func (f clientFacts) derive(r caseload.Rules) listClient {
	c := listClient{StrikeCount: f.strikes}
	open := !f.opened.IsZero() && f.closed.IsZero()
	lastContact := f.seen
	if f.inboundInEpisode.After(lastContact) {
		lastContact = f.inboundInEpisode
	}
	since := func(t time.Time) *int {
		switch {
		case !t.IsZero():
			d := r.DaysSince(t)
			return &d
		case open:
			d := r.DaysSince(f.opened)
			return &d
		}
		return nil
	}
	c.DaysSinceSeen, c.DaysSinceContact = since(f.seen), since(lastContact)
	c.LastSeenAt, c.LastContactAt = instantPtr(f.seen), instantPtr(lastContact)
	if open && !f.plan.IsZero() {
		due := date(r.DateOf(addMonths(r, f.plan, r.Policy.TreatmentPlanReviewMonths)))
		c.TreatmentPlanReviewDueOn = &due
	}
	c.TerminationRecommendation = f.advice(r, c.DaysSinceSeen, c.DaysSinceContact)
	return c
}

// advice is rule 3 (caseload.Rules.TerminationRecommendation) without its
// explanation, which the caseload list does not show.
func (f clientFacts) advice(r caseload.Rules, daysSeen, daysContact *int) listAdvice {
	reason := func(s string) *string { return &s }
	p := r.Policy
	switch {
	case f.status != caseload.StatusActive:
		return listAdvice{Action: caseload.ActionNone}
	case f.strikes >= p.StrikeLimit:
		return listAdvice{Action: caseload.ActionClose, Reason: reason(caseload.ReasonStrikes)}
	}
	warned := !f.warnedAt.IsZero()
	by := date(f.closeBy)
	if warned && !f.booked && r.Today().After(f.closeBy) {
		return listAdvice{Action: caseload.ActionClose, Reason: reason(caseload.ReasonWarningExpired), CloseBy: &by}
	}
	if warned && !f.booked {
		return listAdvice{Action: caseload.ActionWait, Reason: reason(caseload.ReasonInactive), CloseBy: &by}
	}
	inactive := func(days *int) bool { return days != nil && *days >= p.InactivityDays }
	if inactive(daysSeen) && !f.booked && !f.inbound.IsZero() && r.DaysSince(f.inbound) < p.InactivityDays {
		closeBy := date(r.Today().AddDate(0, 0, p.ClosureWarningGraceDays))
		return listAdvice{Action: caseload.ActionSendWarning, Reason: reason(caseload.ReasonInactive), CloseBy: &closeBy}
	}
	if inactive(daysContact) && !f.booked {
		return listAdvice{Action: caseload.ActionClose, Reason: reason(caseload.ReasonInactive)}
	}
	return listAdvice{Action: caseload.ActionNone}
}

// addMonths is caseload's: calendar months in the practice's zone, a day
// the target month lacks becoming its last.
func addMonths(r caseload.Rules, t time.Time, months int) time.Time {
	local := t.In(r.Location)
	y, m, d := local.Date()
	lastDay := time.Date(y, m+time.Month(months)+1, 0, 0, 0, 0, 0, r.Location).Day()
	return time.Date(y, m+time.Month(months), min(d, lastDay), local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), r.Location)
}

// instant and date format as the API's DateTime and Date scalars do.
func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func date(t time.Time) string { return t.Format(time.DateOnly) }

func instantPtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := instant(t)
	return &s
}

// sqlTime scans an instant of either database: a time.Time from
// PostgreSQL (and from a SQLite column of a time type), the text SQLite
// keeps otherwise (what an aggregate returns); NULL is the zero time.
type sqlTime struct{ time.Time }

var sqliteLayouts = []string{"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", time.DateOnly}

func (t *sqlTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		t.Time = time.Time{}
		return nil
	case time.Time:
		t.Time = v.UTC()
		return nil
	case []byte:
		return t.parse(string(v))
	case string:
		return t.parse(v)
	}
	return fmt.Errorf("sqlTime: cannot scan %T", v)
}

func (t *sqlTime) parse(s string) error {
	s, _, _ = strings.Cut(s, " m=")
	for _, layout := range sqliteLayouts {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time = p.UTC()
			return nil
		}
	}
	return fmt.Errorf("sqlTime: unknown time format %q", s)
}
