// Package fakepractice makes up a psychotherapy practice: the demo practice
// a newcomer explores (go run ./server -demo) and the large practice the
// benchmark measures (cmd/caseload-gen, cmd/caseload-bench). Either shows
// at least one case of every rule of SPEC.md.
//
// A practice is planned in memory first, with no database, so that it can be
// shaped after the fact (strike counts, tails of sessions), and is then
// written by one of two writers: Seed goes through ent, so that its hooks
// and privacy rules run as for any write; Load writes in bulk (COPY on
// PostgreSQL, multi-row INSERTs on SQLite), in the form ent writes, for a
// practice too large for ent's per-row hooks.
//
// The data is made up and deterministic for a given Options: names, dates
// and outcomes come from a seeded generator, and every date is computed from
// Options.Now, so that the practice always looks current.
package fakepractice

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
	_ "time/tzdata" // the practice's zone must load on a host without zoneinfo too

	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
)

// Password is the password of every made-up login.
const Password = "caseload-demo"

// Options say which practice to make.
type Options struct {
	// Size is the practice's size: Demo (the zero Size) or a generated
	// practice such as Large.
	Size Size
	// Seed makes the data: the same Options give the same rows.
	Seed int64
	// Now is the clock: the history ends here, bookings run about three
	// weeks past it. Zero: the current hour.
	Now time.Time
	// EmailDomain is the domain of the logins, which are unique across
	// practices: another one writes a second practice beside the first.
	// Empty: demo.example for the demo, bench.example otherwise.
	EmailDomain string
}

// Size is how large a practice to make. The zero Size is the demo practice,
// cast by hand: four clinicians, one per login, about 160 clients with a
// year of history. Any other Size is a generated practice of that many
// clinicians (each with a login) and clients.
type Size struct {
	// Clinicians in the practice.
	Clinicians int
	// ActiveClientsPerClinician is each clinician's caseload today.
	ActiveClientsPerClinician int
	// ClosedClients are spread over the clinicians' history.
	ClosedClients int
	// WaitlistClients wait for a clinician.
	WaitlistClients int
	// Years of history before Now (fractions allowed: 0.5 is six months).
	Years float64
}

var (
	// Demo is the hand-cast demo practice.
	Demo = Size{}
	// Large is the practice of the benchmark (issue 7): two years of
	// about 250,000 sessions.
	Large = Size{Clinicians: 40, ActiveClientsPerClinician: 55, ClosedClients: 3000, WaitlistClients: 40, Years: 2}
)

// Login is one user of a made-up practice (every one's password is Password).
type Login struct{ Email, Role string }

// DemoLogins are the demo practice's users, one per role.
var DemoLogins = []Login{
	{"admin@demo.example", "ADMIN"},
	{"clinician@demo.example", "CLINICIAN"},
	{"supervisor@demo.example", "SUPERVISOR"},
	{"analyst@demo.example", "ANALYST"},
}

// timeZone is every made-up practice's zone.
const timeZone = "America/New_York"

// TimeZone is the IANA zone of every made-up practice.
func TimeZone() string { return timeZone }

func (o Options) withDefaults() (Options, error) {
	s := o.Size
	if s != Demo && (s.Clinicians < 1 || s.ActiveClientsPerClinician < 1 || s.ClosedClients < 0 || s.WaitlistClients < 0 || s.Years <= 0) {
		return o, errors.New("clinicians and clients per clinician must be positive, closed and waitlist clients not negative, years positive")
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC().Truncate(time.Hour)
	}
	if o.EmailDomain == "" {
		o.EmailDomain = "bench.example"
		if s == Demo {
			o.EmailDomain = "demo.example"
		}
	}
	return o, nil
}

// plan is a practice in memory: the practice's own fields, its people and
// their histories. References between records are pointers; each writer
// fills in the ids.
type plan struct {
	practiceName string
	since        time.Time // when the practice, its users and clinicians were created
	policy       caseload.Policy
	users        []*userPlan // the first is an admin: they enter notes of clinicians without a login
	clinicians   []*clinicianPlan
	clients      []*clientPlan
	requests     []*requestPlan
	audit        string // the action of the audit event recording the practice's creation
}

type userPlan struct {
	email, role string
	active      bool
	id          int
}

type requestPlan struct {
	clin            *clinicianPlan
	count, assigned int
	note            string
	status          string // OPEN, FULFILLED or CANCELED
	createdAt       time.Time
	updatedAt       time.Time
	closedAt        *time.Time
	id              int
}

