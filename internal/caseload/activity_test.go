package caseload

import (
	"testing"
	"time"
)

// Rule 2 (days since seen / contact) and rule 3 (termination).

func TestActivity(t *testing.T) {
	now := rulesAt("2026-06-15 12:00")
	aucklandAt := func(instant string) Rules {
		return Rules{Policy: DefaultPolicy(), Location: auckland, Now: utc(instant)}
	}
	for _, c := range []struct {
		name                string
		r                   Rules
		h                   *History
		wantSeen, wantHeard *int
	}{
		{"day 29 of inactivity", now, history(opened(1, "2026-01-05 09:00"), sessions(session("2026-05-17 10:00", Attended))), days(29), days(29)},
		{"day 30 of inactivity", now, history(opened(1, "2026-01-05 09:00"), sessions(session("2026-05-16 10:00", Attended))), days(30), days(30)},
		{"day 31 of inactivity", now, history(opened(1, "2026-01-05 09:00"), sessions(session("2026-05-15 10:00", Attended))), days(31), days(31)},
		{"day 30, a session at 23:59 local", now, history(opened(1, "2026-01-05 09:00"), sessions(session("2026-05-16 23:59", Attended))), days(30), days(30)},
		{"the latest attended session counts, in any order", now, history(opened(1, "2026-01-05 09:00"), sessions(
			session("2026-06-01 10:00", Attended),
			session("2026-06-08 10:00", Attended),
			session("2026-05-25 10:00", Attended),
		)), days(7), days(7)},
		{"seen earlier today", now, history(opened(1, "2026-01-05 09:00"), sessions(session("2026-06-15 09:00", Attended))), days(0), days(0)},
		{"a no-show is not being seen", now, history(opened(1, "2026-01-05 09:00"), sessions(
			session("2026-05-06 10:00", Attended),
			session("2026-06-10 10:00", NoShow),
			session("2026-06-12 10:00", Canceled, cancelledBy(ByClient, time.Hour)),
		)), days(40), days(40)},
		{"a booked future session is not being seen", now, history(opened(1, "2026-01-05 09:00"), sessions(
			session("2026-05-06 10:00", Attended),
			session("2026-06-16 10:00", Scheduled),
		)), days(40), days(40)},
		{"never seen, open episode: from the opening", now, history(opened(1, "2026-06-01 09:00")), days(14), days(14)},
		{"never seen, no episode: nil", now, history(), nil, nil},
		{"never seen, only a closed episode: nil", now, history(closedEpisode(1, "2026-01-05 09:00", "2026-03-01 12:00")), nil, nil},
		{"inbound contact more recent than the last session", now, history(opened(1, "2026-01-05 09:00"),
			sessions(session("2026-05-06 10:00", Attended)),
			contacts(inbound(1, "2026-06-12 16:00"))), days(40), days(3)},
		{"inbound contact older than the last session", now, history(opened(1, "2026-01-05 09:00"),
			sessions(session("2026-06-10 10:00", Attended)),
			contacts(inbound(1, "2026-05-26 16:00"))), days(5), days(5)},
		{"outbound contacts do not count", now, history(opened(1, "2026-01-05 09:00"),
			sessions(session("2026-05-06 10:00", Attended)),
			contacts(outbound(1, "2026-06-14 16:00"), warningSent(2, "2026-06-13 10:00", "2026-06-27"))), days(40), days(40)},
		{"a contact logged for later than now does not count", now, history(opened(1, "2026-01-05 09:00"),
			sessions(session("2026-05-06 10:00", Attended)),
			contacts(inbound(1, "2026-06-15 12:01"))), days(40), days(40)},
		{"never seen, open episode, heard from since", now, history(opened(1, "2026-05-06 09:00"),
			contacts(inbound(1, "2026-06-13 08:00"))), days(40), days(2)},

		// DST in New York: days are calendar days, not 24-hour periods.
		{"spring-forward: 23:30 the day before, now 00:05", rulesAt("2026-03-08 00:05"),
			history(opened(1, "2026-01-05 09:00"), sessions(session("2026-03-07 23:30", Attended))), days(1), days(1)},
		{"spring-forward: 23:30 the day before, now 23:30 (23h later)", rulesAt("2026-03-08 23:30"),
			history(opened(1, "2026-01-05 09:00"), sessions(session("2026-03-07 23:30", Attended))), days(1), days(1)},
		{"spring-forward: 23:30 the day before, now 00:05 the day after", rulesAt("2026-03-09 00:05"),
			history(opened(1, "2026-01-05 09:00"), sessions(session("2026-03-07 23:30", Attended))), days(2), days(2)},
		{"spring-forward: 00:30 and 23:59 of the same 23-hour day", rulesAt("2026-03-08 23:59"),
			history(opened(1, "2026-01-05 09:00"), sessions(session("2026-03-08 00:30", Attended))), days(0), days(0)},
		{"fall-back: 23:30 the day before, now 00:05", rulesAt("2026-11-01 00:05"),
			history(opened(1, "2026-01-05 09:00"), sessions(session("2026-10-31 23:30", Attended))), days(1), days(1)},
		{"fall-back: 23:30 the day before, now 23:55 (24h25m later)", rulesAt("2026-11-01 23:55"),
			history(opened(1, "2026-01-05 09:00"), sessions(session("2026-10-31 23:30", Attended))), days(1), days(1)},
		{"fall-back: 00:10 and 23:50 of the same 25-hour day (24h40m)", rulesAt("2026-11-01 23:50"),
			history(opened(1, "2026-01-05 09:00"), sessions(session("2026-11-01 00:10", Attended))), days(0), days(0)},
		{"30 days across spring-forward, under 30x24 hours", rulesAt("2026-03-22 09:30"),
			history(opened(1, "2026-01-05 09:00"), sessions(session("2026-02-20 10:00", Attended))), days(30), days(30)},
		{"30 days across fall-back, over 30x24 hours", rulesAt("2026-11-15 10:30"),
			history(opened(1, "2026-01-05 09:00"), sessions(session("2026-10-16 10:00", Attended))), days(30), days(30)},

		// Auckland (UTC+12 in June): the local date is ahead of the UTC date.
		{"Auckland: 23:00 local yesterday, same UTC date as now", aucklandAt("2026-06-10T13:00:00Z"),
			history(opened(1, "2026-01-05 09:00"), sessions(sessionAt(utc("2026-06-10T11:00:00Z"), Attended))), days(1), days(1)},
		{"Auckland: 00:30 local today, same UTC date as now", aucklandAt("2026-06-10T13:00:00Z"),
			history(opened(1, "2026-01-05 09:00"), sessions(sessionAt(utc("2026-06-10T12:30:00Z"), Attended))), days(0), days(0)},
		{"Auckland: 23:00 local two days ago, one UTC day ago", aucklandAt("2026-06-10T13:00:00Z"),
			history(opened(1, "2026-01-05 09:00"), sessions(sessionAt(utc("2026-06-09T11:00:00Z"), Attended))), days(2), days(2)},
	} {
		got := c.r.Activity(c.h)
		if !sameDays(got.DaysSinceSeen, c.wantSeen) || !sameDays(got.DaysSinceContact, c.wantHeard) {
			t.Errorf("%s: days since seen, contact = %s, %s; want %s, %s",
				c.name, showDays(got.DaysSinceSeen), showDays(got.DaysSinceContact), showDays(c.wantSeen), showDays(c.wantHeard))
		}
	}
}

