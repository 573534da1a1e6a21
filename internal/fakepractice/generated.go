package fakepractice

import (
	"fmt"
	"time"

	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
)

// A generated practice of any size. Every clinician has a weekly grid of
// hour slots (weekdays, from firstHour). Each of their active clients sits
// in a seat that owns one slot of the grid; before the active client, the
// seat was held by closed clients (one after the other), so no two
// sessions of a clinician ever overlap. The slots left over take
// rescheduled and extra sessions; a late-cancelled session's slot is
// refilled from the backfill list. A client only ever sees their own
// clinician, so no client overlaps either.

// specials are handed out first, one each, then to every fifth active client.
var specials = []scenario{
	scStruckOut, scInactive, scWarn, scWarningExpired, scWait, scRecurring, scRecurringCancels,
	scRecurringLate, scNeverSeen, scPlanOverdue, scNewPlanDraft, scReviewOverdue, scLapse, scMinor,
	scMinorNoCaregiver, scMinorNoPrimary, scBackfillElsewhere, scReturner,
}

const spareSlots = 5 // slots of each grid no seat owns

var (
	credentials = []string{"LCSW", "LPC", "LMFT", "PhD", "PsyD", "LMHC"}
	modalities  = []clientprofile.Modality{
		clientprofile.ModalityCBT, clientprofile.ModalityDBT, clientprofile.ModalityACT, clientprofile.ModalitySFBT,
		clientprofile.ModalityNARRATIVE, clientprofile.ModalityPSYCHODYNAMIC, clientprofile.ModalityEMDR,
		clientprofile.ModalityFAMILY_SYSTEMS, clientprofile.ModalityPLAY_THERAPY, clientprofile.ModalityOTHER,
	}
)

// buildGenerated plans a practice of p.opts.Size.
func (p *planner) buildGenerated() error {
	size, domain := p.opts.Size, p.opts.EmailDomain
	p.practiceName = "Bench Practice"
	if domain != "bench.example" {
		p.practiceName = "Practice of " + domain
	}
	p.audit = "generatePractice"
	p.frequencies = busyFrequencies
	p.loggedReminders = 0.3
	since := p.now.AddDate(0, 0, -int(size.Years*365.25))
	first := p.civil(since)
	p.week0 = first.AddDate(0, 0, -(int(first.Weekday())+6)%7)
	p.weeks = p.weekOf(p.now)
	p.since = p.at(p.week0.AddDate(0, 0, -30), 8*60)
	p.users = append(p.users, &userPlan{email: "admin@" + domain, role: "ADMIN", active: true},
		&userPlan{email: "analyst@" + domain, role: "ANALYST", active: true},
		&userPlan{email: "former.admin@" + domain, role: "ADMIN"})
	hours := max(9, (size.ActiveClientsPerClinician+spareSlots+4)/5)
	if firstHour+hours > 21 {
		return fmt.Errorf("%d active clients per clinician do not fit a working week", size.ActiveClientsPerClinician)
	}
	for c := range size.Clinicians {
		// Every eighth clinician supervises the seven after them.
		role := "CLINICIAN"
		if c%8 == 0 {
			role = "SUPERVISOR"
		}
		u := &userPlan{email: fmt.Sprintf("clinician%02d@%s", c+1, domain), role: role, active: true}
		p.users = append(p.users, u)
		first, last := p.name()
		var mods []clientprofile.Modality
		for _, m := range p.r.Perm(len(modalities))[:2+p.r.IntN(2)] {
			mods = append(mods, modalities[m])
		}
		cl := &clinicianPlan{name: first + " " + last, credentials: pick(p, credentials), slots: p.between(30, 40),
			accepting: p.chance(0.7), modalities: mods, user: u, noteLapse: 0.08, hours: hours, spareUsed: map[int]bool{}}
		if c%8 != 0 {
			cl.supervisor = p.clinicians[c-c%8]
		}
		p.clinicians = append(p.clinicians, cl)
	}
	// Seats of all clinicians, interleaved, so that the scenarios spread
	// over the practice even when it is small.
	type seat struct {
		slot, closed int
		sc           scenario
	}
	seats := make([][]*seat, size.Clinicians)
	for c, cl := range p.clinicians {
		perm := p.r.Perm(5 * hours)
		cl.spare = perm[size.ActiveClientsPerClinician:]
		for s := range size.ActiveClientsPerClinician {
			seats[c] = append(seats[c], &seat{slot: perm[s]})
		}
		n := size.ClosedClients / size.Clinicians
		if c < size.ClosedClients%size.Clinicians {
			n++
		}
		for range n {
			seats[c][p.r.IntN(len(seats[c]))].closed++
		}
	}
	k := 0
	for s := range size.ActiveClientsPerClinician {
		for c := range size.Clinicians {
			st := seats[c][s]
			switch {
			case k < len(specials):
				st.sc = specials[k]
			case k%5 == 0:
				st.sc = specials[(k/5)%len(specials)]
			}
			k++
		}
	}
	for c, cl := range p.clinicians {
		for _, st := range seats[c] {
			p.planSeat(cl, st.slot, st.closed, st.sc)
		}
		p.backfill(cl)
	}
	p.waitlist(size.WaitlistClients)
	p.finishAll()
	for _, c := range p.clients {
		p.paperwork(c)
		p.contactsFor(c)
	}
	p.addendaCount = len(p.clients) / 10
	p.addenda()
	p.generatedRequests()
	return nil
}

