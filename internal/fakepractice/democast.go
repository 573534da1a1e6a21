package fakepractice

import (
	"slices"
	"strings"
	"time"

	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
)

// The demo practice: four clinicians, cast by hand.

// buildDemo plans the demo practice.
func (p *planner) buildDemo() {
	p.castDemo()
	for _, cl := range p.clinicians {
		p.scheduleCadences(cl)
	}
	for _, c := range p.clients {
		p.scheduleOneOffs(c)
	}
	for _, c := range p.clients {
		slices.SortStableFunc(c.appts, func(a, b *apptPlan) int { return a.start.Compare(b.start) })
		for _, a := range c.appts {
			p.roll(a)
		}
		p.shape(c)
	}
	p.fillFreedSlots()
	p.finishAll()
	p.ensureDueToday()
	for _, c := range p.clients {
		p.paperwork(c)
		p.contactsFor(c)
	}
	p.overduePaperwork()
	p.addenda()
	p.newClientRequests()
}

// castDemo makes up the demo's people: the logins, four clinicians with
// the scenarios of their caseloads, closed clients and a waitlist.
func (p *planner) castDemo() {
	p.practiceName = "Riverbend Counseling Collective (demo)"
	p.since = p.now.AddDate(0, 0, -400)
	p.audit = "seedDemoPractice"
	p.frequencies = demoFrequencies
	p.addendaCount = 5
	p.loggedReminders = 1
	login := map[string]*userPlan{}
	for _, l := range DemoLogins {
		u := &userPlan{email: strings.Replace(l.Email, "demo.example", p.opts.EmailDomain, 1), role: l.Role, active: true}
		p.users = append(p.users, u)
		login[l.Email] = u
	}
	m := func(ms ...clientprofile.Modality) []clientprofile.Modality { return ms }
	supervisor := &clinicianPlan{
		name: "Helena Marsh", credentials: "PsyD", slots: 20, accepting: true, user: login["supervisor@demo.example"],
		modalities: m(clientprofile.ModalityCBT, clientprofile.ModalityACT, clientprofile.ModalityPSYCHODYNAMIC, clientprofile.ModalityDBT),
		noteLapse:  0.05,
		scenarios: []scenario{scTwoStrikes, scInactive, scMinor, scRecurring, scBackfillAnyTime, scEarned,
			scStruckOut},
		closedReasons: []episode.CloseReason{episode.CloseReasonGOALS_MET, episode.CloseReasonINACTIVE, episode.CloseReasonCLIENT_REQUEST},
	}
	amara := &clinicianPlan{
		name: "Amara Okafor", credentials: "LCSW", slots: 30, accepting: true, user: login["clinician@demo.example"], supervisor: supervisor,
		modalities: m(clientprofile.ModalityCBT, clientprofile.ModalityDBT, clientprofile.ModalitySFBT, clientprofile.ModalityFAMILY_SYSTEMS, clientprofile.ModalityPLAY_THERAPY),
		noteLapse:  0.22,
		scenarios: []scenario{
			scCanceler, scStruckOut, scStruckOut, scTwoStrikes, scExcused, scInactive, scInactive, scWarn, scWarningExpired, scWait,
			scBackfillCovering, scBackfillCovering, scBackfillElsewhere, scBackfillAnyTime, scBackfillAnyTime,
			scMinor, scMinor, scMinor, scMinor, scMinor, scMinor, scMinorNoCaregiver,
			scRecurring, scRecurring, scRecurringCancels, scRecurringLate,
			scNeverSeen, scReviewOverdue, scReviewOverdue, scReturner, scNewPlanDraft, scPlanOverdue,
			scEarned, scEarned,
		},
		closedReasons: []episode.CloseReason{episode.CloseReasonINACTIVE, episode.CloseReasonSTRIKES, episode.CloseReasonGOALS_MET, episode.CloseReasonCLIENT_REQUEST},
	}
	tomas := &clinicianPlan{
		name: "Tomás Reyes", credentials: "LMFT", slots: 32, accepting: true, supervisor: supervisor,
		modalities: m(clientprofile.ModalityFAMILY_SYSTEMS, clientprofile.ModalityNARRATIVE, clientprofile.ModalitySFBT, clientprofile.ModalityPLAY_THERAPY),
		noteLapse:  0.08,
		scenarios: []scenario{scStruckOut, scInactive, scWarn, scMinor, scMinor, scMinorNoPrimary, scBackfillCovering,
			scBackfillAnyTime, scBackfillElsewhere, scRecurring, scNeverSeen, scReviewOverdue, scEarned},
		closedReasons: []episode.CloseReason{episode.CloseReasonGOALS_MET, episode.CloseReasonTRANSFERRED, episode.CloseReasonINACTIVE, episode.CloseReasonGOALS_MET},
	}
	priya := &clinicianPlan{
		name: "Priya Raman", credentials: "LPC", slots: 20, accepting: false,
		modalities: m(clientprofile.ModalityEMDR, clientprofile.ModalityCBT, clientprofile.ModalityACT, clientprofile.ModalityNARRATIVE),
		noteLapse:  0.1,
		scenarios: []scenario{scStruckOut, scWarningExpired, scInactive, scRecurring, scRecurringCancels, scReviewOverdue,
			scMinor, scBackfillCovering, scExcused, scTwoStrikes, scWait},
		closedReasons: []episode.CloseReason{episode.CloseReasonSTRIKES, episode.CloseReasonCLIENT_REQUEST, episode.CloseReasonGOALS_MET, episode.CloseReasonOTHER},
	}
	// Caseloads: Amara healthy (40 of 39-51), Tomás under (34 of 42-54),
	// Priya over (35 of 26-34), Helena healthy (28 of 26-34).
	active := map[*clinicianPlan]int{amara: 40, tomas: 34, priya: 35, supervisor: 28}
	p.clinicians = []*clinicianPlan{supervisor, amara, tomas, priya}
	p.signedIn, p.under = amara, tomas
	for _, cl := range p.clinicians {
		cl.busy = map[int64]bool{}
		for len(cl.scenarios) < active[cl] {
			cl.scenarios = append(cl.scenarios, scRegular)
		}
	}
	inactiveDays := []int{45, 62, 51}
	for _, cl := range p.clinicians {
		n := 0
		struck := 0
		for _, sc := range cl.scenarios {
			c := p.newClient(cl, sc)
			switch sc {
			case scInactive:
				c.lastSeenDays = inactiveDays[n%len(inactiveDays)]
				n++
			case scWarn:
				c.lastSeenDays = 38
			case scWarningExpired:
				c.lastSeenDays = 58
			case scWait:
				c.lastSeenDays = 36
			case scStruckOut:
				c.strikeCap = 3 + struck // the second struck-out client of a caseload has 4
				struck++
			}
			p.openEpisode(c)
		}
	}
	for _, cl := range p.clinicians {
		for i, reason := range cl.closedReasons {
			c := p.newClient(cl, scRegular)
			c.status = clientprofile.StatusCLOSED
			c.closeReason = ptr(reason)
			// Amara's most recent closure still lacks its termination note.
			if cl == amara && i == 0 {
				c.skipTermination = true
			}
			p.closedEpisode(c)
		}
	}
	p.waitlist(8)
}

