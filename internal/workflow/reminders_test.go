package workflow_test

import (
	"strings"
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
		minor := func(c *testCase, caregivers ...*ent.CaregiverCreate) *ent.ClientProfile {
			cp := mustCreateClient(t, c, "Tim", clientprofile.StatusACTIVE)
			cp = c.tx.ClientProfile.UpdateOne(cp).SetDateOfBirth(time.Date(2014, 5, 1, 0, 0, 0, 0, time.UTC)).SaveX(c.allow)
			for _, cg := range caregivers {
				cg.SetPracticeID(c.practice).SetClientID(cp.ID).ExecX(c.allow)
			}
			return cp
		}
		t.Run("a minor's primary caregiver is reminded", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := minor(c, c.tx.Caregiver.Create().SetName("Uma Zed").SetRelationship("mother").
				SetPhone("555-0199").SetIsPrimary(true).SetConsentToContact(true),
				c.tx.Caregiver.Create().SetName("Vic Zed").SetRelationship("father").SetPhone("555-0198").SetConsentToContact(true))
			a := mustCreateSession(t, c, cp, tomorrow, appointment.StatusCONFIRMED)
			got, err := c.svc.RecordReminder(c.as(c.clinician), workflow.RecordReminderInput{AppointmentID: a.ID, Channel: appointment.ReminderChannelPHONE})
			if err != nil {
				t.Fatal(err)
			}
			if r := got.Recipient; r.Role != "CAREGIVER" || *r.Name != "Uma Zed" || *r.Phone != "555-0199" || r.Channel != "PHONE" {
				t.Errorf("recipient %s %s at %s by %s, want CAREGIVER Uma Zed at 555-0199 by PHONE", r.Role, *r.Name, *r.Phone, r.Channel)
			}
		})
		t.Run("a primary caregiver who refused contact is not named: the one who consented is", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := minor(c, c.tx.Caregiver.Create().SetName("Uma Zed").SetRelationship("mother").SetPhone("555-0199").SetIsPrimary(true),
				c.tx.Caregiver.Create().SetName("Vic Zed").SetRelationship("father").SetPhone("555-0198").SetEmail("vic@example.org").SetConsentToContact(true))
			a := mustCreateSession(t, c, cp, tomorrow, appointment.StatusSCHEDULED)
			got, err := c.svc.RecordReminder(c.as(c.clinician), workflow.RecordReminderInput{AppointmentID: a.ID, Channel: appointment.ReminderChannelEMAIL})
			if err != nil {
				t.Fatal(err)
			}
			if r := got.Recipient; r.Role != "CAREGIVER" || *r.Name != "Vic Zed" || *r.Phone != "555-0198" || *r.Email != "vic@example.org" {
				t.Errorf("recipient %s %s at %s, want CAREGIVER Vic Zed at 555-0198", r.Role, *r.Name, *r.Phone)
			}
		})
		t.Run("a minor with no consented contact is reminded by nobody: refused, nothing written", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := minor(c, c.tx.Caregiver.Create().SetName("Uma Zed").SetRelationship("mother").SetPhone("555-0199").SetIsPrimary(true),
				c.tx.Caregiver.Create().SetName("Vic Zed").SetRelationship("father").SetPhone("555-0198"))
			a := mustCreateSession(t, c, cp, tomorrow, appointment.StatusSCHEDULED)
			_, err := c.svc.RecordReminder(c.as(c.clinician), workflow.RecordReminderInput{AppointmentID: a.ID, Channel: appointment.ReminderChannelTEXT})
			wantRefusal(t, err, caseload.CodePolicyViolation, "appointmentID")
			if err == nil || !strings.Contains(err.Error(), "no consented contact for this minor") {
				t.Errorf("refusal %v, want it to say there is no consented contact", err)
			}
			if n := c.tx.Contact.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d contacts recorded, want none", n)
			}
			if saved := mustReload(t, c, a.ID); saved.ReminderSentAt != nil {
				t.Errorf("session marked reminded at %v", saved.ReminderSentAt)
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