// weekOf is the index of the week (from week0) t falls in.
func (p *planner) weekOf(t time.Time) int {
	days := int(p.civil(t).Sub(p.week0).Hours()) / 24
	if days < 0 {
		return -((-days + 6) / 7)
	}
	return days / 7
}

// slotStart is when slot s of a clinician's grid falls in week w.
func (p *planner) slotStart(cl *clinicianPlan, w, s int) time.Time {
	return p.at(p.week0.AddDate(0, 0, 7*w+s/cl.hours), (firstHour+s%cl.hours)*60)
}

// planSeat plans the clients who held one seat: closed ones, then the active one.
func (p *planner) planSeat(cl *clinicianPlan, slot, closed int, sc scenario) {
	// The week the active client's episode began.
	var active int
	switch sc {
	case scNeverSeen:
		active = p.weeks + 1
	case scNewPlanDraft:
		active = p.weeks - 1 - p.r.IntN(2)
	case scPlanOverdue:
		active = p.weeks - 6 - p.r.IntN(2)
	case scReviewOverdue, scRecurring, scRecurringCancels, scRecurringLate, scStruckOut:
		active = p.weeks - 20 - p.r.IntN(8)
	case scInactive, scWarn, scWarningExpired, scWait:
		active = p.weeks - 16 - p.r.IntN(20)
	default:
		switch {
		case closed == 0 && p.chance(0.9):
			active = -p.r.IntN(60) // in care since before the history starts
		case p.chance(0.1):
			active = p.weeks - p.r.IntN(6) // a new client
		default:
			lo := min(2*closed+2, p.weeks-1)
			active = lo + p.r.IntN(max(1, p.weeks-lo))
		}
	}
	// The closed clients before: split the weeks before into their episodes.
	var returner *clientPlan
	segments := closed
	if sc == scReturner {
		segments++
	}
	if segments > 0 {
		end := active - 1
		if sc == scReturner {
			end = active - 3 // a gap before coming back
		}
		start := min(-p.r.IntN(8), end-3*segments)
		cuts := make([]int, 0, segments+1)
		cuts = append(cuts, start)
		for i := 1; i < segments; i++ {
			cuts = append(cuts, start+(end-start)*i/segments+p.r.IntN(3)-1)
		}
		cuts = append(cuts, end)
		for i := range segments {
			from, to := cuts[i], max(cuts[i+1]-1, cuts[i])
			if sc == scReturner && i == segments-1 {
				returner = p.closedCourse(cl, slot, from, to, true)
			} else {
				p.closedCourse(cl, slot, from, to, false)
			}
		}
	}
	c := returner
	if c == nil {
		c = p.newClient(cl, sc)
	} else {
		c.sc, c.status = sc, clientprofile.StatusACTIVE
	}
	if !(sc == scRegular || sc.minor() || sc.backfill() || sc == scReturner) {
		c.freq = clientprofile.SessionFrequencyWEEKLY
	}
	co := &course{client: c, clin: cl, slot: slot, sc: sc, firstWeek: active, stopWeek: p.weeks + horizonDays/7 + 8, tail: sc.tail()}
	switch sc {
	case scInactive:
		co.stopWeek = p.weeks - 6 - p.r.IntN(5)
	case scWarn:
		co.stopWeek = p.weeks - 6 - p.r.IntN(3)
	case scWarningExpired:
		co.stopWeek = p.weeks - 8 - p.r.IntN(4)
	case scWait:
		co.stopWeek = p.weeks - 6
	case scRecurring, scRecurringCancels, scRecurringLate:
		co.recurring = true
	case scRegular:
		if co.recurring = p.chance(0.15); co.recurring {
			co.tail = scRecurring.tail()
		}
	}
	c.recurring = co.recurring
	p.runCourse(co)
	if sc.truncated() {
		c.lastSeenDays = int(p.today.Sub(p.civil(co.appts[len(co.appts)-1].start)).Hours()) / 24
	}
}

