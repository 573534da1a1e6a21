package caseload

import (
	"testing"
	"time"
)

// Rule 1 and the appointment flags of rule 10.

func TestIsLateCancel(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	const start = "2026-06-16 10:00"
	for _, c := range []struct {
		name string
		a    Appointment
		want bool
	}{
		{"client, exactly 24h before: on the edge, not late", session(start, Canceled, cancelledBy(ByClient, 24*time.Hour)), false},
		{"client, one minute inside the window", session(start, Canceled, cancelledBy(ByClient, 24*time.Hour-time.Minute)), true},
		{"client, one minute outside the window", session(start, Canceled, cancelledBy(ByClient, 24*time.Hour+time.Minute)), false},
		{"client, an hour before", session(start, Canceled, cancelledBy(ByClient, time.Hour)), true},
		{"client, after the start", session(start, Canceled, cancelledBy(ByClient, -10*time.Minute)), true},
		{"client, a week before", session(start, Canceled, cancelledBy(ByClient, 7*24*time.Hour)), false},
		{"clinician, an hour before", session(start, Canceled, cancelledBy(ByClinician, time.Hour)), false},
		{"practice, an hour before", session(start, Canceled, cancelledBy(ByPractice, time.Hour)), false},
		{"client, no cancellation time recorded", session(start, Canceled, func(a *Appointment) { a.CanceledBy = ByClient }), false},
		{"no-show", session(start, NoShow), false},
		{"attended", session(start, Attended), false},
		{"excused late cancel is still a late cancel", session(start, Canceled, cancelledBy(ByClient, time.Hour), excused()), true},
	} {
		if got := r.IsLateCancel(c.a); got != c.want {
			t.Errorf("%s: IsLateCancel = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestIsLateCancelFollowsThePolicyWindow(t *testing.T) {
	r := withPolicy(rulesAt("2026-06-15 12:00"), func(p *Policy) { p.LateCancelWindowHours = 48 })
	for _, c := range []struct {
		before time.Duration
		want   bool
	}{
		{47 * time.Hour, true},
		{48 * time.Hour, false},
		{25 * time.Hour, true},
	} {
		a := session("2026-06-20 10:00", Canceled, cancelledBy(ByClient, c.before))
		if got := r.IsLateCancel(a); got != c.want {
			t.Errorf("48h window, cancelled %v before: IsLateCancel = %v, want %v", c.before, got, c.want)
		}
	}
}

func TestCountsAsStrike(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	const start = "2026-06-10 10:00"
	for _, c := range []struct {
		name string
		a    Appointment
		want bool
	}{
		{"no-show", session(start, NoShow), true},
		{"excused no-show", session(start, NoShow, excused()), false},
		{"late cancel by the client", session(start, Canceled, cancelledBy(ByClient, 2*time.Hour)), true},
		{"excused late cancel", session(start, Canceled, cancelledBy(ByClient, 2*time.Hour), excused()), false},
		{"client cancel exactly at the window edge", session(start, Canceled, cancelledBy(ByClient, 24*time.Hour)), false},
		{"client cancel two days ahead", session(start, Canceled, cancelledBy(ByClient, 48*time.Hour)), false},
		{"clinician cancel inside the window", session(start, Canceled, cancelledBy(ByClinician, time.Hour)), false},
		{"practice cancel inside the window", session(start, Canceled, cancelledBy(ByPractice, time.Hour)), false},
		{"attended", session(start, Attended), false},
		{"attended 40 minutes late", session(start, Attended, lateBy(40)), false},
		{"scheduled", session(start, Scheduled), false},
	} {
		if got := r.CountsAsStrike(c.a); got != c.want {
			t.Errorf("%s: CountsAsStrike = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestStrikeCount(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		name string
		h    *History
		want int
	}{
		{"no history", history(), 0},
		{"an open episode and no sessions", history(opened(1, "2026-01-05 09:00")), 0},
		{"two no-shows: below the limit", history(opened(1, "2026-01-05 09:00"), sessions(
			session("2026-02-02 10:00", NoShow),
			session("2026-02-09 10:00", NoShow),
			session("2026-02-16 10:00", Attended),
		)), 2},
		{"three no-shows: exactly at the limit", history(opened(1, "2026-01-05 09:00"), sessions(
			session("2026-02-02 10:00", NoShow),
			session("2026-02-09 10:00", NoShow),
			session("2026-02-16 10:00", NoShow),
		)), 3},
		{"an excused no-show does not count", history(opened(1, "2026-01-05 09:00"), sessions(
			session("2026-02-02 10:00", NoShow),
			session("2026-02-09 10:00", NoShow, excused()),
			session("2026-02-16 10:00", NoShow),
		)), 2},
		{"clinician and practice cancellations are no strikes", history(opened(1, "2026-01-05 09:00"), sessions(
			session("2026-02-02 10:00", Canceled, cancelledBy(ByClinician, time.Hour)),
			session("2026-02-09 10:00", Canceled, cancelledBy(ByPractice, 10*time.Minute)),
			session("2026-02-16 10:00", NoShow),
		)), 1},
		{"client cancellations at the window edge, one minute inside, one minute outside", history(opened(1, "2026-01-05 09:00"), sessions(
			session("2026-02-02 10:00", Canceled, cancelledBy(ByClient, 24*time.Hour)),
			session("2026-02-09 10:00", Canceled, cancelledBy(ByClient, 24*time.Hour-time.Minute)),
			session("2026-02-16 10:00", Canceled, cancelledBy(ByClient, 24*time.Hour+time.Minute)),
		)), 1},
		{"no-shows and late cancels add up", history(opened(1, "2026-01-05 09:00"), sessions(
			session("2026-02-02 10:00", NoShow),
			session("2026-02-09 10:00", Canceled, cancelledBy(ByClient, 3*time.Hour)),
			session("2026-02-16 10:00", Canceled, cancelledBy(ByClient, 72*time.Hour)),
		)), 2},
		{"reopened, linked: the closed episode's strikes do not count", history(
			closedEpisode(1, "2025-09-01 09:00", "2025-12-01 12:00"),
			opened(2, "2026-03-02 09:00"),
			sessions(
				session("2025-09-15 10:00", NoShow, inEpisodeID(1)),
				session("2025-09-22 10:00", NoShow, inEpisodeID(1)),
				session("2025-09-29 10:00", NoShow, inEpisodeID(1)),
				session("2026-03-09 10:00", NoShow, inEpisodeID(2)),
			)), 1},
		{"reopened, misfiled: the dates win over the link (SPEC rule 1)", history(
			closedEpisode(1, "2025-09-01 09:00", "2025-12-01 12:00"),
			opened(2, "2026-03-02 09:00"),
			sessions(
				// Back-entered after the reopening and filed in the open
				// episode, although dated in the closed one (issue 17).
				session("2025-11-03 10:00", NoShow, inEpisodeID(2)),
				session("2026-03-09 10:00", NoShow, inEpisodeID(2)),
				session("2026-03-16 10:00", NoShow, inEpisodeID(2)),
				// Filed in the old episode although dated in the new one.
				session("2026-03-23 10:00", NoShow, inEpisodeID(1)),
			)), 3},
		{"reopened, unlinked: attributed by dates", history(
			closedEpisode(1, "2025-09-01 09:00", "2025-12-01 12:00"),
			opened(2, "2026-03-02 09:00"),
			sessions(
				session("2025-09-15 10:00", NoShow),
				session("2025-10-15 10:00", NoShow),
				session("2025-12-01 11:59", NoShow), // the closing's last minute: the old episode
				session("2025-12-01 12:00", NoShow), // exactly at the closing: neither (the span ends before it)
				session("2026-01-15 10:00", NoShow), // between episodes: neither
				session("2026-03-02 09:00", NoShow), // exactly at the opening: the new episode
				session("2026-04-06 10:00", Canceled, cancelledBy(ByClient, time.Hour)),
			)), 2},
		{"closed client: the latest (closed) episode's strikes", history(
			clientStatus(StatusClosed),
			closedEpisode(1, "2026-01-05 09:00", "2026-05-01 12:00"),
			sessions(
				session("2026-02-02 10:00", NoShow),
				session("2026-02-09 10:00", NoShow),
				session("2026-02-16 10:00", NoShow),
			)), 3},
	} {
		if got := r.StrikeCount(c.h); got != c.want {
			t.Errorf("%s: StrikeCount = %d, want %d", c.name, got, c.want)
		}
	}
}

// TestStrikeCountAtTheReopening: two real strikes and a third no-show
// entered after the reopening, dated before it. The span of an episode is
// [opened, closed): an instant is in at most one. The case of issue 17: the
// old no-show no longer makes three strikes in the new episode.
func TestStrikeCountAtTheReopening(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	const closing, reopening = "2026-03-02 09:00", "2026-04-06 09:00"
	reopened := func(late ...Appointment) *History {
		return history(clientStatus(StatusActive),
			closedEpisode(1, "2025-09-01 09:00", closing), opened(2, reopening),
			sessions(append([]Appointment{
				session("2026-05-04 10:00", NoShow, inEpisodeID(2)),
				session("2026-05-11 10:00", Canceled, cancelledBy(ByClient, time.Hour), inEpisodeID(2)),
			}, late...)...))
	}
	back := func(start time.Time) Appointment { return sessionAt(start, NoShow, inEpisodeID(2)) }
	for _, c := range []struct {
		name string
		h    *History
		want int
	}{
		{"two strikes in the new episode", reopened(), 2},
		{"a no-show back-entered, dated one second before the reopening: between the episodes", reopened(back(ny(reopening).Add(-time.Second))), 2},
		{"dated exactly at the reopening: the new episode", reopened(back(ny(reopening))), 3},
		{"dated one second before the closing: the old episode", reopened(back(ny(closing).Add(-time.Second))), 2},
		{"dated exactly at the closing: between the episodes", reopened(back(ny(closing))), 2},
		{"a late cancel made before the closing, of a session after the reopening: the old episode's", reopened(
			sessionAt(ny(reopening).Add(time.Hour), Canceled, func(a *Appointment) { a.CanceledBy, a.CanceledAt = ByClient, ny(closing).Add(-time.Hour) })), 2},
		{"a late cancel made at the reopening instant: the new episode's", reopened(
			sessionAt(ny(reopening).Add(time.Hour), Canceled, func(a *Appointment) { a.CanceledBy, a.CanceledAt = ByClient, ny(reopening) })), 3},
		{"closed and reopened at the same instant, one second before: the old episode", history(
			closedEpisode(1, "2025-09-01 09:00", reopening), opened(2, reopening),
			sessions(back(ny(reopening).Add(-time.Second)), back(ny("2026-05-04 10:00")))), 1},
		{"closed and reopened at the same instant, at it: the new episode", history(
			closedEpisode(1, "2025-09-01 09:00", reopening), opened(2, reopening),
			sessions(back(ny(reopening)), back(ny("2026-05-04 10:00")))), 2},
	} {
		if got := r.StrikeCount(c.h); got != c.want {
			t.Errorf("%s: StrikeCount = %d, want %d", c.name, got, c.want)
		}
	}
	// The recommendation follows: three strikes would say CLOSE.
	h := reopened(back(ny(reopening).Add(-time.Second)))
	if rec := r.TerminationRecommendation(h); rec.Action == ActionClose && rec.Reason == ReasonStrikes {
		t.Errorf("a no-show dated before the reopening closes the new episode: %+v", rec)
	}
}

func TestEpisodeAt(t *testing.T) {
	h := history(closedEpisode(1, "2025-09-01 09:00", "2026-03-02 09:00"), opened(2, "2026-04-06 09:00"))
	for _, c := range []struct {
		at   time.Time
		want int // 0: none
	}{
		{ny("2025-09-01 09:00").Add(-time.Second), 0},
		{ny("2025-09-01 09:00"), 1},
		{ny("2026-03-02 09:00").Add(-time.Second), 1},
		{ny("2026-03-02 09:00"), 0},
		{ny("2026-04-06 09:00").Add(-time.Second), 0},
		{ny("2026-04-06 09:00"), 2},
		{ny("2030-01-01 00:00"), 2},
	} {
		e, ok := h.EpisodeAt(c.at)
		if got := map[bool]int{true: e.ID}[ok]; got != c.want {
			t.Errorf("EpisodeAt(%s) = %d, want %d", showTime(c.at), got, c.want)
		}
	}
}

func TestReminderDue(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		name string
		r    Rules
		a    Appointment
		want bool
	}{
		{"exactly 24h ahead", r, session("2026-06-16 12:00", Scheduled), true},
		{"24h and one minute ahead", r, session("2026-06-16 12:01", Scheduled), false},
		{"23h59m ahead", r, session("2026-06-16 11:59", Scheduled), true},
		{"two hours ahead, confirmed", r, session("2026-06-15 14:00", Confirmed), true},
		{"reminder already sent", r, session("2026-06-16 10:00", Scheduled, remindedAt(ny("2026-06-15 09:00"))), false},
		{"starts now", r, session("2026-06-15 12:00", Scheduled), false},
		{"past", r, session("2026-06-15 10:00", Scheduled), false},
		{"cancelled", r, session("2026-06-16 10:00", Canceled, cancelledBy(ByClinician, 30*time.Hour)), false},
		{"attended (recorded early)", r, session("2026-06-16 10:00", Attended), false},
		{"a week ahead", r, session("2026-06-22 10:00", Scheduled), false},
		// The lead time is 24 elapsed hours: the night clocks spring forward
		// has 23 of them.
		{"spring-forward, 13:00 EDT is 24h after 12:00 EST", rulesAt("2026-03-07 12:00"), session("2026-03-08 13:00", Scheduled), true},
		{"spring-forward, 13:01 EDT is 24h01m after 12:00 EST", rulesAt("2026-03-07 12:00"), session("2026-03-08 13:01", Scheduled), false},
		{"48h lead time", withPolicy(r, func(p *Policy) { p.ReminderLeadHours = 48 }), session("2026-06-17 12:00", Scheduled), true},
	} {
		if got := c.r.ReminderDue(c.a); got != c.want {
			t.Errorf("%s: ReminderDue(start %s) at %s = %v, want %v", c.name, showTime(c.a.Start), showTime(c.r.Now), got, c.want)
		}
	}
}

func TestNeedsAttendance(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		name string
		a    Appointment
		want bool
	}{
		{"scheduled, ended a minute ago", session("2026-06-15 11:09", Scheduled), true},
		{"confirmed, ends exactly now", session("2026-06-15 11:10", Confirmed), true},
		{"scheduled, still in progress", session("2026-06-15 11:30", Scheduled), false},
		{"scheduled, yesterday", session("2026-06-14 10:00", Scheduled), true},
		{"attended, yesterday", session("2026-06-14 10:00", Attended), false},
		{"no-show, yesterday", session("2026-06-14 10:00", NoShow), false},
		{"scheduled, tomorrow", session("2026-06-16 10:00", Scheduled), false},
	} {
		if got := r.NeedsAttendance(c.a); got != c.want {
			t.Errorf("%s: NeedsAttendance(%s-%s) = %v, want %v", c.name, showTime(c.a.Start), showTime(c.a.End), got, c.want)
		}
	}
}

func TestNextAppointment(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	h := history(sessions(
		session("2026-06-14 10:00", Attended, withID(1)),
		session("2026-06-29 10:00", Scheduled, withID(2)),
		session("2026-06-17 10:00", Canceled, withID(3), cancelledBy(ByClient, 48*time.Hour)),
		session("2026-06-22 10:00", Confirmed, withID(4)),
		session("2026-06-15 11:30", Scheduled, withID(5)), // in progress: not next
	))
	next, ok := r.NextAppointment(h)
	if !ok || next.ID != 4 {
		t.Errorf("NextAppointment = #%d (found %v), want #4 on 2026-06-22", next.ID, ok)
	}
	if _, ok := r.NextAppointment(history()); ok {
		t.Errorf("NextAppointment of no history: found one, want none")
	}
}
