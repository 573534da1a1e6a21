package caseload

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// Rule 8: the calendar.

func calendarIDs(entries []CalendarEntry) []int {
	ids := make([]int, len(entries))
	for i, e := range entries {
		ids[i] = e.Appointment.ID
	}
	return ids
}

func TestCalendarDay(t *testing.T) {
	for _, c := range []struct {
		name string
		now  string
		day  string
		h    *History
		want []int
	}{
		{"an ordinary day: local midnight to midnight", "2026-06-15 12:00", "2026-06-16", history(sessions(
			session("2026-06-15 23:30", Scheduled, withID(1)),
			session("2026-06-16 00:00", Scheduled, withID(2)),
			session("2026-06-16 23:30", Scheduled, withID(4)),
			session("2026-06-16 09:00", Confirmed, withID(3)),
			session("2026-06-17 00:00", Scheduled, withID(5)),
			session("2026-06-17 00:30", Scheduled, withID(6)),
		)), []int{2, 3, 4}},
		{"spring-forward (23 hours)", "2026-03-07 12:00", "2026-03-08", history(sessions(
			session("2026-03-07 23:30", Scheduled, withID(1)),
			session("2026-03-08 00:00", Scheduled, withID(2)),
			session("2026-03-08 03:00", Scheduled, withID(3)), // the first minute after the jump
			session("2026-03-08 23:30", Scheduled, withID(4)),
			session("2026-03-09 00:30", Scheduled, withID(5)),
		)), []int{2, 3, 4}},
		{"fall-back (25 hours): both 01:30s are in", "2026-10-31 12:00", "2026-11-01", history(sessions(
			session("2026-10-31 23:30", Scheduled, withID(1)),
			sessionAt(utc("2026-11-01T05:30:00Z"), Scheduled, withID(2)), // 01:30 EDT
			sessionAt(utc("2026-11-01T06:30:00Z"), Scheduled, withID(3)), // 01:30 EST
			session("2026-11-01 23:30", Scheduled, withID(4)),
			session("2026-11-02 00:30", Scheduled, withID(5)),
		)), []int{2, 3, 4}},
		{"cancelled sessions are left out, attended and no-shows stay", "2026-06-17 12:00", "2026-06-16", history(sessions(
			session("2026-06-16 09:00", Canceled, withID(1), cancelledBy(ByClient, time.Hour)),
			session("2026-06-16 10:00", Canceled, withID(2), cancelledBy(ByClinician, 48*time.Hour)),
			session("2026-06-16 11:00", Attended, withID(3)),
			session("2026-06-16 12:00", NoShow, withID(4)),
		)), []int{3, 4}},
		{"another clinician's sessions are left out", "2026-06-15 12:00", "2026-06-16", history(sessions(
			session("2026-06-16 09:00", Scheduled, withID(1), withClinician(2)),
			session("2026-06-16 10:00", Scheduled, withID(2)),
		)), []int{2}},
	} {
		r := rulesAt(c.now)
		got := calendarIDs(r.Calendar(1, date(c.day), []*History{c.h}))
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: Calendar(%s) = %v, want %v", c.name, c.day, got, c.want)
		}
	}
}

func TestCalendarAuckland(t *testing.T) {
	// 2026-06-10T13:00Z is already Thursday 2026-06-11 in Auckland: tomorrow is the 12th.
	r := Rules{Policy: DefaultPolicy(), Location: auckland, Now: utc("2026-06-10T13:00:00Z")}
	h := history(sessions(
		sessionAt(utc("2026-06-11T11:30:00Z"), Scheduled, withID(1)), // 23:30 on the 11th
		sessionAt(utc("2026-06-11T12:00:00Z"), Scheduled, withID(2)), // 00:00 on the 12th
		sessionAt(utc("2026-06-12T11:59:00Z"), Scheduled, withID(3)), // 23:59 on the 12th
		sessionAt(utc("2026-06-12T12:00:00Z"), Scheduled, withID(4)), // 00:00 on the 13th
	))
	if got := calendarIDs(r.Calendar(1, r.Tomorrow(), []*History{h})); fmt.Sprint(got) != "[2 3]" {
		t.Errorf("Calendar(tomorrow = %s) = %v, want [2 3]", showDate(r.Tomorrow()), got)
	}
}

