package caseload

import (
	"math"
	"testing"
	"time"
)

// Rule 9: caseload health.

// clients returns n ACTIVE clients of the given frequency with no history.
func clients(n int, freq string) []*History {
	out := make([]*History, n)
	for i := range out {
		out[i] = history(clientID(i+1), frequency(freq))
	}
	return out
}

func concat(lists ...[]*History) []*History {
	var out []*History
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestHealthStatus(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		name     string
		slots    int
		clients  []*History
		active   int
		min, max int
		status   string
	}{
		{"38 for 30 slots: under", 30, clients(38, AsNeeded), 38, 39, 51, HealthUnder},
		{"39 for 30 slots: healthy (low edge)", 30, clients(39, AsNeeded), 39, 39, 51, HealthHealthy},
		{"51 for 30 slots: healthy (high edge)", 30, clients(51, AsNeeded), 51, 39, 51, HealthHealthy},
		{"52 for 30 slots: over", 30, clients(52, AsNeeded), 52, 39, 51, HealthOver},
		{"waitlisted and closed clients do not count", 30, concat(clients(38, AsNeeded),
			[]*History{history(clientID(100), clientStatus(StatusWaitlist)), history(clientID(101), clientStatus(StatusClosed))}), 38, 39, 51, HealthUnder},
		{"35 slots: 45.5 and 59.5 round to 46 and 60", 35, clients(46, AsNeeded), 46, 46, 60, HealthHealthy},
		{"no clients", 30, nil, 0, 39, 51, HealthUnder},
		{"no slots, no clients", 0, nil, 0, 0, 0, HealthHealthy},
	} {
		got := r.CaseloadHealth(c.slots, c.clients)
		if got.ActiveClients != c.active || got.RecommendedMin != c.min || got.RecommendedMax != c.max || got.Status != c.status || got.WeeklySlots != c.slots {
			t.Errorf("%s: got %d active, range %d-%d, %s (slots %d); want %d active, range %d-%d, %s",
				c.name, got.ActiveClients, got.RecommendedMin, got.RecommendedMax, got.Status, got.WeeklySlots, c.active, c.min, c.max, c.status)
		}
		if got.Explanation == "" {
			t.Errorf("%s: empty explanation", c.name)
		}
		if c.status != HealthUnder && got.NewClientsToRequest != 0 {
			t.Errorf("%s: %s but requests %d new clients, want 0", c.name, got.Status, got.NewClientsToRequest)
		}
	}
}

func TestHealthExpectedWeeklySessions(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	// Three attended and one no-show in the last 90 days: attendance 0.75.
	threeOfFour := sessions(
		session("2026-05-11 10:00", Attended), session("2026-05-18 10:00", NoShow),
		session("2026-05-25 10:00", Attended), session("2026-06-01 10:00", Attended))
	for _, c := range []struct {
		name    string
		clients []*History
		want    float64
	}{
		{"weekly, no history", clients(1, Weekly), 1},
		{"biweekly, no history", clients(1, Biweekly), 0.5},
		{"monthly, no history: 12/52", clients(1, Monthly), 0.23},
		{"as needed, no history", clients(1, AsNeeded), 0.1},
		{"one of each", concat(clients(1, Weekly), clients(1, Biweekly), clients(1, Monthly), clients(1, AsNeeded)), 1.83},
		{"weekly, attending 3 of 4", []*History{history(threeOfFour)}, 0.75},
		{"biweekly, attending 3 of 4", []*History{history(frequency(Biweekly), threeOfFour)}, 0.38},
		{"monthly x 13: 3 sessions", clients(13, Monthly), 3},
		{"not active: nothing", []*History{history(clientStatus(StatusWaitlist)), history(clientStatus(StatusClosed))}, 0},
	} {
		got := r.CaseloadHealth(30, c.clients)
		if math.Abs(got.ExpectedWeeklySessions-c.want) > 1e-9 {
			t.Errorf("%s: expected weekly sessions %g, want %g", c.name, got.ExpectedWeeklySessions, c.want)
		}
		if want := math.Round(c.want/30*1000) / 1000; math.Abs(got.Utilization-want) > 1e-9 {
			t.Errorf("%s: utilization %g, want %g", c.name, got.Utilization, want)
		}
	}
}

func TestAttendanceRate(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		name string
		h    *History
		want float64
	}{
		{"no history", history(), 1},
		{"all attended", history(sessions(session("2026-06-01 10:00", Attended), session("2026-06-08 10:00", Attended))), 1},
		{"one no-show in four", history(sessions(
			session("2026-05-11 10:00", Attended), session("2026-05-18 10:00", NoShow),
			session("2026-05-25 10:00", Attended), session("2026-06-01 10:00", Attended))), 0.75},
		{"a late cancel is a miss, an on-time or clinician cancel is not", history(sessions(
			session("2026-05-11 10:00", Attended),
			session("2026-05-18 10:00", Canceled, cancelledBy(ByClient, time.Hour)),
			session("2026-05-25 10:00", Canceled, cancelledBy(ByClient, 72*time.Hour)),
			session("2026-06-01 10:00", Canceled, cancelledBy(ByClinician, time.Hour)))), 0.5},
		{"only misses", history(sessions(session("2026-06-01 10:00", NoShow))), 0},
		{"history older than 90 days does not count", history(sessions(session("2026-03-01 10:00", NoShow), session("2026-06-01 10:00", Attended))), 1},
		{"only old history: 1", history(sessions(session("2026-03-01 10:00", NoShow))), 1},
		{"future and unrecorded sessions do not count", history(sessions(
			session("2026-06-01 10:00", Attended), session("2026-06-12 10:00", Scheduled), session("2026-06-22 10:00", Scheduled))), 1},
	} {
		if got := r.AttendanceRate(c.h); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: AttendanceRate = %g, want %g", c.name, got, c.want)
		}
	}
}

