package fakepractice_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/schema"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/testdb"
)

// testNow is a Tuesday, 11:00 in New York (two days after the switch to daylight time).
var testNow = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

// allow reads without a signed-in viewer, as the seeder writes.
func allow() context.Context { return privacy.DecisionContext(context.Background(), privacy.Allow) }

func TestSeed(t *testing.T) {
	testdb.SkipUnderShort(t, "seeds a year of a practice: slow under -race")
	testdb.Run(t, func(t *testing.T, dialect string) {
		db := testdb.Open(t, dialect, testdb.Options{})
		began := time.Now()
		res, err := fakepractice.Seed(context.Background(), db.Ent, fakepractice.Options{Now: testNow})
		if err != nil {
			t.Fatalf("Seed: %v", err)
		}
		if res == nil {
			t.Fatal("Seed on an empty database returned no result")
		}
		t.Logf("%s: seeded %v in %v", dialect, res.Tables, time.Since(began).Round(time.Millisecond))
		w := load(t, db.Ent, testNow)
		t.Logf("%s", w.stats())

		t.Run("result matches the rows", func(t *testing.T) {
			got := map[string]int{"clients": len(w.clients), "appointments": len(w.appts), "documents": w.docCount, "contacts": w.contactCount}
			for table, n := range got {
				if res.Rows(table) != n {
					t.Errorf("Stats say %d %s, rows say %d", res.Rows(table), table, n)
				}
			}
			if res.PracticeID != w.practice.ID {
				t.Errorf("Stats say practice %d, rows say %d", res.PracticeID, w.practice.ID)
			}
		})
		t.Run("counts", func(t *testing.T) {
			checkRange(t, "clients", len(w.clients), 140, 180)
			checkRange(t, "clinicians", len(w.clinicians), 4, 4)
			checkRange(t, "users", len(w.users), 4, 4)
			checkRange(t, "appointments", len(w.appts), 2000, 6000)
			checkRange(t, "documents", w.docCount, 1500, 6000)
			checkRange(t, "contacts", w.contactCount, 1000, 8000)
			checkRange(t, "WAITLIST clients", len(w.withStatus(clientprofile.StatusWAITLIST)), 6, 10)
			checkRange(t, "CLOSED clients", len(w.withStatus(clientprofile.StatusCLOSED)), 12, 18)
			for _, cl := range w.clinicians {
				checkRange(t, "active clients of "+cl.Name, len(w.activeOf(cl)), 25, 42)
			}
			checkRange(t, "active clients of clinician@", len(w.activeOf(w.clinician)), 38, 42)
		})
		t.Run("seeding again writes nothing", func(t *testing.T) {
			again, err := fakepractice.Seed(context.Background(), db.Ent, fakepractice.Options{Now: testNow.Add(time.Hour)})
			if err != nil || again != nil {
				t.Fatalf("second Seed = %v, %v; want nil, nil", again, err)
			}
			if n := db.Ent.Appointment.Query().CountX(allow()); n != len(w.appts) {
				t.Errorf("appointments after the second seed: %d, want %d", n, len(w.appts))
			}
			if n := db.Ent.Practice.Query().CountX(allow()); n != 1 {
				t.Errorf("practices: %d, want 1", n)
			}
		})
		t.Run("deterministic", func(t *testing.T) {
			other := testdb.Open(t, dialect, testdb.Options{})
			if _, err := fakepractice.Seed(context.Background(), other.Ent, fakepractice.Options{Now: testNow}); err != nil {
				t.Fatalf("Seed: %v", err)
			}
			w2 := load(t, other.Ent, testNow)
			if a, b := w.fingerprint(), w2.fingerprint(); a != b {
				t.Errorf("two seeds with the same now differ:\n%.300s\n%.300s", a, b)
			}
		})
		t.Run("logins", func(t *testing.T) { checkLogins(t, w) })
		t.Run("invariants", func(t *testing.T) { checkInvariants(t, w) })
		t.Run("rules", func(t *testing.T) { checkRules(t, w) })
	})
}