func TestActivityTimes(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	h := history(opened(1, "2026-01-05 09:00"),
		sessions(session("2026-05-06 10:00", Attended), session("2026-05-20 10:00", NoShow)),
		contacts(inbound(1, "2026-06-12 16:00"), outbound(2, "2026-06-14 09:00")))
	got := r.Activity(h)
	if !got.LastSeenAt.Equal(ny("2026-05-06 10:00")) || !got.LastContactAt.Equal(ny("2026-06-12 16:00")) {
		t.Errorf("LastSeenAt, LastContactAt = %s, %s; want 2026-05-06 10:00, 2026-06-12 16:00", showTime(got.LastSeenAt), showTime(got.LastContactAt))
	}
	none := r.Activity(history())
	if !none.LastSeenAt.IsZero() || !none.LastContactAt.IsZero() {
		t.Errorf("no history: LastSeenAt, LastContactAt = %s, %s; want zero", showTime(none.LastSeenAt), showTime(none.LastContactAt))
	}
}

func TestTermination(t *testing.T) {
	// Today is Monday 2026-06-15 in New York.
	r := rulesAt("2026-06-15 12:00")
	ep := opened(1, "2026-01-05 09:00")
	seen := func(days string) historyOption { return sessions(session(days, Attended)) }
	threeNoShows := sessions(
		session("2026-05-25 10:00", NoShow),
		session("2026-06-01 10:00", NoShow),
		session("2026-06-08 10:00", NoShow),
	)
	for _, c := range []struct {
		name    string
		r       Rules
		h       *History
		action  string
		reason  string
		closeBy string // "" for none
	}{
		{"waitlist client", r, history(clientStatus(StatusWaitlist)), ActionNone, "", ""},
		{"waitlist client, long silent", r, history(clientStatus(StatusWaitlist), ep, seen("2026-01-12 10:00")), ActionNone, "", ""},
		{"closed client with strikes", r, history(clientStatus(StatusClosed), closedEpisode(1, "2026-01-05 09:00", "2026-06-10 12:00"), threeNoShows), ActionNone, "", ""},

		{"strikes at the limit", r, history(ep, threeNoShows, seen("2026-06-12 10:00")), ActionClose, ReasonStrikes, ""},
		{"strikes at the limit win over a booked session", r, history(ep, threeNoShows, sessions(session("2026-06-16 10:00", Scheduled))), ActionClose, ReasonStrikes, ""},
		{"strikes at the limit win over an expired warning", r, history(ep, threeNoShows, seen("2026-05-01 10:00"),
			contacts(warningSent(1, "2026-05-31 10:00", "2026-06-14"))), ActionClose, ReasonStrikes, ""},
		{"two strikes, seen recently", r, history(ep, seen("2026-06-12 10:00"), sessions(
			session("2026-06-01 10:00", NoShow), session("2026-06-08 10:00", NoShow))), ActionNone, "", ""},
		{"three strikes, one excused", r, history(ep, seen("2026-06-12 10:00"), sessions(
			session("2026-05-25 10:00", NoShow, excused()), session("2026-06-01 10:00", NoShow), session("2026-06-08 10:00", NoShow))), ActionNone, "", ""},

		{"warning's close-by date was yesterday", r, history(ep, seen("2026-05-01 10:00"),
			contacts(warningSent(1, "2026-05-31 10:00", "2026-06-14"))), ActionClose, ReasonWarningExpired, "2026-06-14"},
		{"warning's close-by date is today: not yet passed", r, history(ep, seen("2026-05-01 10:00"),
			contacts(warningSent(1, "2026-06-01 10:00", "2026-06-15"))), ActionWait, ReasonInactive, "2026-06-15"},
		// The day's edges in the practice's zone (SPEC rule 3): the whole
		// close-by day is inside the warning, up to its last minute in New
		// York (04:00 the next day in UTC); the case closes from the first
		// minute of the next day.
		// A warning sent while the client was not yet inactive (seen 20
		// days ago) still holds until its date, and closes the case after.
		{"a warning sent early: WAIT on its close-by day", r, history(ep, seen("2026-05-26 10:00"),
			contacts(warningSent(1, "2026-06-08 10:00", "2026-06-15"))), ActionWait, ReasonInactive, "2026-06-15"},
		{"a warning sent early: WAIT before its close-by day", r, history(ep, seen("2026-05-26 10:00"),
			contacts(warningSent(1, "2026-06-08 10:00", "2026-06-20"))), ActionWait, ReasonInactive, "2026-06-20"},
		{"a warning sent early: CLOSE the day after", r, history(ep, seen("2026-05-26 10:00"),
			contacts(warningSent(1, "2026-06-08 10:00", "2026-06-14"))), ActionClose, ReasonWarningExpired, "2026-06-14"},
		{"close-by day, its first minute", rulesAt("2026-06-15 00:00"), history(ep, seen("2026-05-01 10:00"),
			contacts(warningSent(1, "2026-06-01 10:00", "2026-06-15"))), ActionWait, ReasonInactive, "2026-06-15"},
		{"close-by day, its last minute (the next day in UTC)", rulesAt("2026-06-15 23:59"), history(ep, seen("2026-05-01 10:00"),
			contacts(warningSent(1, "2026-06-01 10:00", "2026-06-15"))), ActionWait, ReasonInactive, "2026-06-15"},
		{"the day after the close-by day, its first minute", rulesAt("2026-06-16 00:00"), history(ep, seen("2026-05-01 10:00"),
			contacts(warningSent(1, "2026-06-01 10:00", "2026-06-15"))), ActionClose, ReasonWarningExpired, "2026-06-15"},
		{"close-by day in Auckland while New York is still the day before", Rules{Policy: DefaultPolicy(), Location: auckland, Now: utc("2026-06-15T13:00:00Z")},
			history(ep, seen("2026-05-01 10:00"), contacts(warningSent(1, "2026-06-01 10:00", "2026-06-16"))), ActionWait, ReasonInactive, "2026-06-16"},
		{"the day after the close-by day in Auckland, still the close-by day in New York", Rules{Policy: DefaultPolicy(), Location: auckland, Now: utc("2026-06-16T13:00:00Z")},
			history(ep, seen("2026-05-01 10:00"), contacts(warningSent(1, "2026-06-01 10:00", "2026-06-16"))), ActionClose, ReasonWarningExpired, "2026-06-16"},
		{"warning's close-by date is tomorrow", r, history(ep, seen("2026-05-01 10:00"),
			contacts(warningSent(1, "2026-06-02 10:00", "2026-06-16"))), ActionWait, ReasonInactive, "2026-06-16"},
		{"warning expired but a session is booked", r, history(ep, seen("2026-05-01 10:00"),
			sessions(session("2026-06-18 10:00", Scheduled)),
			contacts(warningSent(1, "2026-05-31 10:00", "2026-06-14"))), ActionNone, "", ""},
		{"warning sent before the last attended session does not count", r, history(ep, seen("2026-05-10 10:00"),
			contacts(warningSent(1, "2026-05-01 10:00", "2026-05-15"), inbound(2, "2026-06-05 10:00"))), ActionSendWarning, ReasonInactive, "2026-06-29"},
		{"warning sent before the last attended session, silent since: inactive", r, history(ep, seen("2026-05-10 10:00"),
			contacts(warningSent(1, "2026-05-01 10:00", "2026-05-15"))), ActionClose, ReasonInactive, ""},
		{"warning of a previous episode does not count", r, history(
			closedEpisode(1, "2025-12-01 09:00", "2026-03-01 12:00"), opened(2, "2026-05-01 09:00"),
			contacts(warningSent(1, "2026-02-01 10:00", "2026-02-15"), inbound(2, "2026-06-05 10:00"))), ActionSendWarning, ReasonInactive, "2026-06-29"},
		{"an inbound contact is no warning", r, history(ep, seen("2026-05-01 10:00"),
			contacts(Contact{ID: 1, At: ny("2026-05-31 10:00"), Direction: Inbound, Purpose: ClosureWarning, CloseBy: date("2026-06-14")})), ActionSendWarning, ReasonInactive, "2026-06-29"},
		{"a sent, unexpired warning gives WAIT even if the inbound contact is old", r, history(ep, seen("2026-04-16 10:00"),
			contacts(inbound(1, "2026-04-26 10:00"), warningSent(2, "2026-06-10 10:00", "2026-06-24"))), ActionWait, ReasonInactive, "2026-06-24"},

		{"seen 45 days ago, inbound 10 days ago, nothing booked", r, history(ep, seen("2026-05-01 10:00"),
			contacts(inbound(1, "2026-06-05 10:00"))), ActionSendWarning, ReasonInactive, "2026-06-29"},
		{"seen exactly 30 days ago, inbound yesterday", r, history(ep, seen("2026-05-16 10:00"),
			contacts(inbound(1, "2026-06-14 10:00"))), ActionSendWarning, ReasonInactive, "2026-06-29"},
		{"inbound contact 29 days ago", r, history(ep, seen("2026-05-01 10:00"),
			contacts(inbound(1, "2026-05-17 10:00"))), ActionSendWarning, ReasonInactive, "2026-06-29"},
		{"inbound contact exactly 30 days ago: not in the last 30 days", r, history(ep, seen("2026-05-01 10:00"),
			contacts(inbound(1, "2026-05-16 10:00"))), ActionClose, ReasonInactive, ""},
		{"never seen, episode opened 45 days ago, inbound 10 days ago", r, history(opened(1, "2026-05-01 09:00"),
			contacts(inbound(1, "2026-06-05 10:00"))), ActionSendWarning, ReasonInactive, "2026-06-29"},
		{"grace of 7 days", withPolicy(r, func(p *Policy) { p.ClosureWarningGraceDays = 7 }), history(ep, seen("2026-05-01 10:00"),
			contacts(inbound(1, "2026-06-05 10:00"))), ActionSendWarning, ReasonInactive, "2026-06-22"},

		{"no contact for 30 days", r, history(ep, seen("2026-05-16 10:00")), ActionClose, ReasonInactive, ""},
		{"no contact for 31 days", r, history(ep, seen("2026-05-15 10:00")), ActionClose, ReasonInactive, ""},
		{"day 29", r, history(ep, seen("2026-05-17 10:00")), ActionNone, "", ""},
		{"day 29, 23:59 local", r, history(ep, seen("2026-05-17 23:59")), ActionNone, "", ""},
		{"only outbound contacts for 45 days", r, history(ep, seen("2026-05-01 10:00"),
			contacts(outbound(1, "2026-06-10 10:00"))), ActionClose, ReasonInactive, ""},
		{"a recent no-show is no contact", r, history(ep, seen("2026-05-01 10:00"),
			sessions(session("2026-06-08 10:00", NoShow))), ActionClose, ReasonInactive, ""},
		{"never seen, episode opened 31 days ago", r, history(opened(1, "2026-05-15 09:00")), ActionClose, ReasonInactive, ""},
		{"never seen, episode opened 29 days ago", r, history(opened(1, "2026-05-17 09:00")), ActionNone, "", ""},
		{"a future booking prevents closing for inactivity", r, history(ep, seen("2026-03-01 10:00"),
			sessions(session("2026-06-22 10:00", Scheduled))), ActionNone, "", ""},
		{"a future booking prevents a warning", r, history(ep, seen("2026-05-01 10:00"),
			sessions(session("2026-06-22 10:00", Confirmed)), contacts(inbound(1, "2026-06-05 10:00"))), ActionNone, "", ""},
		{"a cancelled future session is no booking", r, history(ep, seen("2026-05-01 10:00"),
			sessions(session("2026-06-22 10:00", Canceled, cancelledBy(ByClient, 96*time.Hour)))), ActionClose, ReasonInactive, ""},
		{"inactivity of 45 days: day 44", withPolicy(r, func(p *Policy) { p.InactivityDays = 45 }), history(ep, seen("2026-05-02 10:00")), ActionNone, "", ""},
		{"inactivity of 45 days: day 45", withPolicy(r, func(p *Policy) { p.InactivityDays = 45 }), history(ep, seen("2026-05-01 10:00")), ActionClose, ReasonInactive, ""},
		{"strike limit 4: three strikes do not close", withPolicy(r, func(p *Policy) { p.StrikeLimit = 4 }), history(ep, threeNoShows, seen("2026-06-12 10:00")), ActionNone, "", ""},
	} {
		got := c.r.TerminationRecommendation(c.h)
		var wantCloseBy time.Time
		if c.closeBy != "" {
			wantCloseBy = date(c.closeBy)
		}
		if got.Action != c.action || got.Reason != c.reason || !got.CloseBy.Equal(wantCloseBy) {
			t.Errorf("%s: got %s %q close-by %s (%s); want %s %q close-by %s",
				c.name, got.Action, got.Reason, showDate(got.CloseBy), got.Explanation, c.action, c.reason, showDate(wantCloseBy))
		}
		if got.Explanation == "" {
			t.Errorf("%s: %s with an empty explanation", c.name, got.Action)
		}
	}
}

