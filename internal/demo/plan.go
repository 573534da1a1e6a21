package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/internal/caseload"
)

// The plan is built in memory first, with no database, so that it can be
// shaped after the fact (strike counts, tails of sessions) and then written
// with a handful of bulk inserts.

// scenario is the part a client plays in the demo: each one makes a rule of
// SPEC.md visible on some clinician's screen.
type scenario int

const (
	scRegular           scenario = iota
	scStruckOut                  // 3+ strikes in the open episode: close for STRIKES
	scTwoStrikes                 // exactly 2 strikes: one more closes the case
	scExcused                    // 2 strikes plus a no-show the clinician excused
	scInactive                   // not seen or heard from for 30+ days: close as INACTIVE
	scWarn                       // not seen for 30+ days but called recently: send a closure warning
	scWarningExpired             // warned, close-by date passed, nothing booked
	scWait                       // warned, close-by date still ahead
	scBackfillCovering           // wants an earlier slot; windows cover the freed slot
	scBackfillElsewhere          // wants an earlier slot; windows on other days only
	scBackfillAnyTime            // wants an earlier slot at any time
	scMinor                      // minor with a primary caregiver
	scMinorNoCaregiver           // minor with no caregiver on file
	scMinorNoPrimary             // minor whose only caregiver is not the primary one
	scRecurring                  // holds a recurring series, attends on time
	scRecurringCancels           // holds a series, last 2 sessions cancelled by the client
	scRecurringLate              // holds a series, last 3 sessions late
	scEarned                     // 4 on-time sessions in a row, no series yet
	scNeverSeen                  // intake booked, never seen
	scReviewOverdue              // last treatment plan or review over 3 months old
	scReturner                   // closed once, came back: a second episode
	scNewPlanDraft               // new client, treatment plan in draft, not due yet
	scPlanOverdue                // opened 45 days ago, no treatment plan
	scCanceler                   // cancelled the next business day's session with notice
)

// truncated reports whether the scenario's history stops weeks ago with nothing booked.
func (s scenario) truncated() bool {
	return s == scInactive || s == scWarn || s == scWarningExpired || s == scWait
}

// tailSensitive reports whether the scenario depends on the last few sessions,
// which must then all be recorded.
func (s scenario) tailSensitive() bool {
	return s == scRecurring || s == scRecurringCancels || s == scRecurringLate || s == scEarned
}

// free reports whether nothing in the scenario depends on the last sessions
// being recorded, so that a recent one may still wait for its attendance.
func (s scenario) free() bool {
	return !s.tailSensitive() && !s.truncated() && s != scCanceler && s != scNeverSeen
}

func (s scenario) minor() bool {
	return s == scMinor || s == scMinorNoCaregiver || s == scMinorNoPrimary
}

// reliability is how a client tends to turn up.
type reliability struct {
	noShow, clientCancel, lateShare, confirm float64
}

var (
	reliable   = reliability{noShow: 0.06, clientCancel: 0.06, lateShare: 0.3, confirm: 0.75}
	average    = reliability{noShow: 0.15, clientCancel: 0.08, lateShare: 0.35, confirm: 0.55}
	unreliable = reliability{noShow: 0.28, clientCancel: 0.11, lateShare: 0.45, confirm: 0.35}
)

const (
	sessionLength = 50 * time.Minute
	intakeLength  = 60 * time.Minute
	firstHour     = 9  // first session of the day starts at 9:00 local
	lastHour      = 16 // last one at 16:00, over by 17:00
	horizonDays   = 21 // future sessions are booked about 3 weeks ahead
	lateCancel    = 24 * time.Hour
	lateArrival   = 10 // minutes late that make a late arrival
)

