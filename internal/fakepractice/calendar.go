package fakepractice

import (
	"slices"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
)

// The demo practice's calendar: each clinician's week is a grid of hours over
// a 4-week cycle; a client with a cadence holds a cell of it.

// weeks of a 4-week cycle it takes (all 4 for weekly, 2 for biweekly, 1 for monthly).
type cell struct {
	weekday time.Weekday
	hour    int
	phases  []int
}

// phase is the week of the 4-week cycle a civil date falls in.
func phase(day time.Time) int {
	week := (day.Unix()/86400 + 3) / 7 // weeks start on Monday; 1970-01-01 was a Thursday
	return int(week % 4)
}

// priority orders the cadence clients of a clinician: the scenarios that need a
// particular place in the week choose first.
func priority(s scenario) int {
	switch s {
	case scCanceler:
		return 0
	case scBackfillCovering, scBackfillElsewhere, scBackfillAnyTime:
		return 1
	case scRecurring, scRecurringCancels, scRecurringLate, scEarned, scTwoStrikes, scReviewOverdue, scMinor:
		return 2
	}
	return 3
}

func (p *planner) scheduleCadences(cl *clinicianPlan) {
	var cs []*clientPlan
	for _, c := range p.clients {
		if c.clin == cl && c.status == clientprofile.StatusACTIVE && c.sc != scNeverSeen && interval(c.freq) > 0 {
			cs = append(cs, c)
		}
	}
	slices.SortStableFunc(cs, func(a, b *clientPlan) int { return priority(a.sc) - priority(b.sc) })
	minorsOnNextBiz := 0
	for _, c := range cs {
		step := interval(c.freq)
		var ok func(cell) bool
		switch {
		case c.sc == scCanceler:
			ok = func(x cell) bool { return p.occursOn(x, p.nextBiz) && x.hour >= 13 }
		case c.sc == scTwoStrikes || c.sc == scReviewOverdue && cl.user != nil:
			ok = func(x cell) bool { return p.occursOn(x, p.nextBiz) }
		case c.sc == scMinor && minorsOnNextBiz == 0:
			minorsOnNextBiz++
			ok = func(x cell) bool { return p.occursOn(x, p.nextBiz) }
		case c.sc == scBackfillCovering || c.sc == scBackfillElsewhere || c.sc == scBackfillAnyTime:
			// The next session must come after the slot freed on the next business day.
			ok = func(x cell) bool { return p.nextOccurrence(x).After(p.nextBiz.AddDate(0, 0, 2)) }
		case c.sc.tailSensitive():
			// No session today: the last sessions are all recorded.
			ok = func(x cell) bool { return !p.occursOn(x, p.today) }
		}
		x := p.pickCell(cl, step, ok)
		c.cell = &x
		c.hour = x.hour
		e := c.open()
		from := p.civil(e.openedAt).AddDate(0, 0, 10)
		to := p.today.AddDate(0, 0, horizonDays)
		if c.sc.truncated() {
			to = e.lastDay
		}
		horizon := to
		if !c.sc.truncated() {
			to = to.AddDate(0, 0, 28) // a monthly client still gets their next session booked
		}
		var days []time.Time
		hasFuture := false
		for _, d := range p.cadenceDays(x, from, to) {
			if d.After(horizon) && hasFuture {
				break
			}
			days = append(days, d)
			hasFuture = hasFuture || p.at(d, x.hour*60).After(p.now)
		}
		for _, d := range days {
			start := p.at(d, x.hour*60)
			if cl.busy[start.Unix()] {
				var ok bool
				if start, ok = p.book(cl, d, x.hour); !ok {
					continue
				}
			}
			cl.busy[start.Unix()] = true
			p.addAppt(c, e, start, appointment.KindTHERAPY)
		}
	}
}

func (p *planner) occursOn(x cell, day time.Time) bool {
	return day.Weekday() == x.weekday && slices.Contains(x.phases, phase(day)) && p.workday(day)
}

// nextOccurrence is the first session of the cell after now.
func (p *planner) nextOccurrence(x cell) time.Time {
	for d := p.today; ; d = d.AddDate(0, 0, 1) {
		if p.occursOn(x, d) && p.at(d, x.hour*60).After(p.now) {
			return d
		}
	}
}

