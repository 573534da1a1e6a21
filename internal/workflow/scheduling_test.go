package workflow_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/workflow"
)

func TestScheduleAppointment(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		tomorrow := testLocal(2026, 3, 11, 10, 0)
		t.Run("books the client's clinician into the open episode", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			ctx := c.as(c.clinician)
			a, err := c.svc.ScheduleAppointment(ctx, workflow.ScheduleAppointmentInput{
				ClientID: cp.ID, StartsAt: tomorrow, EndsAt: tomorrow.Add(50 * time.Minute),
			})
			if err != nil {
				t.Fatal(err)
			}
			ep, err := workflow.OpenEpisode(ctx, c.tx, cp.ID)
			if err != nil || ep == nil {
				t.Fatalf("open episode: %v, %v", ep, err)
			}
			got := mustReload(t, c, a.ID)
			if got.ClinicianID != c.clinicianID || got.EpisodeID == nil || *got.EpisodeID != ep.ID ||
				got.Status != appointment.StatusSCHEDULED || got.Kind != appointment.KindTHERAPY || !got.StartsAt.Equal(tomorrow) {
				t.Errorf("booked %+v, want SCHEDULED THERAPY at %v with clinician %d in episode %d", got, tomorrow, c.clinicianID, ep.ID)
			}
		})
		t.Run("an admin back-enters a past session of a closed client", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusCLOSED)
			past := testLocal(2025, 12, 15, 10, 0)
			kind := appointment.KindINTAKE
			a, err := c.svc.ScheduleAppointment(c.as(c.admin), workflow.ScheduleAppointmentInput{
				ClientID: cp.ID, StartsAt: past, EndsAt: past.Add(time.Hour), Kind: &kind,
			})
			if err != nil {
				t.Fatal(err)
			}
			closed, err := c.tx.Episode.Query().Where(episode.ClientID(cp.ID)).Only(c.allow)
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind != appointment.KindINTAKE || a.EpisodeID == nil || *a.EpisodeID != closed.ID {
				t.Errorf("back-entered %+v, want an INTAKE in the closed episode %d of its date", a, closed.ID)
			}
		})
		// SPEC rule 1: a session is filed in the episode whose span
		// [opened, closed) contains its start, whenever it is entered.
		t.Run("an admin's back-entry is filed by its date", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusCLOSED) // 2025-12-01 09:00 to 2026-01-01 09:00
			closing := testLocal(2026, 1, 1, 9, 0)
			reopening := testLocal(2026, 2, 2, 9, 0)
			newEp, err := c.tx.Episode.Create().SetPracticeID(c.practice).SetClientID(cp.ID).SetClinicianID(c.clinicianID).SetOpenedAt(reopening).Save(c.allow)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cp.Update().SetStatus(clientprofile.StatusACTIVE).Save(c.allow); err != nil {
				t.Fatal(err)
			}
			old, err := c.tx.Episode.Query().Where(episode.ClientID(cp.ID), episode.ClosedAtNotNil()).Only(c.allow)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range []struct {
				name  string
				start time.Time
				want  *int
			}{
				{"one second before the closing", closing.Add(-time.Second), &old.ID},
				{"at the closing: between the episodes", closing, nil},
				{"one second before the reopening: between the episodes", reopening.Add(-time.Second), nil},
				{"at the reopening", reopening, &newEp.ID},
				{"before the first episode", testLocal(2025, 11, 30, 9, 0), nil},
			} {
				a, err := c.svc.ScheduleAppointment(c.as(c.admin), workflow.ScheduleAppointmentInput{
					ClientID: cp.ID, StartsAt: e.start, EndsAt: e.start.Add(time.Second),
				})
				if err != nil {
					t.Fatalf("%s: %v", e.name, err)
				}
				if (a.EpisodeID == nil) != (e.want == nil) || (e.want != nil && *a.EpisodeID != *e.want) {
					t.Errorf("%s: filed in %v, want %v (closed %d, new %d)", e.name, showID(a.EpisodeID), showID(e.want), old.ID, newEp.ID)
				}
			}
		})
		refusals := []struct {
			name   string
			status clientprofile.Status
			start  time.Time
			length time.Duration
			code   caseload.Code
			field  string
		}{
			{"a clinician enters a past session", clientprofile.StatusACTIVE, testNow.Add(-time.Hour), 50 * time.Minute, caseload.CodePolicyViolation, "startsAt"},
			{"the client is on the waitlist", clientprofile.StatusWAITLIST, tomorrow, 50 * time.Minute, caseload.CodePolicyViolation, "clientID"},
			{"the session ends before it starts", clientprofile.StatusACTIVE, tomorrow, -time.Minute, caseload.CodeBadUserInput, "endsAt"},
		}
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				cp := mustCreateClient(t, c, "Ann", tc.status)
				_, err := c.svc.ScheduleAppointment(c.as(c.clinician), workflow.ScheduleAppointmentInput{
					ClientID: cp.ID, StartsAt: tc.start, EndsAt: tc.start.Add(tc.length),
				})
				wantRefusal(t, err, tc.code, tc.field)
			})
		}
		t.Run("every refusal of the input at once, each on its field", func(t *testing.T) {
			c := begin(t, db, dialectName)
			past := testNow.Add(-time.Hour)
			_, err := c.svc.ScheduleAppointment(c.as(c.clinician), workflow.ScheduleAppointmentInput{
				ClientID: -1, StartsAt: past, EndsAt: past.Add(-time.Minute),
			})
			var got []string
			for _, e := range caseload.Refusals(err) {
				got = append(got, string(e.Code)+" "+e.Field)
			}
			want := []string{"BAD_USER_INPUT endsAt", "POLICY_VIOLATION startsAt", "NOT_FOUND clientID"}
			if !slices.Equal(got, want) {
				t.Errorf("refusals %v, want %v", got, want)
			}
			if n := c.tx.Appointment.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d sessions after a refusal, want none", n)
			}
		})
		t.Run("a client without a clinician needs one named", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			if err := c.tx.ClientProfile.UpdateOne(cp).ClearClinicianID().Exec(c.allow); err != nil {
				t.Fatal(err)
			}
			_, err := c.svc.ScheduleAppointment(c.as(c.admin), workflow.ScheduleAppointmentInput{
				ClientID: cp.ID, StartsAt: tomorrow, EndsAt: tomorrow.Add(50 * time.Minute),
			})
			wantRefusal(t, err, caseload.CodeBadUserInput, "clinicianID")
		})
		t.Run("the clinician is booked then", func(t *testing.T) {
			c := begin(t, db, dialectName)
			other := mustCreateClient(t, c, "Bea", clientprofile.StatusACTIVE)
			mustCreateSession(t, c, other, tomorrow.Add(30*time.Minute), appointment.StatusSCHEDULED)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			_, err := c.svc.ScheduleAppointment(c.as(c.clinician), workflow.ScheduleAppointmentInput{
				ClientID: cp.ID, StartsAt: tomorrow, EndsAt: tomorrow.Add(50 * time.Minute),
			})
			wantRefusal(t, err, caseload.CodeConflict, "")
		})
	})
}

