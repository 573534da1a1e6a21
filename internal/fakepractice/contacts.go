package fakepractice

import (
	"fmt"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/episode"
)

// Contacts: reminders, calls about cancellations, check-ins, care
// coordination and closure warnings.

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

func (c *clientPlan) contact(k *contactPlan) *contactPlan {
	k.client = c
	if k.clin == nil {
		k.clin = c.clin
	}
	c.contacts = append(c.contacts, k)
	return k
}

func (p *planner) contactsFor(c *clientPlan) {
	who := "client"
	if c.minor(p.today) {
		who = "caregiver"
	}
	var past []*apptPlan
	for _, a := range c.appts {
		if a.reminderAt != nil && (p.loggedReminders >= 1 || p.chance(p.loggedReminders)) {
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
				c.contact(&contactPlan{channel: channelOf[contact.Channel](p, c, 0.3), direction: contact.DirectionINBOUND, purpose: contact.PurposeSCHEDULING,
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
			c.contact(&contactPlan{channel: channelOf[contact.Channel](p, c, 0.3), direction: contact.DirectionINBOUND, purpose: contact.PurposeCHECK_IN,
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
				if d := c.add(p.note(c, document.KindCONTACT_NOTE, k.at.Add(time.Duration(k.billable)*time.Minute), contactBody(with, about, k.billable), c.clin.noteLapse/2)); d != nil {
					d.contact = k
				}
			}
		case x < 0.1:
			c.contact(&contactPlan{channel: channelOf[contact.Channel](p, c, 0.3), direction: contact.DirectionINBOUND, purpose: contact.PurposeOTHER,
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
			c.contact(&contactPlan{channel: channelOf[contact.Channel](p, c, 0.3), direction: contact.DirectionINBOUND, purpose: contact.PurposeOTHER,
				at: closed.Add(-24 * time.Hour), note: "Asked to end therapy for now (schedule and finances)."})
		case episode.CloseReasonTRANSFERRED:
			k := c.contact(&contactPlan{channel: contact.ChannelPHONE, direction: contact.DirectionOUTBOUND, purpose: contact.PurposeCARE_COORDINATION,
				at: closed.Add(-3 * time.Hour), billable: 30, note: "Coordinated the transfer to an intensive outpatient program."})
			d := &docPlan{client: c, clin: c.clin, kind: document.KindCONTACT_NOTE, contact: k,
				body: contactBody("intensive outpatient program intake team", "a transfer of care", 30)}
			c.add(p.sign(d, k.at.Add(30*time.Minute), k.at.Add(70*time.Minute)))
		case episode.CloseReasonOTHER:
			c.contact(&contactPlan{channel: contact.ChannelEMAIL, direction: contact.DirectionINBOUND, purpose: contact.PurposeOTHER,
				at: closed.Add(-48 * time.Hour), note: "Relocating out of state; asked for a referral list."})
		}
	}
}
