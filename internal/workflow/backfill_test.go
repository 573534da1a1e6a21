package workflow_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/workflow"
)

func TestSetBackfillPreference(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("on the list with a window", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			windows := []*caseload.AvailabilityWindow{{Weekday: time.Wednesday, StartMinute: 9 * 60, EndMinute: 12 * 60}}
			if _, err := c.svc.SetBackfillPreference(c.as(c.clinician), workflow.SetBackfillPreferenceInput{ClientID: cp.ID, WantsEarlier: true, Availability: windows}); err != nil {
				t.Fatal(err)
			}
			got := c.tx.ClientProfile.GetX(c.allow, cp.ID)
			if !got.WantsEarlierAppointment || !reflect.DeepEqual(got.Availability, []caseload.AvailabilityWindow{*windows[0]}) {
				t.Errorf("wants earlier %v in %+v, want true in %+v", got.WantsEarlierAppointment, got.Availability, *windows[0])
			}
		})
		t.Run("a window that ends before it starts", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			windows := []*caseload.AvailabilityWindow{{Weekday: time.Wednesday, StartMinute: 12 * 60, EndMinute: 9 * 60}}
			_, err := c.svc.SetBackfillPreference(c.as(c.clinician), workflow.SetBackfillPreferenceInput{ClientID: cp.ID, WantsEarlier: true, Availability: windows})
			wantRefusal(t, err, caseload.CodeBadUserInput, "availability.0.endMinute")
		})
		t.Run("each bad window by its index, and nothing written", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			windows := []*caseload.AvailabilityWindow{
				{Weekday: time.Monday, StartMinute: 9 * 60, EndMinute: 12 * 60},
				{Weekday: time.Tuesday, StartMinute: 12 * 60, EndMinute: 9 * 60},
				{Weekday: time.Wednesday, StartMinute: 9 * 60, EndMinute: 10 * 60},
				{Weekday: time.Thursday, StartMinute: -5, EndMinute: 24*60 + 1},
			}
			_, err := c.svc.SetBackfillPreference(c.as(c.clinician), workflow.SetBackfillPreferenceInput{ClientID: cp.ID, WantsEarlier: true, Availability: windows})
			wantRefusals(t, err, "BAD_USER_INPUT availability.1.endMinute", "BAD_USER_INPUT availability.3.startMinute", "BAD_USER_INPUT availability.3.endMinute")
			if e := caseload.Refusals(err); len(e) > 0 && e[0].Message != "availability.1.endMinute: must be after startMinute: a window starts before it ends, within one day" {
				t.Errorf("message %q, want it to name the window's field", e[0].Message)
			}
			_, err = c.svc.SetBackfillPreference(c.as(c.clinician), workflow.SetBackfillPreferenceInput{ClientID: -1, WantsEarlier: true, Availability: windows[1:2]})
			wantRefusals(t, err, "BAD_USER_INPUT availability.0.endMinute", "NOT_FOUND clientID")
			if got := c.tx.ClientProfile.GetX(c.allow, cp.ID); got.WantsEarlierAppointment || len(got.Availability) != 0 {
				t.Errorf("wants earlier %v in %+v after refusals, want nothing written", got.WantsEarlierAppointment, got.Availability)
			}
		})
	})
}

