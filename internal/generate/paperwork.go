package generate

import (
	"strconv"
	"time"
)

// noteDelay is how long after a session or contact its note is signed:
// mostly within the hour, some the same day, a few late.
func (p *planner) noteDelay() time.Duration {
	u := p.rng.Float64()
	switch {
	case u < 0.6:
		return p.between(5*time.Minute, time.Hour)
	case u < 0.85:
		return p.between(time.Hour, 8*time.Hour)
	case u < 0.95:
		return p.between(8*time.Hour, 23*time.Hour)
	}
	return p.between(25*time.Hour, 96*time.Hour)
}

// note adds the note of a session (appt >= 0) or contact (contact >= 0)
// that ended at end; lapse is "", "MISSING" or "DRAFT".
func (p *planner) note(co *course, kind string, appt, contact int, end time.Time, lapse string) int {
	if lapse == "" {
		recent := p.now.Sub(end) < 14*day
		switch u := p.rng.Float64(); {
		case recent && u < 0.04, !recent && u < 0.003:
			lapse = "MISSING"
		case recent && u < 0.08, !recent && u < 0.005:
			lapse = "DRAFT"
		}
	}
	signed := end.Add(p.noteDelay())
	created := end.Add(p.between(time.Minute, 5*time.Minute))
	if signed.After(p.now) && lapse == "" {
		lapse = "DRAFT"
	}
	if lapse == "MISSING" || created.After(p.now) {
		return -1
	}
	d := documentRow{kind: kind, client: co.client, author: co.clin.user, appt: appt, contact: contact, amends: -1,
		body: pick(p, bodies[kind]), status: "SIGNED", signedAt: signed, version: 1, created: created, updated: signed}
	if lapse == "DRAFT" {
		d.status, d.signedAt, d.updated = "DRAFT", time.Time{}, created
	} else if signed.Sub(created) > time.Hour {
		d.version = 2 // saved as a draft first
	}
	p.docs = append(p.docs, d)
	return len(p.docs) - 1
}

// paperwork writes a course's notes, treatment plan, reviews and termination note.
func (p *planner) paperwork(co *course) {
	ep := p.episodes[co.episode]
	episodeEnd := p.now
	if !ep.closed.IsZero() {
		episodeEnd = ep.closed
	}
	// The treatment plan and its reviews: each review at the first session
	// once one is due, which that session then is for.
	if co.sc != scPlanOverdue {
		planAt := ep.opened.Add(p.between(5*day, 21*day))
		if co.sc == scPlanDraft {
			planAt = ep.opened.Add(2 * day)
		}
		if planAt.Before(episodeEnd) {
			lapse := ""
			if co.sc == scPlanDraft {
				lapse = "DRAFT"
			}
			last := planAt.Add(p.between(10*time.Minute, 2*time.Hour))
			p.planDoc(co, "TREATMENT_PLAN", -1, planAt, last, lapse)
			for co.sc != scReviewOverdue {
				due := p.addMonths(last, p.policy.TreatmentPlanReviewMonths)
				at := -1
				for _, i := range co.appts {
					a := p.appts[i].row
					if a.status == "ATTENDED" && a.kind != "INTAKE" && !a.start.Before(due.Add(-10*day)) {
						at = i
						break
					}
				}
				if at < 0 || p.chance(0.04) {
					break
				}
				a := &p.appts[at].row
				if a.kind == "THERAPY" {
					a.kind = "TREATMENT_PLAN_REVIEW"
				}
				signed := a.end.Add(p.between(10*time.Minute, 3*time.Hour))
				if signed.After(p.now) {
					break
				}
				p.planDoc(co, "TREATMENT_PLAN_REVIEW", at, a.end, signed, "")
				last = signed
			}
		}
	}
	// A note for every attended session.
	var attended []int
	for _, i := range co.appts {
		if p.appts[i].row.status == "ATTENDED" {
			attended = append(attended, i)
		}
	}
	for k, i := range attended {
		a := p.appts[i].row
		kind := "PROGRESS_NOTE"
		if a.kind == "INTAKE" {
			kind = "INTAKE"
		}
		lapse := ""
		if co.sc == scLapse && a.end.Before(p.now.Add(-26*time.Hour)) {
			switch {
			case k == len(attended)-1 || (k == len(attended)-2 && p.appts[attended[k+1]].row.end.After(p.now.Add(-26*time.Hour))):
				lapse = "MISSING"
			case k >= len(attended)-3:
				lapse = "DRAFT"
			}
		}
		d := p.note(co, kind, i, -1, a.end, lapse)
		if d >= 0 && p.docs[d].status == "SIGNED" && p.chance(0.003) {
			if at := p.docs[d].signedAt.Add(p.between(day, 10*day)); at.Before(p.now) {
				p.addenda = append(p.addenda, documentRow{kind: "ADDENDUM", client: co.client, author: co.clin.user, appt: -1, contact: -1,
					amends: d, body: "Addendum: correction to the session date of the plan goal.", status: "SIGNED", signedAt: at, version: 1,
					created: at.Add(-10 * time.Minute), updated: at})
			}
		}
	}
	if !ep.closed.IsZero() {
		lapse := ""
		if p.chance(0.03) {
			lapse = "MISSING"
		}
		at := ep.closed.Add(p.between(time.Hour, 5*day))
		p.planDoc(co, "TERMINATION_NOTE", -1, ep.closed, at, lapse)
	}
}

