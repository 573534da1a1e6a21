package caseload

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Rule 4: backfill eligibility and ranking.

// Bars of rule 4, as fragments of the package's reasons.
const (
	barNotActive   = "not ACTIVE"
	barNotAsked    = "earlier appointment"
	barStrikes     = "strikes"
	barClinician   = "another clinician"
	barOverlap     = "already has a session"
	barNextSooner  = "next session is not later"
	barUnavailable = "availability"
)

// freed is the slot of the backfill tests: Tuesday 2026-06-16 10:00-10:50 in
// New York, clinician 1 (now is Monday 2026-06-15 12:00).
var freed = Slot{ClinicianID: 1, Start: ny("2026-06-16 10:00"), End: ny("2026-06-16 10:50")}

func window(day time.Weekday, from, to string) AvailabilityWindow {
	minute := func(s string) int {
		var h, m int
		if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil {
			panic(err)
		}
		return h*60 + m
	}
	return AvailabilityWindow{Weekday: day, StartMinute: minute(from), EndMinute: minute(to)}
}

func TestBackfillForSlot(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	ep := opened(1, "2026-01-05 09:00")
	tuesdayMorning := window(time.Tuesday, "09:00", "12:00")
	nextWeek := sessions(session("2026-06-23 10:00", Scheduled))
	for _, c := range []struct {
		name string
		h    *History
		slot Slot
		bars []string
	}{
		{"eligible", history(ep, wantsEarlier(tuesdayMorning), nextWeek), freed, nil},
		{"eligible, nothing booked", history(ep, wantsEarlier(tuesdayMorning)), freed, nil},
		{"eligible, no windows: any time", history(ep, wantsEarlier(), nextWeek),
			Slot{ClinicianID: 1, Start: ny("2026-06-16 06:00"), End: ny("2026-06-16 06:50")}, nil},
		{"not ACTIVE (waitlist)", history(ep, clientStatus(StatusWaitlist), wantsEarlier(tuesdayMorning), nextWeek), freed, []string{barNotActive}},
		{"not ACTIVE (closed)", history(ep, clientStatus(StatusClosed), wantsEarlier(tuesdayMorning), nextWeek), freed, []string{barNotActive}},
		{"not asking for an earlier appointment", history(ep, nextWeek), freed, []string{barNotAsked}},
		{"strikes at the limit", history(ep, wantsEarlier(tuesdayMorning), nextWeek, sessions(
			session("2026-05-25 10:00", NoShow), session("2026-06-01 10:00", NoShow), session("2026-06-08 10:00", NoShow))), freed, []string{barStrikes}},
		{"strikes one below the limit", history(ep, wantsEarlier(tuesdayMorning), nextWeek, sessions(
			session("2026-06-01 10:00", NoShow), session("2026-06-08 10:00", NoShow))), freed, nil},
		{"another clinician's client", history(ep, seesClinician(2), wantsEarlier(tuesdayMorning), nextWeek), freed, []string{barClinician}},
		{"overlapping session (with another clinician)", history(ep, wantsEarlier(tuesdayMorning), nextWeek,
			sessions(session("2026-06-16 10:30", Scheduled, withClinician(2)))), freed, []string{barOverlap}},
		{"a cancelled session at that time does not overlap", history(ep, wantsEarlier(tuesdayMorning), nextWeek,
			sessions(session("2026-06-16 10:00", Canceled, cancelledBy(ByClient, 30*time.Hour)))), freed, nil},
		{"a session starting at the slot's end does not overlap", history(ep, wantsEarlier(tuesdayMorning),
			sessions(session("2026-06-16 10:50", Scheduled))), freed, nil},
		{"next session earlier than the slot", history(ep, wantsEarlier(tuesdayMorning),
			sessions(session("2026-06-16 08:00", Scheduled))), freed, []string{barNextSooner}},
		{"next session ending exactly at the slot's start", history(ep, wantsEarlier(tuesdayMorning),
			sessions(session("2026-06-16 09:10", Scheduled))), freed, []string{barNextSooner}},
		{"next session at the same start", history(ep, wantsEarlier(tuesdayMorning),
			sessions(session("2026-06-16 10:00", Confirmed))), freed, []string{barOverlap, barNextSooner}},
		{"next session one minute after the slot's start", history(ep, wantsEarlier(tuesdayMorning),
			sessions(session("2026-06-16 10:01", Confirmed))), freed, []string{barOverlap}},
		{"slot outside the windows", history(ep, wantsEarlier(window(time.Tuesday, "13:00", "17:00")), nextWeek), freed, []string{barUnavailable}},
		{"slot ends after the window", history(ep, wantsEarlier(window(time.Tuesday, "09:00", "10:30")), nextWeek), freed, []string{barUnavailable}},
		{"slot starts before the window", history(ep, wantsEarlier(window(time.Tuesday, "10:15", "12:00")), nextWeek), freed, []string{barUnavailable}},
		{"slot exactly fills the window", history(ep, wantsEarlier(window(time.Tuesday, "10:00", "10:50")), nextWeek), freed, nil},
		{"window on another weekday", history(ep, wantsEarlier(window(time.Wednesday, "09:00", "12:00")), nextWeek), freed, []string{barUnavailable}},
		{"one of several windows fits", history(ep, wantsEarlier(window(time.Monday, "09:00", "12:00"), tuesdayMorning), nextWeek), freed, nil},
		{"windows are local: Tuesday 20:00 New York is Wednesday in UTC", history(ep, wantsEarlier(window(time.Tuesday, "19:00", "22:00")), nextWeek),
			Slot{ClinicianID: 1, Start: ny("2026-06-16 20:00"), End: ny("2026-06-16 20:50")}, nil},
		{"every client-level bar at once", history(ep, clientStatus(StatusWaitlist), seesClinician(2)), freed, []string{barNotActive, barNotAsked, barClinician}},
	} {
		got := r.BackfillForSlot(c.h, c.slot)
		if got.Eligible != (len(c.bars) == 0) || !hasReasons(got.Reasons, c.bars) {
			t.Errorf("%s: got eligible=%v reasons %q; want eligible=%v, reasons about %q", c.name, got.Eligible, got.Reasons, len(c.bars) == 0, c.bars)
		}
	}
}