func TestCalendarIsOrderedAcrossClients(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	got := calendarIDs(r.Calendar(1, date("2026-06-16"), []*History{
		history(clientID(1), sessions(session("2026-06-16 15:00", Scheduled, withID(11)), session("2026-06-16 09:00", Scheduled, withID(12)))),
		history(clientID(2), sessions(session("2026-06-16 11:00", Scheduled, withID(21)))),
	}))
	if fmt.Sprint(got) != "[12 21 11]" {
		t.Errorf("Calendar = %v, want [12 21 11] (by start time)", got)
	}
}

func TestNoShowRisk(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	tomorrow := session("2026-06-16 10:00", Scheduled)
	confirmed := session("2026-06-16 10:00", Confirmed)
	attended := func(day int) Appointment { return session(fmt.Sprintf("2026-05-%02d 10:00", day), Attended) }
	noShow := func(day int) Appointment { return session(fmt.Sprintf("2026-05-%02d 10:00", day), NoShow) }
	for _, c := range []struct {
		name                        string
		h                           *History
		a                           Appointment
		score                       float64
		recorded, noShows, lateCanc int
		confirmed                   bool
	}{
		{"no history: the prior", history(), tomorrow, 0.15, 0, 0, 0, false},
		{"no history, confirmed: half the prior", history(), confirmed, 0.075, 0, 0, 0, true},
		{"confirmed by its time, still SCHEDULED", history(), session("2026-06-16 10:00", Scheduled, confirmedAt(ny("2026-06-15 09:00"))), 0.075, 0, 0, 0, true},
		{"four attended", history(sessions(attended(4), attended(11), attended(18), attended(25))), tomorrow, 0.6 / 8, 4, 0, 0, false},
		{"one no-show in four", history(sessions(attended(4), noShow(11), attended(18), attended(25))), tomorrow, 1.6 / 8, 4, 1, 0, false},
		{"two no-shows in four", history(sessions(noShow(4), noShow(11), attended(18), attended(25))), tomorrow, 2.6 / 8, 4, 2, 0, false},
		{"two no-shows in four, confirmed", history(sessions(noShow(4), noShow(11), attended(18), attended(25))), confirmed, 1.3 / 8, 4, 2, 0, true},
		{"a late cancel counts, an on-time one does not", history(sessions(attended(4), attended(11),
			session("2026-05-18 10:00", Canceled, cancelledBy(ByClient, time.Hour)),
			session("2026-05-25 10:00", Canceled, cancelledBy(ByClient, 72*time.Hour)))), tomorrow, 1.6 / 8, 4, 0, 1, false},
		{"clinician cancellations and unrecorded sessions are not history", history(sessions(attended(4), attended(11),
			session("2026-05-18 10:00", Canceled, cancelledBy(ByClinician, time.Hour)),
			session("2026-05-25 10:00", Scheduled))), tomorrow, 0.6 / 6, 2, 0, 0, false},
		{"twenty no-shows stay below 1", history(sessions(func() []Appointment {
			var out []Appointment
			for i := range 20 {
				out = append(out, sessionAt(ny("2026-01-05 10:00").AddDate(0, 0, 7*i), NoShow))
			}
			return out
		}()...)), tomorrow, 20.6 / 24, 20, 20, 0, false},
	} {
		got := r.Risk(c.h, c.a)
		// The score is shown rounded to three decimals.
		if math.Abs(got.Score-c.score) > 0.0005+1e-9 || got.RecordedSessions != c.recorded || got.NoShows != c.noShows || got.LateCancels != c.lateCanc || got.Confirmed != c.confirmed {
			t.Errorf("%s: got score %.4f from %d sessions, %d no-shows, %d late cancels, confirmed=%v; want %.4f, %d, %d, %d, %v",
				c.name, got.Score, got.RecordedSessions, got.NoShows, got.LateCancels, got.Confirmed, c.score, c.recorded, c.noShows, c.lateCanc, c.confirmed)
		}
		if got.Score < 0 || got.Score > 1 {
			t.Errorf("%s: score %g outside [0, 1]", c.name, got.Score)
		}
		if !strings.Contains(got.Explanation, fmt.Sprintf("%d no-shows", c.noShows)) || !strings.Contains(got.Explanation, fmt.Sprintf("%d recorded sessions", c.recorded)) {
			t.Errorf("%s: explanation %q does not show the inputs", c.name, got.Explanation)
		}
	}
}

