package main

import (
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/internal/testdb"
)

// history gives a client past sessions a week apart, ending two weeks
// before testNow, at the given hour offset (to keep clients apart): one per
// outcome, "on time", "late" (15 minutes), "client cancel" or "no-show".
func (s *apiServer) history(f *practiceFixture, c *ent.ClientProfile, hour int, outcomes ...string) {
	s.t.Helper()
	ctx, db := sys(), s.main.DB.Ent
	ep := must(db.Episode.Query().Where(episode.ClientID(c.ID), episode.ClosedAtIsNil()).Only(ctx))
	for i, o := range outcomes {
		start := testNow.AddDate(0, 0, -7*(len(outcomes)+1-i)).Add(time.Duration(hour) * time.Hour)
		create := db.Appointment.Create().SetPracticeID(f.practice.ID).SetClientID(c.ID).SetClinicianID(*c.ClinicianID).
			SetEpisodeID(ep.ID).SetStartsAt(start).SetEndsAt(start.Add(50 * time.Minute))
		switch o {
		case "on time":
			create.SetStatus(appointment.StatusATTENDED).SetMinutesLate(0)
		case "late":
			create.SetStatus(appointment.StatusATTENDED).SetMinutesLate(15)
		case "client cancel":
			create.SetStatus(appointment.StatusCANCELED).SetCanceledBy(appointment.CanceledByCLIENT).SetCanceledAt(start.AddDate(0, 0, -3))
		case "no-show":
			create.SetStatus(appointment.StatusNO_SHOW)
		default:
			s.t.Fatalf("unknown outcome %q", o)
		}
		must(create.Save(ctx))
	}
}

const createSeries = `mutation($in: CreateRecurringSeriesInput!) {
  createRecurringSeries(input: $in) {
    seriesID
    appointments { id startsAt endsAt seriesID kind status }
    client { recurringPrivilege recurringEligibility { eligible } nextAppointment { startsAt } }
    userErrors { field message code }
  }
}`

func seriesInput(clientID int, weekday, clock, frequency string, count int, startsOn string) map[string]any {
	return map[string]any{"in": map[string]any{
		"clientID": encodeID(clientID), "weekday": weekday, "time": clock, "frequency": frequency, "count": count, "startsOn": startsOn,
	}}
}

