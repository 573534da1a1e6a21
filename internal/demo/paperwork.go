package demo

import (
	"fmt"
	"slices"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/episode"
)

type docPlan struct {
	client               *clientPlan
	clin                 *clinicianPlan // the author is this clinician's user, or the admin
	kind                 document.Kind
	appt                 *apptPlan
	contact              *contactPlan
	amends               *docPlan
	body                 string
	status               document.Status
	signedAt             *time.Time
	version              int
	createdAt, updatedAt time.Time
	id                   int
}

type contactPlan struct {
	client    *clientPlan
	clin      *clinicianPlan
	channel   contact.Channel
	direction contact.Direction
	purpose   contact.Purpose
	at        time.Time
	billable  int
	closeBy   *time.Time
	note      string
	id        int
}

// reviewEvery is a little under the 3-month review interval: reviews are done
// on time unless a scenario skips them.
const reviewEvery = 82 * 24 * time.Hour

// ---- documents ----

// noteLag is how long after a session a note gets signed: mostly minutes,
// sometimes hours, now and then a day or more late.
func (p *planner) noteLag() time.Duration {
	switch x := p.r.Float64(); {
	case x < 0.45:
		return p.minutes(3, 20)
	case x < 0.80:
		return p.minutes(20, 300)
	case x < 0.94:
		return p.minutes(300, 22*60)
	default:
		return p.minutes(26*60, 96*60)
	}
}

// note writes (or leaves unwritten) the note of something done at done.
// Recent notes are sometimes missing or in draft: that is the overdue
// paperwork on the To-Do list.
func (p *planner) note(c *clientPlan, kind document.Kind, done time.Time, body string, lapse float64) *docPlan {
	d := &docPlan{client: c, clin: c.clin, kind: kind, body: body}
	age := p.now.Sub(done)
	lag := p.noteLag()
	switch {
	case age < 0:
		return nil
	case age < 24*time.Hour:
		switch x := p.r.Float64(); {
		case x < 0.4 && done.Add(lag).Before(p.now):
		case x < 0.7:
			return p.draft(d, done)
		default:
			return nil
		}
	case age < 10*24*time.Hour && p.chance(lapse):
		if p.chance(0.5) {
			return nil
		}
		return p.draft(d, done)
	case done.Add(lag).After(p.now):
		return p.draft(d, done)
	}
	return p.sign(d, done, done.Add(lag))
}

func (p *planner) sign(d *docPlan, done, at time.Time) *docPlan {
	d.status = document.StatusSIGNED
	d.signedAt = ptr(at)
	d.version = 2
	d.createdAt = done.Add(at.Sub(done) / 3)
	d.updatedAt = at
	return d
}

func (p *planner) draft(d *docPlan, done time.Time) *docPlan {
	d.status = document.StatusDRAFT
	d.version = 1
	d.createdAt = done.Add(time.Duration(p.r.Int64N(int64(p.now.Sub(done)/2) + 1)))
	d.updatedAt = d.createdAt
	return d
}

func (c *clientPlan) add(d *docPlan) *docPlan {
	if d != nil {
		c.docs = append(c.docs, d)
	}
	return d
}

