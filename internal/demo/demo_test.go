package demo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/demo"
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
		res, err := demo.Seed(context.Background(), db.Client, testNow)
		if err != nil {
			t.Fatalf("Seed: %v", err)
		}
		if res == nil {
			t.Fatal("Seed on an empty database returned no result")
		}
		t.Logf("%s: seeded %+v in %v", dialect, *res, time.Since(began).Round(time.Millisecond))
		w := load(t, db.Client, testNow)
		t.Logf("%s", w.stats())

		t.Run("result matches the rows", func(t *testing.T) {
			got := demo.Result{PracticeID: w.practice.ID, Clients: len(w.clients), Appointments: len(w.appts), Documents: w.docCount, Contacts: w.contactCount}
			if *res != got {
				t.Errorf("Result = %+v, rows say %+v", *res, got)
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
			again, err := demo.Seed(context.Background(), db.Client, testNow.Add(time.Hour))
			if err != nil || again != nil {
				t.Fatalf("second Seed = %v, %v; want nil, nil", again, err)
			}
			if n := db.Client.Appointment.Query().CountX(allow()); n != len(w.appts) {
				t.Errorf("appointments after the second seed: %d, want %d", n, len(w.appts))
			}
			if n := db.Client.Practice.Query().CountX(allow()); n != 1 {
				t.Errorf("practices: %d, want 1", n)
			}
		})
		t.Run("deterministic", func(t *testing.T) {
			other := testdb.Open(t, dialect, testdb.Options{})
			if _, err := demo.Seed(context.Background(), other.Client, testNow); err != nil {
				t.Fatalf("Seed: %v", err)
			}
			w2 := load(t, other.Client, testNow)
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
			if _, err := demo.Seed(context.Background(), db.Client, now); err != nil {
				t.Fatalf("Seed: %v", err)
			}
			w := load(t, db.Client, now)
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
	for _, u := range demo.Users {
		got, ok := w.users[u.Email]
		if !ok {
			t.Errorf("no user %s", u.Email)
			continue
		}
		if string(got.Role) != u.Role || !got.Active {
			t.Errorf("user %s: role %s active %v, want %s active", u.Email, got.Role, got.Active, u.Role)
		}
	}
	if u := w.users["clinician@demo.example"]; u != nil && !auth.CheckPassword(u.PasswordHash, demo.Password) {
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
		if a.Excused && !(a.Status == appointment.StatusNO_SHOW || lateCancel(a)) || a.Excused != (a.ExcuseReason != nil) {
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

func checkRules(t *testing.T, w *world) {
	cl := w.clinician
	active := w.activeOf(cl)
	count := func(cs []*ent.ClientProfile, f func(*ent.ClientProfile) bool) int {
		n := 0
		for _, c := range cs {
			if f(c) {
				n++
			}
		}
		return n
	}
	slot := w.freedSlot()
	tests := []struct {
		name  string
		got   func() int
		least int
	}{
		{"rule 1: struck out (3+ strikes in the open episode)", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return w.strikes(c) >= 3 })
		}, 2},
		{"rule 1: exactly 2 strikes", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return w.strikes(c) == 2 })
		}, 1},
		{"rule 1: an excused no-show", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool {
					return a.Excused && a.Status == appointment.StatusNO_SHOW && a.ExcuseReason != nil && *a.EpisodeID == w.open(c).ID
				})
			})
		}, 1},
		{"rule 1: a late cancellation that is a strike", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool { return lateCancel(a) && !a.Excused })
			})
		}, 2},
		{"rule 2: never seen, only a future intake", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				as := w.clientAppts[c.ID]
				return len(as) == 1 && as[0].Kind == appointment.KindINTAKE && as[0].StartsAt.After(w.now) && w.lastAttended(c).IsZero()
			})
		}, 1},
		{"rule 3: CLOSURE_WARNING with a past close-by, nothing booked", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return !w.hasFuture(c) && slices.ContainsFunc(w.contacts[c.ID], func(k *ent.Contact) bool {
					return k.Purpose == contact.PurposeCLOSURE_WARNING && k.CloseBy.Before(w.today)
				})
			})
		}, 1},
		{"rule 3: CLOSURE_WARNING with a future close-by", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.contacts[c.ID], func(k *ent.Contact) bool {
					return k.Purpose == contact.PurposeCLOSURE_WARNING && k.CloseBy.After(w.today)
				})
			})
		}, 1},
		{"rule 4: a client cancellation with notice frees a slot on the next business day", func() int {
			if slot == nil {
				return 0
			}
			return 1
		}, 1},
		{"rule 4: eligible backfill candidates with windows", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return len(c.Availability) > 0 && w.backfillEligible(c, slot) })
		}, 2},
		{"rule 4: eligible backfill candidates without windows", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return len(c.Availability) == 0 && w.backfillEligible(c, slot) })
		}, 1},
		{"rule 4: on the backfill list but outside their windows", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return c.WantsEarlierAppointment && len(c.Availability) > 0 && slot != nil && !inWindows(w, c, slot)
			})
		}, 1},
		{"rule 4: on the backfill list but barred by strikes", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return c.WantsEarlierAppointment && w.strikes(c) >= 3 })
		}, 1},
		{"rule 4: a session booked from the backfill list", func() int {
			return count(w.clients, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool { return a.FilledFromID != nil })
			})
		}, 2},
		{"rule 5: earned recurring (last 3 attended on time), no series yet", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				last := w.countable(c, 3)
				return !c.RecurringPrivilege && len(last) == 3 && !slices.ContainsFunc(last, func(a *ent.Appointment) bool {
					return a.Status != appointment.StatusATTENDED || *a.MinutesLate >= 10
				})
			})
		}, 3},
		{"rule 5: recurring series booked ahead", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				n := 0
				for _, a := range w.clientAppts[c.ID] {
					if a.StartsAt.After(w.now) && a.SeriesID != nil {
						n++
					}
				}
				return c.RecurringPrivilege && n >= 2
			})
		}, 3},
		{"rule 5: should revoke: last 2 cancelled by the client", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				last := w.countable(c, 2)
				return c.RecurringPrivilege && len(last) == 2 && !slices.ContainsFunc(last, func(a *ent.Appointment) bool {
					return a.Status != appointment.StatusCANCELED || *a.CanceledBy != appointment.CanceledByCLIENT
				})
			})
		}, 1},
		{"rule 5: should revoke: last 3 attended late", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				var late []bool
				for _, a := range slices.Backward(w.clientAppts[c.ID]) {
					if a.Status == appointment.StatusATTENDED && len(late) < 3 {
						late = append(late, *a.MinutesLate >= 10)
					}
				}
				return c.RecurringPrivilege && len(late) == 3 && !slices.Contains(late, false)
			})
		}, 1},
		{"rule 6: overdue progress notes (attended > 24 h ago, unsigned)", func() int {
			n := 0
			for _, c := range active {
				for _, a := range w.clientAppts[c.ID] {
					if a.Status == appointment.StatusATTENDED && a.EndsAt.Before(w.now.Add(-24*time.Hour)) && !w.signedNote(a) {
						n++
					}
				}
			}
			return n
		}, 3},
		{"rule 6: a DRAFT progress note", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.docs[c.ID], func(d *ent.Document) bool {
					return d.Kind == document.KindPROGRESS_NOTE && d.Status == document.StatusDRAFT
				})
			})
		}, 1},
		{"rule 6: initial treatment plan overdue (open 30+ days, none)", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return w.open(c).OpenedAt.Before(w.now.AddDate(0, 0, -30)) && w.lastPlan(c).IsZero()
			})
		}, 1},
		{"rule 6: treatment plan review overdue (last plan or review 3+ months ago)", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				p := w.lastPlan(c)
				return !p.IsZero() && p.AddDate(0, 3, 0).Before(w.now)
			})
		}, 2},
		{"rule 6: billable contacts with a signed note", func() int {
			return count(w.clients, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.contacts[c.ID], func(k *ent.Contact) bool { return k.BillableMinutes > 0 && w.contactNoteSigned[k.ID] })
			})
		}, 10},
		{"rule 6: an overdue billable contact without a signed note", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.contacts[c.ID], func(k *ent.Contact) bool {
					return k.BillableMinutes > 0 && !w.contactNoteSigned[k.ID] && k.OccurredAt.Before(w.now.Add(-24*time.Hour))
				})
			})
		}, 1},
		{"rule 6: a termination note missing after a closure", func() int {
			return count(w.withStatus(clientprofile.StatusCLOSED), func(c *ent.ClientProfile) bool {
				return !slices.ContainsFunc(w.docs[c.ID], func(d *ent.Document) bool { return d.Kind == document.KindTERMINATION_NOTE })
			})
		}, 1},
		{"rule 7: an attendance to record (past, still booked)", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool {
					return !a.StartsAt.After(w.now) && (a.Status == appointment.StatusSCHEDULED || a.Status == appointment.StatusCONFIRMED)
				})
			})
		}, 1},
		{"rule 7: a reminder to send (within 24 h, none sent)", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool {
					return a.StartsAt.After(w.now) && a.StartsAt.Before(w.now.Add(24*time.Hour)) && a.ReminderSentAt == nil && a.Status != appointment.StatusCANCELED
				})
			})
		}, 1},
		{"rule 7: a reminder already sent for a session within 24 h", func() int {
			return count(w.clients, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool {
					return a.StartsAt.After(w.now) && a.StartsAt.Before(w.now.Add(24*time.Hour)) && a.ReminderSentAt != nil
				})
			})
		}, 1},
		{"rule 7: minors with a primary caregiver who consents", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return w.minor(c) && slices.ContainsFunc(w.caregivers[c.ID], func(g *ent.Caregiver) bool { return g.IsPrimary && g.ConsentToContact })
			})
		}, 5},
		{"rule 7: a minor with no caregiver", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return w.minor(c) && len(w.caregivers[c.ID]) == 0 })
		}, 1},
		{"rule 8: sessions on the next business day's calendar", func() int {
			n := 0
			for _, a := range w.appts {
				if a.ClinicianID == cl.ID && w.civil(a.StartsAt).Equal(w.nextBusinessDay()) {
					n++
				}
			}
			return n
		}, 4},
		{"episodes: a client who came back (a closed and an open episode)", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				es := w.episodes[c.ID]
				return len(es) == 2 && es[0].ClosedAt != nil && es[1].ClosedAt == nil
			})
		}, 1},
	}
	for _, tt := range tests {
		if got := tt.got(); got < tt.least {
			t.Errorf("%s: got %d, want at least %d", tt.name, got, tt.least)
		}
	}
	checkRecommendations(t, w)

	t.Run("closed episodes", func(t *testing.T) {
		reasons := map[string]bool{}
		for _, c := range w.withStatus(clientprofile.StatusCLOSED) {
			es := w.episodes[c.ID]
			e := es[len(es)-1]
			if e.ClosedAt == nil || e.CloseReason == nil || !e.ClosedAt.Before(w.now) {
				t.Errorf("closed client %d: last episode %+v", c.ID, e)
				continue
			}
			reasons[string(*e.CloseReason)] = true
		}
		if len(reasons) < 5 {
			t.Errorf("close reasons %v, want at least 5 kinds", reasons)
		}
	})
	t.Run("authors", func(t *testing.T) {
		want := w.users["clinician@demo.example"].ID
		for _, c := range active {
			for _, d := range w.docs[c.ID] {
				if d.AuthorID != want {
					t.Fatalf("document %d of clinician@'s client is by user %d, want %d", d.ID, d.AuthorID, want)
				}
			}
		}
	})
	t.Run("attendance mix", func(t *testing.T) {
		var recorded, noShows, clientCancels, clinicianCancels float64
		for _, a := range w.appts {
			if a.StartsAt.After(w.now) || a.Kind == appointment.KindINTAKE {
				continue
			}
			recorded++
			switch {
			case a.Status == appointment.StatusNO_SHOW:
				noShows++
			case a.Status == appointment.StatusCANCELED && *a.CanceledBy == appointment.CanceledByCLIENT:
				clientCancels++
			case a.Status == appointment.StatusCANCELED:
				clinicianCancels++
			}
		}
		for _, r := range []struct {
			what   string
			share  float64
			lo, hi float64
		}{{"no-shows", noShows / recorded, 0.05, 0.11}, {"client cancellations", clientCancels / recorded, 0.04, 0.10}, {"clinician or practice cancellations", clinicianCancels / recorded, 0.01, 0.05}} {
			if r.share < r.lo || r.share > r.hi {
				t.Errorf("%s: %.1f%% of past sessions, want %.0f-%.0f%%", r.what, 100*r.share, 100*r.lo, 100*r.hi)
			}
		}
	})
}