func TestBackfillListed(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	ep := opened(1, "2026-01-05 09:00")
	strikes := sessions(session("2026-05-25 10:00", NoShow), session("2026-06-01 10:00", NoShow), session("2026-06-08 10:00", NoShow))
	for _, c := range []struct {
		name string
		h    *History
		bars []string
	}{
		{"listed", history(ep, wantsEarlier()), nil},
		{"listed: another clinician and a session at any time do not matter here", history(ep, wantsEarlier(), seesClinician(9),
			sessions(session("2026-06-16 10:00", Scheduled))), nil},
		{"waitlist", history(ep, clientStatus(StatusWaitlist), wantsEarlier()), []string{barNotActive}},
		{"closed", history(ep, clientStatus(StatusClosed), wantsEarlier()), []string{barNotActive}},
		{"not asked", history(ep), []string{barNotAsked}},
		{"strikes at the limit", history(ep, wantsEarlier(), strikes), []string{barStrikes}},
		{"all three", history(ep, clientStatus(StatusWaitlist), strikes), []string{barNotActive, barNotAsked, barStrikes}},
	} {
		got := r.BackfillEligibility(c.h)
		if got.Eligible != (len(c.bars) == 0) || !hasReasons(got.Reasons, c.bars) {
			t.Errorf("%s: got eligible=%v reasons %q; want eligible=%v, reasons about %q", c.name, got.Eligible, got.Reasons, len(c.bars) == 0, c.bars)
		}
	}
}

// candidate is a client on the backfill list for the ranking tests: next is
// the New York wall time of the next booked session ("" for none), strikes
// no-shows in the episode, lastSeen the last attended session ("" for never).
func candidate(id int, next string, strikes int, lastSeen string) *History {
	opts := []historyOption{clientID(id), wantsEarlier(), opened(1, "2026-01-05 09:00")}
	if next != "" {
		opts = append(opts, sessions(session(next, Scheduled)))
	}
	for i := range strikes {
		opts = append(opts, sessions(session(fmt.Sprintf("2026-02-%02d 10:00", 2+7*i), NoShow)))
	}
	if lastSeen != "" {
		opts = append(opts, sessions(session(lastSeen, Attended)))
	}
	return history(opts...)
}