// paperwork writes the documents of a client's episodes: intake and progress
// notes, the treatment plan and its reviews, and the termination note.
func (p *planner) paperwork(c *clientPlan) {
	for _, e := range c.episodes {
		var attended, future []*apptPlan
		for _, a := range c.appts {
			if a.ep != e {
				continue
			}
			if a.status == appointment.StatusATTENDED {
				attended = append(attended, a)
			} else if a.start.After(p.now) && a.status != appointment.StatusCANCELED {
				future = append(future, a)
			}
		}
		// Treatment plan, then reviews every few months.
		var lastPlan time.Time
		switch {
		case c.sc == scPlanOverdue && e.closedAt == nil:
		case c.sc == scNewPlanDraft && e.closedAt == nil:
			d := &docPlan{client: c, clin: c.clin, kind: document.KindTREATMENT_PLAN, body: p.planBody(c)}
			c.add(p.draft(d, p.now.Add(-50*time.Hour)))
		default:
			at := p.at(p.civil(e.openedAt).AddDate(0, 0, 21), 17*60+30)
			if len(attended) > 1 && attended[1].start.Before(e.openedAt.Add(28*24*time.Hour)) {
				at = attended[1].end.Add(p.minutes(20, 8*60))
			}
			if e.closedAt != nil && at.After(*e.closedAt) {
				at = e.closedAt.Add(-time.Hour)
			}
			if at.Before(p.now) {
				d := &docPlan{client: c, clin: c.clin, kind: document.KindTREATMENT_PLAN, body: p.planBody(c)}
				c.add(p.sign(d, at.Add(-p.minutes(20, 60)), at))
				lastPlan = at
			}
		}
		stop := p.now
		if c.sc == scReviewOverdue {
			stop = p.now.AddDate(0, 0, -125)
		}
		for _, a := range attended {
			if lastPlan.IsZero() || a.kind == appointment.KindINTAKE || a.start.Sub(lastPlan) < reviewEvery || !a.start.Before(stop) {
				continue
			}
			a.kind = appointment.KindTREATMENT_PLAN_REVIEW
			if d := c.add(p.note(c, document.KindTREATMENT_PLAN_REVIEW, a.end, p.reviewBody(c), 0)); d != nil && d.signedAt != nil {
				lastPlan = *d.signedAt
			} else {
				lastPlan = a.end
			}
		}
		// The next session due for a review is booked as one.
		for _, a := range future {
			if !lastPlan.IsZero() && (a.start.Sub(lastPlan) >= reviewEvery || c.sc == scReviewOverdue) {
				a.kind = appointment.KindTREATMENT_PLAN_REVIEW
				break
			}
		}
		// A note for every attended session.
		for _, a := range attended {
			kind := document.KindPROGRESS_NOTE
			body := p.progressBody(c, a)
			if a.kind == appointment.KindINTAKE {
				kind, body = document.KindINTAKE, p.intakeBody(c)
			}
			if d := c.add(p.note(c, kind, a.end, body, c.clin.noteLapse)); d != nil {
				d.appt = a
			}
		}
		if e.closedAt != nil && !c.skipTermination {
			at := p.at(p.civil(*e.closedAt).AddDate(0, 0, p.between(1, 4)), p.between(9*60, 18*60))
			d := &docPlan{client: c, clin: c.clin, kind: document.KindTERMINATION_NOTE, body: p.terminationBody(*e.reason)}
			c.add(p.sign(d, at.Add(-p.minutes(15, 40)), minTime(at, p.now)))
		}
	}
}