// ---- the seeded practice in memory, and the rules of SPEC.md over it ----

type world struct {
	now, today        time.Time
	loc               *time.Location
	practice          *ent.Practice
	users             map[string]*ent.User
	clinicians        []*ent.Clinician
	clinicianOf       map[string]*ent.Clinician // by login email
	clinician         *ent.Clinician            // clinician@'s profile
	clients           []*ent.ClientProfile
	episodes          map[int][]*ent.Episode // by client, oldest first
	episode           map[int]*ent.Episode
	caregivers        map[int][]*ent.Caregiver
	appts             []*ent.Appointment
	clientAppts       map[int][]*ent.Appointment // by client, by start
	contacts          map[int][]*ent.Contact
	docs              map[int][]*ent.Document
	noteSigned        map[int]bool // appointment id -> has a signed INTAKE or PROGRESS_NOTE
	contactNoteSigned map[int]bool
	docCount          int
	contactCount      int
}

func load(t *testing.T, client *ent.Client, now time.Time) *world {
	t.Helper()
	ctx := allow()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	w := &world{
		now: now.UTC().Truncate(time.Minute), loc: loc,
		users: map[string]*ent.User{}, clinicianOf: map[string]*ent.Clinician{},
		episodes: map[int][]*ent.Episode{}, episode: map[int]*ent.Episode{}, caregivers: map[int][]*ent.Caregiver{},
		clientAppts: map[int][]*ent.Appointment{}, contacts: map[int][]*ent.Contact{}, docs: map[int][]*ent.Document{},
		noteSigned: map[int]bool{}, contactNoteSigned: map[int]bool{},
	}
	w.today = w.civil(w.now)
	w.practice = client.Practice.Query().OnlyX(ctx)
	for _, u := range client.User.Query().WithClinician().AllX(ctx) {
		w.users[u.Email] = u
		if u.Edges.Clinician != nil {
			w.clinicianOf[u.Email] = u.Edges.Clinician
		}
	}
	w.clinicians = client.Clinician.Query().AllX(ctx)
	w.clinician = w.clinicianOf["clinician@demo.example"]
	w.clients = client.ClientProfile.Query().Order(ent.Asc(clientprofile.FieldID)).AllX(ctx)
	for _, e := range client.Episode.Query().Order(ent.Asc("opened_at")).AllX(ctx) {
		w.episodes[e.ClientID] = append(w.episodes[e.ClientID], e)
		w.episode[e.ID] = e
	}
	for _, g := range client.Caregiver.Query().AllX(ctx) {
		w.caregivers[g.ClientID] = append(w.caregivers[g.ClientID], g)
	}
	w.appts = client.Appointment.Query().Order(ent.Asc(appointment.FieldStartsAt), ent.Asc(appointment.FieldID)).AllX(ctx)
	for _, a := range w.appts {
		w.clientAppts[a.ClientID] = append(w.clientAppts[a.ClientID], a)
	}
	ks := client.Contact.Query().AllX(ctx)
	w.contactCount = len(ks)
	for _, k := range ks {
		w.contacts[k.ClientID] = append(w.contacts[k.ClientID], k)
	}
	ds := client.Document.Query().AllX(ctx)
	w.docCount = len(ds)
	for _, d := range ds {
		w.docs[d.ClientID] = append(w.docs[d.ClientID], d)
		if d.Status != document.StatusSIGNED {
			continue
		}
		if d.AppointmentID != nil && (d.Kind == document.KindPROGRESS_NOTE || d.Kind == document.KindINTAKE) {
			w.noteSigned[*d.AppointmentID] = true
		}
		if d.ContactID != nil && d.Kind == document.KindCONTACT_NOTE {
			w.contactNoteSigned[*d.ContactID] = true
		}
	}
	return w
}