func TestHealthNewClientsToRequest(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		name    string
		r       Rules
		slots   int
		clients []*History
		want    int
	}{
		// Rule 9 (SPEC): open = slots - expected sessions; when UNDER and
		// open >= 1, ceil(open) + buffer, capped by max - active; else 0.
		// 30 slots: the range is 39-51.
		// The SPEC's example: open 10, 10 + 2 (not 39 - 20 + 2 = 21).
		{"20 weekly clients who always attend", r, 30, clients(20, Weekly), 12},
		// open 20: 20 + 2
		{"10 weekly clients", r, 30, clients(10, Weekly), 22},
		// open 30 - 0: 32, under the cap of 51
		{"no clients", r, 30, nil, 32},
		// open 30 - 20*12/52 = 25.38: 26 + 2
		{"20 monthly clients: open slots round up", r, 30, clients(20, Monthly), 28},
		// open 30 - 3.8 = 26.2: 27 + 2 = 29, capped by 51 - 38
		{"38 as-needed clients: capped by the maximum", r, 30, clients(38, AsNeeded), 13},
		// open 30 - 38 < 0: the week is full although the caseload is small
		{"38 weekly clients: slots full", r, 30, clients(38, Weekly), 0},
		// open exactly 1: 1 + 2
		{"29 weekly clients: one open slot", r, 30, clients(29, Weekly), 3},
		// open 30 - 29.1 = 0.9 < 1: none
		{"29 weekly and one as-needed: under one open slot", r, 30, concat(clients(29, Weekly), clients(1, AsNeeded)), 0},
		// a range of 39-42: open 26.2 -> 29, capped by 42 - 38 = 4
		{"a narrow range caps it", withPolicy(r, func(p *Policy) { p.CaseloadMaxMultiple = 1.4 }), 30, clients(38, AsNeeded), 4},
		{"a buffer of 3", withPolicy(r, func(p *Policy) { p.NoShowBuffer = 3 }), 30, clients(20, Weekly), 13},
		{"a buffer of 0", withPolicy(r, func(p *Policy) { p.NoShowBuffer = 0 }), 30, clients(20, Weekly), 10},
		{"healthy: none", r, 30, clients(39, AsNeeded), 0},
		{"over: none", r, 30, clients(52, Weekly), 0},
		{"no slots: none", r, 0, nil, 0},
	} {
		got := c.r.CaseloadHealth(c.slots, c.clients)
		if got.NewClientsToRequest != c.want {
			t.Errorf("%s: NewClientsToRequest = %d (%s, %d active, %.2f expected sessions), want %d",
				c.name, got.NewClientsToRequest, got.Status, got.ActiveClients, got.ExpectedWeeklySessions, c.want)
		}
	}
}

// TestHealthSaysWhyTheCount: the explanation gives the numbers the count
// comes from, and says why it is 0 when the slots are full.
func TestHealthSaysWhyTheCount(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		name    string
		clients []*History
		want    string
	}{
		{"open slots", clients(20, Weekly), "20 active clients, below the recommended 39-51 for 30 weekly slots: 20.00 expected weekly sessions leave 10 open slots, so request 12 new clients (one per open slot, rounded up, plus 2 for expected no-shows)."},
		{"full", clients(38, Weekly), "38 active clients, below the recommended 39-51 for 30 weekly slots, but the slots are full although the caseload is small: 38.00 expected weekly sessions for 30 slots leave no open slot, so request none."},
		{"capped", clients(38, AsNeeded), "38 active clients, below the recommended 39-51 for 30 weekly slots: 3.80 expected weekly sessions leave 26.2 open slots; 29 new clients (one per open slot plus 2 for expected no-shows) would pass the maximum of 51, so request 13."},
	} {
		if got := r.CaseloadHealth(30, c.clients).Explanation; got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestHealthFollowsThePolicyMultiples(t *testing.T) {
	r := withPolicy(rulesAt("2026-06-15 12:00"), func(p *Policy) { p.CaseloadMinMultiple, p.CaseloadMaxMultiple = 1.5, 2 })
	got := r.CaseloadHealth(30, clients(44, AsNeeded))
	if got.RecommendedMin != 45 || got.RecommendedMax != 60 || got.Status != HealthUnder {
		t.Errorf("1.5-2 x 30 slots, 44 clients: range %d-%d %s, want 45-60 UNDER", got.RecommendedMin, got.RecommendedMax, got.Status)
	}
}
