package fakepractice

import (
	"fmt"
	"slices"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
)

// Sessions: episodes of care, appointments, their outcomes and booking history.

const (
	sessionLength = 50 * time.Minute
	intakeLength  = 60 * time.Minute
	firstHour     = 9  // first session of the day starts at 9:00 local
	lastHour      = 16 // the demo's last one at 16:00, over by 17:00 (a busier practice works later)
	horizonDays   = 21 // future sessions are booked about 3 weeks ahead
	lateCancel    = 24 * time.Hour
	lateArrival   = 10 // minutes late that make a late arrival
)

type episodePlan struct {
	client   *clientPlan
	clin     *clinicianPlan
	openDay  time.Time // civil date
	openedAt time.Time
	closedAt *time.Time
	reason   *episode.CloseReason
	lastDay  time.Time // civil date of the last session (closed and truncated episodes)
	id       int
}

type apptPlan struct {
	client          *clientPlan
	ep              *episodePlan
	clin            *clinicianPlan
	start, end      time.Time
	kind            appointment.Kind
	status          appointment.Status
	minutesLate     *int
	canceledBy      *appointment.CanceledBy
	canceledAt      *time.Time
	cancelReason    *string
	confirmedAt     *time.Time
	reminderAt      *time.Time
	reminderChannel *appointment.ReminderChannel
	excused         bool
	excuseReason    *string
	seriesID        *string
	filledFrom      *apptPlan
	seat            bool // in the client's own slot of a generated practice's grid
	createdAt       time.Time
	updatedAt       time.Time
	id              int
}

func (a *apptPlan) strike() bool {
	if a.excused {
		return false
	}
	return a.status == appointment.StatusNO_SHOW || a.lateCancel()
}

func (a *apptPlan) lateCancel() bool {
	return a.status == appointment.StatusCANCELED && a.canceledBy != nil && *a.canceledBy == appointment.CanceledByCLIENT &&
		a.canceledAt != nil && a.start.Sub(*a.canceledAt) < lateCancel
}

// recorded reports whether the session's outcome has been entered.
func (a *apptPlan) recorded() bool {
	return a.status == appointment.StatusATTENDED || a.status == appointment.StatusNO_SHOW || a.status == appointment.StatusCANCELED
}

// countsForRecurring: sessions cancelled by the clinician or the practice count neither way.
func (a *apptPlan) countsForRecurring() bool {
	if a.status != appointment.StatusCANCELED {
		return a.recorded()
	}
	return a.canceledBy != nil && *a.canceledBy == appointment.CanceledByCLIENT
}

func (a *apptPlan) attend(minutesLate int) {
	a.status = appointment.StatusATTENDED
	a.minutesLate = ptr(minutesLate)
	a.canceledBy, a.canceledAt, a.cancelReason = nil, nil, nil
	a.excused, a.excuseReason = false, nil
}

func (a *apptPlan) noShow() {
	a.status = appointment.StatusNO_SHOW
	a.minutesLate = nil
	a.canceledBy, a.canceledAt, a.cancelReason = nil, nil, nil
}

func (a *apptPlan) cancel(by appointment.CanceledBy, at time.Time, reason string) {
	a.status = appointment.StatusCANCELED
	a.minutesLate = nil
	a.canceledBy, a.canceledAt, a.cancelReason = ptr(by), ptr(at), ptr(reason)
}

// cell is a recurring place in a clinician's week: a weekday, an hour and the

func interval(f clientprofile.SessionFrequency) int {
	switch f {
	case clientprofile.SessionFrequencyWEEKLY:
		return 7
	case clientprofile.SessionFrequencyBIWEEKLY:
		return 14
	case clientprofile.SessionFrequencyMONTHLY:
		return 28
	}
	return 0
}

// priority orders the cadence clients of a clinician: the scenarios that need a

// scheduleOneOffs books what the weekly grid does not hold: intakes, as-needed

var (
	clientCancelReasons = []string{
		"Sick with a cold", "Work schedule changed", "Childcare fell through", "Car trouble", "Traveling for family",
		"Conflicting medical appointment", "Overslept", "Feeling unwell", "Could not get time off work", "Weather",
	}
	clinicianCancelReasons = []string{"Clinician ill", "Clinician at a training", "Clinician family emergency", "Clinician on jury duty"}
	excuseReasons          = []string{
		"Hospitalized that week; discharge papers provided", "Family emergency, documented", "Medical emergency, note from urgent care",
		"Power outage in the client's building", "Bereavement",
	}
)

func (p *planner) lateness() int {
	if p.chance(0.85) {
		return 0
	}
	return p.between(5, 25)
}