// closedCourse plans a closed client's episode in weeks [from, to] of a
// seat; a returner's earlier episode is closed as its goals were met.
func (p *planner) closedCourse(cl *clinicianPlan, slot, from, to int, returner bool) *clientPlan {
	reasons := []episode.CloseReason{episode.CloseReasonGOALS_MET, episode.CloseReasonCLIENT_REQUEST, episode.CloseReasonINACTIVE,
		episode.CloseReasonTRANSFERRED, episode.CloseReasonOTHER, episode.CloseReasonSTRIKES}
	var reason episode.CloseReason
	switch u := p.r.Float64(); {
	case returner:
		reason = episode.CloseReasonGOALS_MET
	case p.closedSeq < len(reasons):
		reason = reasons[p.closedSeq]
	case u < 0.45:
		reason = episode.CloseReasonGOALS_MET
	case u < 0.62:
		reason = episode.CloseReasonCLIENT_REQUEST
	case u < 0.77:
		reason = episode.CloseReasonINACTIVE
	case u < 0.85:
		reason = episode.CloseReasonTRANSFERRED
	case u < 0.92:
		reason = episode.CloseReasonOTHER
	default:
		reason = episode.CloseReasonSTRIKES
	}
	if !returner {
		p.closedSeq++
	}
	c := p.newClient(cl, scRegular)
	c.status = clientprofile.StatusCLOSED
	c.skipTermination = p.chance(0.03)
	co := &course{client: c, clin: cl, slot: slot, firstWeek: from, stopWeek: to, reason: &reason}
	switch reason {
	case episode.CloseReasonSTRIKES:
		co.tail = scStruckOut.tail()
	case episode.CloseReasonINACTIVE:
		co.stopWeek = max(from, to-5)
	}
	p.runCourse(co)
	return c
}

// generatedRequests adds each clinician's requests for new clients: past
// ones fulfilled or cancelled, and an open one for every fourth clinician.
func (p *planner) generatedRequests() {
	since := p.at(p.week0, 9*60)
	span := int(p.now.Sub(since).Minutes())
	for c, cl := range p.clinicians {
		for range 1 + p.r.IntN(2) {
			created := since.Add(p.minutes(0, span*3/4))
			count := p.between(2, 5)
			closed := created.Add(p.minutes(3*24*60, 20*24*60))
			p.requests = append(p.requests, &requestPlan{clin: cl, count: count, assigned: count, note: "Caseload below range.",
				status: "FULFILLED", createdAt: created, updatedAt: closed, closedAt: ptr(closed)})
		}
		if p.chance(0.2) {
			created := since.Add(p.minutes(0, span*3/4))
			closed := created.Add(p.minutes(24*60, 5*24*60))
			p.requests = append(p.requests, &requestPlan{clin: cl, count: 3, note: "Withdrawn: clients returned.",
				status: "CANCELED", createdAt: created, updatedAt: closed, closedAt: ptr(closed)})
		}
		if c%4 == 0 {
			created := p.now.Add(-p.minutes(24*60, 10*24*60))
			p.requests = append(p.requests, &requestPlan{clin: cl, count: p.between(2, 4), note: "Room for more clients.",
				status: "OPEN", createdAt: created, updatedAt: created})
		}
	}
}