type clinicianPlan struct {
	name, credentials string
	slots             int
	accepting         bool
	modalities        []clientprofile.Modality
	login             string // email of the user, "" when the clinician does not sign in
	supervisor        *clinicianPlan
	noteLapse         float64 // share of recent notes left missing or in draft
	scenarios         []scenario
	closedReasons     []episode.CloseReason

	grid [5][lastHour - firstHour + 1][4]bool // weekday x hour x week of a 4-week cycle
	busy map[int64]bool                       // starts of sessions already booked

	id, authorID int
}

type caregiverPlan struct {
	name, relationship string
	phone, email       *string
	primary, consent   bool
}

type clientPlan struct {
	sc              scenario
	first, last     string
	dob             *time.Time
	email, phone    *string
	channel         clientprofile.PreferredContactChannel
	freq            clientprofile.SessionFrequency
	clin            *clinicianPlan
	status          clientprofile.Status
	modality        *clientprofile.Modality
	wantsEarlier    bool
	availability    []caseload.AvailabilityWindow
	recurring       bool
	rel             reliability
	strikeCap       int
	lastSeenDays    int // truncated scenarios: days since the last session
	createdAt       time.Time
	caregivers      []caregiverPlan
	episodes        []*episodePlan
	appts           []*apptPlan
	contacts        []*contactPlan
	docs            []*docPlan
	cell            *cell
	hour            int  // preferred hour for one-off bookings
	skipTermination bool // the closed episode's termination note is missing
	closeReason     *episode.CloseReason
	seriesID        string
	protect         map[*apptPlan]bool // shaped sessions later steps must not change
	id              int
}

func (c *clientPlan) minor(today time.Time) bool {
	return c.dob != nil && c.dob.After(today.AddDate(-18, 0, 0))
}

func (c *clientPlan) open() *episodePlan {
	if len(c.episodes) == 0 {
		return nil
	}
	if e := c.episodes[len(c.episodes)-1]; e.closedAt == nil {
		return e
	}
	return nil
}

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
// weeks of a 4-week cycle it takes (all 4 for weekly, 2 for biweekly, 1 for monthly).
type cell struct {
	weekday time.Weekday
	hour    int
	phases  []int
}

type planner struct {
	now      time.Time // UTC, whole minutes
	loc      *time.Location
	today    time.Time // civil date (midnight UTC) of now in the practice's zone
	nextBiz  time.Time // the next business day after today
	recent   time.Time // sessions since then may still wait for attendance to be recorded
	snowDay  time.Time // a past business day the office was closed
	holidays map[time.Time]bool
	r        *rand.Rand

	clinicians []*clinicianPlan
	signedIn   *clinicianPlan // clinician@'s profile, whose screens must show every rule
	under      *clinicianPlan // the clinician short of clients, who asks intake for more
	clients    []*clientPlan
	requests   []requestPlan
	names      map[string]bool
	emails     map[string]bool
	seriesN    int
}

type requestPlan struct {
	clin      *clinicianPlan
	count     int
	note      string
	fulfilled bool
	assigned  int
	createdAt time.Time
	updatedAt time.Time
}

// seed1 and seed2 fix the demo's random choices: the same now gives the same practice.
const seed1, seed2 = 0x5eed_ca5e_10ad, 0xdec0_de00_2026

func newPlanner(now time.Time) (*planner, error) {
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		return nil, fmt.Errorf("demo: loading time zone %s: %w", timeZone, err)
	}
	p := &planner{
		now:   now.UTC().Truncate(time.Minute),
		loc:   loc,
		r:     rand.New(rand.NewPCG(seed1, seed2)),
		names: map[string]bool{}, emails: map[string]bool{},
	}
	p.today = p.civil(p.now)
	p.holidays = map[time.Time]bool{}
	for y := p.today.Year() - 1; y <= p.today.Year()+1; y++ {
		for _, d := range holidays(y) {
			p.holidays[d] = true
		}
	}
	p.nextBiz = p.today.AddDate(0, 0, 1)
	for !p.workday(p.nextBiz) {
		p.nextBiz = p.nextBiz.AddDate(0, 0, 1)
	}
	// The last two days, or back to the start of the previous business day
	// (after a weekend, Friday's sessions may not be recorded yet either).
	prevBiz := p.today.AddDate(0, 0, -1)
	for !p.workday(prevBiz) {
		prevBiz = prevBiz.AddDate(0, 0, -1)
	}
	p.recent = minTime(p.now.Add(-48*time.Hour), p.at(prevBiz, 0))
	p.snowDay = p.today.AddDate(0, 0, -50)
	for !p.workday(p.snowDay) {
		p.snowDay = p.snowDay.AddDate(0, 0, 1)
	}
	return p, nil
}