func TestIsMinor(t *testing.T) {
	for _, c := range []struct {
		name string
		r    Rules
		dob  string
		want bool
	}{
		{"18th birthday today", rulesAt("2026-06-15 00:01"), "2008-06-15", false},
		{"the day before the 18th birthday", rulesAt("2026-06-14 23:59"), "2008-06-15", true},
		{"17 years old", rulesAt("2026-06-15 12:00"), "2009-01-01", true},
		{"adult", rulesAt("2026-06-15 12:00"), "1990-03-03", false},
		{"Auckland: 18 today locally, still the day before in UTC", Rules{Policy: DefaultPolicy(), Location: auckland, Now: utc("2026-06-10T13:00:00Z")}, "2008-06-11", false},
		{"New York at the same instant: still 17", Rules{Policy: DefaultPolicy(), Location: newYork, Now: utc("2026-06-10T13:00:00Z")}, "2008-06-11", true},
		{"New York, 18th birthday starts at local midnight, not UTC midnight", Rules{Policy: DefaultPolicy(), Location: newYork, Now: utc("2026-06-11T02:00:00Z")}, "2008-06-11", true},
	} {
		cl := Client{DateOfBirth: date(c.dob)}
		if got := c.r.IsMinor(cl); got != c.want {
			t.Errorf("%s: IsMinor(born %s) on %s = %v, want %v", c.name, c.dob, showDate(c.r.Today()), got, c.want)
		}
	}
	if rulesAt("2026-06-15 12:00").IsMinor(Client{}) {
		t.Errorf("unknown date of birth: IsMinor = true, want false")
	}
}

