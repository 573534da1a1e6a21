package generate_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/ent/newclientrequest"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/generate"
	"github.com/caseload/caseload/internal/testdb"
)

// testNow is a Tuesday, 11:00 in New York, two days after the switch to daylight time.
var testNow = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

var small = generate.Options{
	Seed: 7, Clinicians: 3, ActiveClientsPerClinician: 8, ClosedClients: 20, WaitlistClients: 4, Years: 0.5, Now: testNow,
}

// allow reads without a signed-in viewer, as the generator writes.
func allow() context.Context { return privacy.DecisionContext(context.Background(), privacy.Allow) }

func TestRun(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect string) {
		db := testdb.Open(t, dialect, testdb.Options{})
		stats, err := generate.Run(context.Background(), db, small)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		w := load(t, db.Client)
		t.Logf("%s: %v", dialect, stats.Tables)

		t.Run("counts", func(t *testing.T) { checkCounts(t, db, w, stats) })
		t.Run("time format", func(t *testing.T) {
			// A range query compares the stored text on SQLite: it must
			// agree with the instants read back.
			want := 0
			for _, a := range w.appts {
				if !a.StartsAt.Before(testNow) {
					want++
				}
			}
			got, err := db.Client.Appointment.Query().Where(appointment.StartsAtGTE(testNow)).Count(allow())
			if err != nil || got != want || want == 0 {
				t.Errorf("appointments from now: query says %d (%v), rows say %d", got, err, want)
			}
			for _, a := range w.appts {
				if a.StartsAt.Location() != time.UTC && a.StartsAt.Format("-0700") != "+0000" {
					t.Fatalf("appointment %d starts at %v: not UTC", a.ID, a.StartsAt)
				}
			}
		})
		t.Run("no double booking", func(t *testing.T) { checkOverlaps(t, w) })
		t.Run("rules", func(t *testing.T) { checkRules(t, w) })
		t.Run("ent writes after", func(t *testing.T) {
			c := w.clients[0]
			k, err := db.Client.Contact.Create().SetPracticeID(c.PracticeID).SetClientID(c.ID).SetChannel("PHONE").
				SetDirection("OUTBOUND").SetPurpose("OTHER").SetOccurredAt(testNow).Save(allow())
			if err != nil {
				t.Fatalf("creating a contact through ent: %v", err)
			}
			if k.ID>>32 != w.contactIDs[0]>>32 || k.ID <= w.contactIDs[len(w.contactIDs)-1] {
				t.Errorf("new contact id %d does not follow the generated ones (%d..%d)", k.ID, w.contactIDs[0], w.contactIDs[len(w.contactIDs)-1])
			}
		})
		t.Run("deterministic", func(t *testing.T) {
			again := testdb.Open(t, dialect, testdb.Options{})
			if _, err := generate.Run(context.Background(), again, small); err != nil {
				t.Fatalf("Run: %v", err)
			}
			other := small
			other.Seed++
			different := testdb.Open(t, dialect, testdb.Options{})
			if _, err := generate.Run(context.Background(), different, other); err != nil {
				t.Fatalf("Run: %v", err)
			}
			a, b, c := digest(t, db.Client), digest(t, again.Client), digest(t, different.Client)
			if a != b {
				t.Errorf("the same seed gave different appointments: %s vs %s", a, b)
			}
			if a == c {
				t.Errorf("seeds %d and %d gave the same appointments", small.Seed, other.Seed)
			}
		})
		t.Run("a second practice", func(t *testing.T) {
			second := small
			second.EmailDomain = "second.example"
			if _, err := generate.Run(context.Background(), db, second); err != nil {
				t.Fatalf("Run into a database with a practice: %v", err)
			}
			if _, err := generate.Run(context.Background(), db, second); err == nil {
				t.Error("a third practice with the same logins was written")
			}
		})
	})
}

type world struct {
	practice   *ent.Practice
	users      []*ent.User
	clinicians []*ent.Clinician
	clients    []*ent.ClientProfile
	appts      []*ent.Appointment
	contactIDs []int
	histories  map[int]*caseload.History
	clinician  map[int]int // client -> clinician
	weekly     map[int]int // clinician -> weekly slots
	requests   []*ent.NewClientRequest
	reasons    map[string]int // close reason -> closed episodes
}