// overduePaperwork makes sure the signed-in clinician has overdue notes on
// the To-Do list: progress notes and billable contacts.
func (p *planner) overduePaperwork() {
	cl := p.signedIn
	var regulars []*clientPlan
	for _, c := range p.clients {
		if c.clin == cl && c.sc == scRegular && c.status == clientprofile.StatusACTIVE {
			regulars = append(regulars, c)
		}
	}
	// Billable care coordination: one note never written, one left in draft.
	if len(regulars) >= 2 {
		c := regulars[0]
		c.contacts = append(c.contacts, &contactPlan{
			client: c, clin: cl, channel: contact.ChannelPHONE, direction: contact.DirectionOUTBOUND, purpose: contact.PurposeCARE_COORDINATION,
			at: p.at(p.daysAgo(3), 14*60+10), billable: 25, note: "Called the client's psychiatric prescriber about a medication change; agreed to share observations before the next appointment.",
		})
		c = regulars[1]
		k := &contactPlan{
			client: c, clin: cl, channel: contact.ChannelEMAIL, direction: contact.DirectionOUTBOUND, purpose: contact.PurposeCARE_COORDINATION,
			at: p.at(p.daysAgo(2), 11*60+30), billable: 15, note: "Emailed the primary care physician a summary of treatment progress at the client's request.",
		}
		c.contacts = append(c.contacts, k)
		d := p.draft(&docPlan{client: c, clin: cl, kind: document.KindCONTACT_NOTE, body: p.contactBody("primary care physician", "treatment progress", 15)}, k.at.Add(15*time.Minute))
		d.contact = k
		c.add(d)
	}
	// Progress notes of the last days: at least two missing and one in draft.
	var signed []*docPlan
	missing, drafts := 0, 0
	for _, c := range regulars {
		byAppt := map[*apptPlan]*docPlan{}
		for _, d := range c.docs {
			if d.appt != nil {
				byAppt[d.appt] = d
			}
		}
		for _, a := range c.appts {
			if a.status != appointment.StatusATTENDED || a.end.After(p.now.Add(-26*time.Hour)) || a.end.Before(p.now.AddDate(0, 0, -9)) {
				continue
			}
			switch d := byAppt[a]; {
			case d == nil:
				missing++
			case d.status == document.StatusDRAFT:
				drafts++
			case d.kind == document.KindPROGRESS_NOTE:
				signed = append(signed, d)
			}
		}
	}
	for _, d := range signed {
		switch {
		case missing < 2:
			c := d.client
			c.docs = slices.DeleteFunc(c.docs, func(x *docPlan) bool { return x == d })
			missing++
		case drafts < 1:
			p.draft(d, d.appt.end)
			d.signedAt = nil
			drafts++
		}
	}
}

// addenda correct a few signed progress notes.
func (p *planner) addenda() {
	var notes []*docPlan
	for _, c := range p.clients {
		for _, d := range c.docs {
			if d.kind == document.KindPROGRESS_NOTE && d.status == document.StatusSIGNED && d.signedAt.Before(p.now.AddDate(0, 0, -30)) {
				notes = append(notes, d)
			}
		}
	}
	corrections := []string{
		"the medication dose recorded (the client takes 50 mg, not 100 mg)",
		"the session length (the session ran the full 50 minutes)",
		"the name of the school counselor mentioned",
		"the homework assigned (a thought record, not a sleep log)",
		"the date of the client's upcoming medical appointment",
	}
	p.r.Shuffle(len(notes), func(i, j int) { notes[i], notes[j] = notes[j], notes[i] })
	for i, fix := range corrections {
		orig := notes[i]
		at := orig.signedAt.Add(p.minutes(24*60, 9*24*60))
		d := &docPlan{client: orig.client, clin: orig.clin, kind: document.KindADDENDUM, amends: orig,
			body: fmt.Sprintf("Addendum: corrects %s in the progress note of %s.", fix, orig.appt.start.In(p.loc).Format("Jan 2, 2006"))}
		orig.client.add(p.sign(d, at.Add(-10*time.Minute), at))
	}
}

// ---- contacts ----

func (c *clientPlan) contact(k *contactPlan) *contactPlan {
	k.client = c
	if k.clin == nil {
		k.clin = c.clin
	}
	c.contacts = append(c.contacts, k)
	return k
}

func (p *planner) inboundChannel(c *clientPlan) contact.Channel {
	switch c.channel {
	case clientprofile.PreferredContactChannelEMAIL:
		return contact.ChannelEMAIL
	case clientprofile.PreferredContactChannelTEXT:
		return contact.ChannelTEXT
	case clientprofile.PreferredContactChannelPORTAL:
		return contact.ChannelPORTAL
	}
	if p.chance(0.3) {
		return contact.ChannelVOICEMAIL
	}
	return contact.ChannelPHONE
}

// sometimeBetween is a random business-hours instant between two instants (or a).
func (p *planner) sometimeBetween(a, b time.Time) time.Time {
	first, last := p.civil(a).AddDate(0, 0, 1), p.civil(b).AddDate(0, 0, -1)
	if last.Before(first) {
		return a.Add(2 * time.Hour)
	}
	days := int(last.Sub(first).Hours() / 24)
	return p.at(first.AddDate(0, 0, p.between(0, days)), p.between(8*60+30, 18*60))
}