func TestContactCaregiver(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		name      string
		h         *History
		wantID    int // 0: nobody may be contacted
		noContact bool
	}{
		{"none on file", history(born("2012-01-01")), 0, false},
		{"the primary consented", history(born("2012-01-01"), caregivers(Caregiver{ID: 7, ConsentToContact: true}, Caregiver{ID: 8, IsPrimary: true, ConsentToContact: true})), 8, false},
		{"the primary refused: the first other who consented, by id", history(born("2012-01-01"), caregivers(
			Caregiver{ID: 9, ConsentToContact: true}, Caregiver{ID: 8, IsPrimary: true}, Caregiver{ID: 5, ConsentToContact: true}, Caregiver{ID: 3})), 5, false},
		{"nobody consented", history(born("2012-01-01"), caregivers(Caregiver{ID: 8, IsPrimary: true}, Caregiver{ID: 9})), 0, true},
		{"an adult: caregivers are not asked", history(born("1990-01-01"), caregivers(Caregiver{ID: 8, IsPrimary: true})), 0, false},
		{"18 tomorrow: still a minor", history(born("2008-06-16"), caregivers(Caregiver{ID: 8, IsPrimary: true})), 0, true},
	} {
		got, ok := ContactCaregiver(c.h)
		if (c.wantID == 0) == ok || got.ID != c.wantID {
			t.Errorf("%s: ContactCaregiver = #%d (found %v), want #%d", c.name, got.ID, ok, c.wantID)
		}
		if r.NoConsentedContact(c.h) != c.noContact {
			t.Errorf("%s: NoConsentedContact = %v, want %v", c.name, !c.noContact, c.noContact)
		}
	}
}