func TestRecurringSeries(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann, ben, cy := f.ownClients[0], f.ownClients[1], f.ownClients[2]
		s.history(f, ann, 10, "on time", "late", "on time") // 1 on time in a row: not earned
		s.history(f, ben, 11, "no-show", "on time", "on time", "on time")
		s.history(f, cy, 12, "on time", "on time", "on time")

		r := s.do(tok, createSeries, seriesInput(ann.ID, "TUESDAY", "16:30", "WEEKLY", 4, "2026-03-16"))
		wantUserErrors(t, r, "createRecurringSeries", "appointments", "POLICY_VIOLATION input.clientID")
		if !strings.Contains(r.message(), "not earned") || !strings.Contains(r.message(), "1 of the 3") {
			t.Errorf("Ann has not earned a series: %q, want the rule's explanation", r.message())
		}

		for _, c := range []struct {
			name, field string
			in          map[string]any
		}{
			{"a time that is not HH:MM", "time", seriesInput(ben.ID, "TUESDAY", "25:00", "WEEKLY", 4, "2026-03-16")},
			{"no sessions", "count", seriesInput(ben.ID, "TUESDAY", "16:30", "WEEKLY", 0, "2026-03-16")},
			{"more than a year of weeks", "count", seriesInput(ben.ID, "TUESDAY", "16:30", "WEEKLY", 53, "2026-03-16")},
			{"a first session in the past", "startsOn", seriesInput(ben.ID, "MONDAY", "09:00", "WEEKLY", 2, "2026-03-09")},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantUserErrors(t, s.do(tok, createSeries, c.in), "createRecurringSeries", "appointments", "BAD_USER_INPUT input."+c.field)
			})
		}
		// Every invalid field and the rule at once, and nothing booked.
		sessions := func() int { return must(s.main.DB.Ent.Appointment.Query().Count(sys())) }
		before := sessions()
		bad := seriesInput(ann.ID, "TUESDAY", "4pm", "WEEKLY", 53, "2026-03-16")
		bad["in"].(map[string]any)["durationMinutes"] = 5
		r = s.do(tok, createSeries, bad)
		wantUserErrors(t, r, "createRecurringSeries", "appointments",
			"BAD_USER_INPUT input.time", "BAD_USER_INPUT input.count", "BAD_USER_INPUT input.durationMinutes", "POLICY_VIOLATION input.clientID")
		if p := r.Data["createRecurringSeries"].(map[string]any); p["seriesID"] != nil || p["client"] != nil {
			t.Errorf("a refused series answered %v, want nulls", p)
		}
		wantRows(t, "sessions after a refused series", sessions(), before)

		// Ben's series crosses the end of daylight saving time (1 November
		// 2026 in New York): 16:30 on the clinic's clock all the same.
		got := s.mustDo(tok, createSeries, seriesInput(ben.ID, "TUESDAY", "16:30", "WEEKLY", 4, "2026-10-19"))["createRecurringSeries"].(map[string]any)
		if ue := got["userErrors"].([]any); len(ue) != 0 {
			t.Errorf("userErrors of a booked series = %v, want []", ue)
		}
		want := []string{"2026-10-20T20:30:00Z", "2026-10-27T20:30:00Z", "2026-11-03T21:30:00Z", "2026-11-10T21:30:00Z"}
		appts := got["appointments"].([]any)
		if len(appts) != len(want) {
			t.Fatalf("booked %d sessions, want %d", len(appts), len(want))
		}
		for i, a := range appts {
			a := a.(map[string]any)
			if a["startsAt"] != want[i] || a["seriesID"] != got["seriesID"] || a["kind"] != "THERAPY" || a["status"] != "SCHEDULED" {
				t.Errorf("session %d = %v, want %s in series %v", i, a, want[i], got["seriesID"])
			}
		}
		client := got["client"].(map[string]any)
		if client["recurringPrivilege"] != true {
			t.Errorf("Ben's privilege after booking: %v", client)
		}
		// What the mutation returns is computed after its writes.
		if next, _ := client["nextAppointment"].(map[string]any); next == nil || next["startsAt"] != want[0] {
			t.Errorf("Ben's next appointment in the mutation's answer = %v, want the first of the series", client["nextAppointment"])
		}

		r = s.do(tok, createSeries, seriesInput(ben.ID, "THURSDAY", "09:00", "BIWEEKLY", 2, "2026-03-16"))
		wantUserErrors(t, r, "createRecurringSeries", "appointments", "POLICY_VIOLATION input.clientID")
		if !strings.Contains(r.message(), "already") {
			t.Errorf("a second series: %q, want it said", r.message())
		}
		other := s.token(f.otherUser)
		wantUserErrors(t, s.do(other, createSeries, seriesInput(cy.ID, "FRIDAY", "09:00", "WEEKLY", 2, "2026-03-16")),
			"createRecurringSeries", "appointments", "NOT_FOUND input.clientID")
		// The supervisor reads the supervisee's client: FORBIDDEN (issue 17.5).
		if r := s.do(s.token(f.supervisor), createSeries, seriesInput(cy.ID, "FRIDAY", "09:00", "WEEKLY", 2, "2026-03-16")); r.code() != "FORBIDDEN" || len(r.Errors) > 0 {
			t.Errorf("a supervisor writing for a supervisee: %+v %+v, want a FORBIDDEN userError", r.Errors, r.refusals())
		}

		// Cy's monthly series would hit a session the clinician already has on
		// its third date: nothing is booked, and the error names the date.
		clash := time.Date(2026, time.May, 15, 13, 0, 0, 0, time.UTC) // Friday 09:00 New York
		s.mustDo(tok, schedule, slotInput(ann.ID, clash))
		r = s.do(tok, createSeries, seriesInput(cy.ID, "FRIDAY", "09:00", "MONTHLY", 3, "2026-03-16"))
		wantUserErrors(t, r, "createRecurringSeries", "appointments", "CONFLICT null")
		if !strings.Contains(r.message(), "15 May 2026") {
			t.Errorf("a series that collides: %q, want it to name 15 May 2026", r.message())
		}
		if n := must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(cy.ID), appointment.SeriesIDNotNil()).Count(sys())); n != 0 {
			t.Errorf("a refused series left %d sessions behind", n)
		}
		cySeries := s.mustDo(tok, createSeries, seriesInput(cy.ID, "FRIDAY", "10:00", "MONTHLY", 3, "2026-03-16"))["createRecurringSeries"].(map[string]any)
		var starts []string
		for _, a := range cySeries["appointments"].([]any) {
			starts = append(starts, a.(map[string]any)["startsAt"].(string))
		}
		if strings.Join(starts, " ") != "2026-03-20T14:00:00Z 2026-04-17T14:00:00Z 2026-05-15T14:00:00Z" {
			t.Errorf("monthly series = %v, want every fourth Friday at 10:00", starts)
		}

		const revoke = `mutation($id: ID!) { revokeRecurring(input: {clientID: $id, reason: "cancelled twice in a row"}) {
			client { recurringPrivilege strikeCount nextAppointment { id } } canceled { status canceledBy cancelReason isLateCancel } userErrors { field message code } } }`
		rv := s.mustDo(tok, revoke, map[string]any{"id": encodeID(ben.ID)})["revokeRecurring"].(map[string]any)
		if n := len(rv["canceled"].([]any)); n != 4 {
			t.Errorf("revoking cancelled %d sessions, want 4", n)
		}
		for _, a := range rv["canceled"].([]any) {
			a := a.(map[string]any)
			if a["status"] != "CANCELED" || a["canceledBy"] != "PRACTICE" || a["isLateCancel"] != false || !strings.Contains(a["cancelReason"].(string), "twice") {
				t.Errorf("a revoked session = %v, want cancelled by the practice with the reason, no strike", a)
			}
		}
		rc := rv["client"].(map[string]any)
		if rc["recurringPrivilege"] != false || rc["strikeCount"] != float64(1) || rc["nextAppointment"] != nil {
			t.Errorf("Ben after revoking = %v, want no privilege, only his old no-show as a strike, nothing booked", rc)
		}
		wantUserErrors(t, s.do(tok, revoke, map[string]any{"id": encodeID(ben.ID)}), "revokeRecurring", "client", "POLICY_VIOLATION input.clientID")
	})
}