// planDoc adds a plan, review or termination note written from `from` and
// signed at `signed` (a draft if that is still ahead or lapse says so).
func (p *planner) planDoc(co *course, kind string, appt int, from, signed time.Time, lapse string) {
	if lapse == "MISSING" {
		return
	}
	created := from.Add(p.between(time.Minute, 10*time.Minute))
	if created.After(p.now) {
		return
	}
	d := documentRow{kind: kind, client: co.client, author: co.clin.user, appt: appt, contact: -1, amends: -1,
		body: pick(p, bodies[kind]), status: "SIGNED", signedAt: signed, version: 1, created: created, updated: signed}
	if lapse == "DRAFT" || signed.After(p.now) {
		d.status, d.signedAt, d.updated = "DRAFT", time.Time{}, created
	}
	p.docs = append(p.docs, d)
}

// addMonths adds calendar months in the practice's zone.
func (p *planner) addMonths(t time.Time, months int) time.Time {
	l := t.In(p.loc)
	return time.Date(l.Year(), l.Month()+time.Month(months), l.Day(), l.Hour(), l.Minute(), 0, 0, p.loc).UTC()
}

// contactsOf adds a course's contacts: reminders, scheduling calls, check-ins,
// care coordination and closure warnings, with a note for the billable ones.
func (p *planner) contactsOf(co *course) {
	ep := p.episodes[co.episode]
	cl := co.clin.idx
	add := func(k contactRow) int {
		if k.at.After(p.now) || k.at.Before(ep.opened) {
			return -1
		}
		k.client, k.clinician = co.client, cl
		p.contacts = append(p.contacts, k)
		return len(p.contacts) - 1
	}
	// The last moment of contact: closing, the last session of a client who
	// went quiet, or now.
	end := p.now
	if !ep.closed.IsZero() {
		end = ep.closed
	}
	if co.sc.truncated() || co.reason == "INACTIVE" {
		end = ep.opened
		if n := len(co.appts); n > 0 {
			end = p.appts[co.appts[n-1]].row.end
		}
	}
	for _, i := range co.appts {
		a := p.appts[i].row
		if !a.reminderAt.IsZero() && p.chance(0.3) {
			add(contactRow{channel: a.reminderChannel, direction: "OUTBOUND", purpose: "REMINDER", at: a.reminderAt})
		}
		if a.canceledBy == "CLIENT" && !a.canceledAt.After(end) && p.chance(0.7) {
			add(contactRow{channel: pick(p, []string{"PHONE", "TEXT", "EMAIL", "VOICEMAIL"}), direction: "INBOUND", purpose: "SCHEDULING",
				at: a.canceledAt, note: "Called to cancel the session."})
		}
	}
	for t := ep.opened.Add(p.between(20*day, 50*day)); t.Before(end); t = t.Add(p.between(28*day, 56*day)) {
		k := contactRow{channel: pick(p, []string{"PHONE", "EMAIL", "TEXT", "PORTAL"}), direction: pick(p, []string{"INBOUND", "OUTBOUND"}),
			purpose: "CHECK_IN", at: p.workTime(t)}
		if p.chance(0.12) {
			k.channel, k.billable, k.note = "PHONE", 10+p.rng.IntN(16), "Check-in call between sessions."
		}
		if i := add(k); i >= 0 && k.billable > 0 {
			p.note(co, "CONTACT_NOTE", -1, i, k.at.Add(time.Duration(k.billable)*time.Minute), "")
		}
	}
	if p.chance(0.2) && end.After(ep.opened.Add(2*day)) {
		k := contactRow{channel: pick(p, []string{"PHONE", "EMAIL"}), direction: "OUTBOUND", purpose: "CARE_COORDINATION",
			at: p.workTime(ep.opened.Add(p.between(day, end.Sub(ep.opened)))), billable: 15 + p.rng.IntN(16),
			note: "Coordinated care with the primary care provider."}
		if i := add(k); i >= 0 {
			p.note(co, "CONTACT_NOTE", -1, i, k.at.Add(time.Duration(k.billable)*time.Minute), "")
		}
	}
	warn := func(at time.Time, closeBy time.Time) {
		add(contactRow{channel: "EMAIL", direction: "OUTBOUND", purpose: "CLOSURE_WARNING", at: at, closeBy: closeBy,
			note: "Closure warning: the case closes unless a session is booked."})
	}
	grace := p.policy.ClosureWarningGraceDays
	switch {
	case co.sc == scWarn:
		add(contactRow{channel: "PHONE", direction: "INBOUND", purpose: "CHECK_IN", at: p.now.Add(-p.between(day, 10*day)),
			note: "Left word that they want to come back."})
	case co.sc == scWarningExpired:
		at := p.now.Add(-p.between(20*day, 28*day))
		warn(at, p.dateOf(at).AddDate(0, 0, grace))
	case co.sc == scWait:
		at := p.now.Add(-p.between(2*day, 6*day))
		warn(at, p.dateOf(at).AddDate(0, 0, grace))
	case co.reason == "INACTIVE" && p.chance(0.5):
		if at := ep.closed.Add(-time.Duration(grace+1) * day); at.After(end) {
			warn(at, p.dateOf(ep.closed).AddDate(0, 0, -1))
		}
	}
}

