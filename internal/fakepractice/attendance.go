package fakepractice

import (
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
)

// Attendance of the demo practice: each client's history is shaped to tell
// its scenario's story.

// roll gives a past session a random, realistic outcome.
func (p *planner) roll(a *apptPlan) {
	c := a.client
	if a.start.After(p.now) {
		return
	}
	if p.civil(a.start).Equal(p.snowDay) {
		reason := "Office closed: building power outage"
		if m := p.snowDay.Month(); m == time.December || m <= time.March {
			reason = "Office closed: winter storm"
		}
		a.cancel(appointment.CanceledByPRACTICE, p.at(p.snowDay.AddDate(0, 0, -1), 16*60), reason)
		return
	}
	// Sessions of the last two days may still wait for attendance to be recorded.
	if a.end.After(p.now.Add(-5*time.Minute)) || (c.sc.free() && a.start.After(p.recent) && p.chance(0.5)) {
		return
	}
	if a.kind == appointment.KindINTAKE {
		a.attend(pick(p, []int{0, 0, 0, 5}))
		return
	}
	p.drawOutcome(a)
}

// officeHours moves an instant the office calls from out of the night:

// shape makes each client's history tell its scenario's story.
func (p *planner) shape(c *clientPlan) {
	for _, e := range c.episodes {
		var as []*apptPlan
		for _, a := range c.appts {
			if a.ep == e {
				as = append(as, a)
			}
		}
		if e.closedAt != nil {
			p.shapeClosed(c, e, as)
			continue
		}
		if c.sc.truncated() {
			// The last session attended, then silence.
			if n := len(as); n > 0 {
				as[n-1].attend(0)
				c.protect[as[n-1]] = true
			}
		}
		switch c.sc {
		case scRecurring, scRecurringCancels, scRecurringLate:
			p.series(c, as)
		case scEarned:
			p.tail(c, as, 4, func(a *apptPlan) { a.attend(pick(p, []int{0, 0, 0, 3})) })
		case scCanceler:
			for _, a := range as {
				if p.civil(a.start).Equal(p.nextBiz) {
					a.cancel(appointment.CanceledByCLIENT, minTime(a.start.Add(-50*time.Hour), p.now.Add(-time.Hour)), "Work trip; keeping the following week's session")
					c.protect[a] = true
				}
			}
		}
		p.capStrikes(c, as, max(c.strikeCap, 0))
		switch c.sc {
		case scStruckOut:
			p.forceStrikes(c, as, c.strikeCap, 1)
		case scTwoStrikes:
			p.forceStrikes(c, as, 2, 1)
		case scExcused:
			p.forceStrikes(c, as, 2, 0)
			if a := p.candidate(c, as); a != nil {
				a.noShow()
				a.excused = true
				a.excuseReason = ptr(pick(p, excuseReasons))
				c.protect[a] = true
			}
		}
	}
}

func (p *planner) shapeClosed(c *clientPlan, e *episodePlan, as []*apptPlan) {
	if len(as) == 0 {
		return
	}
	// Every closed episode ends on an attended session, except a strikes closure.
	last := as[len(as)-1]
	last.attend(0)
	c.protect[last] = true
	if e.reason != nil && *e.reason == episode.CloseReasonSTRIKES {
		n := 0
		for i := len(as) - 1; i > 0 && n < 3; i-- {
			a := as[i]
			if a.kind == appointment.KindINTAKE {
				break
			}
			if n == 1 {
				a.cancel(appointment.CanceledByCLIENT, a.start.Add(-p.minutes(90, 8*60)), pick(p, clientCancelReasons))
			} else {
				a.noShow()
			}
			c.protect[a] = true
			n++
		}
		p.capStrikes(c, as, 3)
		return
	}
	p.capStrikes(c, as, min(max(c.strikeCap, 0), 2))
}

// tail applies set to the last n sessions that count for the recurring rule.
func (p *planner) tail(c *clientPlan, as []*apptPlan, n int, set func(*apptPlan)) {
	for i := len(as) - 1; i >= 0 && n > 0; i-- {
		a := as[i]
		if a.start.After(p.now) || a.kind == appointment.KindINTAKE {
			continue
		}
		if a.status == appointment.StatusCANCELED && !a.countsForRecurring() {
			continue
		}
		set(a)
		c.protect[a] = true
		n--
	}
}

// series gives a recurring client the standing weekly series they earned
// with 3 on-time sessions in a row.
func (p *planner) series(c *clientPlan, as []*apptPlan) {
	c.recurring = true
	c.seriesID = p.newSeriesID()
	from := p.at(p.daysAgo(p.between(56, 110)), 0)
	first := -1
	for i, a := range as {
		if a.kind != appointment.KindINTAKE && !a.start.Before(from) {
			if first < 0 {
				first = i
			}
			a.seriesID = ptr(c.seriesID)
		}
	}
	if first > 0 {
		earned := 0
		for i := first - 1; i >= 0 && earned < 3; i-- {
			if as[i].kind == appointment.KindINTAKE || (as[i].status == appointment.StatusCANCELED && !as[i].countsForRecurring()) {
				continue
			}
			as[i].attend(0)
			c.protect[as[i]] = true
			earned++
		}
	}
	switch c.sc {
	case scRecurring:
		p.tail(c, as, 4, func(a *apptPlan) { a.attend(pick(p, []int{0, 0, 0, 2, 5})) })
	case scRecurringCancels:
		p.tail(c, as, 2, func(a *apptPlan) {
			a.cancel(appointment.CanceledByCLIENT, a.start.Add(-p.minutes(2*24*60, 4*24*60)), pick(p, clientCancelReasons))
		})
		// Before the two cancellations they were attending on time.
		var rest []*apptPlan
		for _, a := range as {
			if !c.protect[a] || a.status != appointment.StatusCANCELED {
				rest = append(rest, a)
			}
		}
		p.tail(c, rest, 2, func(a *apptPlan) { a.attend(0) })
	case scRecurringLate:
		p.tail(c, as, 3, func(a *apptPlan) { a.attend(p.between(lateArrival+2, 25)) })
	}
}