func load(t *testing.T, c *ent.Client) *world {
	t.Helper()
	ctx := allow()
	w := &world{histories: map[int]*caseload.History{}, clinician: map[int]int{}, weekly: map[int]int{}, reasons: map[string]int{}}
	w.practice = c.Practice.Query().OnlyX(ctx)
	w.users = c.User.Query().AllX(ctx)
	w.clinicians = c.Clinician.Query().AllX(ctx)
	for _, cl := range w.clinicians {
		w.weekly[cl.ID] = cl.WeeklySlots
	}
	w.clients = c.ClientProfile.Query().Order(ent.Asc(clientprofile.FieldID)).AllX(ctx)
	for _, cp := range w.clients {
		h := &caseload.History{Client: caseload.Client{ID: cp.ID, Status: string(cp.Status), SessionFrequency: string(cp.SessionFrequency),
			WantsEarlier: cp.WantsEarlierAppointment, Availability: cp.Availability, RecurringPrivilege: cp.RecurringPrivilege}}
		if cp.DateOfBirth != nil {
			h.Client.DateOfBirth = *cp.DateOfBirth
		}
		if cp.ClinicianID != nil {
			h.Client.ClinicianID = *cp.ClinicianID
			w.clinician[cp.ID] = *cp.ClinicianID
		}
		w.histories[cp.ID] = h
	}
	for _, e := range c.Episode.Query().AllX(ctx) {
		ep := caseload.Episode{ID: e.ID, OpenedAt: e.OpenedAt}
		if e.ClosedAt != nil {
			ep.ClosedAt = *e.ClosedAt
			w.reasons[string(ptr(e.CloseReason).(episode.CloseReason))]++
		}
		w.histories[e.ClientID].Episodes = append(w.histories[e.ClientID].Episodes, ep)
	}
	w.appts = c.Appointment.Query().Order(ent.Asc(appointment.FieldID)).AllX(ctx)
	for _, a := range w.appts {
		ca := caseload.Appointment{ID: a.ID, ClientID: a.ClientID, ClinicianID: a.ClinicianID, Start: a.StartsAt, End: a.EndsAt,
			Kind: string(a.Kind), Status: string(a.Status), Excused: a.Excused}
		if a.EpisodeID != nil {
			ca.EpisodeID = *a.EpisodeID
		}
		if a.MinutesLate != nil {
			ca.MinutesLate = *a.MinutesLate
		}
		if a.CanceledBy != nil {
			ca.CanceledBy = string(*a.CanceledBy)
		}
		ca.CanceledAt = deref(a.CanceledAt)
		ca.ConfirmedAt = deref(a.ConfirmedAt)
		ca.ReminderSentAt = deref(a.ReminderSentAt)
		if a.SeriesID != nil {
			ca.SeriesID = *a.SeriesID
		}
		w.histories[a.ClientID].Appointments = append(w.histories[a.ClientID].Appointments, ca)
	}
	for _, k := range c.Contact.Query().AllX(ctx) {
		w.contactIDs = append(w.contactIDs, k.ID)
		ck := caseload.Contact{ID: k.ID, At: k.OccurredAt, Direction: string(k.Direction), Purpose: string(k.Purpose), BillableMinutes: k.BillableMinutes}
		ck.CloseBy = deref(k.CloseBy)
		w.histories[k.ClientID].Contacts = append(w.histories[k.ClientID].Contacts, ck)
	}
	sort.Ints(w.contactIDs)
	for _, d := range c.Document.Query().AllX(ctx) {
		cd := caseload.Document{ID: d.ID, Kind: string(d.Kind), Status: string(d.Status), CreatedAt: d.CreatedAt, SignedAt: deref(d.SignedAt)}
		if d.AppointmentID != nil {
			cd.AppointmentID = *d.AppointmentID
		}
		if d.ContactID != nil {
			cd.ContactID = *d.ContactID
		}
		w.histories[d.ClientID].Documents = append(w.histories[d.ClientID].Documents, cd)
	}
	for _, g := range c.Caregiver.Query().AllX(ctx) {
		w.histories[g.ClientID].Caregivers = append(w.histories[g.ClientID].Caregivers,
			caseload.Caregiver{ID: g.ID, IsPrimary: g.IsPrimary, ConsentToContact: g.ConsentToContact})
	}
	w.requests = c.NewClientRequest.Query().AllX(ctx)
	return w
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func checkCounts(t *testing.T, db *database.DB, w *world, stats generate.Stats) {
	status := map[clientprofile.Status]int{}
	for _, c := range w.clients {
		status[c.Status]++
	}
	want := map[clientprofile.Status]int{
		clientprofile.StatusACTIVE:   small.Clinicians * small.ActiveClientsPerClinician,
		clientprofile.StatusCLOSED:   small.ClosedClients,
		clientprofile.StatusWAITLIST: small.WaitlistClients,
	}
	for s, n := range want {
		if status[s] != n {
			t.Errorf("%s clients = %d, want %d", s, status[s], n)
		}
	}
	if len(w.clinicians) != small.Clinicians {
		t.Errorf("clinicians = %d, want %d", len(w.clinicians), small.Clinicians)
	}
	active := map[int]int{}
	for _, c := range w.clients {
		if c.Status == clientprofile.StatusACTIVE {
			active[*c.ClinicianID]++
		}
	}
	for _, cl := range w.clinicians {
		if active[cl.ID] != small.ActiveClientsPerClinician {
			t.Errorf("clinician %d has %d active clients, want %d", cl.ID, active[cl.ID], small.ActiveClientsPerClinician)
		}
	}
	roles := map[string]int{}
	for _, u := range w.users {
		roles[string(u.Role)]++
	}
	if roles["ADMIN"] < 1 || roles["ANALYST"] != 1 || roles["SUPERVISOR"] < 1 || roles["CLINICIAN"]+roles["SUPERVISOR"] != small.Clinicians {
		t.Errorf("roles = %v", roles)
	}
	if !auth.CheckPassword(w.users[0].PasswordHash, generate.DefaultOptions().Password) {
		t.Error("the known password does not open the first login")
	}
	for _, tc := range stats.Tables {
		var n int
		if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM ` + tc.Table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != tc.Rows {
			t.Errorf("%s: %d rows, stats say %d", tc.Table, n, tc.Rows)
		}
		var other int
		if err := db.SQL.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE %s <> %d`, tc.Table, practiceColumn(tc.Table), stats.PracticeID)).Scan(&other); err != nil {
			t.Fatal(err)
		}
		if other != 0 {
			t.Errorf("%s: %d rows outside the practice", tc.Table, other)
		}
	}
	if len(w.appts) != stats.Rows("appointments") || len(w.appts) < 300 {
		t.Errorf("ent reads %d appointments, stats say %d", len(w.appts), stats.Rows("appointments"))
	}
}