// dateOf is the practice's calendar day of t, as midnight UTC.
func (p *planner) dateOf(t time.Time) time.Time {
	y, m, d := t.In(p.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// workTime moves t into office hours (09:00-17:00 local) of its day.
func (p *planner) workTime(t time.Time) time.Time {
	l := t.In(p.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 9+p.rng.IntN(8), p.rng.IntN(60), 0, 0, p.loc).UTC()
}

// waitlist adds the clients waiting for a clinician.
func (p *planner) waitlist() {
	for range p.opts.WaitlistClients {
		first, last := p.name()
		created := p.now.Add(-p.between(day, 60*day))
		c := clientRow{first: first, last: last, channel: pick(p, []string{"EMAIL", "PHONE", "TEXT"}), freq: p.frequency(),
			status: "WAITLIST", clinician: -1, created: created, updated: created}
		if p.chance(0.8) {
			c.email = "waiting" + strconv.Itoa(p.nameSeq) + "@example.com"
		}
		today := p.now.In(p.loc)
		c.dob = time.Date(today.Year()-19-p.rng.IntN(50), time.Month(1+p.rng.IntN(12)), 1+p.rng.IntN(28), 0, 0, 0, 0, time.UTC)
		p.clients = append(p.clients, c)
		if p.chance(0.5) {
			p.contacts = append(p.contacts, contactRow{client: len(p.clients) - 1, clinician: -1, channel: "PHONE", direction: "INBOUND",
				purpose: "SCHEDULING", at: created, note: "Asked about the waitlist."})
		}
	}
}

// newClientRequests adds each clinician's requests for new clients: past
// ones fulfilled or cancelled, and an open one for every fourth clinician.
func (p *planner) newClientRequests() {
	since := p.at(0, 9, 0)
	span := p.now.Sub(since)
	for c := range p.clinicians {
		for range 1 + p.rng.IntN(2) {
			created := since.Add(p.between(0, span*3/4))
			count := 2 + p.rng.IntN(4)
			closed := created.Add(p.between(3*day, 20*day))
			p.requests = append(p.requests, requestRow{clinician: c, count: count, assigned: count, note: "Caseload below range.",
				status: "FULFILLED", created: created, updated: closed, closed: closed})
		}
		if p.chance(0.2) {
			created := since.Add(p.between(0, span*3/4))
			closed := created.Add(p.between(day, 5*day))
			p.requests = append(p.requests, requestRow{clinician: c, count: 3, note: "Withdrawn: clients returned.",
				status: "CANCELED", created: created, updated: closed, closed: closed})
		}
		if c%4 == 0 {
			created := p.now.Add(-p.between(day, 10*day))
			p.requests = append(p.requests, requestRow{clinician: c, count: 2 + p.rng.IntN(3), note: "Room for more clients.",
				status: "OPEN", created: created, updated: created})
		}
	}
}

// clientDates sets each client's created and updated times from their episodes.
func (p *planner) clientDates() {
	for i := range p.episodes {
		e := p.episodes[i]
		c := &p.clients[e.client]
		if c.created.IsZero() || e.opened.Before(c.created) {
			c.created = e.opened.Add(-time.Duration(1+e.client%14) * day)
		}
		c.updated = maxTime(c.updated, maxTime(e.opened, e.closed))
	}
}

var bodies = map[string][]string{
	"PROGRESS_NOTE": {
		"Reviewed homework; practiced thought records. Mood improved since last session. Plan: continue weekly.",
		"Explored sleep routine and stressors at work. Introduced grounding exercise. No safety concerns.",
		"Processed recent conflict; role-played assertive communication. Homework: daily mood log.",
		"Reviewed progress toward goals; symptoms stable. Continued exposure hierarchy, step 3.",
	},
	"INTAKE": {
		"Intake assessment: presenting concerns, history, risk screen negative. Recommended weekly therapy.",
		"Intake: anxiety and low mood for six months; goals discussed; consent and policies reviewed.",
	},
	"TREATMENT_PLAN": {
		"Treatment plan: goals (1) reduce anxiety symptoms, (2) improve sleep; interventions CBT; review in 3 months.",
		"Treatment plan: goals (1) improve mood, (2) rebuild routines; interventions behavioral activation.",
	},
	"TREATMENT_PLAN_REVIEW": {
		"Plan review: partial progress on goals; goals kept; attendance and late-cancel policy revisited.",
		"Plan review: goal 1 met, goal 2 ongoing; frequency unchanged; no-show policy reviewed with client.",
	},
	"CONTACT_NOTE": {
		"Phone contact between sessions: coping plan reviewed; next session confirmed.",
		"Coordinated with the referring provider about medication; follow-up at next session.",
	},
	"TERMINATION_NOTE": {
		"Termination summary: goals reviewed, progress noted, referrals given; welcome to return.",
		"Case closed per policy; courtesy letter sent: we are here if you need us again.",
	},
}