// ---- time helpers: civil dates are midnight UTC, instants are UTC ----

func (p *planner) civil(t time.Time) time.Time {
	l := t.In(p.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// at is the instant of a local wall-clock time (minutes after midnight) on a civil date.
func (p *planner) at(day time.Time, minute int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, minute, 0, 0, p.loc).UTC()
}

func (p *planner) workday(day time.Time) bool {
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !p.holidays[day]
}

func (p *planner) daysAgo(n int) time.Time { return p.today.AddDate(0, 0, -n) }

// phase is the week of the 4-week cycle a civil date falls in.
func phase(day time.Time) int {
	week := (day.Unix()/86400 + 3) / 7 // weeks start on Monday; 1970-01-01 was a Thursday
	return int(week % 4)
}

// holidays the office is closed on.
func holidays(y int) []time.Time {
	d := func(m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	nth := func(m time.Month, wd time.Weekday, n int) time.Time {
		t := d(m, 1)
		for t.Weekday() != wd {
			t = t.AddDate(0, 0, 1)
		}
		return t.AddDate(0, 0, 7*(n-1))
	}
	memorial := d(time.May, 31)
	for memorial.Weekday() != time.Monday {
		memorial = memorial.AddDate(0, 0, -1)
	}
	thanksgiving := nth(time.November, time.Thursday, 4)
	return []time.Time{
		d(time.January, 1), memorial, d(time.July, 4), nth(time.September, time.Monday, 1),
		thanksgiving, thanksgiving.AddDate(0, 0, 1), d(time.December, 24), d(time.December, 25), d(time.December, 31),
	}
}

// ---- random helpers ----

func (p *planner) between(lo, hi int) int   { return lo + p.r.IntN(hi-lo+1) }
func (p *planner) chance(prob float64) bool { return p.r.Float64() < prob }
func (p *planner) minutes(lo, hi int) time.Duration {
	return time.Duration(p.between(lo, hi)) * time.Minute
}

func pick[T any](p *planner, xs []T) T { return xs[p.r.IntN(len(xs))] }

func ptr[T any](v T) *T { return &v }

// ---- the cast ----

func (p *planner) build() {
	p.cast()
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
	for _, c := range p.clients {
		slices.SortStableFunc(c.appts, func(a, b *apptPlan) int { return a.start.Compare(b.start) })
		for _, a := range c.appts {
			p.finish(a)
		}
	}
	p.ensureDueToday()
	for _, c := range p.clients {
		p.paperwork(c)
		p.contactsFor(c)
	}
	p.overduePaperwork()
	p.addenda()
	p.newClientRequests()
}

func (p *planner) cast() {
	m := func(ms ...clientprofile.Modality) []clientprofile.Modality { return ms }
	supervisor := &clinicianPlan{
		name: "Helena Marsh", credentials: "PsyD", slots: 20, accepting: true, login: "supervisor@demo.example",
		modalities: m(clientprofile.ModalityCBT, clientprofile.ModalityACT, clientprofile.ModalityPSYCHODYNAMIC, clientprofile.ModalityDBT),
		noteLapse:  0.05,
		scenarios: []scenario{scTwoStrikes, scInactive, scMinor, scRecurring, scBackfillAnyTime, scEarned,
			scStruckOut},
		closedReasons: []episode.CloseReason{episode.CloseReasonGOALS_MET, episode.CloseReasonINACTIVE, episode.CloseReasonCLIENT_REQUEST},
	}
	amara := &clinicianPlan{
		name: "Amara Okafor", credentials: "LCSW", slots: 30, accepting: true, login: "clinician@demo.example", supervisor: supervisor,
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
			p.clients = append(p.clients, c)
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
			p.clients = append(p.clients, c)
		}
	}
	for range 8 {
		c := p.newClient(nil, scRegular)
		c.status = clientprofile.StatusWAITLIST
		c.createdAt = p.at(p.daysAgo(p.between(2, 60)), p.between(9*60, 17*60))
		p.clients = append(p.clients, c)
	}
}

// newClient invents a person for the scenario.
func (p *planner) newClient(cl *clinicianPlan, sc scenario) *clientPlan {
	c := &clientPlan{sc: sc, clin: cl, status: clientprofile.StatusACTIVE, protect: map[*apptPlan]bool{}}
	c.first, c.last = p.name()
	age := p.between(19, 71)
	if sc.minor() || (sc == scRegular && cl != nil && cl.hasModality(clientprofile.ModalityPLAY_THERAPY) && p.chance(0.12)) {
		age = p.between(7, 17)
	}
	dob := p.today.AddDate(-age, 0, -p.between(0, 330))
	c.dob = &dob
	minor := age < 18
	if !minor || age >= 13 {
		if p.chance(0.92) {
			c.email = ptr(p.email(c.first, c.last))
		}
		if p.chance(0.95) || minor {
			c.phone = ptr(p.phone())
		}
	}
	c.channel = pick(p, []clientprofile.PreferredContactChannel{
		clientprofile.PreferredContactChannelPHONE, clientprofile.PreferredContactChannelPHONE,
		clientprofile.PreferredContactChannelTEXT, clientprofile.PreferredContactChannelTEXT, clientprofile.PreferredContactChannelTEXT,
		clientprofile.PreferredContactChannelEMAIL, clientprofile.PreferredContactChannelEMAIL,
		clientprofile.PreferredContactChannelPORTAL,
	})
	if c.email == nil && c.channel == clientprofile.PreferredContactChannelEMAIL {
		c.channel = clientprofile.PreferredContactChannelPHONE
	}
	if c.phone == nil && (c.channel == clientprofile.PreferredContactChannelPHONE || c.channel == clientprofile.PreferredContactChannelTEXT) {
		c.channel = clientprofile.PreferredContactChannelPORTAL
	}
	switch x := p.r.Float64(); {
	case x < 0.5:
		c.freq = clientprofile.SessionFrequencyWEEKLY
	case x < 0.83:
		c.freq = clientprofile.SessionFrequencyBIWEEKLY
	case x < 0.93:
		c.freq = clientprofile.SessionFrequencyMONTHLY
	default:
		c.freq = clientprofile.SessionFrequencyAS_NEEDED
	}
	switch x := p.r.Float64(); {
	case x < 0.55:
		c.rel = reliable
	case x < 0.88:
		c.rel = average
	default:
		c.rel = unreliable
	}
	c.hour = p.between(firstHour, lastHour)
	if cl != nil {
		c.modality = ptr(pick(p, cl.modalities))
		if minor {
			switch {
			case age < 12 && cl.hasModality(clientprofile.ModalityPLAY_THERAPY):
				c.modality = ptr(clientprofile.ModalityPLAY_THERAPY)
			case cl.hasModality(clientprofile.ModalityFAMILY_SYSTEMS):
				c.modality = ptr(clientprofile.ModalityFAMILY_SYSTEMS)
			}
		} else if *c.modality == clientprofile.ModalityPLAY_THERAPY {
			c.modality = ptr(cl.modalities[0])
		}
	} else if p.chance(0.5) {
		c.modality = ptr(pick(p, []clientprofile.Modality{clientprofile.ModalityCBT, clientprofile.ModalityEMDR, clientprofile.ModalityDBT}))
	}
	if minor {
		c.freq = pick(p, []clientprofile.SessionFrequency{clientprofile.SessionFrequencyWEEKLY, clientprofile.SessionFrequencyBIWEEKLY})
		if sc != scMinorNoCaregiver {
			p.caregivers(c, sc == scMinorNoPrimary)
		}
	}
	// Cap on strikes in an episode: in practice clients over the limit are closed.
	switch x := p.r.Float64(); {
	case x < 0.35:
		c.strikeCap = 0
	case x < 0.75:
		c.strikeCap = 1
	default:
		c.strikeCap = 2
	}
	switch sc {
	case scTwoStrikes, scExcused:
		c.strikeCap = 2
	case scCanceler, scRecurring, scRecurringCancels, scRecurringLate, scEarned, scBackfillCovering, scBackfillAnyTime, scBackfillElsewhere:
		c.strikeCap = min(c.strikeCap, 1)
	case scRegular:
		if cl != nil && p.chance(0.1) {
			c.wantsEarlier = true
		}
	}
	switch sc {
	case scRecurring, scRecurringCancels, scRecurringLate, scCanceler:
		c.freq = clientprofile.SessionFrequencyWEEKLY
		c.rel = reliable
	case scEarned:
		c.freq = pick(p, []clientprofile.SessionFrequency{clientprofile.SessionFrequencyWEEKLY, clientprofile.SessionFrequencyBIWEEKLY})
	case scBackfillCovering, scBackfillElsewhere, scBackfillAnyTime:
		c.wantsEarlier = true
		c.freq = pick(p, []clientprofile.SessionFrequency{clientprofile.SessionFrequencyBIWEEKLY, clientprofile.SessionFrequencyMONTHLY})
		c.availability = p.windows(sc)
	case scInactive, scWarn, scWarningExpired, scWait:
		if c.freq == clientprofile.SessionFrequencyAS_NEEDED {
			c.freq = clientprofile.SessionFrequencyBIWEEKLY
		}
	case scTwoStrikes, scStruckOut, scExcused, scReviewOverdue:
		if c.freq == clientprofile.SessionFrequencyAS_NEEDED || c.freq == clientprofile.SessionFrequencyMONTHLY {
			c.freq = clientprofile.SessionFrequencyWEEKLY
		}
	}
	if c.wantsEarlier && sc == scRegular && p.chance(0.5) {
		c.availability = p.windows(scBackfillElsewhere)
	}
	if sc == scStruckOut && cl != nil && cl.login != "" {
		// A struck-out client on the backfill list shows why they are barred.
		c.wantsEarlier = true
	}
	return c
}

func (cl *clinicianPlan) hasModality(m clientprofile.Modality) bool {
	return slices.Contains(cl.modalities, m)
}

// windows returns weekly availability windows for a backfill-list client.
func (p *planner) windows(sc scenario) []caseload.AvailabilityWindow {
	slot := p.nextBiz.Weekday()
	other := func() time.Weekday {
		for {
			if wd := time.Weekday(p.between(1, 5)); wd != slot {
				return wd
			}
		}
	}
	switch sc {
	case scBackfillCovering:
		return []caseload.AvailabilityWindow{
			{Weekday: slot, StartMinute: 12 * 60, EndMinute: 17 * 60},
			{Weekday: other(), StartMinute: 9 * 60, EndMinute: 12 * 60},
		}
	case scBackfillElsewhere:
		a := other()
		b := other()
		for b == a {
			b = other()
		}
		w := []caseload.AvailabilityWindow{
			{Weekday: a, StartMinute: 9 * 60, EndMinute: 11*60 + 30},
			{Weekday: b, StartMinute: 14 * 60, EndMinute: 17 * 60},
		}
		slices.SortFunc(w, func(x, y caseload.AvailabilityWindow) int { return int(x.Weekday) - int(y.Weekday) })
		return w
	}
	return nil
}

func (p *planner) caregivers(c *clientPlan, noPrimary bool) {
	relations := []string{"parent", "parent", "grandparent", "legal guardian", "step-parent", "foster parent"}
	n := 1
	if p.chance(0.45) {
		n = 2
	}
	for i := range n {
		first, _ := p.name()
		last := c.last
		if p.chance(0.2) {
			_, last = p.name()
		}
		g := caregiverPlan{
			name:         first + " " + last,
			relationship: relations[p.r.IntN(len(relations))],
			phone:        ptr(p.phone()),
			primary:      i == 0 && !noPrimary,
			consent:      i == 0 || p.chance(0.6),
		}
		if noPrimary {
			g.consent = false
		}
		if p.chance(0.85) {
			g.email = ptr(p.email(first, last))
		}
		c.caregivers = append(c.caregivers, g)
	}
}

func (p *planner) name() (string, string) {
	for {
		first, last := pick(p, firstNames), pick(p, lastNames)
		if !p.names[first+" "+last] {
			p.names[first+" "+last] = true
			return first, last
		}
	}
}

func (p *planner) email(first, last string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r
			}
			return -1
		}, strings.ToLower(s))
	}
	base := clean(first) + "." + clean(last)
	e := base + "@example.org"
	for i := 2; p.emails[e]; i++ {
		e = fmt.Sprintf("%s%d@example.org", base, i)
	}
	p.emails[e] = true
	return e
}