func (p *planner) finish(a *apptPlan) {
	c := a.client
	lead := 14 * 24 * time.Hour
	if a.kind == appointment.KindINTAKE {
		a.createdAt = a.ep.openedAt
	} else if a.createdAt.IsZero() {
		if step := interval(c.freq); step > 0 {
			lead = time.Duration(step) * 24 * time.Hour
		}
		if a.seriesID != nil {
			lead = 28 * 24 * time.Hour
		}
		a.createdAt = maxTime(a.start.Add(-lead), a.ep.openedAt.Add(time.Hour))
	}
	a.createdAt = minTime(a.createdAt, minTime(a.start.Add(-time.Hour), p.now.Add(-10*time.Minute)))
	// Reminder the day before.
	remind := a.start.Add(-24*time.Hour - p.minutes(0, 90))
	canceledEarly := a.canceledAt != nil && a.canceledAt.Before(remind)
	if !remind.After(p.now) && !canceledEarly && remind.After(a.createdAt) {
		prob := 0.93
		if a.start.After(p.now) {
			prob = 0.5
		}
		if p.chance(prob) {
			a.reminderAt = ptr(remind)
			a.reminderChannel = ptr(channelOf[appointment.ReminderChannel](p, c, 0.4))
		}
	}
	// Confirmation: when booking (online), or in reply to the reminder.
	if at := a.createdAt.Add(p.minutes(2, 90)); p.chance(0.15) && at.Before(a.start) && !at.After(p.now) && (a.canceledAt == nil || at.Before(*a.canceledAt)) {
		a.confirmedAt = ptr(at)
	} else if p.chance(c.rel.confirm) {
		from := a.start.Add(-48 * time.Hour)
		if a.reminderAt != nil {
			from = *a.reminderAt
		}
		at := from.Add(p.minutes(10, 300))
		if at.After(a.createdAt) && at.Before(a.start) && !at.After(p.now) && (a.canceledAt == nil || at.Before(*a.canceledAt)) {
			a.confirmedAt = ptr(at)
		}
	}
	if a.status == appointment.StatusSCHEDULED && a.confirmedAt != nil {
		a.status = appointment.StatusCONFIRMED
	}
	a.updatedAt = a.createdAt
	for _, t := range []*time.Time{a.reminderAt, a.confirmedAt, a.canceledAt} {
		if t != nil {
			a.updatedAt = maxTime(a.updatedAt, *t)
		}
	}
	if a.status == appointment.StatusATTENDED || a.status == appointment.StatusNO_SHOW {
		a.updatedAt = maxTime(a.updatedAt, minTime(a.end.Add(p.minutes(1, 30)), p.now))
	}
}

// channelOf is how a client is reached, or reaches out: by their preferred
// channel; by phone, now and then a voicemail (a share of voicemails).
func channelOf[C ~string](p *planner, c *clientPlan, voicemails float64) C {
	if c.channel != clientprofile.PreferredContactChannelPHONE {
		return C(c.channel)
	}
	if p.chance(voicemails) {
		return "VOICEMAIL"
	}
	return "PHONE"
}

// drawOutcome gives a past session a random outcome by the client's reliability.
func (p *planner) drawOutcome(a *apptPlan) {
	c := a.client
	x := p.r.Float64()
	switch {
	case x < c.rel.noShow:
		a.noShow()
	case x < c.rel.noShow+c.rel.clientCancel:
		if p.chance(c.rel.lateShare) {
			a.cancel(appointment.CanceledByCLIENT, a.start.Add(-p.minutes(60, 20*60)), pick(p, clientCancelReasons))
		} else {
			a.cancel(appointment.CanceledByCLIENT, a.start.Add(-p.minutes(30*60, 6*24*60)), pick(p, clientCancelReasons))
		}
	case x < c.rel.noShow+c.rel.clientCancel+0.02:
		a.cancel(appointment.CanceledByCLINICIAN, p.officeHours(a.start.Add(-p.minutes(20*60, 5*24*60))), pick(p, clinicianCancelReasons))
	default:
		a.attend(p.lateness())
	}
}

// finishAll sets the booking history of every session, in time order per client.
func (p *planner) finishAll() {
	for _, c := range p.clients {
		slices.SortStableFunc(c.appts, func(a, b *apptPlan) int { return a.start.Compare(b.start) })
		for _, a := range c.appts {
			p.finish(a)
		}
	}
}

// newSeriesID names a recurring series.
func (p *planner) newSeriesID() string {
	p.seriesN++
	return fmt.Sprintf("series-%03d", p.seriesN)
}

// updatedAt is when the episode last changed: its opening or closing.
func (e *episodePlan) updatedAt() time.Time {
	if e.closedAt != nil {
		return *e.closedAt
	}
	return e.openedAt
}
