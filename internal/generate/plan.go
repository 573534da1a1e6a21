package generate

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/caseload/caseload/internal/caseload"
)

// The practice is planned in memory first, then written in bulk.
//
// Every clinician has a weekly grid of hour slots (weekdays, from 08:00).
// Each of their active clients sits in a seat that owns one slot of the
// grid; before the active client, the seat was held by the closed clients
// (one after the other), so no two sessions of a clinician ever overlap.
// The slots left over take rescheduled sessions; a late-cancelled session's
// slot is refilled from the backfill list. A client only ever sees their own
// clinician, so no client overlaps either.

// scenario is the part an active client plays: each makes a rule of
// SPEC.md show somewhere in the practice.
type scenario int

const (
	scRegular          scenario = iota
	scStruckOut                 // 3 strikes in the open episode: CLOSE for STRIKES (rule 1, 3)
	scInactive                  // not seen or heard from for 30+ days: CLOSE as INACTIVE
	scWarn                      // not seen for 30+ days, called lately: SEND_WARNING
	scWarningExpired            // warned, close-by date passed: CLOSE, WARNING_EXPIRED
	scWait                      // warned, close-by date ahead: WAIT
	scRecurring                 // holds a series and keeps it (rule 5)
	scRecurringCancels          // holds a series, cancelled the last 2: revoke
	scRecurringLate             // holds a series, late to the last 3: revoke
	scNeverSeen                 // intake booked, never seen (rule 2: null days)
	scPlanOverdue               // opened 5+ weeks ago, no treatment plan (rule 6)
	scPlanDraft                 // new, treatment plan in draft
	scReviewOverdue             // last plan or review over 3 months old
	scLapse                     // a missing and a draft note, both overdue
	scMinor                     // minor with a primary caregiver
	scMinorNoCaregiver          // minor without a caregiver (ADD_CAREGIVER)
	scMinorNoPrimary            // minor whose caregiver is not the primary one
	scBackfill                  // wants an earlier slot, with availability windows (rule 4)
	scReturner                  // closed once, came back: a second episode
)

// specials are handed out first, one each, then to every fifth active client.
var specials = []scenario{
	scStruckOut, scInactive, scWarn, scWarningExpired, scWait, scRecurring, scRecurringCancels,
	scRecurringLate, scNeverSeen, scPlanOverdue, scPlanDraft, scReviewOverdue, scLapse, scMinor,
	scMinorNoCaregiver, scMinorNoPrimary, scBackfill, scReturner,
}

func (s scenario) truncated() bool {
	return s == scInactive || s == scWarn || s == scWarningExpired || s == scWait
}

func (s scenario) minor() bool {
	return s == scMinor || s == scMinorNoCaregiver || s == scMinorNoPrimary
}

// tail says how a scenario's last recorded sessions must end.
func (s scenario) tail() []outcome {
	switch s {
	case scStruckOut:
		return []outcome{outNoShow, outLateCancel, outNoShow}
	case scRecurringCancels:
		return []outcome{outCancel, outCancel}
	case scRecurringLate:
		return []outcome{outLate, outLate, outLate}
	case scRecurring, scLapse:
		return []outcome{outOnTime, outOnTime, outOnTime}
	}
	return nil
}

type outcome int

const (
	outRandom outcome = iota
	outOnTime
	outLate
	outNoShow
	outLateCancel
	outCancel // by the client, with notice
)

// reliability is how a client tends to turn up; the practice-wide mix
// gives about 9% no-shows and 5% late cancels.
type reliability struct{ noShow, lateCancel, cancel, late, confirm float64 }

var reliabilities = []struct {
	share float64
	r     reliability
}{
	{0.70, reliability{noShow: 0.05, lateCancel: 0.03, cancel: 0.06, late: 0.08, confirm: 0.7}},
	{0.22, reliability{noShow: 0.14, lateCancel: 0.08, cancel: 0.09, late: 0.15, confirm: 0.5}},
	{0.08, reliability{noShow: 0.30, lateCancel: 0.14, cancel: 0.12, late: 0.25, confirm: 0.3}},
}