func TestRescheduleCancelAndConfirm(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		tomorrow := testLocal(2026, 3, 11, 10, 0)
		t.Run("rescheduling starts confirmation and reminder over", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCreateSession(t, c, cp, tomorrow, appointment.StatusSCHEDULED)
			ctx := c.as(c.clinician)
			if _, err := c.svc.ConfirmAppointment(ctx, workflow.ConfirmAppointmentInput{AppointmentID: a.ID}); err != nil {
				t.Fatal(err)
			}
			confirmed := mustReload(t, c, a.ID)
			if confirmed.Status != appointment.StatusCONFIRMED || confirmed.ConfirmedAt == nil || !confirmed.ConfirmedAt.Equal(testNow) {
				t.Fatalf("confirmed: %s at %v, want CONFIRMED at %v", confirmed.Status, confirmed.ConfirmedAt, testNow)
			}
			later := tomorrow.Add(24 * time.Hour)
			if _, err := c.svc.RescheduleAppointment(ctx, workflow.RescheduleAppointmentInput{AppointmentID: a.ID, StartsAt: later, EndsAt: later.Add(45 * time.Minute)}); err != nil {
				t.Fatal(err)
			}
			moved := mustReload(t, c, a.ID)
			if moved.Status != appointment.StatusSCHEDULED || moved.ConfirmedAt != nil || !moved.StartsAt.Equal(later) || !moved.EndsAt.Equal(later.Add(45*time.Minute)) {
				t.Errorf("rescheduled: %s %v-%v confirmed %v, want SCHEDULED %v unconfirmed", moved.Status, moved.StartsAt, moved.EndsAt, moved.ConfirmedAt, later)
			}
		})
		t.Run("a session is not moved into the past", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCreateSession(t, c, cp, tomorrow, appointment.StatusSCHEDULED)
			_, err := c.svc.RescheduleAppointment(c.as(c.clinician), workflow.RescheduleAppointmentInput{AppointmentID: a.ID, StartsAt: testNow.Add(-time.Hour), EndsAt: testNow})
			wantRefusal(t, err, caseload.CodeBadUserInput, "startsAt")
		})
		t.Run("rescheduling reports every refusal at once", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCreateSession(t, c, cp, tomorrow, appointment.StatusSCHEDULED)
			_, err := c.svc.RescheduleAppointment(c.as(c.clinician), workflow.RescheduleAppointmentInput{AppointmentID: -1, StartsAt: testNow.Add(-time.Hour), EndsAt: testNow.Add(-2 * time.Hour)})
			wantRefusals(t, err, "BAD_USER_INPUT endsAt", "BAD_USER_INPUT startsAt", "NOT_FOUND appointmentID")
			// A session that has started, moved to before it starts.
			started := mustCreateSession(t, c, cp, testNow.Add(-10*time.Minute), appointment.StatusSCHEDULED)
			_, err = c.svc.RescheduleAppointment(c.as(c.clinician), workflow.RescheduleAppointmentInput{AppointmentID: started.ID, StartsAt: tomorrow, EndsAt: tomorrow.Add(-time.Minute)})
			wantRefusals(t, err, "BAD_USER_INPUT endsAt", "POLICY_VIOLATION appointmentID")
			if got := mustReload(t, c, a.ID); !got.StartsAt.Equal(tomorrow) {
				t.Errorf("session moved to %v by refused calls", got.StartsAt)
			}
		})
		t.Run("cancelling keeps who cancelled, when and why", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCreateSession(t, c, cp, tomorrow, appointment.StatusSCHEDULED)
			reason := "  car trouble "
			if _, err := c.svc.CancelAppointment(c.as(c.clinician), workflow.CancelAppointmentInput{AppointmentID: a.ID, By: appointment.CanceledByCLIENT, Reason: &reason}); err != nil {
				t.Fatal(err)
			}
			got := mustReload(t, c, a.ID)
			if got.Status != appointment.StatusCANCELED || *got.CanceledBy != appointment.CanceledByCLIENT ||
				!got.CanceledAt.Equal(testNow) || got.CancelReason == nil || *got.CancelReason != "car trouble" {
				t.Errorf("cancelled: %s by %v at %v for %v, want CANCELED by CLIENT at %v for %q", got.Status, *got.CanceledBy, got.CanceledAt, got.CancelReason, testNow, "car trouble")
			}
		})
		refusals := []struct {
			name  string
			start time.Time
			// cancel first, as the client, this long before the start
			canceled bool
			want     string
		}{
			{"a cancelled session", tomorrow, true, "only a booked session can be cancelled"},
			{"a session that has started", testNow.Add(-10 * time.Minute), false, "the session has started"},
		}
		for _, tc := range refusals {
			t.Run("cancelling "+tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
				a := mustCreateSession(t, c, cp, tc.start, appointment.StatusSCHEDULED)
				if tc.canceled {
					mustCancel(t, c, a, appointment.CanceledByCLIENT, 48*time.Hour)
				}
				_, err := c.svc.CancelAppointment(c.as(c.clinician), workflow.CancelAppointmentInput{AppointmentID: a.ID, By: appointment.CanceledByCLINICIAN})
				wantRefusal(t, err, caseload.CodePolicyViolation, "appointmentID", tc.want)
			})
		}
		t.Run("cancelling reports the session and a reason too long at once", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCreateSession(t, c, cp, testNow.Add(-10*time.Minute), appointment.StatusSCHEDULED)
			long := strings.Repeat("x", 501)
			_, err := c.svc.CancelAppointment(c.as(c.clinician), workflow.CancelAppointmentInput{AppointmentID: a.ID, By: appointment.CanceledByCLIENT, Reason: &long})
			wantRefusals(t, err, "POLICY_VIOLATION appointmentID", "BAD_USER_INPUT reason")
			if e := caseload.Refusals(err); len(e) == 2 && e[1].Message != "reason: is too long: at most 500 characters" {
				t.Errorf("message %q, want it on the input's field", e[1].Message)
			}
			if got := mustReload(t, c, a.ID); got.Status != appointment.StatusSCHEDULED {
				t.Errorf("status %s after a refusal, want SCHEDULED", got.Status)
			}
		})
		t.Run("another clinician's client's session is not found", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCreateSession(t, c, cp, tomorrow, appointment.StatusSCHEDULED)
			stranger := *c.clinician
			stranger.ClinicianID = mustCreateClinician(t, c, "Dr Bo")
			_, err := c.svc.ConfirmAppointment(c.as(&stranger), workflow.ConfirmAppointmentInput{AppointmentID: a.ID})
			wantRefusal(t, err, caseload.CodeNotFound, "appointmentID")
		})
	})
}

// wantRefusals checks that err holds exactly the refusals want ("CODE
// field"), in order, each worded as a sentence.
func wantRefusals(tb testing.TB, err error, want ...string) {
	tb.Helper()
	var got []string
	for _, e := range caseload.Refusals(err) {
		got = append(got, string(e.Code)+" "+e.Field)
		if e.Message == "" {
			tb.Errorf("refusal %+v has no message", e)
		}
	}
	if !slices.Equal(got, want) {
		tb.Errorf("refusals %v (%v), want %v", got, err, want)
	}
}

// showID shows an optional id.
func showID(p *int) any {
	if p == nil {
		return "none"
	}
	return *p
}