// TestSeedAnyDay seeds at awkward moments (a weekend, the end of daylight
// time, a holiday evening, before office hours) and checks the data still holds together.
func TestSeedAnyDay(t *testing.T) {
	testdb.SkipUnderShort(t, "seeds the practice on several days: slow under -race")
	for _, now := range []time.Time{
		time.Date(2026, 3, 14, 17, 0, 0, 0, time.UTC),   // Saturday
		time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC),   // 01:30 EST, the repeated hour
		time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC), // New Year's Eve
		time.Date(2026, 7, 6, 11, 5, 0, 0, time.UTC),    // Monday 07:05, before the first session
	} {
		t.Run(now.Format(time.DateTime), func(t *testing.T) {
			t.Parallel()
			db := testdb.Open(t, testdb.Dialects[0], testdb.Options{})
			if _, err := fakepractice.Seed(context.Background(), db.Ent, fakepractice.Options{Now: now}); err != nil {
				t.Fatalf("Seed: %v", err)
			}
			w := load(t, db.Ent, now)
			checkInvariants(t, w)
			checkRecommendations(t, w)
		})
	}
}

func checkRange(t *testing.T, what string, got, lo, hi int) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s = %d, want %d..%d", what, got, lo, hi)
	}
}

func checkLogins(t *testing.T, w *world) {
	for _, u := range fakepractice.DemoLogins {
		got, ok := w.users[u.Email]
		if !ok {
			t.Errorf("no user %s", u.Email)
			continue
		}
		if string(got.Role) != u.Role || !got.Active {
			t.Errorf("user %s: role %s active %v, want %s active", u.Email, got.Role, got.Active, u.Role)
		}
	}
	if u := w.users["clinician@demo.example"]; u != nil && !auth.CheckPassword(u.PasswordHash, fakepractice.Password) {
		t.Error("the demo password does not open clinician@demo.example")
	}
	sup := w.clinicianOf["supervisor@demo.example"]
	switch {
	case w.clinician == nil || sup == nil:
		t.Fatal("clinician@ and supervisor@ need clinician profiles")
	case w.clinician.SupervisorID == nil || *w.clinician.SupervisorID != sup.ID:
		t.Error("supervisor@ does not supervise clinician@")
	}
	for _, email := range []string{"admin@demo.example", "analyst@demo.example"} {
		if w.clinicianOf[email] != nil {
			t.Errorf("%s has a clinician profile", email)
		}
	}
	for _, cl := range w.clinicians {
		if len(cl.Modalities) == 0 || cl.Credentials == "" {
			t.Errorf("clinician %s: credentials %q, modalities %v", cl.Name, cl.Credentials, cl.Modalities)
		}
		for _, m := range cl.Modalities {
			if !slices.Contains(schema.Modalities, m) {
				t.Errorf("clinician %s: unknown modality %s", cl.Name, m)
			}
		}
	}
	if w.practice.TimeZone != "America/New_York" {
		t.Errorf("practice time zone %q", w.practice.TimeZone)
	}
}

