package main

import (
	"time"

	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts/history"
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

// derive computes the list's figures from the facts with the rules of
// internal/caseload that take facts instead of a history (ActivityFrom,
// ReviewDueAfter, Recommend): the same answer, computed the same way.
func (f clientFacts) derive(r caseload.Rules) listClient {
	c := listClient{StrikeCount: f.strikes}
	open := !f.opened.IsZero() && f.closed.IsZero()
	act := r.ActivityFrom(f.seen, f.inboundInEpisode, f.opened, open)
	c.DaysSinceSeen, c.DaysSinceContact = act.DaysSinceSeen, act.DaysSinceContact
	c.LastSeenAt, c.LastContactAt = instantPtr(act.LastSeenAt), instantPtr(act.LastContactAt)
	if open && !f.plan.IsZero() {
		due := date(r.DateOf(r.ReviewDueAfter(f.plan)))
		c.TreatmentPlanReviewDueOn = &due
	}
	rec := r.Recommend(caseload.TerminationFacts{Status: f.status, Strikes: f.strikes, Booked: f.booked, Activity: act,
		Warned: !f.warnedAt.IsZero(), WarnedAt: f.warnedAt, WarningCloseBy: f.closeBy, LastInbound: f.inbound})
	c.TerminationRecommendation = listAdvice{Action: rec.Action}
	if rec.Reason != "" {
		c.TerminationRecommendation.Reason = &rec.Reason
	}
	if !rec.CloseBy.IsZero() {
		by := date(rec.CloseBy)
		c.TerminationRecommendation.CloseBy = &by
	}
	return c
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

// sqlTime scans an instant of either database as internal/facts does
// (NULL is the zero time), in UTC.
type sqlTime struct{ time.Time }

func (t *sqlTime) Scan(v any) error {
	var d history.Time
	if err := d.Scan(v); err != nil {
		return err
	}
	t.Time = d.UTC()
	return nil
}