func (p *planner) contactsFor(c *clientPlan) {
	who := "client"
	if c.minor(p.today) {
		who = "caregiver"
	}
	var past []*apptPlan
	for _, a := range c.appts {
		if a.reminderAt != nil {
			c.contact(&contactPlan{channel: contact.Channel(*a.reminderChannel), direction: contact.DirectionOUTBOUND, purpose: contact.PurposeREMINDER,
				at: *a.reminderAt, note: fmt.Sprintf("Reminder sent to the %s for the session on %s.", who, a.start.In(p.loc).Format("Mon Jan 2 at 3:04 PM"))})
		}
		if a.filledFrom != nil {
			c.contact(&contactPlan{channel: contact.ChannelPHONE, direction: contact.DirectionOUTBOUND, purpose: contact.PurposeSCHEDULING,
				at: a.createdAt.Add(-10 * time.Minute), note: "Offered an earlier slot freed by a cancellation (backfill list); accepted."})
		}
		if a.status == appointment.StatusCANCELED {
			switch *a.canceledBy {
			case appointment.CanceledByCLIENT:
				c.contact(&contactPlan{channel: p.inboundChannel(c), direction: contact.DirectionINBOUND, purpose: contact.PurposeSCHEDULING,
					at: *a.canceledAt, note: "Cancelled the session: " + lowerFirst(*a.cancelReason) + "."})
			default:
				c.contact(&contactPlan{channel: contact.ChannelPHONE, direction: contact.DirectionOUTBOUND, purpose: contact.PurposeSCHEDULING,
					at: *a.canceledAt, note: *a.cancelReason + ". Session cancelled; offered to reschedule."})
			}
		}
		if a.status == appointment.StatusNO_SHOW && p.chance(0.6) {
			c.contact(&contactPlan{channel: pick(p, []contact.Channel{contact.ChannelPHONE, contact.ChannelVOICEMAIL, contact.ChannelTEXT}),
				direction: contact.DirectionOUTBOUND, purpose: contact.PurposeCHECK_IN,
				at: minTime(a.start.Add(p.minutes(15, 90)), p.now), note: "Reached out after the missed session; reminded of the attendance policy."})
		}
		if a.recorded() && !a.start.After(p.now) {
			past = append(past, a)
		}
	}
	// Between sessions: check-ins, care coordination, the odd request.
	for i := 1; i < len(past); i++ {
		a, b := past[i-1], past[i]
		switch x := p.r.Float64(); {
		case x < 0.05:
			c.contact(&contactPlan{channel: p.inboundChannel(c), direction: contact.DirectionINBOUND, purpose: contact.PurposeCHECK_IN,
				at: p.sometimeBetween(a.end, b.start), note: p.forAge(c, checkIns, childCheckIns)})
		case x < 0.09:
			k := c.contact(&contactPlan{channel: pick(p, []contact.Channel{contact.ChannelPHONE, contact.ChannelEMAIL}),
				direction: contact.DirectionOUTBOUND, purpose: contact.PurposeCARE_COORDINATION, at: p.sometimeBetween(a.end, b.start)})
			with, about := pick(p, partners), pick(p, topics)
			if who == "caregiver" && p.chance(0.5) {
				with = "school counselor"
			}
			k.note = fmt.Sprintf("Spoke with the %s about %s.", with, about)
			if p.chance(0.7) {
				k.billable = pick(p, []int{10, 15, 20, 25, 30, 45})
				if d := c.add(p.note(c, document.KindCONTACT_NOTE, k.at.Add(time.Duration(k.billable)*time.Minute), p.contactBody(with, about, k.billable), c.clin.noteLapse/2)); d != nil {
					d.contact = k
				}
			}
		case x < 0.1:
			c.contact(&contactPlan{channel: p.inboundChannel(c), direction: contact.DirectionINBOUND, purpose: contact.PurposeOTHER,
				at: p.sometimeBetween(a.end, b.start), note: pick(p, requests)})
		}
	}
	p.scenarioContacts(c)
}