func TestFillSlot(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		slot, later := testLocal(2026, 3, 11, 10, 0), testLocal(2026, 3, 25, 14, 0)
		// setUp frees tomorrow's 10:00 (Bea cancelled in time) and puts Ann,
		// booked in two weeks, on the backfill list.
		setUp := func(t *testing.T) (c *testCase, freed, annLater *ent.Appointment, ann *ent.ClientProfile) {
			c = begin(t, db, dialectName)
			bea := mustCreateClient(t, c, "Bea", clientprofile.StatusACTIVE)
			freed = mustCancel(t, c, mustCreateSession(t, c, bea, slot, appointment.StatusSCHEDULED), appointment.CanceledByCLIENT, 72*time.Hour)
			ann = mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			ann = c.tx.ClientProfile.UpdateOne(ann).SetWantsEarlierAppointment(true).SaveX(c.allow)
			annLater = mustCreateSession(t, c, ann, later, appointment.StatusSCHEDULED)
			return c, freed, annLater, ann
		}
		t.Run("the client moves up and gives up the later session", func(t *testing.T) {
			c, freed, annLater, ann := setUp(t)
			filled, err := c.svc.FillSlot(c.as(c.clinician), workflow.FillSlotInput{CanceledAppointmentID: freed.ID, ClientID: ann.ID})
			if err != nil {
				t.Fatal(err)
			}
			if filled.CanceledAppointment.ID != freed.ID || filled.LaterAppointment == nil || filled.LaterAppointment.ID != annLater.ID {
				t.Errorf("filled %+v, want the freed session %d and the later one %d", filled, freed.ID, annLater.ID)
			}
			got := mustReload(t, c, filled.Appointment.ID)
			if got.ClientID != ann.ID || !got.StartsAt.Equal(slot) || got.FilledFromID == nil || *got.FilledFromID != freed.ID || got.EpisodeID == nil {
				t.Errorf("booked %+v, want Ann at %v filled from %d in her episode", got, slot, freed.ID)
			}
			gaveUp := mustReload(t, c, annLater.ID)
			if gaveUp.Status != appointment.StatusCANCELED || *gaveUp.CanceledBy != appointment.CanceledByCLIENT || !gaveUp.Excused {
				t.Errorf("later session %s by %v excused %v, want CANCELED by CLIENT and excused", gaveUp.Status, gaveUp.CanceledBy, gaveUp.Excused)
			}
		})
		t.Run("the client keeps the later session too", func(t *testing.T) {
			c, freed, annLater, ann := setUp(t)
			filled, err := c.svc.FillSlot(c.as(c.clinician), workflow.FillSlotInput{CanceledAppointmentID: freed.ID, ClientID: ann.ID, KeepLaterAppointment: true})
			if err != nil {
				t.Fatal(err)
			}
			if filled.LaterAppointment != nil {
				t.Errorf("later session %+v in the result, want none when kept", filled.LaterAppointment)
			}
			if kept := mustReload(t, c, annLater.ID); kept.Status != appointment.StatusSCHEDULED {
				t.Errorf("later session %s, want it SCHEDULED still", kept.Status)
			}
		})
		t.Run("a filled slot is not filled twice", func(t *testing.T) {
			c, freed, _, ann := setUp(t)
			ctx := c.as(c.clinician)
			if _, err := c.svc.FillSlot(ctx, workflow.FillSlotInput{CanceledAppointmentID: freed.ID, ClientID: ann.ID, KeepLaterAppointment: true}); err != nil {
				t.Fatal(err)
			}
			cara := mustCreateClient(t, c, "Cara", clientprofile.StatusACTIVE)
			c.tx.ClientProfile.UpdateOne(cara).SetWantsEarlierAppointment(true).ExecX(c.allow)
			_, err := c.svc.FillSlot(ctx, workflow.FillSlotInput{CanceledAppointmentID: freed.ID, ClientID: cara.ID, KeepLaterAppointment: true})
			wantRefusal(t, err, caseload.CodeConflict, "canceledAppointmentID")
		})
		t.Run("a client off the list is refused with the reasons", func(t *testing.T) {
			c, freed, _, ann := setUp(t)
			c.tx.ClientProfile.UpdateOneID(ann.ID).SetWantsEarlierAppointment(false).ExecX(c.allow)
			_, err := c.svc.FillSlot(c.as(c.clinician), workflow.FillSlotInput{CanceledAppointmentID: freed.ID, ClientID: ann.ID})
			wantRefusal(t, err, caseload.CodePolicyViolation, "clientID", "the client has not asked for an earlier appointment")
		})
		t.Run("each reason separately, on its field", func(t *testing.T) {
			c, freed, _, ann := setUp(t)
			c.tx.ClientProfile.UpdateOneID(ann.ID).SetWantsEarlierAppointment(false).SetStatus(clientprofile.StatusWAITLIST).ExecX(c.allow)
			// Ann already has a session at the slot's time: a double booking.
			mustCreateSession(t, c, ann, slot.Add(15*time.Minute), appointment.StatusSCHEDULED)
			before := c.tx.Appointment.Query().CountX(c.allow)
			_, err := c.svc.FillSlot(c.as(c.clinician), workflow.FillSlotInput{CanceledAppointmentID: freed.ID, ClientID: ann.ID})
			wantRefusals(t, err, "POLICY_VIOLATION clientID", "POLICY_VIOLATION clientID", "CONFLICT ")
			if n := c.tx.Appointment.Query().CountX(c.allow); n != before {
				t.Errorf("%d sessions after a refusal, want %d", n, before)
			}
			_, err = c.svc.FillSlot(c.as(c.clinician), workflow.FillSlotInput{CanceledAppointmentID: -1, ClientID: -2})
			wantRefusals(t, err, "NOT_FOUND canceledAppointmentID", "NOT_FOUND clientID")
		})
		t.Run("a booked session's slot is not free", func(t *testing.T) {
			c, _, annLater, ann := setUp(t)
			_, err := c.svc.FillSlot(c.as(c.clinician), workflow.FillSlotInput{CanceledAppointmentID: annLater.ID, ClientID: ann.ID})
			wantRefusal(t, err, caseload.CodePolicyViolation, "canceledAppointmentID")
		})
	})
}