const (
	sessionLength = 50 * time.Minute
	intakeLength  = 60 * time.Minute
	firstHour     = 8
	spareSlots    = 5  // slots of the grid no seat owns: reschedules go there
	horizonDays   = 21 // sessions are booked about three weeks ahead
)

// course is one episode of one client in one seat.
type course struct {
	client, episode int
	clin            *clinicianPlan
	slot            int
	sc              scenario
	rel             reliability
	freq            string
	firstWeek       int // week of the first session (negative: before the history starts)
	stopWeek        int // no session after this week (active: open-ended)
	reason          string
	tail            []outcome
	recurring       bool
	appts           []int // indexes into planner.appts, in time order
}

type clinicianPlan struct {
	idx, user int
	hours     int   // slots per weekday
	spare     []int // slots no seat owns
	spareUsed map[int]bool
	courses   []*course
}

type planner struct {
	opts   Options
	rng    *rand.Rand
	loc    *time.Location
	policy caseload.Policy
	now    time.Time
	week0  time.Time // local Monday 00:00 of the first week of history
	weeks  int       // weeks of history up to the current week

	users      []userRow
	clinicians []clinicianRow
	clients    []clientRow
	caregivers []caregiverRow
	episodes   []episodeRow
	appts      []apptPlanned
	fills      []apptPlanned // backfilled sessions, written after the ones they fill
	contacts   []contactRow
	docs       []documentRow
	addenda    []documentRow // amend docs, written after them
	requests   []requestRow

	nameSeq    int
	closedSeq  int
	specialSeq int
}

func newPlanner(opts Options) (*planner, error) {
	loc, err := time.LoadLocation(opts.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", opts.TimeZone, err)
	}
	p := &planner{
		opts:   opts,
		rng:    rand.New(rand.NewPCG(uint64(opts.Seed), 0x9e3779b97f4a7c15)),
		loc:    loc,
		policy: caseload.DefaultPolicy(),
		now:    opts.Now.UTC(),
	}
	since := p.now.AddDate(0, 0, -int(opts.Years*365.25))
	l := since.In(loc)
	monday := time.Date(l.Year(), l.Month(), l.Day()-(int(l.Weekday())+6)%7, 0, 0, 0, 0, loc)
	p.week0 = monday
	p.weeks = p.weekOf(p.now)
	return p, nil
}

// weekOf is the index of the week (from week0) t falls in.
func (p *planner) weekOf(t time.Time) int {
	l := t.In(p.loc)
	days := caseload.DaysBetween(time.Date(p.week0.Year(), p.week0.Month(), p.week0.Day(), 0, 0, 0, 0, time.UTC),
		time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC))
	if days < 0 {
		return -((-days + 6) / 7)
	}
	return days / 7
}

// at is local day `day` (0 = Monday of week 0) at hour:minute, as a UTC instant.
func (p *planner) at(day, hour, minute int) time.Time {
	return time.Date(p.week0.Year(), p.week0.Month(), p.week0.Day()+day, hour, minute, 0, 0, p.loc).UTC()
}

// slotStart is when slot s of a clinician's grid falls in week w.
func (p *planner) slotStart(cl *clinicianPlan, w, s int) time.Time {
	return p.at(7*w+s/cl.hours, firstHour+s%cl.hours, 0)
}

func (p *planner) chance(f float64) bool { return p.rng.Float64() < f }

// between returns a duration uniformly in [lo, hi).
func (p *planner) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(p.rng.Int64N(int64(hi-lo)))
}

func pick[T any](p *planner, xs []T) T { return xs[p.rng.IntN(len(xs))] }