func (p *planner) scenarioContacts(c *clientPlan) {
	warning := func(day time.Time, hour int) {
		closeBy := day.AddDate(0, 0, 14)
		c.contact(&contactPlan{channel: contact.ChannelEMAIL, direction: contact.DirectionOUTBOUND, purpose: contact.PurposeCLOSURE_WARNING,
			at: p.at(day, hour*60), closeBy: &closeBy,
			note: fmt.Sprintf("Closure warning: we have not seen you in a while. Please book a session by %s or we will close your case; you are welcome back any time.", closeBy.Format("January 2"))})
	}
	switch c.sc {
	case scWarn:
		c.contact(&contactPlan{channel: contact.ChannelVOICEMAIL, direction: contact.DirectionINBOUND, purpose: contact.PurposeSCHEDULING,
			at: p.at(p.daysAgo(9), 14*60+20), note: "Left a voicemail: has been busy with work, will call back to schedule."})
	case scWarningExpired:
		c.contact(&contactPlan{channel: contact.ChannelTEXT, direction: contact.DirectionINBOUND, purpose: contact.PurposeCHECK_IN,
			at: p.at(p.daysAgo(40), 19*60+5), note: "Texted that things are hectic; will book soon."})
		warning(p.daysAgo(22), 10)
	case scWait:
		c.contact(&contactPlan{channel: contact.ChannelPHONE, direction: contact.DirectionINBOUND, purpose: contact.PurposeSCHEDULING,
			at: p.at(p.daysAgo(12), 11*60+40), note: "Called about availability; will book after checking their work schedule."})
		warning(p.daysAgo(3), 11)
	case scInactive:
		if c.lastSeenDays < 50 {
			c.contact(&contactPlan{channel: contact.ChannelVOICEMAIL, direction: contact.DirectionOUTBOUND, purpose: contact.PurposeCHECK_IN,
				at: p.at(p.daysAgo(20), 15*60), note: "Left a voicemail to check in; no reply."})
		}
	case scReturner:
		e := c.open()
		c.contact(&contactPlan{channel: contact.ChannelPHONE, direction: contact.DirectionINBOUND, purpose: contact.PurposeSCHEDULING,
			at: e.openedAt.Add(-26 * time.Hour), note: "Called to return to therapy; symptoms have come back since the last episode closed."})
	}
	if c.status == clientprofile.StatusWAITLIST {
		c.contact(&contactPlan{channel: contact.ChannelPHONE, direction: contact.DirectionINBOUND, purpose: contact.PurposeSCHEDULING,
			at: c.createdAt, note: fmt.Sprintf("Referral call: looking for help with %s; placed on the waitlist.", pick(p, concerns))})
		if at := c.createdAt.Add(14 * 24 * time.Hour); at.Before(p.now) && p.chance(0.5) {
			c.contact(&contactPlan{channel: contact.ChannelEMAIL, direction: contact.DirectionOUTBOUND, purpose: contact.PurposeCHECK_IN,
				at: at, note: "Waitlist check-in: still interested; prefers afternoons."})
		}
	}
	for _, e := range c.episodes {
		if e.closedAt == nil || e.reason == nil {
			continue
		}
		closed := *e.closedAt
		switch *e.reason {
		case episode.CloseReasonINACTIVE:
			warning(p.civil(closed).AddDate(0, 0, -16), 10)
			c.contact(&contactPlan{channel: contact.ChannelEMAIL, direction: contact.DirectionOUTBOUND, purpose: contact.PurposeOTHER,
				at: closed, note: "Courtesy email: we have closed your case for now, and we are here if you need us again."})
		case episode.CloseReasonSTRIKES:
			c.contact(&contactPlan{channel: contact.ChannelEMAIL, direction: contact.DirectionOUTBOUND, purpose: contact.PurposeOTHER,
				at: closed, note: "Letter explaining the attendance policy violation and the closure; welcome to return after a consultation."})
		case episode.CloseReasonCLIENT_REQUEST:
			c.contact(&contactPlan{channel: p.inboundChannel(c), direction: contact.DirectionINBOUND, purpose: contact.PurposeOTHER,
				at: closed.Add(-24 * time.Hour), note: "Asked to end therapy for now (schedule and finances)."})
		case episode.CloseReasonTRANSFERRED:
			k := c.contact(&contactPlan{channel: contact.ChannelPHONE, direction: contact.DirectionOUTBOUND, purpose: contact.PurposeCARE_COORDINATION,
				at: closed.Add(-3 * time.Hour), billable: 30, note: "Coordinated the transfer to an intensive outpatient program."})
			d := &docPlan{client: c, clin: c.clin, kind: document.KindCONTACT_NOTE, contact: k,
				body: p.contactBody("intensive outpatient program intake team", "a transfer of care", 30)}
			c.add(p.sign(d, k.at.Add(30*time.Minute), k.at.Add(70*time.Minute)))
		case episode.CloseReasonOTHER:
			c.contact(&contactPlan{channel: contact.ChannelEMAIL, direction: contact.DirectionINBOUND, purpose: contact.PurposeOTHER,
				at: closed.Add(-48 * time.Hour), note: "Relocating out of state; asked for a referral list."})
		}
	}
}