func TestBackfillCandidatesRanking(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	neverSeen := func(id int) *History {
		// On the list but with no episode and no session: days since seen is nil.
		return history(clientID(id), wantsEarlier())
	}
	for _, c := range []struct {
		name      string
		histories []*History
		want      []int
	}{
		{"nothing booked before a far booking", []*History{
			candidate(1, "2026-09-01 10:00", 0, "2026-06-01 10:00"),
			candidate(2, "", 0, "2026-06-01 10:00"),
		}, []int{2, 1}},
		{"the longer wait first", []*History{
			candidate(1, "2026-06-23 10:00", 0, "2026-06-01 10:00"),
			candidate(2, "2026-06-30 10:00", 0, "2026-06-01 10:00"),
			candidate(3, "2026-06-23 11:00", 0, "2026-06-01 10:00"),
		}, []int{2, 3, 1}},
		{"equal wait: fewer strikes first", []*History{
			candidate(1, "2026-06-23 10:00", 2, "2026-06-01 10:00"),
			candidate(2, "2026-06-23 10:00", 0, "2026-06-01 10:00"),
			candidate(3, "2026-06-23 10:00", 1, "2026-06-01 10:00"),
		}, []int{2, 3, 1}},
		{"nothing booked for both: fewer strikes first", []*History{
			candidate(1, "", 1, "2026-06-01 10:00"),
			candidate(2, "", 0, "2026-06-01 10:00"),
		}, []int{2, 1}},
		{"equal wait and strikes: longer since seen first", []*History{
			candidate(1, "2026-06-23 10:00", 0, "2026-06-10 10:00"),
			candidate(2, "2026-06-23 10:00", 0, "2026-05-20 10:00"),
			candidate(3, "2026-06-23 10:00", 0, "2026-06-01 10:00"),
		}, []int{2, 3, 1}},
		{"never seen sorts as the longest since seen", []*History{
			candidate(1, "", 0, "2026-01-12 10:00"),
			neverSeen(2),
		}, []int{2, 1}},
		{"the wait beats strikes", []*History{
			candidate(1, "2026-06-23 10:00", 0, "2026-06-01 10:00"),
			candidate(2, "2026-06-30 10:00", 2, "2026-06-01 10:00"),
		}, []int{2, 1}},
		{"strikes beat days since seen", []*History{
			candidate(1, "", 1, "2026-03-01 10:00"),
			candidate(2, "", 0, "2026-06-12 10:00"),
		}, []int{2, 1}},
		{"all equal: by client id", []*History{
			candidate(3, "", 0, "2026-06-01 10:00"),
			candidate(1, "", 0, "2026-06-01 10:00"),
			candidate(2, "", 0, "2026-06-01 10:00"),
		}, []int{1, 2, 3}},
		{"the ineligible are left out", []*History{
			candidate(1, "", 0, "2026-06-01 10:00"),
			history(clientID(2), opened(1, "2026-01-05 09:00")),                                   // not asking
			history(clientID(3), wantsEarlier(), seesClinician(2), opened(1, "2026-01-05 09:00")), // another clinician
			candidate(4, "2026-06-16 08:00", 0, "2026-06-01 10:00"),                               // next sooner
			candidate(5, "", 3, "2026-06-01 10:00"),                                               // strikes
		}, []int{1}},
		{"nobody", nil, nil},
	} {
		got := r.BackfillCandidates(freed, c.histories)
		ids := make([]int, len(got))
		for i, g := range got {
			ids[i] = g.ClientID
		}
		if fmt.Sprint(ids) != fmt.Sprint(c.want) {
			t.Errorf("%s: ranking %v, want %v", c.name, ids, c.want)
		}
	}
}

func TestBackfillCandidateFields(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	got := r.BackfillCandidates(freed, []*History{
		candidate(1, "2026-06-30 09:00", 1, "2026-06-01 10:00"),
		history(clientID(2), wantsEarlier()),
	})
	var lines []string
	for _, c := range got {
		lines = append(lines, fmt.Sprintf("#%d next=%s wait=%s strikes=%d seen=%s", c.ClientID, showTime(c.Next), showDays(c.WaitDays), c.Strikes, showDays(c.DaysSinceSeen)))
	}
	want := []string{
		"#2 next=- wait=nil strikes=0 seen=nil",
		"#1 next=2026-06-30 09:00 -0400 wait=14 strikes=1 seen=14",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("candidates:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
