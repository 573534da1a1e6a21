package caseload

import (
	"testing"
	"time"
)

// Rule 5: recurring eligibility and revocation.

func TestRecurring(t *testing.T) {
	// Now is Monday 2026-06-15 12:00; the sessions are on the Mondays before.
	r := rulesAt("2026-06-15 12:00")
	clientCancel := func(start string) Appointment {
		return session(start, Canceled, cancelledBy(ByClient, 48*time.Hour))
	}
	futureSeries := sessions(session("2026-06-22 10:00", Scheduled, inSeries("weekly-1")))
	for _, c := range []struct {
		name     string
		r        Rules
		h        *History
		eligible bool
		onTime   int
		revoke   bool
	}{
		{"no history", r, history(), false, 0, false},
		{"N-1 (2) on-time sessions", r, history(sessions(
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", Attended),
		)), false, 2, false},
		{"exactly N (3) on-time sessions", r, history(sessions(
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", Attended),
		)), true, 3, false},
		{"five on-time sessions, in any order", r, history(sessions(
			session("2026-06-08 10:00", Attended),
			session("2026-05-11 10:00", Attended),
			session("2026-06-01 10:00", Attended),
			session("2026-05-18 10:00", Attended),
			session("2026-05-25 10:00", Attended),
		)), true, 5, false},
		{"9 minutes late is on time", r, history(sessions(
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended, lateBy(9)),
			session("2026-06-08 10:00", Attended),
		)), true, 3, false},
		{"10 minutes late (the setting) is a late arrival and breaks the run", r, history(sessions(
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", Attended, lateBy(10)),
		)), false, 0, false},
		{"one late arrival in the middle", r, history(sessions(
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended, lateBy(25)),
			session("2026-06-08 10:00", Attended),
		)), false, 1, false},
		{"an older late arrival, then three on time", r, history(sessions(
			session("2026-05-18 10:00", Attended, lateBy(30)),
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", Attended),
		)), true, 3, false},
		{"one client cancellation breaks the run", r, history(sessions(
			session("2026-05-25 10:00", Attended),
			clientCancel("2026-06-01 10:00"),
			session("2026-06-08 10:00", Attended),
		)), false, 1, false},
		{"a no-show breaks the run", r, history(sessions(
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", NoShow),
		)), false, 0, false},
		{"a reschedule the client asked for breaks the run (SPEC rule 5)", r, history(sessions(
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended, rescheduledBy(ByClient)),
			session("2026-06-08 10:00", Attended),
		)), false, 1, false},
		{"the newest session rescheduled by the client: the run starts again", r, history(sessions(
			session("2026-05-18 10:00", Attended),
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", Attended, rescheduledBy(ByClient)),
		)), false, 0, false},
		{"N (3) on time after the client's reschedule: earned again", r, history(sessions(
			session("2026-05-18 10:00", Attended, rescheduledBy(ByClient)),
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", Attended),
		)), true, 3, false},
		{"N-1 (2) on time after the client's reschedule: not yet", r, history(sessions(
			session("2026-05-25 10:00", Attended, rescheduledBy(ByClient)),
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", Attended),
		)), false, 2, false},
		{"reschedules the clinician or the practice asked for keep the run", r, history(sessions(
			session("2026-05-25 10:00", Attended, rescheduledBy(ByClinician)),
			session("2026-06-01 10:00", Attended, rescheduledBy(ByPractice)),
			session("2026-06-08 10:00", Attended),
		)), true, 3, false},
		{"a future session the client moved does not count yet", r, history(sessions(
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", Attended),
			session("2026-06-22 10:00", Scheduled, rescheduledBy(ByClient)),
		)), true, 3, false},
		{"a client's reschedule is no cancellation: it does not count toward revoking", r, history(recurringPrivilege(), sessions(
			clientCancel("2026-06-01 10:00"),
			session("2026-06-08 10:00", Attended, rescheduledBy(ByClient)),
		)), false, 0, false},
		{"clinician and practice cancellations count neither way", r, history(sessions(
			session("2026-05-18 10:00", Attended),
			session("2026-05-25 10:00", Canceled, cancelledBy(ByClinician, 2*time.Hour)),
			session("2026-06-01 10:00", Attended),
			session("2026-06-05 10:00", Canceled, cancelledBy(ByPractice, 2*time.Hour)),
			session("2026-06-08 10:00", Attended),
		)), true, 3, false},
		{"an unrecorded past session is skipped", r, history(sessions(
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended),
			session("2026-06-04 10:00", Scheduled),
			session("2026-06-08 10:00", Attended),
		)), true, 3, false},
		{"future sessions do not count", r, history(sessions(
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", Attended),
			session("2026-06-16 10:00", Attended), // recorded ahead by mistake
			session("2026-06-22 10:00", Scheduled),
		)), false, 2, false},

		{"two client cancellations in a row, with the privilege", r, history(recurringPrivilege(), sessions(
			session("2026-05-25 10:00", Attended),
			clientCancel("2026-06-01 10:00"),
			clientCancel("2026-06-08 10:00"),
		)), false, 0, true},
		{"two client cancellations in a row, with a future series session", r, history(futureSeries, sessions(
			session("2026-05-25 10:00", Attended),
			clientCancel("2026-06-01 10:00"),
			clientCancel("2026-06-08 10:00"),
		)), false, 0, true},
		{"two client cancellations in a row, holding nothing", r, history(sessions(
			session("2026-05-25 10:00", Attended),
			clientCancel("2026-06-01 10:00"),
			clientCancel("2026-06-08 10:00"),
		)), false, 0, false},
		{"two client cancellations, only a past series session", r, history(sessions(
			session("2026-05-25 10:00", Attended, inSeries("weekly-1")),
			clientCancel("2026-06-01 10:00"),
			clientCancel("2026-06-08 10:00"),
		)), false, 0, false},
		{"one client cancellation", r, history(recurringPrivilege(), sessions(
			session("2026-06-01 10:00", Attended),
			clientCancel("2026-06-08 10:00"),
		)), false, 0, false},
		{"two client cancellations with an attended session between", r, history(recurringPrivilege(), sessions(
			clientCancel("2026-05-25 10:00"),
			session("2026-06-01 10:00", Attended),
			clientCancel("2026-06-08 10:00"),
		)), false, 0, false},
		{"two client cancellations with a clinician cancellation between", r, history(recurringPrivilege(), sessions(
			clientCancel("2026-05-25 10:00"),
			session("2026-06-01 10:00", Canceled, cancelledBy(ByClinician, time.Hour)),
			clientCancel("2026-06-08 10:00"),
		)), false, 0, true},
		{"three late arrivals in a row", r, history(recurringPrivilege(), sessions(
			session("2026-05-25 10:00", Attended, lateBy(10)),
			session("2026-06-01 10:00", Attended, lateBy(15)),
			session("2026-06-08 10:00", Attended, lateBy(20)),
		)), false, 0, true},
		{"three late arrivals, holding nothing", r, history(sessions(
			session("2026-05-25 10:00", Attended, lateBy(10)),
			session("2026-06-01 10:00", Attended, lateBy(15)),
			session("2026-06-08 10:00", Attended, lateBy(20)),
		)), false, 0, false},
		{"two late arrivals", r, history(recurringPrivilege(), sessions(
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended, lateBy(15)),
			session("2026-06-08 10:00", Attended, lateBy(20)),
		)), false, 0, false},
		{"three late arrivals counted over attended sessions only", r, history(recurringPrivilege(), sessions(
			session("2026-05-18 10:00", Attended, lateBy(12)),
			session("2026-05-25 10:00", NoShow),
			session("2026-06-01 10:00", Attended, lateBy(15)),
			clientCancel("2026-06-05 10:00"),
			session("2026-06-08 10:00", Attended, lateBy(20)),
		)), false, 0, true},
		{"three late, then on time", r, history(recurringPrivilege(), sessions(
			session("2026-05-18 10:00", Attended, lateBy(12)),
			session("2026-05-25 10:00", Attended, lateBy(12)),
			session("2026-06-01 10:00", Attended, lateBy(15)),
			session("2026-06-08 10:00", Attended, lateBy(9)),
		)), false, 1, false},

		{"earn after 5: four on time", withPolicy(r, func(p *Policy) { p.RecurringEarnAfter = 5 }), history(sessions(
			session("2026-05-18 10:00", Attended),
			session("2026-05-25 10:00", Attended),
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", Attended),
		)), false, 4, false},
		{"late arrival at 15 minutes: 12 is on time", withPolicy(r, func(p *Policy) { p.LateArrivalMinutes = 15 }), history(sessions(
			session("2026-05-25 10:00", Attended, lateBy(12)),
			session("2026-06-01 10:00", Attended, lateBy(14)),
			session("2026-06-08 10:00", Attended),
		)), true, 3, false},
	} {
		got := c.r.RecurringEligibility(c.h)
		if got.Eligible != c.eligible || got.ConsecutiveOnTime != c.onTime || got.ShouldRevoke != c.revoke {
			t.Errorf("%s: got eligible=%v onTime=%d revoke=%v (%s); want eligible=%v onTime=%d revoke=%v",
				c.name, got.Eligible, got.ConsecutiveOnTime, got.ShouldRevoke, got.Reason, c.eligible, c.onTime, c.revoke)
		}
		if got.Needed != c.r.Policy.RecurringEarnAfter || got.Reason == "" {
			t.Errorf("%s: Needed=%d Reason=%q; want %d and an explanation", c.name, got.Needed, got.Reason, c.r.Policy.RecurringEarnAfter)
		}
	}
}

func TestHoldsRecurring(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		name string
		h    *History
		want bool
	}{
		{"no privilege, no series", history(sessions(session("2026-06-22 10:00", Scheduled))), false},
		{"the privilege", history(recurringPrivilege()), true},
		{"a future booked series session", history(sessions(session("2026-06-22 10:00", Confirmed, inSeries("s")))), true},
		{"a past series session only", history(sessions(session("2026-06-08 10:00", Attended, inSeries("s")))), false},
		{"a cancelled future series session only", history(sessions(session("2026-06-22 10:00", Canceled, inSeries("s"), cancelledBy(ByClinician, 72*time.Hour)))), false},
	} {
		if got := r.HoldsRecurring(c.h); got != c.want {
			t.Errorf("%s: HoldsRecurring = %v, want %v", c.name, got, c.want)
		}
	}
}
