package main

import (
	"testing"
	"time"

	"github.com/caseload/caseload/internal/testdb"
)

// Issue 17, item 2 (SPEC rule 1): a session belongs to the episode whose
// span [opened, closed) contains its start, however late it was entered.
// Two real strikes in the reopened episode and a no-show entered after the
// reopening but dated one second before it: the no-show is filed in the
// closed episode and is not a third strike (it was, and the client was
// recommended for closure). Moved to the reopening instant, it is the new
// episode's, and the third strike.
func TestBackEnteredNoShowJoinsTheEpisodeOfItsDate(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		clin := s.token(f.clinicianUser)
		ann := f.ownClients[0]
		id := encodeID(ann.ID)
		// Closed and reopened at the same instant: the old episode's span
		// ends where the new one's begins.
		s.mustDo(clin, `mutation($id: ID!) { closeCase(input: {clientID: $id, reason: INACTIVE}) { userErrors { code } } }`, map[string]any{"id": id})
		s.mustDo(clin, `mutation($id: ID!) { reopenCase(input: {clientID: $id}) { userErrors { code } } }`, map[string]any{"id": id})
		reopening := testNow
		s.clock.Advance(14 * 24 * time.Hour)
		clin, admin := s.token(f.clinicianUser), s.token(f.admin) // the first one expired
		episodes := s.mustDo(admin, `query($id: ID!) { node(id: $id) { ... on Client { episodes { id closedAt } } } }`, map[string]any{"id": id})["node"].(map[string]any)["episodes"].([]any)
		var oldEp, newEp string
		for _, e := range episodes {
			e := e.(map[string]any)
			if e["closedAt"] == nil {
				newEp = e["id"].(string)
			} else {
				oldEp = e["id"].(string)
			}
		}
		if oldEp == "" || newEp == "" {
			t.Fatalf("episodes after reopening = %v", episodes)
		}

		const backEnter = `mutation($in: CreateAppointmentInput!) { createAppointment(input: $in) { appointment { id episode { id } } userErrors { field message code } } }`
		noShow := func(start time.Time) (string, any) {
			p := s.mustDo(admin, backEnter, map[string]any{"in": map[string]any{"clientID": id, "clinicianID": encodeID(f.clinician.ID),
				"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(50 * time.Minute).Format(time.RFC3339), "status": "NO_SHOW"}})["createAppointment"].(map[string]any)
			a := p["appointment"].(map[string]any)
			var ep any
			if e, ok := a["episode"].(map[string]any); ok {
				ep = e["id"]
			}
			return a["id"].(string), ep
		}
		const state = `query($id: ID!) { node(id: $id) { ... on Client { strikeCount terminationRecommendation { action reason } } } }`
		strikes := func() (float64, string) {
			c := s.mustDo(clin, state, map[string]any{"id": id})["node"].(map[string]any)
			rec := c["terminationRecommendation"].(map[string]any)
			return c["strikeCount"].(float64), rec["action"].(string) + " " + fmtAny(rec["reason"])
		}

		for _, at := range []time.Time{reopening.AddDate(0, 0, 2), reopening.AddDate(0, 0, 4)} {
			if _, ep := noShow(at); ep != newEp {
				t.Errorf("a no-show after the reopening is filed in %v, want the new episode %v", ep, newEp)
			}
		}
		if n, rec := strikes(); n != 2 {
			t.Fatalf("two no-shows in the new episode: strikeCount %v (%s), want 2", n, rec)
		}
		old, ep := noShow(reopening.Add(-time.Second))
		if ep != oldEp {
			t.Errorf("a no-show dated one second before the reopening is filed in %v, want the closed episode %v", ep, oldEp)
		}
		if n, rec := strikes(); n != 2 || rec == "CLOSE STRIKES" {
			t.Errorf("after back-entering an old no-show: strikeCount %v, recommendation %s; want 2 and no closure for strikes", n, rec)
		}

		// Moved to the reopening instant, the session changes episode.
		moved := s.mustDo(admin, `mutation($in: UpdateAppointmentInput!) { updateAppointment(input: $in) { appointment { episode { id } } userErrors { field message code } } }`,
			map[string]any{"in": map[string]any{"appointmentID": old, "startsAt": reopening.Format(time.RFC3339), "endsAt": reopening.Add(50 * time.Minute).Format(time.RFC3339)}})
		if got := moved["updateAppointment"].(map[string]any)["appointment"].(map[string]any)["episode"].(map[string]any)["id"]; got != newEp {
			t.Errorf("the no-show moved to the reopening instant is filed in %v, want the new episode %v", got, newEp)
		}
		if n, rec := strikes(); n != 3 || rec != "CLOSE STRIKES" {
			t.Errorf("with the no-show at the reopening instant: strikeCount %v, recommendation %s; want 3 and CLOSE STRIKES", n, rec)
		}
	})
}

func fmtAny(v any) string {
	if v == nil {
		return "null"
	}
	return v.(string)
}

// Issue 17, item 3 (SPEC rule 5): a reschedule the client asked for breaks
// the on-time streak that earns a recurring series (N = 3); one the
// clinician asked for does not, and saying nothing means the client. Four
// weekly sessions attended on time, the second one moved: by the clinician
// the streak is 4 (earned), by the client 2 (one short).
func TestClientRescheduleBreaksTheRecurringStreak(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		clin := s.token(f.clinicianUser)
		cases := []struct {
			requestedBy any // nil: omitted
			wantBy      string
			onTime      float64
			eligible    bool
		}{
			{"CLINICIAN", "CLINICIAN", 4, true},
			{"CLIENT", "CLIENT", 2, false},
			{nil, "CLIENT", 2, false},
		}
		const reschedule = `mutation($in: RescheduleAppointmentInput!) { rescheduleAppointment(input: $in) { appointment { startsAt rescheduledBy } userErrors { field message code } } }`
		var booked [][]string
		for i, c := range cases {
			client := f.ownClients[i]
			var ids []string
			for week := range 4 {
				start := testNow.AddDate(0, 0, 1+7*week).Add(time.Duration(i) * time.Hour)
				a := s.mustDo(clin, schedule, slotInput(client.ID, start))["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)
				ids = append(ids, a["id"].(string))
			}
			moveTo := testNow.AddDate(0, 0, 9).Add(time.Duration(i) * time.Hour)
			in := map[string]any{"appointmentID": ids[1], "startsAt": moveTo.Format(time.RFC3339), "endsAt": moveTo.Add(50 * time.Minute).Format(time.RFC3339)}
			if c.requestedBy != nil {
				in["requestedBy"] = c.requestedBy
			}
			a := s.mustDo(clin, reschedule, map[string]any{"in": in})["rescheduleAppointment"].(map[string]any)["appointment"].(map[string]any)
			if a["rescheduledBy"] != c.wantBy {
				t.Errorf("requestedBy %v: rescheduledBy %v, want %s", c.requestedBy, a["rescheduledBy"], c.wantBy)
			}
			booked = append(booked, ids)
		}
		s.clock.Advance(30 * 24 * time.Hour)
		clin = s.token(f.clinicianUser) // the first one expired
		for i, c := range cases {
			for _, id := range booked[i] {
				s.mustDo(clin, `mutation($id: ID!) { recordAttendance(input: {appointmentID: $id, outcome: ATTENDED, minutesLate: 0}) { userErrors { field message code } } }`, map[string]any{"id": id})
			}
			got := s.mustDo(clin, `query($id: ID!) { node(id: $id) { ... on Client { recurringEligibility { eligible consecutiveOnTime } } } }`,
				map[string]any{"id": encodeID(f.ownClients[i].ID)})["node"].(map[string]any)["recurringEligibility"].(map[string]any)
			if got["consecutiveOnTime"] != c.onTime || got["eligible"] != c.eligible {
				t.Errorf("second session rescheduled by %v: %v, want %v on time in a row, eligible %v", c.requestedBy, got, c.onTime, c.eligible)
			}
		}
	})
}