func (p *planner) build() error {
	o := p.opts
	p.users = append(p.users, userRow{email: "admin@" + o.EmailDomain, role: "ADMIN", active: true},
		userRow{email: "analyst@" + o.EmailDomain, role: "ANALYST", active: true},
		userRow{email: "former.admin@" + o.EmailDomain, role: "ADMIN", active: false})
	hours := max(9, (o.ActiveClientsPerClinician+spareSlots+4)/5)
	if firstHour+hours > 21 {
		return fmt.Errorf("%d active clients per clinician do not fit a working week", o.ActiveClientsPerClinician)
	}
	var plans []*clinicianPlan
	for c := range o.Clinicians {
		role, supervisor := "CLINICIAN", c-c%8
		if c%8 == 0 {
			role, supervisor = "SUPERVISOR", -1
		}
		p.users = append(p.users, userRow{email: fmt.Sprintf("clinician%02d@%s", c+1, o.EmailDomain), role: role, active: true})
		first, last := p.name()
		mods := make([]string, 0, 3)
		for _, m := range p.rng.Perm(len(modalities))[:2+p.rng.IntN(2)] {
			mods = append(mods, modalities[m])
		}
		p.clinicians = append(p.clinicians, clinicianRow{
			name: first + " " + last, credentials: pick(p, credentials), slots: 30 + p.rng.IntN(11),
			accepting: p.chance(0.7), modalities: mods, supervisor: supervisor, user: len(p.users) - 1,
		})
		plans = append(plans, &clinicianPlan{idx: c, user: len(p.users) - 1, hours: hours, spareUsed: map[int]bool{}})
	}
	// Seats of all clinicians, interleaved, so that the scenarios spread
	// over the practice even when it is small.
	type seat struct {
		cl     *clinicianPlan
		slot   int
		closed int
		sc     scenario
	}
	seats := make([][]*seat, o.Clinicians)
	for c, cl := range plans {
		perm := p.rng.Perm(5 * hours)
		cl.spare = perm[o.ActiveClientsPerClinician:]
		for s := range o.ActiveClientsPerClinician {
			seats[c] = append(seats[c], &seat{cl: cl, slot: perm[s]})
		}
		n := o.ClosedClients / o.Clinicians
		if c < o.ClosedClients%o.Clinicians {
			n++
		}
		for range n {
			seats[c][p.rng.IntN(len(seats[c]))].closed++
		}
	}
	k := 0
	for s := range o.ActiveClientsPerClinician {
		for c := range o.Clinicians {
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
	for c, cl := range plans {
		for _, st := range seats[c] {
			p.planSeat(cl, st.slot, st.closed, st.sc)
		}
		p.backfill(cl)
	}
	for _, cl := range plans {
		for _, co := range cl.courses {
			p.paperwork(co)
			p.contactsOf(co)
		}
	}
	p.clientDates()
	p.waitlist()
	p.newClientRequests()
	return nil
}

// planSeat plans the clients who held one seat: closed ones, then the active one.
func (p *planner) planSeat(cl *clinicianPlan, slot, closed int, sc scenario) {
	// The week the active client's episode began.
	var active int
	switch sc {
	case scNeverSeen:
		active = p.weeks + 1
	case scPlanDraft:
		active = p.weeks - 1 - p.rng.IntN(2)
	case scPlanOverdue:
		active = p.weeks - 6 - p.rng.IntN(2)
	case scReviewOverdue, scRecurring, scRecurringCancels, scRecurringLate, scStruckOut:
		active = p.weeks - 20 - p.rng.IntN(8)
	case scInactive, scWarn, scWarningExpired, scWait:
		active = p.weeks - 16 - p.rng.IntN(20)
	default:
		switch {
		case closed == 0 && p.chance(0.9):
			active = -p.rng.IntN(60) // in care since before the history starts
		case p.chance(0.1):
			active = p.weeks - p.rng.IntN(6) // a new client
		default:
			lo := min(2*closed+2, p.weeks-1)
			active = lo + p.rng.IntN(max(1, p.weeks-lo))
		}
	}
	client := p.newClient(cl, sc)
	// The closed clients before: split the weeks before into their episodes.
	segments := closed
	if sc == scReturner {
		segments++
	}
	if segments > 0 {
		end := active - 1
		if sc == scReturner {
			end = active - 3 // a gap before coming back
		}
		start := min(-p.rng.IntN(8), end-3*segments)
		cuts := make([]int, 0, segments+1)
		cuts = append(cuts, start)
		for i := 1; i < segments; i++ {
			cuts = append(cuts, start+(end-start)*i/segments+p.rng.IntN(3)-1)
		}
		cuts = append(cuts, end)
		for i := range segments {
			from, to := cuts[i], max(cuts[i+1]-1, cuts[i])
			who := -1
			if sc == scReturner && i == segments-1 {
				who = client
			}
			p.closedCourse(cl, slot, from, to, who)
		}
	}
	freq := "WEEKLY"
	if sc == scRegular || sc == scMinor || sc == scBackfill || sc == scReturner {
		freq = p.frequency()
	}
	co := &course{client: client, clin: cl, slot: slot, sc: sc, rel: p.reliability(), freq: freq, firstWeek: active,
		stopWeek: p.weeks + horizonDays/7 + 8, tail: sc.tail()}
	p.clients[client].freq = freq
	switch sc {
	case scInactive:
		co.stopWeek = p.weeks - 6 - p.rng.IntN(5)
	case scWarn:
		co.stopWeek = p.weeks - 6 - p.rng.IntN(3)
	case scWarningExpired:
		co.stopWeek = p.weeks - 8 - p.rng.IntN(4)
	case scWait:
		co.stopWeek = p.weeks - 6
	case scRecurring, scRecurringCancels, scRecurringLate:
		co.recurring = true
		p.clients[client].recurring = true
	case scRegular:
		co.recurring = p.chance(0.15)
		if co.recurring {
			co.tail = scRecurring.tail()
			p.clients[client].recurring = true
		}
	}
	p.runCourse(co, "")
}

// closedCourse plans a closed client's episode in weeks [from, to] of a seat
// (who >= 0: a returning client's earlier episode).
func (p *planner) closedCourse(cl *clinicianPlan, slot, from, to, who int) {
	reasons := []string{"GOALS_MET", "CLIENT_REQUEST", "INACTIVE", "TRANSFERRED", "OTHER", "STRIKES"}
	var reason string
	switch {
	case who >= 0:
		reason = "GOALS_MET"
	case p.closedSeq < len(reasons):
		reason = reasons[p.closedSeq]
	default:
		u := p.rng.Float64()
		switch {
		case u < 0.45:
			reason = "GOALS_MET"
		case u < 0.62:
			reason = "CLIENT_REQUEST"
		case u < 0.77:
			reason = "INACTIVE"
		case u < 0.85:
			reason = "TRANSFERRED"
		case u < 0.92:
			reason = "OTHER"
		default:
			reason = "STRIKES"
		}
	}
	if who < 0 {
		p.closedSeq++
		who = p.newClient(cl, scRegular)
		p.clients[who].status = "CLOSED"
		p.clients[who].freq = p.frequency()
	}
	co := &course{client: who, clin: cl, slot: slot, rel: p.reliability(), freq: p.clients[who].freq,
		firstWeek: from, stopWeek: to, reason: reason}
	switch reason {
	case "STRIKES":
		co.tail = scStruckOut.tail()
	case "INACTIVE":
		co.stopWeek = max(from, to-5)
	}
	p.runCourse(co, reason)
}

func (p *planner) frequency() string {
	u := p.rng.Float64()
	switch {
	case u < 0.85:
		return "WEEKLY"
	case u < 0.95:
		return "BIWEEKLY"
	case u < 0.98:
		return "MONTHLY"
	}
	return "AS_NEEDED"
}

func (p *planner) reliability() reliability {
	u := p.rng.Float64()
	for _, r := range reliabilities {
		if u < r.share {
			return r.r
		}
		u -= r.share
	}
	return reliabilities[0].r
}

// newClient adds a client of clinician cl (status ACTIVE; the caller changes it).
func (p *planner) newClient(cl *clinicianPlan, sc scenario) int {
	first, last := p.name()
	c := clientRow{
		first: first, last: last, clinician: cl.idx, status: "ACTIVE",
		channel:  pick(p, []string{"EMAIL", "PHONE", "PHONE", "TEXT", "TEXT", "PORTAL"}),
		modality: pick(p, modalities),
	}
	minor := sc.minor() || (sc == scRegular && p.chance(0.1))
	today := p.now.In(p.loc)
	if minor {
		c.dob = time.Date(today.Year()-6-p.rng.IntN(11), time.Month(1+p.rng.IntN(12)), 1+p.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	} else if p.chance(0.95) {
		c.dob = time.Date(today.Year()-19-p.rng.IntN(55), time.Month(1+p.rng.IntN(12)), 1+p.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	}
	if p.chance(0.85) {
		c.email = fmt.Sprintf("client%d@example.com", p.nameSeq)
	}
	if p.chance(0.9) {
		c.phone = fmt.Sprintf("+1 555 %03d %04d", p.nameSeq/10000%1000, p.nameSeq%10000)
	}
	if sc == scBackfill || (sc == scRegular && p.chance(0.12)) {
		c.wantsEarlier = true
		if sc == scBackfill || p.chance(0.5) {
			c.availability = p.windows(cl)
		}
	}
	p.clients = append(p.clients, c)
	idx := len(p.clients) - 1
	if minor && sc != scMinorNoCaregiver {
		n := 1 + p.rng.IntN(2)
		for i := range n {
			gFirst, _ := p.name()
			g := caregiverRow{client: idx, name: gFirst + " " + last, relationship: pick(p, []string{"mother", "father", "guardian", "grandparent"}),
				primary: i == 0 && sc != scMinorNoPrimary, consent: p.chance(0.9)}
			if p.chance(0.9) {
				g.phone = fmt.Sprintf("+1 555 %03d %04d", 900+i, p.nameSeq%10000)
			}
			if p.chance(0.6) {
				g.email = fmt.Sprintf("caregiver%d.%d@example.com", p.nameSeq, i)
			}
			p.caregivers = append(p.caregivers, g)
		}
	}
	return idx
}

// windows are one to three weekly windows inside the clinician's hours.
func (p *planner) windows(cl *clinicianPlan) string {
	var ws []caseload.AvailabilityWindow
	for range 1 + p.rng.IntN(3) {
		from := firstHour + p.rng.IntN(cl.hours-1)
		to := from + 2 + p.rng.IntN(4)
		ws = append(ws, caseload.AvailabilityWindow{Weekday: time.Weekday(1 + p.rng.IntN(5)), StartMinute: 60 * from, EndMinute: min(60*to, 60*(firstHour+cl.hours))})
	}
	b, _ := json.Marshal(ws)
	return string(b)
}

func (p *planner) name() (first, last string) {
	p.nameSeq++
	return pick(p, firstNames), pick(p, lastNames)
}

var (
	firstNames = []string{"Avery", "Jordan", "Riley", "Morgan", "Casey", "Quinn", "Harper", "Rowan", "Emerson", "Sage",
		"Maya", "Noah", "Liam", "Olivia", "Emma", "Ava", "Elijah", "Mateo", "Sofia", "Isabella", "Lucas", "Amara",
		"Theo", "Nora", "Ezra", "Leah", "Samir", "Priya", "Kenji", "Lena", "Omar", "Zoe", "Felix", "Iris", "Hugo",
		"Ines", "Tariq", "Yara", "Dmitri", "Keiko"}
	lastNames = []string{"Alvarez", "Bennett", "Chen", "Delgado", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
		"Johansson", "Kowalski", "Lopez", "Mensah", "Nakamura", "Okafor", "Patel", "Quintero", "Rossi", "Silva",
		"Tanaka", "Underwood", "Vasquez", "Weber", "Xu", "Yilmaz", "Zimmerman", "Brooks", "Carter", "Dubois",
		"Ellis", "Novak", "Moreau", "Santos", "Reyes", "Murphy", "Kim", "Singh", "Nguyen", "Hughes", "Foster"}
	credentials = []string{"LCSW", "LPC", "LMFT", "PhD", "PsyD", "LMHC"}
	modalities  = []string{"CBT", "DBT", "ACT", "SFBT", "NARRATIVE", "PSYCHODYNAMIC", "EMDR", "FAMILY_SYSTEMS", "PLAY_THERAPY", "OTHER"}
)