func (p *planner) pickCell(cl *clinicianPlan, step int, ok func(cell) bool) cell {
	weeks := step / 7
	var cands []cell
	for wd := time.Monday; wd <= time.Friday; wd++ {
		for h := firstHour; h <= lastHour; h++ {
			for ph := range weeks {
				x := cell{weekday: wd, hour: h}
				for k := ph; k < 4; k += weeks {
					x.phases = append(x.phases, k)
				}
				cands = append(cands, x)
			}
		}
	}
	p.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	free := func(x cell) bool {
		for _, ph := range x.phases {
			if cl.grid[x.weekday-1][x.hour-firstHour][ph] {
				return false
			}
		}
		return true
	}
	choose := func(x cell) cell {
		for _, ph := range x.phases {
			cl.grid[x.weekday-1][x.hour-firstHour][ph] = true
		}
		return x
	}
	for _, x := range cands {
		if free(x) && (ok == nil || ok(x)) {
			return choose(x)
		}
	}
	for _, x := range cands {
		if free(x) {
			return choose(x)
		}
	}
	return cands[0] // grid full: sessions are moved to free hours one by one
}

func (p *planner) cadenceDays(x cell, from, to time.Time) []time.Time {
	var days []time.Time
	d := from
	for d.Weekday() != x.weekday {
		d = d.AddDate(0, 0, 1)
	}
	for ; !d.After(to); d = d.AddDate(0, 0, 7) {
		if p.occursOn(x, d) {
			days = append(days, d)
		}
	}
	return days
}

// book finds a free hour on a business day, as close to the preferred one as possible.
func (p *planner) book(cl *clinicianPlan, day time.Time, hour int) (time.Time, bool) {
	if !p.workday(day) || day.Equal(p.snowDay) {
		return time.Time{}, false
	}
	for delta := 0; delta <= lastHour-firstHour; delta++ {
		for _, h := range []int{hour + delta, hour - delta} {
			if h < firstHour || h > lastHour {
				continue
			}
			start := p.at(day, h*60)
			if !cl.busy[start.Unix()] {
				cl.busy[start.Unix()] = true
				return start, true
			}
		}
	}
	return time.Time{}, false
}

// bookFrom books the first free time on or after day.
func (p *planner) bookFrom(cl *clinicianPlan, day time.Time, hour int) time.Time {
	for {
		if start, ok := p.book(cl, day, hour); ok {
			return start
		}
		day = day.AddDate(0, 0, 1)
	}
}

func (p *planner) addAppt(c *clientPlan, e *episodePlan, start time.Time, kind appointment.Kind) *apptPlan {
	length := sessionLength
	if kind == appointment.KindINTAKE {
		length = intakeLength
	}
	a := &apptPlan{client: c, ep: e, clin: e.clin, start: start, end: start.Add(length), kind: kind, status: appointment.StatusSCHEDULED}
	c.appts = append(c.appts, a)
	return a
}

// scheduleOneOffs books what the weekly grid does not hold: intakes, as-needed
// sessions, and the sessions of closed episodes.
func (p *planner) scheduleOneOffs(c *clientPlan) {
	if c.clin == nil {
		return
	}
	for _, e := range c.episodes {
		if c.sc == scNeverSeen {
			day := p.today.AddDate(0, 0, 4)
			p.addAppt(c, e, p.bookFrom(c.clin, day, c.hour), appointment.KindINTAKE)
			continue
		}
		intake := p.bookFrom(c.clin, e.openDay.AddDate(0, 0, 2), c.hour)
		p.addAppt(c, e, intake, appointment.KindINTAKE)
		closed := e.closedAt != nil
		if !closed && c.cell != nil {
			continue // the cadence is already booked
		}
		first := p.civil(intake).AddDate(0, 0, 7)
		last := p.today.AddDate(0, 0, horizonDays)
		if closed || c.sc.truncated() {
			last = e.lastDay
		}
		step := interval(c.freq)
		var prev time.Time
		for d := first; !d.After(last); {
			if start, ok := p.book(c.clin, d, c.hour); ok {
				p.addAppt(c, e, start, appointment.KindTHERAPY)
				prev = start
			}
			if step == 0 {
				d = d.AddDate(0, 0, p.between(18, 40))
			} else {
				d = d.AddDate(0, 0, step)
			}
		}
		if closed || c.sc.truncated() {
			// The episode ends with a session on its last day (or the closest business day before).
			d := e.lastDay
			for !prev.IsZero() && d.After(p.civil(prev).AddDate(0, 0, 5)) {
				if start, ok := p.book(c.clin, d, c.hour); ok {
					p.addAppt(c, e, start, appointment.KindTHERAPY)
					break
				}
				d = d.AddDate(0, 0, -1)
			}
			continue
		}
		if prev.IsZero() || !prev.After(p.now) {
			p.addAppt(c, e, p.bookFrom(c.clin, p.today.AddDate(0, 0, p.between(2, 16)), c.hour), appointment.KindTHERAPY)
		}
	}
}
