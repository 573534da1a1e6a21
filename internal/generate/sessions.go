package generate

import (
	"fmt"
	"slices"
	"time"
)

const day = 24 * time.Hour

// step is the number of weeks to the next session at a frequency.
func (p *planner) step(freq string) int {
	switch freq {
	case "BIWEEKLY":
		return 2
	case "MONTHLY":
		return 4
	case "AS_NEEDED":
		return 2 + p.rng.IntN(5)
	}
	return 1
}

// runCourse opens the course's episode and books its sessions week by week;
// reason != "" closes the episode after the last one.
func (p *planner) runCourse(co *course, reason string) {
	cl := co.clin
	opened := p.at(7*co.firstWeek-3, 10, 0) // the Friday before the first week
	if opened.After(p.now) {
		opened = p.now.Add(-p.between(day, 3*day))
	}
	p.episodes = append(p.episodes, episodeRow{client: co.client, clinician: cl.idx, opened: opened})
	co.episode = len(p.episodes) - 1
	cl.courses = append(cl.courses, co)

	var starts []time.Time
	var firsts []bool
	for w := co.firstWeek; w <= co.stopWeek; w += p.step(co.freq) {
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
	// Earlier sessions than the forced tail keep fewer strikes than the limit.
	strikes := 0
	limit := p.policy.StrikeLimit
	recorded := len(co.tail) == 0 && !co.sc.truncated() && reason == ""
	seriesFrom := 4 // a series is booked once earned
	for i, start := range starts {
		a := apptRow{client: co.client, clinician: cl.idx, episode: co.episode, start: start, end: start.Add(sessionLength),
			kind: "THERAPY", status: "SCHEDULED", minutesLate: -1, filledFrom: -1}
		if firsts[i] {
			a.kind, a.end = "INTAKE", start.Add(intakeLength)
		} else if co.sc.minor() && p.chance(0.15) {
			a.kind = "FAMILY"
		}
		if co.recurring && i >= seriesFrom {
			a.series = fmt.Sprintf("series-%d-%d", co.client, co.episode)
		}
		out := outRandom
		if fromEnd := past - 1 - i; fromEnd >= 0 && fromEnd < len(co.tail) {
			out = co.tail[len(co.tail)-1-fromEnd]
		}
		forced := out != outRandom
		p.outcome(&a, co, out)
		if a.status == "ATTENDED" && firsts[i] {
			a.minutesLate = 0
		}
		if p.isStrike(a) && !forced {
			if strikes+1 >= limit || p.chance(0.12) {
				a.excused = true
				a.excuseReason = pick(p, excuseReasons)
			}
		}
		if p.isStrike(a) {
			strikes++
		}
		// A session from the last three days may still wait for its attendance.
		// (A minor's last one always does: someone has to record it.)
		unrecorded := start.After(p.now.Add(-3*day)) && p.chance(0.06) || (co.sc == scMinor && i == past-1)
		if recorded && start.Before(p.now) && a.status == "ATTENDED" && unrecorded {
			a.status, a.minutesLate = "SCHEDULED", -1
			if !a.confirmedAt.IsZero() {
				a.status = "CONFIRMED"
			}
		}
		p.stamp(&a, opened)
		p.appts = append(p.appts, apptPlanned{row: a, seat: true})
		co.appts = append(co.appts, len(p.appts)-1)
		switch {
		case a.status == "CANCELED" && a.canceledBy == "CLIENT" && !forced && !p.isStrike(a) && p.chance(0.45):
			p.spareSession(co, a.start, a.canceledAt, opened)
		case recorded && a.status != "CANCELED" && p.chance(0.1):
			// An extra session that week (a crisis, a family meeting).
			p.spareSession(co, a.start, a.start.Add(-p.between(day, 3*day)), opened)
		}
	}
	slices.SortFunc(co.appts, func(x, y int) int { return p.appts[x].row.start.Compare(p.appts[y].row.start) })
	if reason == "" {
		return
	}
	// Close the episode after its last session.
	end := p.at(7*co.stopWeek+4, 17, 0)
	if n := len(co.appts); n > 0 {
		end = p.appts[co.appts[n-1]].row.end
	}
	closed := end.Add(p.between(time.Hour, 6*day))
	if reason == "INACTIVE" {
		closed = end.Add(p.between(31*day, 45*day))
	}
	closed = maxTime(minTime(closed, p.now.Add(-time.Hour)), opened.Add(time.Hour))
	ep := &p.episodes[co.episode]
	ep.closed, ep.reason = closed, reason
}

// outcome records what became of a session.
func (p *planner) outcome(a *apptRow, co *course, out outcome) {
	r := co.rel
	if !a.start.Before(p.now) {
		// Booked ahead; a few were cancelled already, freeing their slot.
		if a.start.Before(p.now.Add(7*day)) && p.chance(0.03) {
			a.status, a.canceledBy = "CANCELED", "CLIENT"
			a.canceledAt = p.now.Add(-p.between(30*time.Minute, 6*time.Hour))
			a.cancelReason = pick(p, cancelReasons)
		}
		return
	}
	if out == outRandom {
		u := p.rng.Float64()
		switch {
		case u < r.noShow:
			out = outNoShow
		case u < r.noShow+r.lateCancel:
			out = outLateCancel
		case u < r.noShow+r.lateCancel+r.cancel:
			out = outCancel
		case u < r.noShow+r.lateCancel+r.cancel+0.02:
			a.status, a.canceledBy = "CANCELED", "CLINICIAN"
			a.canceledAt = a.start.Add(-p.between(day, 5*day))
			a.cancelReason = "Clinician unavailable"
			return
		case u < r.noShow+r.lateCancel+r.cancel+0.025:
			a.status, a.canceledBy = "CANCELED", "PRACTICE"
			a.canceledAt = a.start.Add(-p.between(2*time.Hour, 12*time.Hour))
			a.cancelReason = "Office closed"
			return
		case p.chance(r.late):
			out = outLate
		default:
			out = outOnTime
		}
	}
	switch out {
	case outOnTime:
		a.status, a.minutesLate = "ATTENDED", 0
		if p.chance(0.2) {
			a.minutesLate = 1 + p.rng.IntN(8)
		}
	case outLate:
		a.status, a.minutesLate = "ATTENDED", 10+p.rng.IntN(25)
	case outNoShow:
		a.status = "NO_SHOW"
	case outLateCancel:
		a.status, a.canceledBy = "CANCELED", "CLIENT"
		a.canceledAt = a.start.Add(-p.between(time.Hour, 20*time.Hour))
		a.cancelReason = pick(p, cancelReasons)
	case outCancel:
		a.status, a.canceledBy = "CANCELED", "CLIENT"
		a.canceledAt = a.start.Add(-p.between(30*time.Hour, 6*day))
		a.cancelReason = pick(p, cancelReasons)
	}
}

func (p *planner) isStrike(a apptRow) bool {
	if a.excused {
		return false
	}
	lateWindow := time.Duration(p.policy.LateCancelWindowHours) * time.Hour
	return a.status == "NO_SHOW" || (a.status == "CANCELED" && a.canceledBy == "CLIENT" && a.start.Sub(a.canceledAt) < lateWindow)
}

// stamp fills the booking, reminder and confirmation times of a session.
func (p *planner) stamp(a *apptRow, opened time.Time) {
	created := a.start.Add(-p.between(7*day, 28*day))
	if a.kind == "INTAKE" {
		created = opened.Add(p.between(time.Hour, 48*time.Hour))
	}
	created = maxTime(created, opened)
	if !created.Before(a.start) || created.After(p.now) {
		created = minTime(a.start, p.now).Add(-p.between(time.Hour, 20*time.Hour))
	}
	a.created = created
	rem := a.start.Add(-p.between(20*time.Hour, 24*time.Hour))
	share := 0.9
	if a.start.After(p.now) {
		share = 0.65
	}
	if rem.Before(p.now) && rem.After(created) && (a.canceledAt.IsZero() || rem.Before(a.canceledAt)) && p.chance(share) {
		a.reminderAt = rem
		a.reminderChannel = pick(p, []string{"EMAIL", "TEXT", "TEXT", "PHONE", "VOICEMAIL", "PORTAL"})
	}
	if p.chance(0.55) {
		conf := a.start.Add(-p.between(2*time.Hour, 48*time.Hour))
		if !a.reminderAt.IsZero() {
			conf = a.reminderAt.Add(p.between(5*time.Minute, 6*time.Hour))
		}
		if conf.Before(p.now) && conf.After(created) && conf.Before(a.start) && (a.canceledAt.IsZero() || conf.Before(a.canceledAt)) {
			a.confirmedAt = conf
			if a.status == "SCHEDULED" {
				a.status = "CONFIRMED"
			}
		}
	}
	upd := maxTime(created, maxTime(a.canceledAt, maxTime(a.confirmedAt, a.reminderAt)))
	if a.status == "ATTENDED" || a.status == "NO_SHOW" {
		upd = maxTime(upd, a.end.Add(p.between(5*time.Minute, 2*time.Hour)))
	}
	a.updated = minTime(upd, p.now)
}

// spareSession books a session into a spare slot of the week of `week`,
// arranged at `asked`: a cancelled session booked again, or an extra one.
func (p *planner) spareSession(co *course, week, asked, opened time.Time) {
	cl := co.clin
	w := p.weekOf(week)
	for _, i := range p.rng.Perm(len(cl.spare)) {
		s := cl.spare[i]
		start := p.slotStart(cl, w, s)
		key := w*1000 + s
		if cl.spareUsed[key] || start.Before(asked.Add(4*time.Hour)) || start.After(p.now.Add(horizonDays*day)) {
			continue
		}
		cl.spareUsed[key] = true
		a := apptRow{client: co.client, clinician: cl.idx, episode: co.episode, start: start, end: start.Add(sessionLength),
			kind: "THERAPY", status: "SCHEDULED", minutesLate: -1, filledFrom: -1}
		if start.Before(p.now) {
			a.status, a.minutesLate = "ATTENDED", 0
		}
		p.stamp(&a, opened)
		a.created = maxTime(minTime(asked.Add(p.between(5*time.Minute, time.Hour)), minTime(a.start, p.now).Add(-time.Minute)), a.created)
		a.updated = maxTime(a.updated, a.created)
		p.appts = append(p.appts, apptPlanned{row: a})
		co.appts = append(co.appts, len(p.appts)-1)
		return
	}
}

// backfill fills some late-cancelled slots of a clinician from the backfill
// list: another active client of theirs took the freed slot.
func (p *planner) backfill(cl *clinicianPlan) {
	var fillers []*course
	for _, co := range cl.courses {
		if (co.sc == scRegular || co.sc == scBackfill) && !co.recurring && co.reason == "" && len(co.appts) > 0 {
			fillers = append(fillers, co)
		}
	}
	if len(fillers) == 0 {
		return
	}
	for _, co := range cl.courses {
		for _, idx := range co.appts {
			src := p.appts[idx]
			a := src.row
			if !src.seat || a.status != "CANCELED" || a.canceledBy != "CLIENT" || a.start.Sub(a.canceledAt) >= 24*time.Hour {
				continue
			}
			if a.start.After(p.now) || !p.chance(0.4) {
				continue // freed slots ahead stay open for the backfill list
			}
			for range 4 {
				f := fillers[p.rng.IntN(len(fillers))]
				first, last := p.appts[f.appts[0]].row.start, p.appts[f.appts[len(f.appts)-1]].row.start
				if f.client == co.client || !a.start.After(first) || a.start.After(last) {
					continue
				}
				fill := apptRow{client: f.client, clinician: cl.idx, episode: f.episode, start: a.start, end: a.end,
					kind: "THERAPY", status: "ATTENDED", minutesLate: 0, filledFrom: idx,
					created: a.canceledAt.Add(p.between(10*time.Minute, 50*time.Minute))}
				if !fill.created.Before(fill.start) {
					fill.created = a.canceledAt.Add(time.Minute)
				}
				fill.updated = fill.end.Add(p.between(5*time.Minute, time.Hour))
				if fill.updated.After(p.now) {
					fill.updated = p.now
				}
				p.appts = append(p.appts, apptPlanned{row: fill, fill: true})
				f.appts = append(f.appts, len(p.appts)-1)
				slices.SortFunc(f.appts, func(x, y int) int { return p.appts[x].row.start.Compare(p.appts[y].row.start) })
				break
			}
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

var (
	cancelReasons = []string{"Illness", "Work conflict", "Transportation", "Childcare", "Forgot", "Schedule change"}
	excuseReasons = []string{"Medical emergency", "Family emergency", "Severe weather", "Hospitalized"}
)