// A client who holds the privilege but cancelled twice in a row should lose
// it: renewing the series is refused with the reason.
func TestRecurringSeriesRefusedWhenItShouldBeRevoked(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		ann := f.ownClients[0]
		s.history(f, ann, 10, "on time", "on time", "on time", "client cancel", "client cancel")
		must(ann.Update().SetRecurringPrivilege(true).Save(sys()))
		r := s.do(s.token(f.clinicianUser), createSeries, seriesInput(ann.ID, "TUESDAY", "16:30", "WEEKLY", 4, "2026-03-16"))
		if r.code() != "POLICY_VIOLATION" || len(r.Errors) > 0 || !strings.Contains(r.message(), "Cancelled the last 2 sessions") {
			t.Errorf("renewing after two client cancellations: %+v %+v, want a POLICY_VIOLATION userError with the reason", r.Errors, r.refusals())
		}
		// Holding the privilege without a fresh streak is enough otherwise.
		b := f.ownClients[1]
		s.history(f, b, 11, "on time", "on time", "on time", "late")
		must(b.Update().SetRecurringPrivilege(true).Save(sys()))
		s.mustDo(s.token(f.clinicianUser), createSeries, seriesInput(b.ID, "WEDNESDAY", "08:00", "BIWEEKLY", 2, "2026-03-16"))
	})
}
