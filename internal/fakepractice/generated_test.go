package fakepractice_test

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
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/testdb"
)

// small is a generated practice small enough to load in every test run.
var small = fakepractice.Options{
	Seed: 7, Size: fakepractice.Size{Clinicians: 3, ActiveClientsPerClinician: 8, ClosedClients: 20, WaitlistClients: 4, Years: 0.5}, Now: testNow,
}

func TestRun(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect string) {
		db := testdb.Open(t, dialect, testdb.Options{})
		stats, err := fakepractice.Load(context.Background(), db, small)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		w := loadGenerated(t, db.Ent)
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
			got, err := db.Ent.Appointment.Query().Where(appointment.StartsAtGTE(testNow)).Count(allow())
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
		t.Run("rules", func(t *testing.T) { checkGeneratedRules(t, w) })
		t.Run("ent writes after", func(t *testing.T) {
			c := w.clients[0]
			k, err := db.Ent.Contact.Create().SetPracticeID(c.PracticeID).SetClientID(c.ID).SetChannel("PHONE").
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
			if _, err := fakepractice.Load(context.Background(), again, small); err != nil {
				t.Fatalf("Run: %v", err)
			}
			other := small
			other.Seed++
			different := testdb.Open(t, dialect, testdb.Options{})
			if _, err := fakepractice.Load(context.Background(), different, other); err != nil {
				t.Fatalf("Run: %v", err)
			}
			a, b, c := digest(t, db.Ent), digest(t, again.Ent), digest(t, different.Ent)
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
			if _, err := fakepractice.Load(context.Background(), db, second); err != nil {
				t.Fatalf("Run into a database with a practice: %v", err)
			}
			if _, err := fakepractice.Load(context.Background(), db, second); err == nil {
				t.Error("a third practice with the same logins was written")
			}
		})
	})
}

func checkCounts(t *testing.T, db *database.DB, w *generatedWorld, stats *fakepractice.Stats) {
	status := map[clientprofile.Status]int{}
	for _, c := range w.clients {
		status[c.Status]++
	}
	want := map[clientprofile.Status]int{
		clientprofile.StatusACTIVE:   small.Size.Clinicians * small.Size.ActiveClientsPerClinician,
		clientprofile.StatusCLOSED:   small.Size.ClosedClients,
		clientprofile.StatusWAITLIST: small.Size.WaitlistClients,
	}
	for s, n := range want {
		if status[s] != n {
			t.Errorf("%s clients = %d, want %d", s, status[s], n)
		}
	}
	if len(w.clinicians) != small.Size.Clinicians {
		t.Errorf("clinicians = %d, want %d", len(w.clinicians), small.Size.Clinicians)
	}
	active := map[int]int{}
	for _, c := range w.clients {
		if c.Status == clientprofile.StatusACTIVE {
			active[*c.ClinicianID]++
		}
	}
	for _, cl := range w.clinicians {
		if active[cl.ID] != small.Size.ActiveClientsPerClinician {
			t.Errorf("clinician %d has %d active clients, want %d", cl.ID, active[cl.ID], small.Size.ActiveClientsPerClinician)
		}
	}
	roles := map[string]int{}
	for _, u := range w.users {
		roles[string(u.Role)]++
	}
	if roles["ADMIN"] < 1 || roles["ANALYST"] != 1 || roles["SUPERVISOR"] < 1 || roles["CLINICIAN"]+roles["SUPERVISOR"] != small.Size.Clinicians {
		t.Errorf("roles = %v", roles)
	}
	if !auth.CheckPassword(w.users[0].PasswordHash, fakepractice.Password) {
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

func checkOverlaps(t *testing.T, w *generatedWorld) {
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
