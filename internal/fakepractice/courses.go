package fakepractice

import (
	"slices"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/episode"
)

// The sessions of a generated practice: each client's episode runs as a
// course in its seat of the clinician's grid.

// course is one episode of one client in one seat.
type course struct {
	client    *clientPlan
	ep        *episodePlan
	clin      *clinicianPlan
	slot      int
	sc        scenario
	firstWeek int // week of the first session (negative: before the history starts)
	stopWeek  int // no session after this week (active: open-ended)
	reason    *episode.CloseReason
	tail      []outcome
	recurring bool
	appts     []*apptPlan // in time order
}

type outcome int

const (
	outRandom outcome = iota
	outOnTime
	outLate
	outNoShow
	outLateCancel
	outCancel // by the client, with notice
)

// tail says how a scenario's last recorded sessions must end.
func (s scenario) tail() []outcome {
	switch s {
	case scStruckOut:
		return []outcome{outNoShow, outLateCancel, outNoShow}
	case scRecurringCancels:
		return []outcome{outCancel, outCancel}
	case scRecurringLate:
		return []outcome{outLate, outLate, outLate}
	case scRecurring, scLapse:
		return []outcome{outOnTime, outOnTime, outOnTime}
	}
	return nil
}

// runCourse opens the course's episode and books its sessions week by
// week; a course with a reason closes the episode after the last one.
func (p *planner) runCourse(co *course) {
	c, cl := co.client, co.clin
	openDay := p.week0.AddDate(0, 0, 7*co.firstWeek-3) // the Friday before the first week
	if !openDay.Before(p.today) {
		openDay = p.daysAgo(p.between(1, 3))
	}
	e := p.episode(c, openDay)
	co.ep = e
	cl.courses = append(cl.courses, co)
	if len(c.episodes) == 1 {
		c.createdAt = e.openedAt.Add(-time.Duration(p.between(1, 21)) * day)
	}
	var starts []time.Time
	var firsts []bool
	for w := co.firstWeek; w <= co.stopWeek; w += p.weeksToNext(c) {
		if len(starts) > 0 && starts[len(starts)-1].After(p.now.Add(horizonDays*day)) {
			break
		}
		if w >= 0 {
			starts = append(starts, p.slotStart(cl, w, co.slot))
			firsts = append(firsts, w == co.firstWeek)
		}
	}
	past := 0
	for _, s := range starts {
		if s.Before(p.now) {
			past++
		}
	}
	var series *string
	if co.recurring {
		series = ptr(p.newSeriesID())
		c.seriesID = *series
	}
	// Earlier sessions than the forced tail keep fewer strikes than the limit.
	strikes := 0
	free := len(co.tail) == 0 && !co.sc.truncated() && co.reason == nil
	for i, start := range starts {
		kind := appointment.KindTHERAPY
		if firsts[i] {
			kind = appointment.KindINTAKE
		} else if co.sc.minor() && p.chance(0.15) {
			kind = appointment.KindFAMILY
		}
		a := p.addAppt(c, e, start, kind)
		a.seat = true
		co.appts = append(co.appts, a)
		if i >= 4 { // a series is booked once earned
			a.seriesID = series
		}
		out := outRandom
		if fromEnd := past - 1 - i; fromEnd >= 0 && fromEnd < len(co.tail) {
			out = co.tail[len(co.tail)-1-fromEnd]
		}
		forced := out != outRandom
		p.outcome(a, out)
		if a.status == appointment.StatusATTENDED && firsts[i] {
			a.minutesLate = ptr(0)
		}
		if a.strike() && !forced && (strikes+1 >= p.policy.StrikeLimit || p.chance(0.12)) {
			a.excused, a.excuseReason = true, ptr(pick(p, excuseReasons))
		}
		if a.strike() {
			strikes++
		}
		// A session from the last three days may still wait for its attendance.
		// (A minor's last one always does: someone has to record it.)
		unrecorded := start.After(p.now.Add(-3*day)) && p.chance(0.06) || (co.sc == scMinor && i == past-1)
		if free && start.Before(p.now) && a.status == appointment.StatusATTENDED && unrecorded {
			a.status, a.minutesLate = appointment.StatusSCHEDULED, nil
		}
		switch {
		case a.status == appointment.StatusCANCELED && *a.canceledBy == appointment.CanceledByCLIENT && !forced && !a.strike() && p.chance(0.45):
			p.spareSession(co, a.start, *a.canceledAt)
		case free && a.status != appointment.StatusCANCELED && p.chance(0.1):
			// An extra session that week (a crisis, a family meeting).
			p.spareSession(co, a.start, a.start.Add(-p.minutes(24*60, 3*24*60)))
		}
	}
	slices.SortFunc(co.appts, func(x, y *apptPlan) int { return x.start.Compare(y.start) })
	if co.reason == nil {
		return
	}
	// Close the episode after its last session.
	end := p.at(p.week0.AddDate(0, 0, 7*co.stopWeek+4), 17*60)
	if n := len(co.appts); n > 0 {
		end = co.appts[n-1].end
	}
	closed := end.Add(p.minutes(60, 6*24*60))
	if *co.reason == episode.CloseReasonINACTIVE {
		closed = end.Add(p.minutes(31*24*60, 45*24*60))
	}
	closed = maxTime(minTime(closed, p.now.Add(-time.Hour)), e.openedAt.Add(time.Hour))
	e.closedAt, e.reason = &closed, co.reason
}

