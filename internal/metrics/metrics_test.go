package metrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/metrics"
	"github.com/caseload/caseload/internal/testdb"
)

// The hand-checked practice, in New York time (EST, UTC-5, all through the
// range; DST begins on 8 March 2026, after it). The range is January and
// February 2026; now is 10 March.
//
// Clinician A (10 weekly slots) sees six WEEKLY clients a1-a6 (a1-a3 CBT,
// a4-a6 SFBT); clinician B (20 slots) four MONTHLY CBT clients b1-b4.
// Episodes open on 1 December 2025 unless said otherwise:
//
//	a5: opened 10 Jan, closed 20 Feb INACTIVE after 2 attended sessions (an early drop-out)
//	a6: opened 15 Jan, closed 25 Feb GOALS_MET after 3 attended sessions
//	b1: opened 1 Oct 2025, 4 sessions attended in November, a no-show on 7 Jan, closed 20 Jan STRIKES
//
// Sessions (January, then February):
//
//	a1: 5, 12, 19, 26 Jan attended, plus 26 Jan 10:00 attended, filled from a2's late cancel; 2, 9 Feb attended
//	a2: 31 Dec 23:00 attended (outside the range: 1 Jan 04:00 UTC);
//	    5 Jan attended, 12 Jan no-show, 19 Jan attended, 26 Jan cancelled by the client 2 h before (late); 2, 9 Feb attended
//	a3: 5, 12, 19 Jan attended, 26 Jan cancelled by the client 48 h before (on time); 2 Feb attended, 9 Feb still SCHEDULED
//	a4: 5, 12 Jan attended, 19 Jan cancelled by the clinician, 26 Jan attended; 2 Feb attended, 9 Feb no-show
//	a5: 19, 26 Jan attended
//	a6: 19, 26 Jan and 2 Feb attended
//	b1: 7 Jan no-show
//	b2: 7 Jan attended, 4 Feb attended
//	b3: 7 Jan attended, 4 Feb no-show
//	b4: 31 Jan 23:00 attended (1 Feb 04:00 UTC: January in New York)
//
// Every attended session in the range has a signed note, this many minutes
// after its end: a1 3, a2 10, a3 60, a4 2880 (two days: late), a5 none
// (missing, past due), a6 4, b* 30. Contacts: a1 OUTBOUND 15 billable
// minutes, a2 INBOUND 10, b2 OUTBOUND 20.
//
// A second practice, with five clients and a session each in January,
// must not show anywhere.

var ny = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func local(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, ny).UTC()
}

type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *ent.Client
	practice int
	author   int
	policy   caseload.Policy
}

type clientSpec struct {
	clinician        int
	frequency        clientprofile.SessionFrequency
	modality         clientprofile.Modality
	opened, closed   time.Time
	reason           episode.CloseReason
	hour             int // the session hour, local
	noteAfterMinutes int // -1: no note
}

type session struct {
	at        time.Time
	status    appointment.Status
	canceled  time.Duration // cancelled this long before the start
	by        appointment.CanceledBy
	filledRef *int // the id of the appointment whose slot this one took
}

func newFixture(t *testing.T, db *database.DB, name string) *fixture {
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	policy := caseload.DefaultPolicy()
	p, err := db.Ent.Practice.Create().SetName(name).SetTimeZone("America/New_York").SetPolicy(policy).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.Ent.User.Create().SetPracticeID(p.ID).SetEmail(name + "@example.test").SetPasswordHash("x").
		SetRole(user.RoleADMIN).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, db: db.Ent, practice: p.ID, author: u.ID, policy: policy}
}