// capStrikes keeps an episode under the client's strike cap: extra strikes
// become excused (the clinician accepted the reason) or sessions attended.
func (p *planner) capStrikes(c *clientPlan, as []*apptPlan, limit int) {
	n := 0
	for _, a := range as {
		if !a.strike() {
			continue
		}
		if n < limit || c.protect[a] {
			n++
			continue
		}
		if p.chance(0.6) {
			a.excused = true
			a.excuseReason = ptr(pick(p, excuseReasons))
		} else {
			a.attend(p.lateness())
		}
	}
}

// candidate is a past attended therapy session of the last months that no
// scenario depends on, to turn into a strike.
func (p *planner) candidate(c *clientPlan, as []*apptPlan) *apptPlan {
	var cands []*apptPlan
	for _, a := range as {
		if a.status == appointment.StatusATTENDED && a.kind == appointment.KindTHERAPY && !c.protect[a] &&
			a.start.After(p.now.AddDate(0, 0, -150)) && a.start.Before(p.now.AddDate(0, 0, -3)) {
			cands = append(cands, a)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	return pick(p, cands)
}

func (p *planner) forceStrikes(c *clientPlan, as []*apptPlan, want, lateCancels int) {
	n := 0
	for _, a := range as {
		if a.strike() {
			n++
			if a.lateCancel() {
				lateCancels--
			}
			c.protect[a] = true
		}
	}
	for ; n < want; n++ {
		a := p.candidate(c, as)
		if a == nil {
			return
		}
		if lateCancels > 0 {
			a.cancel(appointment.CanceledByCLIENT, a.start.Add(-p.minutes(90, 10*60)), pick(p, clientCancelReasons))
			lateCancels--
		} else {
			a.noShow()
		}
		c.protect[a] = true
	}
}

// fillFreedSlots books a few clients from the backfill list into slots
// other clients cancelled with notice.
func (p *planner) fillFreedSlots() {
	perClinician := map[*clinicianPlan]int{}
	for _, c := range p.clients {
		for _, a := range c.appts {
			if a.status != appointment.StatusCANCELED || a.lateCancel() || *a.canceledBy != appointment.CanceledByCLIENT ||
				a.start.Before(p.now.AddDate(0, 0, -120)) || a.start.After(p.now.AddDate(0, 0, -14)) || perClinician[a.clin] >= 2 {
				continue
			}
			filler := p.filler(a)
			if filler == nil {
				continue
			}
			e := filler.open()
			f := p.addAppt(filler, e, a.start, appointment.KindTHERAPY)
			f.filledFrom = a
			f.attend(0)
			f.createdAt = a.canceledAt.Add(p.minutes(20, 180))
			filler.protect[f] = true
			perClinician[a.clin]++
		}
	}
}

func (p *planner) filler(a *apptPlan) *clientPlan {
	for _, c := range p.clients {
		if c.clin != a.clin || c == a.client || !c.wantsEarlier || c.status != clientprofile.StatusACTIVE || c.sc == scStruckOut {
			continue
		}
		e := c.open()
		if e == nil || !e.openedAt.Before(a.start.AddDate(0, 0, -14)) {
			continue
		}
		day := p.civil(a.start)
		clash := false
		for _, b := range c.appts {
			if p.civil(b.start).Equal(day) {
				clash = true
			}
		}
		if !clash {
			return c
		}
	}
	return nil
}

// finish sets the booking history of a session: when it was booked,

// ensureDueToday makes sure the signed-in clinician's To-Do list has a
// reminder to send and an attendance to record, when the calendar allows.
func (p *planner) ensureDueToday() {
	cl := p.signedIn
	var soon, unrecorded, recent []*apptPlan
	for _, c := range p.clients {
		for _, a := range c.appts {
			if a.clin != cl || a.status == appointment.StatusCANCELED {
				continue
			}
			if a.start.After(p.now) && !a.start.After(p.now.Add(24*time.Hour)) {
				soon = append(soon, a)
			}
			if !a.start.After(p.now) && a.start.After(p.recent) && !c.protect[a] && c.sc.free() {
				if a.recorded() {
					recent = append(recent, a)
				} else {
					unrecorded = append(unrecorded, a)
				}
			}
		}
	}
	unsent := 0
	for _, a := range soon {
		if a.reminderAt == nil {
			unsent++
		}
	}
	if unsent == 0 && len(soon) > 0 {
		a := soon[0]
		a.reminderAt, a.reminderChannel = nil, nil
		if a.confirmedAt != nil {
			a.confirmedAt = nil
			a.status = appointment.StatusSCHEDULED
		}
	}
	for i := 0; len(unrecorded) < 2 && i < len(recent); i++ {
		a := recent[i]
		a.status = appointment.StatusSCHEDULED
		if a.confirmedAt != nil {
			a.status = appointment.StatusCONFIRMED
		}
		a.minutesLate, a.canceledBy, a.canceledAt, a.cancelReason, a.excused, a.excuseReason = nil, nil, nil, nil, false, nil
		unrecorded = append(unrecorded, a)
	}
}
