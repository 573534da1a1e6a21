package fakepractice

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/internal/caseload"
)

// The people of a practice: clinicians, clients and their caregivers.

type clinicianPlan struct {
	name, credentials string
	slots             int
	accepting         bool
	modalities        []clientprofile.Modality
	user              *userPlan // nil when the clinician does not sign in
	supervisor        *clinicianPlan
	noteLapse         float64 // share of recent notes left missing or in draft

	// The demo practice: the clients each clinician's caseload is cast with.
	scenarios     []scenario
	closedReasons []episode.CloseReason
	grid          [5][lastHour - firstHour + 1][4]bool // weekday x hour x week of a 4-week cycle
	busy          map[int64]bool                       // starts of sessions already booked

	// The generated practice: a weekly grid of hours, one seat per active client.
	hours     int   // hours a weekday
	spare     []int // slots of the grid no seat owns: reschedules go there
	spareUsed map[int]bool
	courses   []*course

	id int
}

func (cl *clinicianPlan) hasModality(m clientprofile.Modality) bool {
	return slices.Contains(cl.modalities, m)
}

type caregiverPlan struct {
	name, relationship string
	phone, email       *string
	primary, consent   bool
	id                 int
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
	caregivers      []*caregiverPlan
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

// updatedAt is when the client's record last changed: their latest episode opening or closing.
func (c *clientPlan) updatedAt() time.Time {
	t := c.createdAt
	for _, e := range c.episodes {
		if e.openedAt.After(t) {
			t = e.openedAt
		}
		if e.closedAt != nil && e.closedAt.After(t) {
			t = *e.closedAt
		}
	}
	return t
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

// frequencyMix is the cumulative share of weekly, biweekly and monthly
// clients (the rest come as needed).
type frequencyMix [3]float64

var (
	demoFrequencies = frequencyMix{0.5, 0.83, 0.93}
	// A busy practice: mostly weekly clients.
	busyFrequencies = frequencyMix{0.85, 0.95, 0.98}
)

func (p *planner) frequency() clientprofile.SessionFrequency {
	switch x := p.r.Float64(); {
	case x < p.frequencies[0]:
		return clientprofile.SessionFrequencyWEEKLY
	case x < p.frequencies[1]:
		return clientprofile.SessionFrequencyBIWEEKLY
	case x < p.frequencies[2]:
		return clientprofile.SessionFrequencyMONTHLY
	}
	return clientprofile.SessionFrequencyAS_NEEDED
}

// newClient invents a person for the scenario, a client of cl (nil: waitlisted).
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
	c.freq = p.frequency()
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
	if sc == scStruckOut && cl != nil && cl.user != nil {
		// A struck-out client on the backfill list shows why they are barred.
		c.wantsEarlier = true
	}
	p.clients = append(p.clients, c)
	return c
}

// windows returns weekly availability windows for a backfill-list client:
// covering the slot freed on the next business day, or on other days only.
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
		g := &caregiverPlan{
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

// nameTries is how often name looks for a full name not given yet; a
// practice larger than the name lists allow then repeats names.
const nameTries = 1000

func (p *planner) name() (string, string) {
	for range nameTries {
		first, last := pick(p, firstNames), pick(p, lastNames)
		if !p.names[first+" "+last] {
			p.names[first+" "+last] = true
			return first, last
		}
	}
	return pick(p, firstNames), pick(p, lastNames)
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

// waitlist adds n clients waiting for a clinician.
func (p *planner) waitlist(n int) {
	for range n {
		c := p.newClient(nil, scRegular)
		c.status = clientprofile.StatusWAITLIST
		c.createdAt = p.at(p.daysAgo(p.between(2, 60)), p.between(9*60, 17*60))
	}
}
