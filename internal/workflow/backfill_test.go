package workflow_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/caseload"
)

func TestSetBackfillPreference(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("on the list with a window", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			windows := []*caseload.AvailabilityWindow{{Weekday: time.Wednesday, StartMinute: 9 * 60, EndMinute: 12 * 60}}
			if _, err := c.svc.SetBackfillPreference(c.as(c.clinician), cp.ID, true, windows); err != nil {
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
			_, err := c.svc.SetBackfillPreference(c.as(c.clinician), cp.ID, true, windows)
			wantRefusal(t, err, caseload.CodeBadUserInput, "availability")
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
			booked, err := c.svc.FillSlot(c.as(c.clinician), freed.ID, ann.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			got := mustReload(t, c, booked.ID)
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
			if _, err := c.svc.FillSlot(c.as(c.clinician), freed.ID, ann.ID, true); err != nil {
				t.Fatal(err)
			}
			if kept := mustReload(t, c, annLater.ID); kept.Status != appointment.StatusSCHEDULED {
				t.Errorf("later session %s, want it SCHEDULED still", kept.Status)
			}
		})
		t.Run("a filled slot is not filled twice", func(t *testing.T) {
			c, freed, _, ann := setUp(t)
			ctx := c.as(c.clinician)
			if _, err := c.svc.FillSlot(ctx, freed.ID, ann.ID, true); err != nil {
				t.Fatal(err)
			}
			cara := mustCreateClient(t, c, "Cara", clientprofile.StatusACTIVE)
			c.tx.ClientProfile.UpdateOne(cara).SetWantsEarlierAppointment(true).ExecX(c.allow)
			_, err := c.svc.FillSlot(ctx, freed.ID, cara.ID, true)
			wantRefusal(t, err, caseload.CodeConflict, "")
		})
		t.Run("a client off the list is refused with the reasons", func(t *testing.T) {
			c, freed, _, ann := setUp(t)
			c.tx.ClientProfile.UpdateOneID(ann.ID).SetWantsEarlierAppointment(false).ExecX(c.allow)
			_, err := c.svc.FillSlot(c.as(c.clinician), freed.ID, ann.ID, false)
			wantRefusal(t, err, caseload.CodePolicyViolation, "", "the client has not asked for an earlier appointment")
		})
		t.Run("a booked session's slot is not free", func(t *testing.T) {
			c, _, annLater, ann := setUp(t)
			_, err := c.svc.FillSlot(c.as(c.clinician), annLater.ID, ann.ID, false)
			wantRefusal(t, err, caseload.CodePolicyViolation, "")
		})
	})
}