func practiceColumn(table string) string {
	if table == "practices" {
		return "id"
	}
	return "practice_id"
}

func checkOverlaps(t *testing.T, w *world) {
	type key struct {
		what string
		id   int
	}
	booked := map[key][]*ent.Appointment{}
	for _, a := range w.appts {
		if !a.EndsAt.After(a.StartsAt) {
			t.Errorf("appointment %d ends before it starts", a.ID)
		}
		if a.Status != appointment.StatusCANCELED {
			booked[key{"clinician", a.ClinicianID}] = append(booked[key{"clinician", a.ClinicianID}], a)
			booked[key{"client", a.ClientID}] = append(booked[key{"client", a.ClientID}], a)
		}
	}
	for k, as := range booked {
		sort.Slice(as, func(i, j int) bool { return as[i].StartsAt.Before(as[j].StartsAt) })
		for i := 1; i < len(as); i++ {
			if as[i].StartsAt.Before(as[i-1].EndsAt) {
				t.Errorf("%s %d is double-booked: appointments %d and %d", k.what, k.id, as[i-1].ID, as[i].ID)
			}
		}
	}
}

// checkRules evaluates the project's own rules over the generated histories
// and counts what each recommends: every rule must show.
func checkRules(t *testing.T, w *world) {
	r, err := caseload.NewRules(w.practice.Policy, w.practice.TimeZone, testNow)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	byClinician := map[int][]*caseload.History{}
	for _, c := range w.clients {
		h := w.histories[c.ID]
		if c.Status != clientprofile.StatusACTIVE {
			continue
		}
		byClinician[h.Client.ClinicianID] = append(byClinician[h.Client.ClinicianID], h)
		rec := r.Termination(h)
		seen["termination "+rec.Action+" "+rec.Reason]++
		if r.StrikeCount(h) >= r.Policy.StrikeLimit {
			seen["strikes at limit"]++
		}
		act := r.Activity(h)
		if act.LastSeenAt.IsZero() {
			seen["never seen"]++
		} else if act.DaysSinceSeen != nil && *act.DaysSinceSeen >= r.Policy.InactivityDays {
			seen["not seen 30+ days"]++
		}
		if r.IsMinor(h.Client) {
			if _, ok := caseload.PrimaryCaregiver(h); ok {
				seen["minor with primary caregiver"]++
			}
		}
		if rec := r.Recurring(h); rec.Eligible {
			seen["recurring earned"]++
		}
		if r.BackfillListed(h).Eligible {
			seen["backfill listed"]++
		}
		for _, k := range h.Contacts {
			if k.Purpose == caseload.ClosureWarning {
				seen["closure warning"]++
			}
		}
		for _, a := range h.Appointments {
			if a.SeriesID != "" {
				seen["series"]++
			}
		}
	}
	for clin, hs := range byClinician {
		for _, item := range r.Todo(hs) {
			seen["todo "+item.Kind]++
			if item.Overdue {
				seen["overdue "+item.DocumentKind]++
			}
		}
		health := r.Health(w.weekly[clin], hs)
		seen["health "+health.Status]++
	}
	for _, a := range w.appts {
		if a.FilledFromID != nil {
			seen["backfilled appointment"]++
		}
		if a.Status == appointment.StatusNO_SHOW {
			seen["no-show"]++
		}
		if a.Excused {
			seen["excused"]++
		}
		if a.Kind == appointment.KindTREATMENT_PLAN_REVIEW {
			seen["review session"]++
		}
	}
	for _, h := range w.histories {
		if len(h.Episodes) > 1 {
			seen["returning client"]++
		}
	}
	for _, rq := range w.requests {
		if rq.Status == newclientrequest.StatusOPEN {
			seen["open new client request"]++
		}
	}
	t.Logf("seen: %v", seen)
	for _, want := range []string{
		"termination CLOSE STRIKES", "termination CLOSE INACTIVE", "termination CLOSE WARNING_EXPIRED",
		"termination SEND_WARNING INACTIVE", "termination WAIT INACTIVE", "termination NONE ",
		"strikes at limit", "never seen", "not seen 30+ days", "minor with primary caregiver", "recurring earned",
		"backfill listed", "closure warning", "series", "todo PAPERWORK", "todo SEND_WARNING", "todo CLOSE_CASE",
		"todo ADD_CAREGIVER", "todo REVOKE_RECURRING", "todo RECORD_ATTENDANCE", "overdue PROGRESS_NOTE", "overdue TREATMENT_PLAN",
		"overdue TREATMENT_PLAN_REVIEW", "backfilled appointment", "no-show", "excused", "review session",
		"returning client", "open new client request",
	} {
		if seen[want] == 0 {
			t.Errorf("no case of %q", want)
		}
	}
	for _, reason := range []episode.CloseReason{episode.CloseReasonINACTIVE, episode.CloseReasonSTRIKES, episode.CloseReasonGOALS_MET,
		episode.CloseReasonCLIENT_REQUEST, episode.CloseReasonTRANSFERRED, episode.CloseReasonOTHER} {
		if w.reasons[string(reason)] == 0 {
			t.Errorf("no episode closed for %s", reason)
		}
	}
}

// digest fingerprints the appointments, ids and all.
func digest(t *testing.T, c *ent.Client) string {
	t.Helper()
	h := sha256.New()
	for _, a := range c.Appointment.Query().Order(ent.Asc(appointment.FieldID)).AllX(allow()) {
		fmt.Fprintf(h, "%d %d %d %s %s %s %s %v %v %v %v %v\n", a.ID, a.ClientID, a.ClinicianID, a.StartsAt.UTC(), a.EndsAt.UTC(),
			a.Kind, a.Status, ptr(a.MinutesLate), ptr(a.CanceledBy), ptr(a.FilledFromID), ptr(a.SeriesID), a.Excused)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func ptr[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
