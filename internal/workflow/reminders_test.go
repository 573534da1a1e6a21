package workflow_test

import (
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/workflow"
)

func TestRecordReminder(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		tomorrow := testLocal(2026, 3, 11, 10, 0)
		t.Run("an adult is reminded", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCreateSession(t, c, cp, tomorrow, appointment.StatusSCHEDULED)
			got, err := c.svc.RecordReminder(c.as(c.clinician), workflow.RecordReminderInput{AppointmentID: a.ID, Channel: appointment.ReminderChannelTEXT})
			if err != nil {
				t.Fatal(err)
			}
			r := got.Recipient
			if r.Role != "CLIENT" || *r.Name != "Ann Zed" || r.Channel != "TEXT" || r.Phone == nil || *r.Phone != "555-0100" {
				t.Errorf("recipient %s %v by %s at %v, want CLIENT Ann Zed by TEXT at 555-0100", r.Role, *r.Name, r.Channel, r.Phone)
			}
			saved := mustReload(t, c, a.ID)
			if saved.ReminderSentAt == nil || !saved.ReminderSentAt.Equal(testNow) || *saved.ReminderChannel != appointment.ReminderChannelTEXT {
				t.Errorf("session reminded at %v by %v, want %v by TEXT", saved.ReminderSentAt, saved.ReminderChannel, testNow)
			}
			ct, err := c.tx.Contact.Get(c.allow, got.Contact.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ct.ClientID != cp.ID || ct.Purpose != contact.PurposeREMINDER || ct.Direction != contact.DirectionOUTBOUND ||
				ct.Channel != contact.ChannelTEXT || ct.ClinicianID == nil || *ct.ClinicianID != c.clinicianID || !ct.OccurredAt.Equal(testNow) {
				t.Errorf("contact %+v, want an OUTBOUND TEXT REMINDER by clinician %d at %v", ct, c.clinicianID, testNow)
			}
		})
		t.Run("a minor's primary caregiver is reminded", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Tim", clientprofile.StatusACTIVE)
			cp = c.tx.ClientProfile.UpdateOne(cp).SetDateOfBirth(time.Date(2014, 5, 1, 0, 0, 0, 0, time.UTC)).SaveX(c.allow)
			c.tx.Caregiver.Create().SetPracticeID(c.practice).SetClientID(cp.ID).SetName("Uma Zed").SetRelationship("mother").
				SetPhone("555-0199").SetIsPrimary(true).ExecX(c.allow)
			a := mustCreateSession(t, c, cp, tomorrow, appointment.StatusCONFIRMED)
			got, err := c.svc.RecordReminder(c.as(c.clinician), workflow.RecordReminderInput{AppointmentID: a.ID, Channel: appointment.ReminderChannelPHONE})
			if err != nil {
				t.Fatal(err)
			}
			if r := got.Recipient; r.Role != "CAREGIVER" || *r.Name != "Uma Zed" || *r.Phone != "555-0199" || r.Channel != "PHONE" {
				t.Errorf("recipient %s %s at %s by %s, want CAREGIVER Uma Zed at 555-0199 by PHONE", r.Role, *r.Name, *r.Phone, r.Channel)
			}
		})
		t.Run("a cancelled session is not reminded", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCancel(t, c, mustCreateSession(t, c, cp, tomorrow, appointment.StatusSCHEDULED), appointment.CanceledByCLIENT, 72*time.Hour)
			_, err := c.svc.RecordReminder(c.as(c.clinician), workflow.RecordReminderInput{AppointmentID: a.ID, Channel: appointment.ReminderChannelTEXT})
			wantRefusal(t, err, caseload.CodePolicyViolation, "appointmentID")
			if n := c.tx.Contact.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d contacts recorded, want none", n)
			}
		})
	})
}
