package workflow_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
	"github.com/caseload/caseload/internal/workflow"
)

// TestReadOnlyRefusalsAreForbidden: a change to a record the caller reads
// but may not change is FORBIDDEN; to one they cannot see, NOT_FOUND, as
// one that exists nowhere (SPEC.md, Access; issue 17.5). Nothing is
// written either way.
func TestReadOnlyRefusalsAreForbidden(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		c := begin(t, db, dialectName)
		ada := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE) // the case's clinician's
		noShow := mustCreateSession(t, c, ada, testNow.Add(-48*time.Hour), appointment.StatusNO_SHOW)
		booked := mustCreateSession(t, c, ada, testNow.Add(48*time.Hour), appointment.StatusSCHEDULED)

		// A supervisor of the case's clinician, an unrelated clinician with
		// a client of their own, an analyst, and another practice's admin.
		supID := mustCreateClinician(t, c, "Dr Sup")
		sup := &viewer.Viewer{PracticeID: c.practice, UserID: mustCreateUser(t, c, "sup@north.example", "SUPERVISOR").ID,
			Role: viewer.Supervisor, ClinicianID: supID, SuperviseeIDs: []int{c.clinicianID}}
		bobID := mustCreateClinician(t, c, "Dr Bob")
		bob := &viewer.Viewer{PracticeID: c.practice, UserID: mustCreateUser(t, c, "bob@north.example", "CLINICIAN").ID, Role: viewer.Clinician, ClinicianID: bobID}
		bobs := c.tx.ClientProfile.Create().SetPracticeID(c.practice).SetFirstName("Bea").SetLastName("Zed").
			SetClinicianID(bobID).SetStatus(clientprofile.StatusACTIVE).SaveX(c.allow)
		c.tx.Episode.Create().SetPracticeID(c.practice).SetClientID(bobs.ID).SetClinicianID(bobID).SetOpenedAt(testNow.AddDate(0, -1, 0)).ExecX(c.allow)
		bobsSession := c.tx.Appointment.Create().SetPracticeID(c.practice).SetClientID(bobs.ID).SetClinicianID(bobID).
			SetStartsAt(testNow.Add(72 * time.Hour)).SetEndsAt(testNow.Add(73 * time.Hour)).SaveX(c.allow)
		analyst := &viewer.Viewer{PracticeID: c.practice, UserID: mustCreateUser(t, c, "analyst@north.example", "ANALYST").ID, Role: viewer.Analyst}
		south := c.tx.Practice.Create().SetName("South").SetTimeZone(newYork.String()).SetPolicy(caseload.DefaultPolicy()).SaveX(c.allow)
		southAdmin := &viewer.Viewer{PracticeID: south.ID, UserID: 1 << 30, Role: viewer.Admin}

		type mutation func(ctx context.Context, client *ent.ClientProfile, session *ent.Appointment) error
		mutations := map[string]mutation{
			"updateClient": func(ctx context.Context, cl *ent.ClientProfile, _ *ent.Appointment) error {
				_, err := c.svc.UpdateClient(ctx, workflow.UpdateClientInput{ClientID: cl.ID, UpdateClientProfileInput: ent.UpdateClientProfileInput{Phone: ptr("555-0199")}})
				return err
			},
			"createContact": func(ctx context.Context, cl *ent.ClientProfile, _ *ent.Appointment) error {
				_, err := c.svc.CreateContact(ctx, ent.CreateContactInput{ClientID: cl.ID, Channel: "PHONE", Direction: "OUTBOUND", Purpose: "CHECK_IN"})
				return err
			},
			"cancelAppointment": func(ctx context.Context, _ *ent.ClientProfile, a *ent.Appointment) error {
				_, err := c.svc.CancelAppointment(ctx, workflow.CancelAppointmentInput{AppointmentID: a.ID, By: appointment.CanceledByCLIENT})
				return err
			},
			"closeCase": func(ctx context.Context, cl *ent.ClientProfile, _ *ent.Appointment) error {
				_, err := c.svc.CloseCase(ctx, workflow.CloseCaseInput{ClientID: cl.ID, Reason: episode.CloseReasonCLIENT_REQUEST})
				return err
			},
		}
		for _, tc := range []struct {
			name    string
			v       *viewer.Viewer
			client  *ent.ClientProfile
			session *ent.Appointment
			want    caseload.Code
		}{
			{"supervisor on a supervisee's client", sup, ada, booked, caseload.CodeForbidden},
			{"supervisor on an unrelated clinician's client", sup, bobs, bobsSession, caseload.CodeNotFound},
			{"analyst", analyst, ada, booked, caseload.CodeForbidden},
			{"clinician on another's client", bob, ada, booked, caseload.CodeNotFound},
			{"admin of another practice", southAdmin, ada, booked, caseload.CodeNotFound},
		} {
			for name, m := range mutations {
				t.Run(tc.name+"/"+name, func(t *testing.T) {
					err := m(c.as(tc.v), tc.client, tc.session)
					if got := caseload.ErrorCode(err); got != tc.want {
						t.Errorf("%v (%s), want %s", err, got, tc.want)
					}
				})
			}
		}
		// The excuse too (a past no-show), and a colleague's profile, which
		// every member of staff reads.
		_, err := c.svc.ExcuseStrike(c.as(sup), workflow.ExcuseStrikeInput{AppointmentID: noShow.ID, Reason: "flu"})
		wantRefusal(t, err, caseload.CodeForbidden, "appointmentID")
		_, err = c.svc.UpdateClinician(c.as(bob), workflow.UpdateClinicianInput{ClinicianID: c.clinicianID, UpdateClinicianInput: ent.UpdateClinicianInput{Credentials: ptr("MD")}})
		wantRefusal(t, err, caseload.CodeForbidden, "clinicianID")
		_, err = c.svc.UpdateClinician(c.as(southAdmin), workflow.UpdateClinicianInput{ClinicianID: c.clinicianID, UpdateClinicianInput: ent.UpdateClinicianInput{Credentials: ptr("MD")}})
		wantRefusal(t, err, caseload.CodeNotFound, "clinicianID")
		_, err = c.svc.CreateClient(c.as(analyst), ent.CreateClientProfileInput{FirstName: "New", LastName: "Zed"})
		wantRefusal(t, err, caseload.CodeForbidden, "")

		// Nothing was written.
		if got := c.tx.ClientProfile.GetX(c.allow, ada.ID); got.Phone == nil || *got.Phone != "555-0100" || got.Status != clientprofile.StatusACTIVE {
			t.Errorf("Ann after the refusals: phone %v, %s", got.Phone, got.Status)
		}
		if got := c.tx.Appointment.GetX(c.allow, noShow.ID); got.Excused {
			t.Error("the no-show was excused")
		}
		if got := c.tx.Appointment.GetX(c.allow, booked.ID); got.Status != appointment.StatusSCHEDULED {
			t.Errorf("the booked session is %s", got.Status)
		}
		if n := c.tx.Contact.Query().CountX(c.allow); n != 0 {
			t.Errorf("%d contacts written", n)
		}
		// The client's own clinician still changes them.
		if _, err := c.svc.UpdateClient(c.as(c.clinician), workflow.UpdateClientInput{ClientID: ada.ID, UpdateClientProfileInput: ent.UpdateClientProfileInput{Phone: ptr("555-0199")}}); err != nil {
			t.Errorf("the clinician's own client: %v", err)
		}
	})
}