// ---- episodes ----

func (p *planner) openEpisode(c *clientPlan) {
	var days int
	switch c.sc {
	case scNeverSeen:
		days = 3
	case scNewPlanDraft:
		days = 16
	case scPlanOverdue:
		days = 45
	case scReturner:
		days = 50
	case scRecurring, scRecurringCancels, scRecurringLate, scReviewOverdue:
		days = p.between(210, 350)
	case scInactive, scWarn, scWarningExpired, scWait:
		days = p.between(150, 330)
	case scStruckOut, scTwoStrikes, scExcused, scEarned:
		days = p.between(120, 320)
	default:
		if p.chance(0.15) {
			days = p.between(35, 90)
		} else {
			days = p.between(90, 355)
		}
	}
	if c.sc == scReturner {
		old := p.episode(c, p.daysAgo(p.between(320, 340)))
		old.closedAt = ptr(p.at(p.daysAgo(160), 17*60))
		old.reason = ptr(episode.CloseReasonGOALS_MET)
		old.lastDay = p.daysAgo(p.between(162, 168))
	}
	e := p.episode(c, p.daysAgo(days))
	if c.sc.truncated() {
		e.lastDay = p.daysAgo(c.lastSeenDays)
	}
	c.createdAt = c.episodes[0].openedAt.Add(-time.Duration(p.between(1, 21)) * 24 * time.Hour)
}

func (p *planner) episode(c *clientPlan, openDay time.Time) *episodePlan {
	e := &episodePlan{client: c, clin: c.clin, openDay: openDay, openedAt: p.at(openDay, p.between(9*60, 16*60))}
	c.episodes = append(c.episodes, e)
	return e
}

// closedEpisode gives a closed client one finished episode.
func (p *planner) closedEpisode(c *clientPlan) {
	closedDays := p.between(20, 250)
	if c.skipTermination {
		closedDays = 12 // termination note now overdue (due 7 days after closing)
	}
	length := p.between(70, 200)
	openDays := min(closedDays+length, 355)
	e := p.episode(c, p.daysAgo(openDays))
	closeDay := p.daysAgo(closedDays)
	for !p.workday(closeDay) {
		closeDay = closeDay.AddDate(0, 0, -1)
	}
	e.closedAt = ptr(p.at(closeDay, 17*60+p.between(0, 45)))
	e.reason = c.closeReason
	switch *c.closeReason {
	case episode.CloseReasonINACTIVE:
		e.lastDay = closeDay.AddDate(0, 0, -p.between(40, 50))
	case episode.CloseReasonSTRIKES:
		e.lastDay = closeDay.AddDate(0, 0, -2)
	default:
		e.lastDay = closeDay.AddDate(0, 0, -p.between(0, 4))
	}
	if c.freq == clientprofile.SessionFrequencyAS_NEEDED || c.freq == clientprofile.SessionFrequencyMONTHLY {
		c.freq = clientprofile.SessionFrequencyBIWEEKLY
	}
	c.createdAt = e.openedAt.Add(-time.Duration(p.between(2, 30)) * 24 * time.Hour)
}

// newClientRequests: the under-loaded clinician asks for clients; an older request was fulfilled.
func (p *planner) newClientRequests() {
	p.requests = []*requestPlan{
		{clin: p.under, count: 3, note: "Two evening slots and one Friday morning free; open to adults and teens.", status: "OPEN",
			createdAt: p.now.Add(-50 * time.Hour), updatedAt: p.now.Add(-50 * time.Hour)},
		{clin: p.signedIn, count: 2, note: "Room for two more weekly clients, ideally children or families.", status: "FULFILLED", assigned: 2,
			createdAt: p.now.AddDate(0, 0, -150), updatedAt: p.now.AddDate(0, 0, -131)},
	}
}