func (w *world) civil(t time.Time) time.Time {
	l := t.In(w.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

func (w *world) daysSince(t time.Time) int { return int(w.today.Sub(w.civil(t)).Hours() / 24) }

func (w *world) nextBusinessDay() time.Time {
	d := w.today.AddDate(0, 0, 1)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func midnightUTC(t time.Time) bool {
	u := t.UTC()
	return u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0
}

func (w *world) withStatus(s clientprofile.Status) []*ent.ClientProfile {
	var cs []*ent.ClientProfile
	for _, c := range w.clients {
		if c.Status == s {
			cs = append(cs, c)
		}
	}
	return cs
}

func (w *world) activeOf(cl *ent.Clinician) []*ent.ClientProfile {
	var cs []*ent.ClientProfile
	for _, c := range w.withStatus(clientprofile.StatusACTIVE) {
		if c.ClinicianID != nil && *c.ClinicianID == cl.ID {
			cs = append(cs, c)
		}
	}
	return cs
}

func (w *world) open(c *ent.ClientProfile) *ent.Episode {
	es := w.episodes[c.ID]
	if len(es) > 0 && es[len(es)-1].ClosedAt == nil {
		return es[len(es)-1]
	}
	return nil
}

func (w *world) minor(c *ent.ClientProfile) bool {
	return c.DateOfBirth != nil && c.DateOfBirth.After(w.today.AddDate(-18, 0, 0))
}

func lateCancel(a *ent.Appointment) bool {
	return a.Status == appointment.StatusCANCELED && a.CanceledBy != nil && *a.CanceledBy == appointment.CanceledByCLIENT &&
		a.CanceledAt != nil && a.StartsAt.Sub(*a.CanceledAt) < 24*time.Hour
}

// strikes is rule 1 with the default policy.
func (w *world) strikes(c *ent.ClientProfile) int {
	e := w.open(c)
	if e == nil {
		return 0
	}
	n := 0
	for _, a := range w.clientAppts[c.ID] {
		if *a.EpisodeID == e.ID && !a.Excused && (a.Status == appointment.StatusNO_SHOW || lateCancel(a)) {
			n++
		}
	}
	return n
}

func (w *world) lastAttended(c *ent.ClientProfile) time.Time {
	var t time.Time
	for _, a := range w.clientAppts[c.ID] {
		if a.Status == appointment.StatusATTENDED {
			t = a.StartsAt
		}
	}
	return t
}

func (w *world) hasFuture(c *ent.ClientProfile) bool {
	return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool {
		return a.StartsAt.After(w.now) && (a.Status == appointment.StatusSCHEDULED || a.Status == appointment.StatusCONFIRMED)
	})
}

func (w *world) nextAppointment(c *ent.ClientProfile) *ent.Appointment {
	for _, a := range w.clientAppts[c.ID] {
		if a.StartsAt.After(w.now) && (a.Status == appointment.StatusSCHEDULED || a.Status == appointment.StatusCONFIRMED) {
			return a
		}
	}
	return nil
}

func (w *world) lastInbound(c *ent.ClientProfile) time.Time {
	var t time.Time
	for _, k := range w.contacts[c.ID] {
		if k.Direction == contact.DirectionINBOUND && k.OccurredAt.After(t) {
			t = k.OccurredAt
		}
	}
	return t
}

// recommendation is rule 3 with the default policy.
func (w *world) recommendation(c *ent.ClientProfile) string {
	e := w.open(c)
	if c.Status != clientprofile.StatusACTIVE || e == nil {
		return "NONE"
	}
	if w.strikes(c) >= 3 {
		return "STRIKES"
	}
	future := w.hasFuture(c)
	var warnedUntil time.Time
	for _, k := range w.contacts[c.ID] {
		if k.Purpose == contact.PurposeCLOSURE_WARNING && k.CloseBy.After(warnedUntil) {
			warnedUntil = *k.CloseBy
		}
	}
	if !warnedUntil.IsZero() && warnedUntil.Before(w.today) && !future {
		return "WARNING_EXPIRED"
	}
	seen := w.lastAttended(c)
	if seen.IsZero() {
		seen = e.OpenedAt
	}
	contacted := seen
	if in := w.lastInbound(c); in.After(contacted) {
		contacted = in
	}
	inbound := w.lastInbound(c)
	if w.daysSince(seen) >= 30 && !future && !inbound.IsZero() && w.daysSince(inbound) < 30 {
		if warnedUntil.After(w.today) {
			return "WAIT"
		}
		return "SEND_WARNING"
	}
	if w.daysSince(contacted) >= 30 && !future {
		return "INACTIVE"
	}
	return "NONE"
}

// freedSlot is clinician@'s session on the next business day that a client
// cancelled with notice.
func (w *world) freedSlot() *ent.Appointment {
	for _, a := range w.appts {
		if a.ClinicianID == w.clinician.ID && a.StartsAt.After(w.now) && w.civil(a.StartsAt).Equal(w.nextBusinessDay()) &&
			a.Status == appointment.StatusCANCELED && *a.CanceledBy == appointment.CanceledByCLIENT && !lateCancel(a) {
			return a
		}
	}
	return nil
}

func inWindows(w *world, c *ent.ClientProfile, slot *ent.Appointment) bool {
	if len(c.Availability) == 0 {
		return true
	}
	s, e := slot.StartsAt.In(w.loc), slot.EndsAt.In(w.loc)
	from, to := s.Hour()*60+s.Minute(), e.Hour()*60+e.Minute()
	return slices.ContainsFunc(c.Availability, func(win caseload.AvailabilityWindow) bool {
		return win.Weekday == s.Weekday() && win.StartMinute <= from && to <= win.EndMinute
	})
}

// backfillEligible is rule 4 for the freed slot.
func (w *world) backfillEligible(c *ent.ClientProfile, slot *ent.Appointment) bool {
	if slot == nil || c.Status != clientprofile.StatusACTIVE || c.ClinicianID == nil || *c.ClinicianID != slot.ClinicianID ||
		!c.WantsEarlierAppointment || w.strikes(c) >= 3 || c.ID == slot.ClientID {
		return false
	}
	if next := w.nextAppointment(c); next != nil && !next.StartsAt.After(slot.StartsAt) {
		return false
	}
	return inWindows(w, c, slot)
}

// countable are the client's last n past recorded sessions that count for rule 5.
func (w *world) countable(c *ent.ClientProfile, n int) []*ent.Appointment {
	var out []*ent.Appointment
	for _, a := range slices.Backward(w.clientAppts[c.ID]) {
		if len(out) == n {
			break
		}
		if a.StartsAt.After(w.now) || a.Kind == appointment.KindINTAKE ||
			(a.Status == appointment.StatusCANCELED && *a.CanceledBy != appointment.CanceledByCLIENT) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (w *world) signedNote(a *ent.Appointment) bool { return w.noteSigned[a.ID] }

// lastPlan is when the newest signed treatment plan or review of the open episode was signed.
func (w *world) lastPlan(c *ent.ClientProfile) time.Time {
	e := w.open(c)
	var t time.Time
	for _, d := range w.docs[c.ID] {
		if (d.Kind == document.KindTREATMENT_PLAN || d.Kind == document.KindTREATMENT_PLAN_REVIEW) && d.SignedAt != nil &&
			e != nil && d.SignedAt.After(e.OpenedAt) && d.SignedAt.After(t) {
			t = *d.SignedAt
		}
	}
	return t
}

// fingerprint sums up the seeded data to compare two seeds.
func (w *world) fingerprint() string {
	var b strings.Builder
	names := map[int]string{}
	for _, c := range w.clients {
		names[c.ID] = c.FirstName + " " + c.LastName
		fmt.Fprintf(&b, "%s|", names[c.ID])
	}
	fmt.Fprintf(&b, "\n%d appointments, %d documents, %d contacts\n", len(w.appts), w.docCount, w.contactCount)
	for _, a := range w.appts {
		fmt.Fprintf(&b, "%s %s %s;", names[a.ClientID], a.StartsAt.UTC().Format(time.RFC3339), a.Status)
	}
	return b.String()
}

func (w *world) stats() string {
	byStatus := map[appointment.Status]int{}
	for _, a := range w.appts {
		byStatus[a.Status]++
	}
	recs := map[string]int{}
	for _, c := range w.withStatus(clientprofile.StatusACTIVE) {
		recs[w.recommendation(c)]++
	}
	var per []string
	for _, cl := range w.clinicians {
		per = append(per, fmt.Sprintf("%s %d", cl.Name, len(w.activeOf(cl))))
	}
	return fmt.Sprintf("appointments by status %v; recommendations %v; active per clinician %s",
		byStatus, recs, strings.Join(per, ", "))
}
