package fakepractice

import (
	"fmt"
	"slices"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
)

// Paperwork: notes of sessions and contacts, treatment plans and their
// reviews, termination notes and addenda.

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
		// A note for every attended session, but for the lapses of scLapse:
		// the note of the last session overdue is missing, the one before in draft.
		var missing, draft *apptPlan
		for _, a := range slices.Backward(attended) {
			if c.sc != scLapse || a.end.After(p.now.Add(-26*time.Hour)) {
				continue
			}
			if missing == nil {
				missing = a
			} else if draft == nil {
				draft = a
			}
		}
		for _, a := range attended {
			kind := document.KindPROGRESS_NOTE
			body := p.progressBody(c, a)
			if a.kind == appointment.KindINTAKE {
				kind, body = document.KindINTAKE, p.intakeBody(c)
			}
			var d *docPlan
			switch a {
			case missing:
			case draft:
				d = c.add(p.draft(&docPlan{client: c, clin: c.clin, kind: kind, body: body}, a.end))
			default:
				d = c.add(p.note(c, kind, a.end, body, c.clin.noteLapse))
			}
			if d != nil {
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
		d := p.draft(&docPlan{client: c, clin: cl, kind: document.KindCONTACT_NOTE, body: contactBody("primary care physician", "treatment progress", 15)}, k.at.Add(15*time.Minute))
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

// addenda correct a few signed progress notes (p.addendaCount).
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
	for i := range min(p.addendaCount, len(notes)) {
		orig, fix := notes[i], corrections[i%len(corrections)]
		at := orig.signedAt.Add(p.minutes(24*60, 9*24*60))
		d := &docPlan{client: orig.client, clin: orig.clin, kind: document.KindADDENDUM, amends: orig,
			body: fmt.Sprintf("Addendum: corrects %s in the progress note of %s.", fix, orig.appt.start.In(p.loc).Format("Jan 2, 2006"))}
		orig.client.add(p.sign(d, at.Add(-10*time.Minute), at))
	}
}