func TestPrimaryCaregiver(t *testing.T) {
	for _, c := range []struct {
		name   string
		h      *History
		wantID int // 0: none
	}{
		{"none on file", history(), 0},
		{"only a secondary caregiver", history(caregivers(Caregiver{ID: 7})), 0},
		{"a primary among others", history(caregivers(Caregiver{ID: 7}, Caregiver{ID: 8, IsPrimary: true, ConsentToContact: true})), 8},
	} {
		got, ok := PrimaryCaregiver(c.h)
		if (c.wantID == 0) == ok || got.ID != c.wantID {
			t.Errorf("%s: PrimaryCaregiver = #%d (found %v), want #%d", c.name, got.ID, ok, c.wantID)
		}
	}
}

// TestActivityCountsFromTheOpenEpisode holds the cases where rule 2 looks past
// the opening of the current episode. SPEC rule 2: days since seen count
// "since the start of the last ATTENDED appointment (or since the episode
// opened, if none)", and days since contact "since the latest of the last
// attended appointment and the last INBOUND contact", so contact is never
// older than seen; rule 3 then must not close a case opened days ago.
func TestActivityCountsFromTheOpenEpisode(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		name                string
		why                 string
		h                   *History
		wantSeen, wantHeard *int
	}{
		{"returning client reopened yesterday, last seen in the closed episode",
			"a session of the closed episode must not make a client reopened yesterday 'not seen for 226 days'",
			history(closedEpisode(1, "2025-09-01 09:00", "2025-12-01 12:00"), opened(2, "2026-06-14 09:00"),
				sessions(session("2025-11-01 10:00", Attended))),
			days(1), days(1)},
		{"new client, episode opened 10 days ago, first call 40 days ago",
			"contact is the latest of seen and inbound, so never older than seen (counted from the opening)",
			history(opened(1, "2026-06-05 09:00"), contacts(inbound(1, "2026-05-06 10:00"))),
			days(10), days(10)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := r.Activity(c.h)
			if !sameDays(got.DaysSinceSeen, c.wantSeen) || !sameDays(got.DaysSinceContact, c.wantHeard) {
				t.Errorf("%s: days since seen, contact = %s, %s; want %s, %s", c.why,
					showDays(got.DaysSinceSeen), showDays(got.DaysSinceContact), showDays(c.wantSeen), showDays(c.wantHeard))
			}
			if rec := r.TerminationRecommendation(c.h); rec.Action != ActionNone {
				t.Errorf("Termination = %s %s (%s), want NONE", rec.Action, rec.Reason, rec.Explanation)
			}
		})
	}
}