// newClientRequests: the under-loaded clinician asks for clients; an older request was fulfilled.
func (p *planner) newClientRequests() {
	p.requests = []requestPlan{
		{clin: p.under, count: 3, note: "Two evening slots and one Friday morning free; open to adults and teens.",
			createdAt: p.now.Add(-50 * time.Hour), updatedAt: p.now.Add(-50 * time.Hour)},
		{clin: p.signedIn, count: 2, note: "Room for two more weekly clients, ideally children or families.", fulfilled: true, assigned: 2,
			createdAt: p.now.AddDate(0, 0, -150), updatedAt: p.now.AddDate(0, 0, -131)},
	}
}

// ---- made-up clinical text ----

var (
	concerns = []string{
		"generalized anxiety", "low mood", "work stress", "grief after a loss", "panic attacks", "relationship conflict",
		"sleep difficulties", "adjustment to a move", "social anxiety", "trauma symptoms", "parenting stress",
	}
	childConcerns = []string{"school avoidance", "anger outbursts", "anxiety at school", "sleep difficulties", "adjustment after a family change"}
	symptoms      = []string{"anxiety symptoms", "depressive symptoms", "panic attacks", "sleep problems", "conflict at home", "avoidance"}
	skills        = []string{"coping skills for stress", "healthy sleep routines", "assertive communication", "emotion regulation skills", "a support network"}
	moods         = []string{
		"a steadier week", "more worry ahead of a deadline", "better sleep", "a difficult conversation with family",
		"fewer panic episodes", "low energy and motivation", "progress with the exposure plan", "feeling more hopeful",
	}
	childMoods = []string{
		"a good week at school", "irritability at home", "worry about a test", "a fight with a sibling", "better sleep",
		"trouble getting to school on time",
	}
	focuses = []string{
		"identifying automatic thoughts", "grounding skills", "values clarification", "a graded exposure step",
		"sleep routines", "communication skills", "emotion regulation skills", "problem solving around work",
		"externalizing the problem", "scaling progress toward goals",
	}
	childFocuses = []string{
		"a feelings check-in game", "naming big feelings", "a calm-down plan", "grounding skills", "externalizing the problem",
		"communication at home", "a worry box exercise",
	}
	responses = []string{
		"engaged well", "was tearful at times but engaged", "practised the skill in session", "set a homework goal",
		"reported using last week's skill", "was guarded at first, then opened up",
	}
	nextSteps = []string{
		"continue as scheduled", "practise the skill daily and log it", "review the worksheet next session",
		"try one exposure step before next session", "keep the sleep log",
	}
	checkIns = []string{
		"Texted to say the breathing exercise helped this week.", "Asked whether the next session could be a little earlier.",
		"Shared that a stressful event went better than expected.", "Asked for the worksheet from last session.",
		"Let us know they started the new job.",
	}
	childCheckIns = []string{
		"Caregiver texted that the calm-down plan worked at bedtime.", "Caregiver asked for ideas to help with homework battles.",
		"Caregiver shared a good report from the teacher.", "Caregiver asked whether the next session could be after school.",
	}
	requests  = []string{"Asked for a letter confirming attendance for their employer.", "Billing question about a copay.", "Requested a copy of the intake forms."}
	partners  = []string{"psychiatric prescriber", "primary care physician", "case manager", "dietitian"}
	topics    = []string{"a medication change", "coordination of care", "recent sleep problems", "a release of information", "a safety plan update"}
	modalName = map[clientprofile.Modality]string{
		clientprofile.ModalityCBT: "CBT", clientprofile.ModalityDBT: "DBT skills", clientprofile.ModalityACT: "ACT",
		clientprofile.ModalitySFBT: "solution-focused", clientprofile.ModalityNARRATIVE: "narrative",
		clientprofile.ModalityPSYCHODYNAMIC: "psychodynamic", clientprofile.ModalityEMDR: "EMDR",
		clientprofile.ModalityFAMILY_SYSTEMS: "family systems", clientprofile.ModalityPLAY_THERAPY: "play therapy",
		clientprofile.ModalityOTHER: "integrative",
	}
)