func (f *fixture) clinician(name string, slots int) int {
	c, err := f.db.Clinician.Create().SetPracticeID(f.practice).SetName(name).SetCredentials("LCSW").SetWeeklySlots(slots).Save(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

// client creates the client and its episode; it returns both ids.
func (f *fixture) client(name string, s clientSpec) (clientID, episodeID int) {
	c, err := f.db.ClientProfile.Create().SetPracticeID(f.practice).SetFirstName(name).SetLastName("Zed").
		SetClinicianID(s.clinician).SetSessionFrequency(s.frequency).SetModality(s.modality).
		SetStatus(clientprofile.StatusACTIVE).Save(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	e := f.db.Episode.Create().SetPracticeID(f.practice).SetClientID(c.ID).SetClinicianID(s.clinician).SetOpenedAt(s.opened)
	if !s.closed.IsZero() {
		e.SetClosedAt(s.closed).SetCloseReason(s.reason)
	}
	ep, err := e.Save(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID, ep.ID
}

// sessions books the client's sessions (50 minutes each) and the signed
// notes of the attended ones inside the range; it returns the ids.
func (f *fixture) sessions(s clientSpec, clientID, episodeID int, list ...session) []int {
	var ids []int
	rangeStart, rangeEnd := local(2026, 1, 1, 0, 0), local(2026, 3, 1, 0, 0)
	for _, x := range list {
		a := f.db.Appointment.Create().SetPracticeID(f.practice).SetClientID(clientID).SetClinicianID(s.clinician).
			SetEpisodeID(episodeID).SetStartsAt(x.at).SetEndsAt(x.at.Add(50 * time.Minute)).SetStatus(x.status)
		if x.status == appointment.StatusCANCELED {
			a.SetCanceledBy(x.by).SetCanceledAt(x.at.Add(-x.canceled))
		}
		if x.filledRef != nil {
			a.SetFilledFromID(*x.filledRef)
		}
		row, err := a.Save(f.ctx)
		if err != nil {
			f.t.Fatal(err)
		}
		ids = append(ids, row.ID)
		inRange := !x.at.Before(rangeStart) && x.at.Before(rangeEnd)
		if x.status == appointment.StatusATTENDED && inRange && s.noteAfterMinutes >= 0 {
			signed := row.EndsAt.Add(time.Duration(s.noteAfterMinutes) * time.Minute)
			_, err := f.db.Document.Create().SetPracticeID(f.practice).SetClientID(clientID).SetAuthorID(f.author).
				SetAppointmentID(row.ID).SetKind(document.KindPROGRESS_NOTE).SetBody("note").
				SetStatus(document.StatusSIGNED).SetSignedAt(signed).SetCreatedAt(signed).Save(f.ctx)
			if err != nil {
				f.t.Fatal(err)
			}
		}
	}
	return ids
}

func (f *fixture) contact(clientID, clinicianID int, at time.Time, dir contact.Direction, minutes int) {
	_, err := f.db.Contact.Create().SetPracticeID(f.practice).SetClientID(clientID).SetClinicianID(clinicianID).
		SetChannel(contact.ChannelPHONE).SetDirection(dir).SetPurpose(contact.PurposeCHECK_IN).SetOccurredAt(at).
		SetBillableMinutes(minutes).Save(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
}

func attended(at time.Time) session  { return session{at: at, status: appointment.StatusATTENDED} }
func noShow(at time.Time) session    { return session{at: at, status: appointment.StatusNO_SHOW} }
func scheduled(at time.Time) session { return session{at: at, status: appointment.StatusSCHEDULED} }
func canceled(at time.Time, by appointment.CanceledBy, before time.Duration) session {
	return session{at: at, status: appointment.StatusCANCELED, by: by, canceled: before}
}

type seeded struct {
	practice int
	a, b     int
	policy   caseload.Policy
}

func seed(t *testing.T, db *database.DB) seeded {
	f := newFixture(t, db, "metrics")
	a, b := f.clinician("Dr A", 10), f.clinician("Dr B", 20)
	dec1 := local(2025, 12, 1, 9, 0)
	spec := func(clin int, freq clientprofile.SessionFrequency, mod clientprofile.Modality, hour, note int) clientSpec {
		return clientSpec{clinician: clin, frequency: freq, modality: mod, opened: dec1, hour: hour, noteAfterMinutes: note}
	}
	weekly, monthly := clientprofile.SessionFrequencyWEEKLY, clientprofile.SessionFrequencyMONTHLY
	cbt, sfbt := clientprofile.ModalityCBT, clientprofile.ModalitySFBT
	at := func(m time.Month, d, h int) time.Time { return local(2026, m, d, h, 0) }

	s1 := spec(a, weekly, cbt, 9, 3)
	c1, e1 := f.client("a1", s1)
	s2 := spec(a, weekly, cbt, 10, 10)
	c2, e2 := f.client("a2", s2)
	a2 := f.sessions(s2, c2, e2, session{at: local(2025, 12, 31, 23, 0), status: appointment.StatusATTENDED},
		attended(at(1, 5, 10)), noShow(at(1, 12, 10)), attended(at(1, 19, 10)),
		canceled(at(1, 26, 10), appointment.CanceledByCLIENT, 2*time.Hour),
		attended(at(2, 2, 10)), attended(at(2, 9, 10)))
	lateSlot := a2[4]
	f.sessions(s1, c1, e1, attended(at(1, 5, 9)), attended(at(1, 12, 9)), attended(at(1, 19, 9)), attended(at(1, 26, 9)),
		session{at: at(1, 26, 10), status: appointment.StatusATTENDED, filledRef: &lateSlot},
		attended(at(2, 2, 9)), attended(at(2, 9, 9)))
	s3 := spec(a, weekly, cbt, 11, 60)
	c3, e3 := f.client("a3", s3)
	f.sessions(s3, c3, e3, attended(at(1, 5, 11)), attended(at(1, 12, 11)), attended(at(1, 19, 11)),
		canceled(at(1, 26, 11), appointment.CanceledByCLIENT, 48*time.Hour), attended(at(2, 2, 11)), scheduled(at(2, 9, 11)))
	s4 := spec(a, weekly, sfbt, 12, 2880)
	c4, e4 := f.client("a4", s4)
	f.sessions(s4, c4, e4, attended(at(1, 5, 12)), attended(at(1, 12, 12)),
		canceled(at(1, 19, 12), appointment.CanceledByCLINICIAN, 72*time.Hour), attended(at(1, 26, 12)),
		attended(at(2, 2, 12)), noShow(at(2, 9, 12)))
	s5 := spec(a, weekly, sfbt, 13, -1)
	s5.opened, s5.closed, s5.reason = time.Date(2026, 1, 10, 15, 0, 0, 0, time.UTC), time.Date(2026, 2, 20, 15, 0, 0, 0, time.UTC), episode.CloseReasonINACTIVE
	c5, e5 := f.client("a5", s5)
	f.sessions(s5, c5, e5, attended(at(1, 19, 13)), attended(at(1, 26, 13)))
	s6 := spec(a, weekly, sfbt, 14, 4)
	s6.opened, s6.closed, s6.reason = time.Date(2026, 1, 15, 15, 0, 0, 0, time.UTC), time.Date(2026, 2, 25, 15, 0, 0, 0, time.UTC), episode.CloseReasonGOALS_MET
	c6, e6 := f.client("a6", s6)
	f.sessions(s6, c6, e6, attended(at(1, 19, 14)), attended(at(1, 26, 14)), attended(at(2, 2, 14)))

	sb1 := spec(b, monthly, cbt, 12, 30)
	sb1.opened, sb1.closed, sb1.reason = local(2025, 10, 1, 9, 0), time.Date(2026, 1, 20, 15, 0, 0, 0, time.UTC), episode.CloseReasonSTRIKES
	cb1, eb1 := f.client("b1", sb1)
	f.sessions(sb1, cb1, eb1, attended(local(2025, 11, 3, 12, 0)), attended(local(2025, 11, 10, 12, 0)),
		attended(local(2025, 11, 17, 12, 0)), attended(local(2025, 11, 24, 12, 0)), noShow(at(1, 7, 12)))
	sb2 := spec(b, monthly, cbt, 9, 30)
	cb2, eb2 := f.client("b2", sb2)
	f.sessions(sb2, cb2, eb2, attended(at(1, 7, 9)), attended(at(2, 4, 9)))
	sb3 := spec(b, monthly, cbt, 10, 30)
	cb3, eb3 := f.client("b3", sb3)
	f.sessions(sb3, cb3, eb3, attended(at(1, 7, 10)), noShow(at(2, 4, 10)))
	sb4 := spec(b, monthly, cbt, 11, 30)
	cb4, eb4 := f.client("b4", sb4)
	f.sessions(sb4, cb4, eb4, attended(at(1, 31, 23)))

	f.contact(c1, a, at(1, 20, 15), contact.DirectionOUTBOUND, 15)
	f.contact(c2, a, at(1, 21, 15), contact.DirectionINBOUND, 10)
	f.contact(cb2, b, at(2, 10, 15), contact.DirectionOUTBOUND, 20)

	// Another practice, busy in the same month.
	o := newFixture(t, db, "other")
	oc := o.clinician("Dr O", 30)
	for i := range 5 {
		s := clientSpec{clinician: oc, frequency: weekly, modality: cbt, opened: dec1, noteAfterMinutes: 1}
		id, ep := o.client("o", s)
		o.sessions(s, id, ep, attended(local(2026, 1, 6, 9+i, 0)))
		o.contact(id, oc, local(2026, 1, 6, 15, 0), contact.DirectionOUTBOUND, 100)
	}
	return seeded{practice: f.practice, a: a, b: b, policy: f.policy}
}

func compute(t *testing.T, db *database.DB, s seeded, dims ...metrics.Dimension) *metrics.Report {
	t.Helper()
	rep, err := metrics.Compute(context.Background(), db.Driver, metrics.Request{
		PracticeID: s.practice, Location: ny,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC),
		GroupBy: dims, Policy: s.policy, Now: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// want is the expected figures of a group; nil pointers are expected nil.
type want struct {
	clients, booked, attended            int
	noShow, lateCancel, clientCancel     float64
	lateSlots, backfilled                int
	opened, closed                       int
	reasons                              map[string]int
	median, p75, earlyDropOut, retention *float64
	expected                             float64
	slots                                *int
	utilization                          *float64
	noteMedian, onTime, withinGoal       *float64
	outreach                             int
	backfillRate                         *float64
}

func f64(v float64) *float64 { return &v }
func i(v int) *int           { return &v }

func check(t *testing.T, name string, g *metrics.Group, w want) {
	t.Helper()
	if g == nil {
		t.Fatalf("%s: no group", name)
	}
	if g.Suppressed {
		t.Fatalf("%s: suppressed, want figures", name)
	}
	ints := []struct {
		field string
		got   *int
		want  int
	}{
		{"clients", g.Clients, w.clients}, {"sessionsBooked", g.SessionsBooked, w.booked},
		{"sessionsAttended", g.SessionsAttended, w.attended}, {"lateCanceledSlots", g.LateCanceledSlots, w.lateSlots},
		{"backfilledSlots", g.BackfilledSlots, w.backfilled}, {"episodesOpened", g.EpisodesOpened, w.opened},
		{"episodesClosed", g.EpisodesClosed, w.closed}, {"billableOutreachMinutes", g.BillableOutreachMinutes, w.outreach},
	}
	for _, c := range ints {
		if c.got == nil || *c.got != c.want {
			t.Errorf("%s: %s = %v, want %d", name, c.field, deref(c.got), c.want)
		}
	}
	floats := []struct {
		field string
		got   *float64
		want  *float64
	}{
		{"noShowRate", g.NoShowRate, &w.noShow}, {"lateCancelRate", g.LateCancelRate, &w.lateCancel},
		{"clientCancelRate", g.ClientCancelRate, &w.clientCancel}, {"backfillRate", g.BackfillRate, w.backfillRate},
		{"sessionsPerClosedEpisodeMedian", g.SessionsPerClosedEpisodeMedian, w.median},
		{"sessionsPerClosedEpisodeP75", g.SessionsPerClosedEpisodeP75, w.p75},
		{"earlyDropOutRate", g.EarlyDropOutRate, w.earlyDropOut}, {"retentionRate", g.RetentionRate, w.retention},
		{"expectedWeeklySessions", g.ExpectedWeeklySessions, &w.expected},
		{"caseloadUtilization", g.CaseloadUtilization, w.utilization},
		{"noteMinutesMedian", g.NoteMinutesMedian, w.noteMedian},
		{"notesOnTimeRate", g.NotesOnTimeRate, w.onTime}, {"notesWithinGoalRate", g.NotesWithinGoalRate, w.withinGoal},
	}
	for _, c := range floats {
		switch {
		case c.want == nil && c.got != nil:
			t.Errorf("%s: %s = %v, want null", name, c.field, *c.got)
		case c.want != nil && (c.got == nil || math.Abs(*c.got-*c.want) > 0.001):
			t.Errorf("%s: %s = %v, want %v", name, c.field, derefF(c.got), *c.want)
		}
	}
	if (g.WeeklySlots == nil) != (w.slots == nil) || (g.WeeklySlots != nil && *g.WeeklySlots != *w.slots) {
		t.Errorf("%s: weeklySlots = %v, want %v", name, deref(g.WeeklySlots), deref(w.slots))
	}
	got := map[string]int{}
	for _, r := range g.ClosedByReason {
		got[r.Reason] = r.Count
	}
	if len(got) != len(w.reasons) {
		t.Errorf("%s: closedByReason = %v, want %v", name, got, w.reasons)
	}
	for r, n := range w.reasons {
		if got[r] != n {
			t.Errorf("%s: closedByReason[%s] = %d, want %d", name, r, got[r], n)
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return "null"
	}
	return *p
}

func derefF(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}

// Figures worked out by hand from the data set above.
var (
	// Caseload (rule 9) over 1 Jan 05:00 UTC - 1 Mar 05:00 UTC, 59 days:
	// A: a1 1, a2 4/6, a3 1, a4 4/5, a5 and a6 open 41 of 59 days with
	// full attendance; B (monthly, 12/52): b1 attended 0 of 1, b2 1,
	// b3 1/2, b4 1.
	expectedA = 1 + 4.0/6 + 1 + 0.8 + 41.0/59 + 41.0/59
	expectedB = 12.0 / 52 * (1 + 0.5 + 1)

	totalWant = want{
		clients: 10, booked: 36, attended: 28,
		noShow: 4.0 / 34, lateCancel: 1.0 / 34, clientCancel: 2.0 / 34,
		lateSlots: 1, backfilled: 1, backfillRate: f64(1),
		opened: 2, closed: 3, reasons: map[string]int{"INACTIVE": 1, "STRIKES": 1, "GOALS_MET": 1},
		// attended per closed episode: a5 2, a6 3, b1 4.
		median: f64(3), p75: f64(3.5), earlyDropOut: f64(1.0 / 3), retention: f64(0.5),
		expected: expectedA + expectedB, slots: i(30), utilization: f64((expectedA + expectedB) / 30),
		// 26 signed notes of 28 due: 7 at 3 min, 3 at 4, 4 at 10, 4 at 30, 4 at 60, 4 at 2880.
		noteMedian: f64(10), onTime: f64(22.0 / 28), withinGoal: f64(10.0 / 28),
		outreach: 35,
	}
)

func TestHandChecked(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		db := testdb.Open(t, dialectName, testdb.Options{})
		s := seed(t, db)

		t.Run("total", func(t *testing.T) {
			rep := compute(t, db, s)
			if len(rep.Groups) != 1 {
				t.Fatalf("ungrouped: %d groups, want the whole range as one", len(rep.Groups))
			}
			check(t, "total", rep.Total, totalWant)
			check(t, "the one group", rep.Groups[0], totalWant)
		})

		t.Run("by month", func(t *testing.T) {
			rep := compute(t, db, s, metrics.Month)
			check(t, "total", rep.Total, totalWant)
			if len(rep.Groups) != 2 {
				t.Fatalf("%d groups, want January and February", len(rep.Groups))
			}
			jan, feb := rep.Groups[0], rep.Groups[1]
			if !jan.Month.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || !feb.Month.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) {
				t.Fatalf("months %v, %v", jan.Month, feb.Month)
			}
			// January in New York: a2's 31 Dec 23:00 is out, b4's 31 Jan 23:00 is in.
			if *jan.SessionsBooked != 25 || *jan.SessionsAttended != 20 || *feb.SessionsBooked != 11 || *feb.SessionsAttended != 8 {
				t.Errorf("booked/attended: January %d/%d, February %d/%d; want 25/20, 11/8",
					*jan.SessionsBooked, *jan.SessionsAttended, *feb.SessionsBooked, *feb.SessionsAttended)
			}
			// February: b1's episode closed in January; b4 has no session but an open episode.
			if *jan.Clients != 10 || *feb.Clients != 9 {
				t.Errorf("clients: January %d, February %d; want 10, 9", *jan.Clients, *feb.Clients)
			}
			if *jan.EpisodesOpened != 2 || *feb.EpisodesOpened != 0 || *jan.EpisodesClosed != 1 || *feb.EpisodesClosed != 2 {
				t.Errorf("episodes opened %d/%d closed %d/%d; want 2/0 and 1/2",
					*jan.EpisodesOpened, *feb.EpisodesOpened, *jan.EpisodesClosed, *feb.EpisodesClosed)
			}
			if jan.RetentionRate == nil || *jan.RetentionRate != 0.5 || feb.RetentionRate != nil {
				t.Errorf("retention: January %v, February %v; want 0.5 and null (nothing opened)", derefF(jan.RetentionRate), derefF(feb.RetentionRate))
			}
			if *jan.BillableOutreachMinutes != 15 || *feb.BillableOutreachMinutes != 20 {
				t.Errorf("outreach: %d, %d; want 15, 20", *jan.BillableOutreachMinutes, *feb.BillableOutreachMinutes)
			}
		})

		t.Run("by clinician: a group of four clients is suppressed", func(t *testing.T) {
			rep := compute(t, db, s, metrics.Clinician)
			check(t, "total", rep.Total, totalWant)
			if len(rep.Groups) != 2 {
				t.Fatalf("%d groups, want 2", len(rep.Groups))
			}
			ga, gb := rep.Groups[0], rep.Groups[1]
			if ga.ClinicianID != s.a || gb.ClinicianID != s.b {
				t.Fatalf("clinicians %d, %d; want %d, %d", ga.ClinicianID, gb.ClinicianID, s.a, s.b)
			}
			check(t, "A", ga, want{
				clients: 6, booked: 30, attended: 24,
				noShow: 2.0 / 28, lateCancel: 1.0 / 28, clientCancel: 2.0 / 28,
				lateSlots: 1, backfilled: 1, backfillRate: f64(1),
				opened: 2, closed: 2, reasons: map[string]int{"INACTIVE": 1, "GOALS_MET": 1},
				median: f64(2.5), p75: f64(2.75), earlyDropOut: f64(0.5), retention: f64(0.5),
				expected: expectedA, slots: i(10), utilization: f64(expectedA / 10),
				// 22 signed of 24: 7 at 3, 3 at 4, 4 at 10, 4 at 60, 4 at 2880.
				noteMedian: f64(10), onTime: f64(18.0 / 24), withinGoal: f64(10.0 / 24),
				outreach: 15,
			})
			if !gb.Suppressed || gb.Clients != nil || gb.SessionsBooked != nil || gb.NoShowRate != nil ||
				gb.ClosedByReason != nil || gb.WeeklySlots != nil || gb.ExpectedWeeklySessions != nil {
				t.Errorf("B: %+v; want suppressed with every figure null", gb)
			}
		})

		t.Run("by modality and frequency", func(t *testing.T) {
			rep := compute(t, db, s, metrics.Frequency, metrics.Modality) // any order in, canonical out
			if len(rep.GroupBy) != 2 || rep.GroupBy[0] != metrics.Modality || rep.GroupBy[1] != metrics.Frequency {
				t.Fatalf("groupBy %v", rep.GroupBy)
			}
			got := map[string]*metrics.Group{}
			for _, g := range rep.Groups {
				got[g.Modality+"/"+g.Frequency] = g
			}
			if len(got) != 3 {
				t.Fatalf("groups %v; want CBT/WEEKLY, CBT/MONTHLY, SFBT/WEEKLY", got)
			}
			if g := got["CBT/WEEKLY"]; g == nil || !g.Suppressed {
				t.Errorf("CBT/WEEKLY (3 clients) not suppressed")
			}
			if g := got["SFBT/WEEKLY"]; g == nil || !g.Suppressed {
				t.Errorf("SFBT/WEEKLY (3 clients) not suppressed")
			}
			if g := got["CBT/MONTHLY"]; g == nil || !g.Suppressed {
				t.Errorf("CBT/MONTHLY (4 clients) not suppressed")
			}
			if rep.Total.WeeklySlots == nil || *rep.Total.WeeklySlots != 30 {
				t.Errorf("total weekly slots %v, want 30", deref(rep.Total.WeeklySlots))
			}
			rep = compute(t, db, s, metrics.Frequency)
			for _, g := range rep.Groups {
				switch g.Frequency {
				case "WEEKLY":
					if g.Suppressed || *g.Clients != 6 || g.WeeklySlots != nil || g.CaseloadUtilization != nil ||
						math.Abs(*g.ExpectedWeeklySessions-expectedA) > 0.01 {
						t.Errorf("WEEKLY: %+v; want 6 clients, expected %.2f, no slots", g, expectedA)
					}
				case "MONTHLY":
					if !g.Suppressed {
						t.Errorf("MONTHLY (4 clients) not suppressed")
					}
				default:
					t.Errorf("unexpected frequency %q", g.Frequency)
				}
			}
		})

		t.Run("a range with no data", func(t *testing.T) {
			rep, err := metrics.Compute(context.Background(), db.Driver, metrics.Request{
				PracticeID: s.practice, Location: ny, From: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
				To: time.Date(2030, 12, 31, 0, 0, 0, 0, time.UTC), GroupBy: []metrics.Dimension{metrics.Month},
				Policy: s.policy, Now: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC),
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Groups) != 0 || !rep.Total.Suppressed {
				t.Errorf("future range: %d groups, total suppressed %v; want none and true", len(rep.Groups), rep.Total.Suppressed)
			}
		})
	})
}

func TestRequestErrors(t *testing.T) {
	db := testdb.Open(t, "sqlite3", testdb.Options{})
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name     string
		from, to time.Time
		dims     []metrics.Dimension
		field    string
	}{
		{"to before from", day(2026, 2, 1), day(2026, 1, 31), nil, "to"},
		{"over three years", day(2023, 1, 1), day(2026, 1, 3), nil, "to"},
		{"unknown dimension", day(2026, 1, 1), day(2026, 1, 31), []metrics.Dimension{"WEEKDAY"}, "groupBy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := metrics.Compute(context.Background(), db.Driver, metrics.Request{
				PracticeID: 1, From: tc.from, To: tc.to, GroupBy: tc.dims, Policy: caseload.DefaultPolicy(), Now: time.Now(),
			})
			var ie *caseload.Error
			if !errors.As(err, &ie) || ie.Code != caseload.CodeBadUserInput || ie.Field != tc.field {
				t.Fatalf("error %v; want BAD_USER_INPUT on %s", err, tc.field)
			}
		})
	}
	// Three years to the day is allowed; one day is too.
	for _, r := range [][2]time.Time{{day(2023, 1, 1), day(2025, 12, 31)}, {day(2026, 1, 1), day(2026, 1, 1)}} {
		if _, err := metrics.Compute(context.Background(), db.Driver, metrics.Request{
			PracticeID: 1, From: r[0], To: r[1], GroupBy: []metrics.Dimension{metrics.Month}, Policy: caseload.DefaultPolicy(), Now: time.Now(),
		}); err != nil {
			t.Errorf("%v - %v: %v", r[0], r[1], err)
		}
	}
}

// Reports asked for at once (more than MaxConcurrent: the rest wait their
// turn) all come out as the one computed alone; on PostgreSQL each reads on
// Workers connections sharing one snapshot.
func TestConcurrentReportsAgree(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		db := testdb.Open(t, dialectName, testdb.Options{})
		s := seed(t, db)
		show := func(rep *metrics.Report) string {
			b, err := json.Marshal(rep)
			if err != nil {
				return err.Error()
			}
			return string(b)
		}
		want := show(compute(t, db, s, metrics.Month, metrics.Clinician))
		n := 3 * metrics.MaxConcurrent
		got := make(chan string, n)
		for range n {
			go func() {
				rep, err := metrics.Compute(context.Background(), db.Driver, metrics.Request{
					PracticeID: s.practice, Location: ny,
					From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC),
					GroupBy: []metrics.Dimension{metrics.Month, metrics.Clinician}, Policy: s.policy, Now: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC),
				})
				if err != nil {
					got <- err.Error()
					return
				}
				got <- show(rep)
			}()
		}
		for range n {
			if g := <-got; g != want {
				t.Fatalf("a concurrent report differs:\n%s\nwant\n%s", g, want)
			}
		}
	})
}