// weeksToNext is the number of weeks to a client's next session.
func (p *planner) weeksToNext(c *clientPlan) int {
	if step := interval(c.freq); step > 0 {
		return step / 7
	}
	return p.between(2, 6)
}

// outcome records what became of a session: forced, or drawn by the
// client's reliability.
func (p *planner) outcome(a *apptPlan, out outcome) {
	if !a.start.Before(p.now) {
		// Booked ahead; a few were cancelled already, freeing their slot.
		if a.start.Before(p.now.Add(7*day)) && p.chance(0.03) {
			a.cancel(appointment.CanceledByCLIENT, p.now.Add(-p.minutes(30, 6*60)), pick(p, clientCancelReasons))
		}
		return
	}
	switch out {
	case outRandom:
		p.drawOutcome(a)
	case outOnTime:
		a.attend(pick(p, []int{0, 0, 0, 2, 5}))
	case outLate:
		a.attend(p.between(lateArrival+2, 25))
	case outNoShow:
		a.noShow()
	case outLateCancel:
		a.cancel(appointment.CanceledByCLIENT, a.start.Add(-p.minutes(90, 10*60)), pick(p, clientCancelReasons))
	case outCancel:
		a.cancel(appointment.CanceledByCLIENT, a.start.Add(-p.minutes(2*24*60, 4*24*60)), pick(p, clientCancelReasons))
	}
}

// spareSession books a session into a spare slot of the week of `week`,
// arranged at `asked`: a cancelled session booked again, or an extra one.
func (p *planner) spareSession(co *course, week, asked time.Time) {
	cl := co.clin
	w := p.weekOf(week)
	for _, i := range p.r.Perm(len(cl.spare)) {
		s := cl.spare[i]
		start := p.slotStart(cl, w, s)
		key := w*1000 + s
		if cl.spareUsed[key] || start.Before(asked.Add(4*time.Hour)) || start.After(p.now.Add(horizonDays*day)) {
			continue
		}
		cl.spareUsed[key] = true
		a := p.addAppt(co.client, co.ep, start, appointment.KindTHERAPY)
		if start.Before(p.now) {
			a.attend(0)
		}
		a.createdAt = minTime(asked.Add(p.minutes(5, 60)), minTime(a.start, p.now).Add(-time.Minute))
		co.appts = append(co.appts, a)
		return
	}
}

// backfill fills some late-cancelled slots of a clinician from the backfill
// list: another active client of theirs took the freed slot.
func (p *planner) backfill(cl *clinicianPlan) {
	var fillers []*course
	for _, co := range cl.courses {
		if (co.sc == scRegular || co.sc.backfill()) && !co.recurring && co.reason == nil && len(co.appts) > 0 {
			fillers = append(fillers, co)
		}
	}
	if len(fillers) == 0 {
		return
	}
	for _, co := range cl.courses {
		for _, a := range co.appts {
			if !a.seat || !a.lateCancel() || a.start.After(p.now) || !p.chance(0.4) {
				continue // freed slots ahead stay open for the backfill list
			}
			for range 4 {
				f := fillers[p.r.IntN(len(fillers))]
				first, last := f.appts[0].start, f.appts[len(f.appts)-1].start
				if f.client == co.client || !a.start.After(first) || a.start.After(last) {
					continue
				}
				fill := p.addAppt(f.client, f.ep, a.start, appointment.KindTHERAPY)
				fill.end, fill.filledFrom = a.end, a
				fill.attend(0)
				fill.createdAt = a.canceledAt.Add(p.minutes(10, 50))
				if !fill.createdAt.Before(fill.start) {
					fill.createdAt = a.canceledAt.Add(time.Minute)
				}
				f.appts = append(f.appts, fill)
				slices.SortFunc(f.appts, func(x, y *apptPlan) int { return x.start.Compare(y.start) })
				break
			}
		}
	}
}