// phone numbers come from the 555-0100..0199 range reserved for fiction.
func (p *planner) phone() string {
	return fmt.Sprintf("+1 %s 555 01%02d", pick(p, []string{"212", "347", "646", "718", "917", "914"}), p.r.IntN(100))
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

// ---- scheduling ----

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
// particular place in the week choose first.
func priority(s scenario) int {
	switch s {
	case scCanceler:
		return 0
	case scBackfillCovering, scBackfillElsewhere, scBackfillAnyTime:
		return 1
	case scRecurring, scRecurringCancels, scRecurringLate, scEarned, scTwoStrikes, scReviewOverdue, scMinor:
		return 2
	}
	return 3
}

func (p *planner) scheduleCadences(cl *clinicianPlan) {
	var cs []*clientPlan
	for _, c := range p.clients {
		if c.clin == cl && c.status == clientprofile.StatusACTIVE && c.sc != scNeverSeen && interval(c.freq) > 0 {
			cs = append(cs, c)
		}
	}
	slices.SortStableFunc(cs, func(a, b *clientPlan) int { return priority(a.sc) - priority(b.sc) })
	minorsOnNextBiz := 0
	for _, c := range cs {
		step := interval(c.freq)
		var ok func(cell) bool
		switch {
		case c.sc == scCanceler:
			ok = func(x cell) bool { return p.occursOn(x, p.nextBiz) && x.hour >= 13 }
		case c.sc == scTwoStrikes || c.sc == scReviewOverdue && cl.login != "":
			ok = func(x cell) bool { return p.occursOn(x, p.nextBiz) }
		case c.sc == scMinor && minorsOnNextBiz == 0:
			minorsOnNextBiz++
			ok = func(x cell) bool { return p.occursOn(x, p.nextBiz) }
		case c.sc == scBackfillCovering || c.sc == scBackfillElsewhere || c.sc == scBackfillAnyTime:
			// The next session must come after the slot freed on the next business day.
			ok = func(x cell) bool { return p.nextOccurrence(x).After(p.nextBiz.AddDate(0, 0, 2)) }
		case c.sc.tailSensitive():
			// No session today: the last sessions are all recorded.
			ok = func(x cell) bool { return !p.occursOn(x, p.today) }
		}
		x := p.pickCell(cl, step, ok)
		c.cell = &x
		c.hour = x.hour
		e := c.open()
		from := p.civil(e.openedAt).AddDate(0, 0, 10)
		to := p.today.AddDate(0, 0, horizonDays)
		if c.sc.truncated() {
			to = e.lastDay
		}
		horizon := to
		if !c.sc.truncated() {
			to = to.AddDate(0, 0, 28) // a monthly client still gets their next session booked
		}
		var days []time.Time
		hasFuture := false
		for _, d := range p.cadenceDays(x, from, to) {
			if d.After(horizon) && hasFuture {
				break
			}
			days = append(days, d)
			hasFuture = hasFuture || p.at(d, x.hour*60).After(p.now)
		}
		for _, d := range days {
			start := p.at(d, x.hour*60)
			if cl.busy[start.Unix()] {
				var ok bool
				if start, ok = p.book(cl, d, x.hour); !ok {
					continue
				}
			}
			cl.busy[start.Unix()] = true
			p.addAppt(c, e, start, appointment.KindTHERAPY)
		}
	}
}

func (p *planner) occursOn(x cell, day time.Time) bool {
	return day.Weekday() == x.weekday && slices.Contains(x.phases, phase(day)) && p.workday(day)
}

// nextOccurrence is the first session of the cell after now.
func (p *planner) nextOccurrence(x cell) time.Time {
	for d := p.today; ; d = d.AddDate(0, 0, 1) {
		if p.occursOn(x, d) && p.at(d, x.hour*60).After(p.now) {
			return d
		}
	}
}

func (p *planner) pickCell(cl *clinicianPlan, step int, ok func(cell) bool) cell {
	weeks := step / 7
	var cands []cell
	for wd := time.Monday; wd <= time.Friday; wd++ {
		for h := firstHour; h <= lastHour; h++ {
			for ph := range weeks {
				x := cell{weekday: wd, hour: h}
				for k := ph; k < 4; k += weeks {
					x.phases = append(x.phases, k)
				}
				cands = append(cands, x)
			}
		}
	}
	p.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	free := func(x cell) bool {
		for _, ph := range x.phases {
			if cl.grid[x.weekday-1][x.hour-firstHour][ph] {
				return false
			}
		}
		return true
	}
	choose := func(x cell) cell {
		for _, ph := range x.phases {
			cl.grid[x.weekday-1][x.hour-firstHour][ph] = true
		}
		return x
	}
	for _, x := range cands {
		if free(x) && (ok == nil || ok(x)) {
			return choose(x)
		}
	}
	for _, x := range cands {
		if free(x) {
			return choose(x)
		}
	}
	return cands[0] // grid full: sessions are moved to free hours one by one
}

func (p *planner) cadenceDays(x cell, from, to time.Time) []time.Time {
	var days []time.Time
	d := from
	for d.Weekday() != x.weekday {
		d = d.AddDate(0, 0, 1)
	}
	for ; !d.After(to); d = d.AddDate(0, 0, 7) {
		if p.occursOn(x, d) {
			days = append(days, d)
		}
	}
	return days
}

// book finds a free hour on a business day, as close to the preferred one as possible.
func (p *planner) book(cl *clinicianPlan, day time.Time, hour int) (time.Time, bool) {
	if !p.workday(day) || day.Equal(p.snowDay) {
		return time.Time{}, false
	}
	for delta := 0; delta <= lastHour-firstHour; delta++ {
		for _, h := range []int{hour + delta, hour - delta} {
			if h < firstHour || h > lastHour {
				continue
			}
			start := p.at(day, h*60)
			if !cl.busy[start.Unix()] {
				cl.busy[start.Unix()] = true
				return start, true
			}
		}
	}
	return time.Time{}, false
}

// bookFrom books the first free time on or after day.
func (p *planner) bookFrom(cl *clinicianPlan, day time.Time, hour int) time.Time {
	for {
		if start, ok := p.book(cl, day, hour); ok {
			return start
		}
		day = day.AddDate(0, 0, 1)
	}
}

func (p *planner) addAppt(c *clientPlan, e *episodePlan, start time.Time, kind appointment.Kind) *apptPlan {
	length := sessionLength
	if kind == appointment.KindINTAKE {
		length = intakeLength
	}
	a := &apptPlan{client: c, ep: e, clin: e.clin, start: start, end: start.Add(length), kind: kind, status: appointment.StatusSCHEDULED}
	c.appts = append(c.appts, a)
	return a
}

// scheduleOneOffs books what the weekly grid does not hold: intakes, as-needed
// sessions, and the sessions of closed episodes.
func (p *planner) scheduleOneOffs(c *clientPlan) {
	if c.clin == nil {
		return
	}
	for _, e := range c.episodes {
		if c.sc == scNeverSeen {
			day := p.today.AddDate(0, 0, 4)
			p.addAppt(c, e, p.bookFrom(c.clin, day, c.hour), appointment.KindINTAKE)
			continue
		}
		intake := p.bookFrom(c.clin, e.openDay.AddDate(0, 0, 2), c.hour)
		p.addAppt(c, e, intake, appointment.KindINTAKE)
		closed := e.closedAt != nil
		if !closed && c.cell != nil {
			continue // the cadence is already booked
		}
		first := p.civil(intake).AddDate(0, 0, 7)
		last := p.today.AddDate(0, 0, horizonDays)
		if closed || c.sc.truncated() {
			last = e.lastDay
		}
		step := interval(c.freq)
		var prev time.Time
		for d := first; !d.After(last); {
			if start, ok := p.book(c.clin, d, c.hour); ok {
				p.addAppt(c, e, start, appointment.KindTHERAPY)
				prev = start
			}
			if step == 0 {
				d = d.AddDate(0, 0, p.between(18, 40))
			} else {
				d = d.AddDate(0, 0, step)
			}
		}
		if closed || c.sc.truncated() {
			// The episode ends with a session on its last day (or the closest business day before).
			d := e.lastDay
			for !prev.IsZero() && d.After(p.civil(prev).AddDate(0, 0, 5)) {
				if start, ok := p.book(c.clin, d, c.hour); ok {
					p.addAppt(c, e, start, appointment.KindTHERAPY)
					break
				}
				d = d.AddDate(0, 0, -1)
			}
			continue
		}
		if prev.IsZero() || !prev.After(p.now) {
			p.addAppt(c, e, p.bookFrom(c.clin, p.today.AddDate(0, 0, p.between(2, 16)), c.hour), appointment.KindTHERAPY)
		}
	}
}

// ---- outcomes ----

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

// officeHours moves an instant the office calls from out of the night:
// back to the previous evening (which only lengthens a cancellation's notice).
func (p *planner) officeHours(t time.Time) time.Time {
	l := t.In(p.loc)
	day := p.civil(t)
	switch {
	case l.Hour() < 8:
		return p.at(day.AddDate(0, 0, -1), 17*60+l.Minute())
	case l.Hour() >= 18:
		return p.at(day, 17*60+l.Minute())
	}
	return t
}

func (p *planner) lateness() int {
	if p.chance(0.85) {
		return 0
	}
	return p.between(5, 25)
}

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

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
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
	p.seriesN++
	c.recurring = true
	c.seriesID = fmt.Sprintf("demo-series-%03d", p.seriesN)
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
// reminded, confirmed, and last changed.
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
			a.reminderChannel = ptr(reminderChannel(c.channel, p))
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

func reminderChannel(ch clientprofile.PreferredContactChannel, p *planner) appointment.ReminderChannel {
	switch ch {
	case clientprofile.PreferredContactChannelEMAIL:
		return appointment.ReminderChannelEMAIL
	case clientprofile.PreferredContactChannelTEXT:
		return appointment.ReminderChannelTEXT
	case clientprofile.PreferredContactChannelPORTAL:
		return appointment.ReminderChannelPORTAL
	}
	if p.chance(0.4) {
		return appointment.ReminderChannelVOICEMAIL
	}
	return appointment.ReminderChannelPHONE
}

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