func (c *clientPlan) approach() string {
	if c.modality == nil {
		return "integrative"
	}
	return modalName[*c.modality]
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// forAge picks from the child's list for a minor, else from the adult's.
func (p *planner) forAge(c *clientPlan, adult, child []string) string {
	if c.minor(p.today) {
		return pick(p, child)
	}
	return pick(p, adult)
}

func (p *planner) progressBody(c *clientPlan, a *apptPlan) string {
	s := fmt.Sprintf("Client reported %s. Session focused on %s (%s). Client %s. Risk: denies SI/HI. Plan: %s.",
		p.forAge(c, moods, childMoods), p.forAge(c, focuses, childFocuses), c.approach(), pick(p, responses), pick(p, nextSteps))
	if a.kind == appointment.KindFAMILY || (len(c.caregivers) > 0 && p.chance(0.3)) {
		s = "Caregiver joined for part of the session. " + s
	}
	return s
}

func (p *planner) intakeBody(c *clientPlan) string {
	return fmt.Sprintf("Intake assessment. Presenting concern: %s. History reviewed; no acute risk identified. Recommended %s sessions with a %s approach. Attendance policy explained.",
		p.forAge(c, concerns, childConcerns), frequencyWord(c.freq), c.approach())
}

func (p *planner) planBody(c *clientPlan) string {
	return fmt.Sprintf("Treatment plan. Goal 1: reduce %s (self-report scale every 4 weeks). Goal 2: build %s. Frequency: %s. No-show and late-cancellation policy reviewed and signed.",
		pick(p, symptoms), pick(p, skills), frequencyWord(c.freq))
}

func (p *planner) reviewBody(c *clientPlan) string {
	return fmt.Sprintf("Treatment plan review. Goal 1: %s. Goal 2: %s. Attendance and the no-show policy revisited with the client. Plan: %s.",
		pick(p, []string{"partly met", "progressing", "met", "slow progress"}), pick(p, []string{"progressing", "met", "revised"}), pick(p, nextSteps))
}

func (p *planner) terminationBody(reason episode.CloseReason) string {
	why := map[episode.CloseReason]string{
		episode.CloseReasonINACTIVE:       "no sessions or contact for over 30 days after a closure warning",
		episode.CloseReasonSTRIKES:        "three no-shows or late cancellations (attendance policy)",
		episode.CloseReasonGOALS_MET:      "treatment goals met",
		episode.CloseReasonCLIENT_REQUEST: "ended at the client's request",
		episode.CloseReasonTRANSFERRED:    "transferred to a higher level of care",
		episode.CloseReasonOTHER:          "client relocated",
	}[reason]
	return fmt.Sprintf("Termination summary. Reason: %s. Progress summarized; referrals and how to return were discussed or sent in writing.", why)
}

func (p *planner) contactBody(with, about string, minutes int) string {
	return fmt.Sprintf("Care coordination with the %s regarding %s; %d minutes. Release of information on file.", with, about, minutes)
}

func frequencyWord(f clientprofile.SessionFrequency) string {
	switch f {
	case clientprofile.SessionFrequencyWEEKLY:
		return "weekly"
	case clientprofile.SessionFrequencyBIWEEKLY:
		return "every-other-week"
	case clientprofile.SessionFrequencyMONTHLY:
		return "monthly"
	}
	return "as-needed"
}

// Names are made up from common given names and surnames of many origins.
var firstNames = []string{
	"Aaliyah", "Abdi", "Adaeze", "Aiko", "Alejandro", "Amir", "Ana", "Andrei", "Anjali", "Ari", "Aroha", "Bao", "Beatriz",
	"Caleb", "Camille", "Carmen", "Chidi", "Chloe", "Dara", "Darnell", "Deepa", "Diego", "Dmitri", "Elif", "Elliot", "Emeka",
	"Esperanza", "Ethan", "Fatima", "Finn", "Gabriela", "Grace", "Hamza", "Hana", "Harper", "Imani", "Ingrid", "Isaac",
	"Jamal", "Javier", "Jin", "June", "Kai", "Kalani", "Kenji", "Lakshmi", "Leila", "Liam", "Lucia", "Malik", "Marcus",
	"Mariam", "Marisol", "Mateo", "Maya", "Mei", "Mikaela", "Nadia", "Naveen", "Nia", "Noah", "Noor", "Oksana", "Olu",
	"Omar", "Owen", "Paolo", "Priyanka", "Quentin", "Rafael", "Rania", "Reza", "Rosa", "Rui", "Ruth", "Samira", "Santiago",
	"Sanjay", "Sofia", "Tariq", "Tatiana", "Tessa", "Thandiwe", "Theo", "Tomasz", "Valentina", "Wei", "Xochitl", "Yara",
	"Yusuf", "Zainab", "Zoe",
}

var lastNames = []string{
	"Abara", "Acosta", "Adeyemi", "Ahmadi", "Alvarez", "Andersen", "Baptiste", "Barros", "Begay", "Bergstrom", "Bhatt",
	"Brennan", "Calloway", "Castillo", "Chen", "Dang", "Delgado", "Demir", "Donovan", "Dubois", "Eriksen", "Esposito",
	"Farouk", "Fitzgerald", "Gallagher", "Garza", "Goldberg", "Haddad", "Hakimi", "Hollis", "Holloway", "Ibarra", "Iwasaki",
	"Jablonski", "Jovanovic", "Kaur", "Kealoha", "Kim", "Kowalczyk", "Laine", "Lindqvist", "Lopez", "Mahlangu", "Marchetti",
	"Mbatha", "Mendoza", "Moreau", "Nakamura", "Nair", "Novak", "Nwosu", "Obi", "Oliveira", "Ortega", "Osei", "Park",
	"Petrov", "Quintero", "Rahman", "Ramos", "Reddy", "Rinaldi", "Rossi", "Sahin", "Salazar", "Santos", "Sato", "Schmidt",
	"Shapiro", "Silva", "Sokolov", "Suleiman", "Tan", "Thornton", "Torres", "Tran", "Tsosie", "Usman", "Valdez", "Vance",
	"Varga", "Vu", "Whitfield", "Wojcik", "Yamamoto", "Yazzie", "Yilmaz", "Young", "Zapata", "Zhou", "Zielinski",
}