// planner holds what planning needs beyond the plan: the clock, the
// calendar and the random source.
type planner struct {
	plan
	opts    Options
	now     time.Time // UTC, whole minutes
	loc     *time.Location
	today   time.Time // civil date (midnight UTC) of now in the practice's zone
	r       *rand.Rand
	names   map[string]bool
	emails  map[string]bool
	seriesN int

	// What sets the practices apart.
	frequencies     frequencyMix // how often clients come
	addendaCount    int          // progress notes corrected by an addendum
	loggedReminders float64      // share of reminders logged as contacts

	// The demo practice.
	nextBiz  time.Time // the next business day after today
	recent   time.Time // sessions since then may still wait for attendance to be recorded
	snowDay  time.Time // a past business day the office was closed
	holidays map[time.Time]bool
	signedIn *clinicianPlan // clinician@'s profile, whose screens must show every rule
	under    *clinicianPlan // the clinician short of clients, who asks intake for more

	// The generated practice.
	week0     time.Time // civil date of the Monday of the first week of history
	weeks     int       // weeks of history up to the current week
	closedSeq int       // closed clients so far (the first ones take every close reason)
}

// The random source is one PCG stream; the seed picks the place in it
// (the demo practice is seed 0).
const seedBase, seedStream = 0x5eed_ca5e_10ad, 0xdec0_de00_2026

// prepare plans the practice of opts for a writer, with the password hash
// of its logins (one bcrypt hash for all, before any write lock is taken:
// hashing is slow on purpose).
func prepare(opts Options) (*planner, string, *Stats, error) {
	began := time.Now()
	p, err := makePlan(opts)
	if err != nil {
		return nil, "", nil, fmt.Errorf("fakepractice: %w", err)
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, "", nil, fmt.Errorf("fakepractice: hashing the password: %w", err)
	}
	return p, hash, &Stats{Planning: time.Since(began), Logins: p.logins()}, nil
}

// makePlan plans the practice of opts.
func makePlan(opts Options) (*planner, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		return nil, fmt.Errorf("loading time zone %s: %w", timeZone, err)
	}
	p := &planner{
		plan:  plan{policy: caseload.DefaultPolicy()},
		opts:  opts,
		now:   opts.Now.UTC().Truncate(time.Minute),
		loc:   loc,
		r:     rand.New(rand.NewPCG(uint64(opts.Seed)^seedBase, seedStream)),
		names: map[string]bool{}, emails: map[string]bool{},
	}
	p.today = p.civil(p.now)
	p.holidays = map[time.Time]bool{}
	years := int(opts.Size.Years) + 1
	for y := p.today.Year() - years; y <= p.today.Year()+1; y++ {
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
	if opts.Size == Demo {
		p.snowDay = p.today.AddDate(0, 0, -50)
		for !p.workday(p.snowDay) {
			p.snowDay = p.snowDay.AddDate(0, 0, 1)
		}
		p.buildDemo()
	} else if err := p.buildGenerated(); err != nil {
		return nil, err
	}
	return p, nil
}

// history is the plan's records below the clients, in the order they are
// written: a record before those that point at it.
type history struct {
	caregivers []caregiverOf
	episodes   []*episodePlan
	appts      []*apptPlan
	fills      []*apptPlan // backfilled sessions, after the cancelled ones they point at
	contacts   []*contactPlan
	docs       []*docPlan
	addenda    []*docPlan // after the documents they amend
}

type caregiverOf struct {
	client *clientPlan
	*caregiverPlan
}

func (p *plan) history() history {
	var h history
	for _, c := range p.clients {
		for _, g := range c.caregivers {
			h.caregivers = append(h.caregivers, caregiverOf{c, g})
		}
		h.episodes = append(h.episodes, c.episodes...)
		h.appts, h.fills = split(h.appts, h.fills, c.appts, func(a *apptPlan) bool { return a.filledFrom == nil })
		h.contacts = append(h.contacts, c.contacts...)
		h.docs, h.addenda = split(h.docs, h.addenda, c.docs, func(d *docPlan) bool { return d.amends == nil })
	}
	return h
}

// split appends each of xs to yes or to no.
func split[T any](yes, no, xs []T, ok func(T) bool) ([]T, []T) {
	for _, x := range xs {
		if ok(x) {
			yes = append(yes, x)
		} else {
			no = append(no, x)
		}
	}
	return yes, no
}

// author is the user who wrote a document: its clinician's, or the admin's
// for a clinician without a login.
func (p *plan) author(d *docPlan) *userPlan {
	if d.clin.user != nil {
		return d.clin.user
	}
	return p.users[0]
}

func (p *plan) auditDetail() string {
	return fmt.Sprintf("made up %d clinicians, %d clients", len(p.clinicians), len(p.clients))
}

func (p *plan) logins() []Login {
	ls := make([]Login, len(p.users))
	for i, u := range p.users {
		ls[i] = Login{Email: u.email, Role: u.role}
	}
	return ls
}