// checkInvariants: the data is consistent whatever the clock.
func checkInvariants(t *testing.T, w *world) {
	errs := map[string]int{}
	bad := func(what string, args ...any) {
		if errs[what]++; errs[what] <= 3 {
			t.Errorf(what, args...)
		}
	}
	byClinician := map[int][]*ent.Appointment{}
	for _, a := range w.appts {
		l := a.StartsAt.In(w.loc)
		if wd := l.Weekday(); wd == time.Saturday || wd == time.Sunday || l.Hour() < 9 || l.Hour() > 16 || l.Minute() != 0 {
			bad("appointment %d starts %s local, want a weekday 9:00-16:00", a.ID, l.Format(time.DateTime))
		}
		if d := a.EndsAt.Sub(a.StartsAt); d != 50*time.Minute && d != 60*time.Minute {
			bad("appointment %d lasts %v", a.ID, d)
		}
		if a.EpisodeID == nil {
			bad("appointment %d has no episode", a.ID)
		} else if e := w.episode[*a.EpisodeID]; e == nil || e.ClientID != a.ClientID || a.StartsAt.Before(e.OpenedAt) || (e.ClosedAt != nil && a.StartsAt.After(*e.ClosedAt)) {
			bad("appointment %d is outside its episode", a.ID)
		}
		future := a.StartsAt.After(w.now)
		switch a.Status {
		case appointment.StatusATTENDED:
			if future || a.MinutesLate == nil {
				bad("attended appointment %d: future %v, minutes late %v", a.ID, future, a.MinutesLate)
			}
		case appointment.StatusNO_SHOW:
			if future {
				bad("future no-show %d", a.ID)
			}
		case appointment.StatusCANCELED:
			if a.CanceledBy == nil || a.CanceledAt == nil || a.CancelReason == nil {
				bad("cancelled appointment %d lacks who, when or why", a.ID)
			}
		default:
			// Attendance waits at most 2 days (a long weekend: 4).
			if !future && a.StartsAt.Before(w.now.Add(-96*time.Hour)) {
				bad("appointment %d of %s still %s", a.ID, a.StartsAt, a.Status)
			}
			if (a.Status == appointment.StatusCONFIRMED) != (a.ConfirmedAt != nil) {
				bad("appointment %d: status %s, confirmed at %v", a.ID, a.Status, a.ConfirmedAt)
			}
		}
		if a.Status != appointment.StatusCANCELED && a.CanceledBy != nil {
			bad("appointment %d is %s but cancelled by %s", a.ID, a.Status, *a.CanceledBy)
		}
		if a.Excused && a.Status != appointment.StatusNO_SHOW && !lateCancel(a) || a.Excused != (a.ExcuseReason != nil) {
			bad("appointment %d: excused %v (%v) but status %s", a.ID, a.Excused, a.ExcuseReason, a.Status)
		}
		for _, ts := range []*time.Time{a.CanceledAt, a.ConfirmedAt, a.ReminderSentAt, &a.CreatedAt, &a.UpdatedAt} {
			if ts != nil && ts.After(w.now) {
				bad("appointment %d has a time after now: %v", a.ID, *ts)
			}
		}
		if (a.ReminderSentAt == nil) != (a.ReminderChannel == nil) {
			bad("appointment %d: reminder at %v by %v", a.ID, a.ReminderSentAt, a.ReminderChannel)
		}
		if a.Status != appointment.StatusCANCELED {
			byClinician[a.ClinicianID] = append(byClinician[a.ClinicianID], a)
		}
	}
	for id, as := range byClinician {
		slices.SortFunc(as, func(a, b *ent.Appointment) int { return a.StartsAt.Compare(b.StartsAt) })
		for i := 1; i < len(as); i++ {
			if as[i].StartsAt.Before(as[i-1].EndsAt) {
				bad("clinician %d is double-booked at %s", id, as[i].StartsAt)
			}
		}
	}
	for _, c := range w.clients {
		if c.DateOfBirth != nil && !midnightUTC(*c.DateOfBirth) {
			bad("client %d: date of birth %v is not a date", c.ID, *c.DateOfBirth)
		}
		open := w.open(c)
		switch c.Status {
		case clientprofile.StatusACTIVE:
			if open == nil || c.ClinicianID == nil {
				bad("active client %d without an open episode or clinician", c.ID)
			}
		case clientprofile.StatusCLOSED:
			if open != nil || len(w.episodes[c.ID]) == 0 || w.hasFuture(c) {
				bad("closed client %d has an open episode, no episode, or future sessions", c.ID)
			}
		case clientprofile.StatusWAITLIST:
			if c.ClinicianID != nil || len(w.episodes[c.ID]) > 0 {
				bad("waitlisted client %d has a clinician or an episode", c.ID)
			}
		}
		for _, k := range w.contacts[c.ID] {
			if k.OccurredAt.After(w.now) || (k.CloseBy != nil && !midnightUTC(*k.CloseBy)) {
				bad("contact %d: at %v, close by %v", k.ID, k.OccurredAt, k.CloseBy)
			}
			if (k.Purpose == contact.PurposeCLOSURE_WARNING) != (k.CloseBy != nil) {
				bad("contact %d: purpose %s, close by %v", k.ID, k.Purpose, k.CloseBy)
			}
		}
		for _, d := range w.docs[c.ID] {
			if (d.Status == document.StatusSIGNED) != (d.SignedAt != nil) || (d.SignedAt != nil && d.SignedAt.After(w.now)) || d.CreatedAt.After(w.now) || d.Body == "" {
				bad("document %d: status %s signed at %v created %v", d.ID, d.Status, d.SignedAt, d.CreatedAt)
			}
		}
	}
}

// checkRecommendations: the demo clinician's caseload shows every
// termination recommendation of rule 3, and most clients need nothing.
func checkRecommendations(t *testing.T, w *world) {
	got := map[string]int{}
	for _, c := range w.activeOf(w.clinician) {
		got[w.recommendation(c)]++
	}
	for rec, least := range map[string]int{"STRIKES": 2, "WARNING_EXPIRED": 1, "SEND_WARNING": 1, "WAIT": 1, "INACTIVE": 2, "NONE": 25} {
		if got[rec] < least {
			t.Errorf("clinician@ has %d clients with recommendation %s, want at least %d (all: %v)", got[rec], rec, least, got)
		}
	}
}