func TestNoShowRiskGrowsWithNoShows(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	previous := -1.0
	for misses := range 6 {
		var past []Appointment
		for i := range 6 {
			status := Attended
			if i < misses {
				status = NoShow
			}
			past = append(past, sessionAt(ny("2026-04-06 10:00").AddDate(0, 0, 7*i), status))
		}
		score := r.Risk(history(sessions(past...)), session("2026-06-16 10:00", Scheduled)).Score
		if score <= previous {
			t.Errorf("%d no-shows in 6: risk %.4f, want more than with %d (%.4f)", misses, score, misses-1, previous)
		}
		previous = score
	}
}

func TestCalendarEntries(t *testing.T) {
	// Tomorrow is Tuesday 2026-06-16.
	r := rulesAt("2026-06-15 12:00")
	day := r.Tomorrow()
	ep := opened(1, "2026-01-05 09:00")
	caseload := []*History{
		// 1: a minor whose primary caregiver (12) refused contact and whose
		// other caregiver (11) consented: 11 is the one to include. Review
		// due on the day; on the backfill list himself, so a candidate for
		// the earlier sessions of others but never for his own.
		history(clientID(1), ep, born("2012-05-05"), wantsEarlier(),
			caregivers(Caregiver{ID: 11, ConsentToContact: true}, Caregiver{ID: 12, IsPrimary: true}),
			documents(signed(101, DocTreatmentPlan, "2026-03-16 10:00")),
			sessions(session("2026-06-16 12:00", Scheduled, withID(1001)))),
		// 2: an adult, review due the day after; confirmed session.
		history(clientID(2), ep, born("1990-01-01"),
			documents(signed(201, DocTreatmentPlan, "2026-03-17 10:00")),
			sessions(session("2026-06-16 10:00", Confirmed, withID(2001)))),
		// 3: a minor with no primary caregiver; review overdue since May.
		history(clientID(3), ep, born("2011-01-01"),
			documents(signed(301, DocTreatmentPlan, "2026-02-01 10:00")),
			sessions(session("2026-06-16 11:00", Scheduled, withID(3001)))),
		// 4 and 5: on the backfill list, nothing on the day.
		history(clientID(4), ep, wantsEarlier(), sessions(session("2026-06-30 10:00", Scheduled, withID(4001)))),
		history(clientID(5), ep, wantsEarlier(), sessions(session("2026-06-23 10:00", Scheduled, withID(5001)))),
		// 6: on the list but only free in the afternoon.
		history(clientID(6), ep, wantsEarlier(window(time.Tuesday, "13:00", "17:00"))),
	}
	entries := r.Calendar(1, day, caseload)
	var lines []string
	for _, e := range entries {
		caregiver := "-"
		if e.Caregiver != nil {
			caregiver = fmt.Sprint(e.Caregiver.ID)
		}
		var candidates []int
		for _, c := range e.Candidates {
			candidates = append(candidates, c.ClientID)
		}
		lines = append(lines, fmt.Sprintf("#%d review=%v caregiver=%s candidates=%v", e.Appointment.ID, e.TreatmentPlanReviewDue, caregiver, candidates))
	}
	// Candidates: 4 waits two weeks, 5 one week, 1 two hours at most; 6 is
	// free in the afternoon only.
	want := []string{
		"#2001 review=false caregiver=- candidates=[4 5 1]",
		"#3001 review=true caregiver=- candidates=[4 5 1]",
		"#1001 review=true caregiver=11 candidates=[4 5]",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestCalendarNoCandidatesForARecordedSession(t *testing.T) {
	r := rulesAt("2026-06-16 12:00")
	caseload := []*History{
		history(clientID(1), sessions(session("2026-06-16 09:00", Attended, withID(1001)))),
		history(clientID(2), wantsEarlier()),
	}
	entries := r.Calendar(1, date("2026-06-16"), caseload)
	if len(entries) != 1 || len(entries[0].Candidates) != 0 {
		t.Errorf("got %d entries, candidates %+v; want one attended session with no candidates", len(entries), entries)
	}
}
