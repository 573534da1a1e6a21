package database_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/testdb"
)

// refileMigration is the hand-written migration that re-files sessions by
// the span of their episode (issue 17, SPEC rule 1).
const refileMigration = "_refile_appointments_by_episode_span.sql"

// TestRefileMigrationRepairsMisfiledSessions: a database at the migration
// before the repair, whose sessions were all filed in their client's latest
// episode (what booking into the open episode did to a session back-entered
// after a reopening), ends with every session in the episode whose span
// [opened_at, closed_at) contains its start, or in none (before the first
// episode, between two), and nothing else changed. The edges: a no-show in
// the last second before the closing goes to the closed episode, one at the
// closing instant or one second before the reopening (between the two) to
// none, one at the reopening instant to the new one.
func TestRefileMigrationRepairsMisfiledSessions(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		db := openEmpty(t, dialectName)
		dir, err := database.MigrationDir(dialectName)
		if err != nil {
			t.Fatal(err)
		}
		embedded, err := dir.Files()
		if err != nil {
			t.Fatal(err)
		}
		at := -1
		for i, f := range embedded {
			if strings.HasSuffix(f.Name(), refileMigration) {
				at = i
			}
		}
		if at < 0 {
			t.Fatalf("no migration named *%s", refileMigration)
		}
		before := &migrate.MemDir{}
		if err := before.CopyFiles(embedded[:at]); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApplyMigrationsFrom(ctx, before); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
		if _, err := fakepractice.Seed(ctx, db.Ent, fakepractice.Options{Seed: 17, Now: now,
			Size: fakepractice.Size{Clinicians: 2, ActiveClientsPerClinician: 4, ClosedClients: 6, Years: 0.5}}); err != nil {
			t.Fatal(err)
		}
		allow := privacy.DecisionContext(ctx, privacy.Allow)

		// A closed client reopened a month after closing, and the edges
		// around the reopening and the closing.
		c, err := db.Ent.ClientProfile.Query().Where(clientprofile.StatusEQ(clientprofile.StatusCLOSED)).
			WithEpisodes().First(allow)
		if err != nil || len(c.Edges.Episodes) == 0 {
			t.Fatalf("a closed client with an episode: %v", err)
		}
		old := c.Edges.Episodes[0]
		for _, e := range c.Edges.Episodes {
			if e.ClosedAt != nil && e.ClosedAt.After(*old.ClosedAt) {
				old = e
			}
		}
		closedAt := *old.ClosedAt
		reopenedAt := closedAt.Add(30 * 24 * time.Hour)
		reopened, err := db.Ent.Episode.Create().SetPracticeID(c.PracticeID).SetClientID(c.ID).
			SetNillableClinicianID(c.ClinicianID).SetOpenedAt(reopenedAt).Save(allow)
		if err != nil {
			t.Fatal(err)
		}
		edge := map[string]time.Time{
			"one second before the reopening": reopenedAt.Add(-time.Second),
			"at the reopening":                reopenedAt,
			"at the closing":                  closedAt,
			"one second before the closing":   closedAt.Add(-time.Second),
		}
		// Each lasts a second, so that the two at an edge do not overlap.
		edgeIDs := map[string]int{}
		for name, start := range edge {
			a, err := db.Ent.Appointment.Create().SetPracticeID(c.PracticeID).SetClientID(c.ID).
				SetClinicianID(*c.ClinicianID).SetStartsAt(start).SetEndsAt(start.Add(time.Second)).
				SetStatus(appointment.StatusNO_SHOW).Save(allow)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			edgeIDs[name] = a.ID
		}

		// What booking into the open (latest) episode did: every session
		// in its client's latest episode.
		episodes, err := db.Ent.Episode.Query().Order(ent.Asc(episode.FieldOpenedAt)).All(allow)
		if err != nil {
			t.Fatal(err)
		}
		latest := map[int]int{}
		for _, e := range episodes {
			latest[e.ClientID] = e.ID
		}
		for clientID, epID := range latest {
			if err := db.Ent.Appointment.Update().Where(appointment.ClientID(clientID)).SetEpisodeID(epID).Exec(allow); err != nil {
				t.Fatal(err)
			}
		}
		misfiled := 0
		want := map[int]*int{}
		appts, err := db.Ent.Appointment.Query().All(allow)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range appts {
			t := a.StartsAt // its clinical time: a cancellation before the start files it by when
			if a.Status == appointment.StatusCANCELED && a.CanceledAt != nil && a.CanceledAt.Before(t) {
				t = *a.CanceledAt
			}
			want[a.ID] = spanOf(episodes, a.ClientID, t)
			if !sameEpisode(want[a.ID], a.EpisodeID) {
				misfiled++
			}
		}
		if misfiled == 0 {
			t.Fatal("no session is misfiled: the test would prove nothing")
		}
		beforeCounts := rowCounts(t, db)

		if _, err := db.ApplyMigrations(ctx); err != nil {
			t.Fatal(err)
		}

		appts, err = db.Ent.Appointment.Query().All(allow)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]*int{}
		for _, a := range appts {
			got[a.ID] = a.EpisodeID
			if !sameEpisode(want[a.ID], a.EpisodeID) {
				t.Errorf("session %d at %s: episode %s, want %s", a.ID, a.StartsAt.Format(time.RFC3339), show(a.EpisodeID), show(want[a.ID]))
			}
		}
		for name, wantEp := range map[string]*int{
			"one second before the reopening": nil, // between the episodes
			"at the reopening":                &reopened.ID,
			"at the closing":                  nil,
			"one second before the closing":   &old.ID,
		} {
			if g := got[edgeIDs[name]]; !sameEpisode(g, wantEp) {
				t.Errorf("the no-show %s: episode %s, want %s", name, show(g), show(wantEp))
			}
		}
		if after := rowCounts(t, db); fmt.Sprint(after) != fmt.Sprint(beforeCounts) {
			t.Errorf("rows before the repair %v, after %v", beforeCounts, after)
		}
		t.Logf("%s: %d of %d sessions re-filed", dialectName, misfiled, len(appts))
	})
}

// spanOf is the id of the client's episode whose span contains t, or nil.
func spanOf(episodes []*ent.Episode, clientID int, t time.Time) *int {
	for _, e := range episodes {
		if e.ClientID == clientID && !t.Before(e.OpenedAt) && (e.ClosedAt == nil || t.Before(*e.ClosedAt)) {
			return &e.ID
		}
	}
	return nil
}

func sameEpisode(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func show(p *int) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}
