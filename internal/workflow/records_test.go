package workflow_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/caregiver"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/workflow"
)

func TestCreateClient(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("a clinician's ACTIVE client goes on their caseload with an open episode", func(t *testing.T) {
			c := begin(t, db, dialectName)
			got, err := c.svc.CreateClient(c.as(c.clinician), ent.CreateClientProfileInput{
				FirstName: "New", LastName: "Client", Status: ptr(clientprofile.StatusACTIVE), Email: ptr("new@example.org"),
			})
			if err != nil {
				t.Fatal(err)
			}
			cp := c.tx.ClientProfile.GetX(c.allow, got.ID)
			if cp.Status != clientprofile.StatusACTIVE || cp.ClinicianID == nil || *cp.ClinicianID != c.clinicianID || cp.FirstName != "New" {
				t.Errorf("client %s %s of clinician %v, want New ACTIVE of %d", cp.FirstName, cp.Status, cp.ClinicianID, c.clinicianID)
			}
			eps := c.tx.ClientProfile.QueryEpisodes(cp).AllX(c.allow)
			if len(eps) != 1 || eps[0].ClosedAt != nil || !eps[0].OpenedAt.Equal(testNow) || eps[0].ClinicianID == nil || *eps[0].ClinicianID != c.clinicianID {
				t.Errorf("episodes %+v, want one opened at %v with clinician %d", eps, testNow, c.clinicianID)
			}
		})
		t.Run("an admin's new client waits on nobody's caseload", func(t *testing.T) {
			c := begin(t, db, dialectName)
			got, err := c.svc.CreateClient(c.as(c.admin), ent.CreateClientProfileInput{FirstName: "Wren", LastName: "Waiting"})
			if err != nil {
				t.Fatal(err)
			}
			cp := c.tx.ClientProfile.GetX(c.allow, got.ID)
			if cp.Status != clientprofile.StatusWAITLIST || cp.ClinicianID != nil {
				t.Errorf("client %s of clinician %v, want WAITLIST of none", cp.Status, cp.ClinicianID)
			}
			if n := c.tx.ClientProfile.QueryEpisodes(cp).CountX(c.allow); n != 0 {
				t.Errorf("%d episodes of a waitlisted client, want none", n)
			}
		})
		refusals := []struct {
			name    string
			in      ent.CreateClientProfileInput
			field   string
			message string
		}{
			{"an ACTIVE client without a clinician", ent.CreateClientProfileInput{Status: ptr(clientprofile.StatusACTIVE)}, "clinicianID", "an ACTIVE client needs a clinician"},
			{"a CLOSED client", ent.CreateClientProfileInput{Status: ptr(clientprofile.StatusCLOSED)}, "status", "a new client is WAITLIST or ACTIVE"},
			{"a birth date to come", ent.CreateClientProfileInput{DateOfBirth: ptr(testNow.AddDate(0, 0, 1))}, "dateOfBirth", "must not be in the future"},
		}
		for _, tc := range refusals {
			t.Run("refused: "+tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				tc.in.FirstName, tc.in.LastName = "A", "B"
				_, err := c.svc.CreateClient(c.as(c.admin), tc.in)
				wantRefusal(t, err, caseload.CodeBadUserInput, tc.field, tc.message)
				if n := c.tx.ClientProfile.Query().CountX(c.allow); n != 0 {
					t.Errorf("%d clients after a refusal, want none", n)
				}
			})
		}
		t.Run("refused: every invalid field at once, each worded for a person", func(t *testing.T) {
			c := begin(t, db, dialectName)
			_, err := c.svc.CreateClient(c.as(c.admin), ent.CreateClientProfileInput{
				FirstName: "", LastName: strings.Repeat("x", 101), Email: ptr("nobody"), Phone: ptr("call me"),
				DateOfBirth: ptr(testNow.AddDate(1, 0, 0)), Status: ptr(clientprofile.StatusCLOSED),
			})
			want := []string{
				"firstName: must not be empty",
				"lastName: is too long: at most 100 characters",
				"email: must be an email address such as name@example.org",
				`phone: may hold only digits, spaces, "+", "-", "(", ")" and "."`,
				"dateOfBirth: must not be in the future",
				"status: a new client is WAITLIST or ACTIVE",
			}
			var got []string
			for _, e := range caseload.Refusals(err) {
				if e.Code != caseload.CodeBadUserInput || !strings.HasPrefix(e.Message, e.Field+": ") {
					t.Errorf("refusal %+v, want BAD_USER_INPUT with its field first in the message", e)
				}
				got = append(got, e.Message)
			}
			if !slices.Equal(got, want) {
				t.Errorf("refusals:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if n := c.tx.ClientProfile.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d clients after a refusal, want none", n)
			}
		})
	})
}

func TestCaregivers(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("a new or changed primary caregiver replaces the client's previous one", func(t *testing.T) {
			c := begin(t, db, dialectName)
			tim := mustCreateClient(t, c, "Tim", clientprofile.StatusACTIVE)
			// Another client's primary caregiver is no business of Tim's.
			other := c.tx.Caregiver.Create().SetPracticeID(c.practice).SetClientID(mustCreateClient(t, c, "Ida", clientprofile.StatusACTIVE).ID).
				SetName("Olga Zed").SetRelationship("mother").SetIsPrimary(true).SaveX(c.allow)
			ctx := c.as(c.clinician)
			create := func(name string) *ent.Caregiver {
				cg, err := c.svc.CreateCaregiver(ctx, ent.CreateCaregiverInput{ClientID: tim.ID, Name: name, Relationship: "parent", IsPrimary: ptr(true)})
				if err != nil {
					t.Fatal(err)
				}
				return cg
			}
			primaries := func() []int {
				return c.tx.Caregiver.Query().Where(caregiver.IsPrimary(true)).Order(ent.Asc(caregiver.FieldID)).IDsX(c.allow)
			}
			uma := create("Uma Zed")
			vic := create("Vic Zed")
			if got := primaries(); len(got) != 2 || got[0] != other.ID || got[1] != vic.ID {
				t.Errorf("primary caregivers %v, want %d (Ida's) and %d (Vic, Tim's newest)", got, other.ID, vic.ID)
			}
			if _, err := c.svc.UpdateCaregiver(ctx, workflow.UpdateCaregiverInput{CaregiverID: uma.ID, UpdateCaregiverInput: ent.UpdateCaregiverInput{IsPrimary: ptr(true), Relationship: ptr("guardian")}}); err != nil {
				t.Fatal(err)
			}
			if got := primaries(); len(got) != 2 || got[0] != other.ID || got[1] != uma.ID {
				t.Errorf("primary caregivers %v, want %d (Ida's) and %d (Uma, made primary)", got, other.ID, uma.ID)
			}
			if r := c.tx.Caregiver.GetX(c.allow, uma.ID).Relationship; r != "guardian" {
				t.Errorf("relationship %q, want guardian", r)
			}
		})
		t.Run("refused: a new primary caregiver with invalid fields replaces nobody", func(t *testing.T) {
			c := begin(t, db, dialectName)
			tim := mustCreateClient(t, c, "Tim", clientprofile.StatusACTIVE)
			ctx := c.as(c.clinician)
			uma, err := c.svc.CreateCaregiver(ctx, ent.CreateCaregiverInput{ClientID: tim.ID, Name: "Uma Zed", Relationship: "parent", IsPrimary: ptr(true)})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.svc.CreateCaregiver(ctx, ent.CreateCaregiverInput{ClientID: tim.ID, Name: "", Relationship: "parent", Email: ptr("nobody"), IsPrimary: ptr(true)})
			var refused caseload.Errors
			if !errors.As(err, &refused) || len(refused) != 2 || refused[0].Field != "name" || refused[1].Field != "email" {
				t.Fatalf("error = %v, want name and email refused at once", err)
			}
			if got := c.tx.Caregiver.Query().Where(caregiver.IsPrimary(true)).IDsX(c.allow); len(got) != 1 || got[0] != uma.ID {
				t.Errorf("primary caregivers %v after a refusal, want Uma's %d still", got, uma.ID)
			}
			_, err = c.svc.UpdateCaregiver(ctx, workflow.UpdateCaregiverInput{CaregiverID: tim.ID, UpdateCaregiverInput: ent.UpdateCaregiverInput{IsPrimary: ptr(true)}})
			wantRefusal(t, err, caseload.CodeNotFound, "caregiverID")
		})
	})
}

func TestCreateAppointment(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		lastWeek := testLocal(2026, 3, 3, 10, 0)
		input := func(c *testCase, cp *ent.ClientProfile) ent.CreateAppointmentInput {
			return ent.CreateAppointmentInput{ClientID: cp.ID, ClinicianID: c.clinicianID, StartsAt: lastWeek, EndsAt: lastWeek.Add(50 * time.Minute),
				Status: ptr(appointment.StatusATTENDED)}
		}
		t.Run("an admin enters a past session into the open episode", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			got, err := c.svc.CreateAppointment(c.as(c.admin), input(c, cp))
			if err != nil {
				t.Fatal(err)
			}
			ep, _ := workflow.OpenEpisode(c.allow, c.tx, cp.ID)
			a := mustReload(t, c, got.ID)
			if a.Status != appointment.StatusATTENDED || !a.StartsAt.Equal(lastWeek) || a.EpisodeID == nil || *a.EpisodeID != ep.ID || a.ClientID != cp.ID {
				t.Errorf("session %s at %v in episode %v, want ATTENDED at %v in %d", a.Status, a.StartsAt, a.EpisodeID, lastWeek, ep.ID)
			}
		})
		refusals := []struct {
			name    string
			clinic  bool
			status  clientprofile.Status
			change  func(in *ent.CreateAppointmentInput)
			code    caseload.Code
			field   string
			message string
		}{
			{"a clinician entering a session", true, clientprofile.StatusACTIVE, nil,
				caseload.CodeForbidden, "", "only an admin corrects session records directly"},
			{"a closed client's session", false, clientprofile.StatusCLOSED, nil,
				caseload.CodePolicyViolation, "clientID", "the client's case is closed: reopen it before booking"},
			{"a session that ends before it starts", false, clientprofile.StatusACTIVE, func(in *ent.CreateAppointmentInput) {
				in.EndsAt = in.StartsAt.Add(-time.Minute)
			}, caseload.CodeBadUserInput, "endsAt", "endsAt: must be after startsAt"},
		}
		for _, tc := range refusals {
			t.Run("refused: "+tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				in := input(c, mustCreateClient(t, c, "Ann", tc.status))
				if tc.change != nil {
					tc.change(&in)
				}
				v := c.admin
				if tc.clinic {
					v = c.clinician
				}
				_, err := c.svc.CreateAppointment(c.as(v), in)
				wantRefusal(t, err, tc.code, tc.field, tc.message)
				if n := c.tx.Appointment.Query().CountX(c.allow); n != 0 {
					t.Errorf("%d sessions after a refusal, want none", n)
				}
			})
		}
	})
}

func TestUpdateAppointment(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		tomorrow := testLocal(2026, 3, 11, 10, 0)
		t.Run("an admin moves a session, then cancels it for the practice", func(t *testing.T) {
			c := begin(t, db, dialectName)
			a := mustCreateSession(t, c, mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE), tomorrow, appointment.StatusSCHEDULED)
			ctx := c.as(c.admin)
			later := tomorrow.Add(2 * time.Hour)
			if _, err := c.svc.UpdateAppointment(ctx, workflow.UpdateAppointmentInput{AppointmentID: a.ID, UpdateAppointmentInput: ent.UpdateAppointmentInput{StartsAt: &later, EndsAt: ptr(later.Add(time.Hour))}}); err != nil {
				t.Fatal(err)
			}
			_, err := c.svc.UpdateAppointment(ctx, workflow.UpdateAppointmentInput{AppointmentID: a.ID, UpdateAppointmentInput: ent.UpdateAppointmentInput{
				Status: ptr(appointment.StatusCANCELED), CanceledBy: ptr(appointment.CanceledByPRACTICE), CanceledAt: ptr(testNow), CancelReason: ptr("flood"),
			}})
			if err != nil {
				t.Fatal(err)
			}
			got := mustReload(t, c, a.ID)
			if !got.StartsAt.Equal(later) || !got.EndsAt.Equal(later.Add(time.Hour)) || got.Status != appointment.StatusCANCELED ||
				got.CanceledBy == nil || *got.CanceledBy != appointment.CanceledByPRACTICE || got.CancelReason == nil || *got.CancelReason != "flood" {
				t.Errorf("session %+v, want CANCELED by PRACTICE for flood, at %v for an hour", got, later)
			}
		})
		refusals := []struct {
			name    string
			clinic  bool
			in      ent.UpdateAppointmentInput
			code    caseload.Code
			field   string
			message string
		}{
			{"a clinician editing a session", true, ent.UpdateAppointmentInput{Status: ptr(appointment.StatusNO_SHOW), Excused: ptr(true)},
				caseload.CodeForbidden, "", "only an admin corrects session records directly"},
			{"a cancellation by nobody", false, ent.UpdateAppointmentInput{Status: ptr(appointment.StatusCANCELED)},
				caseload.CodeBadUserInput, "canceledBy", "say who cancelled"},
			{"an end before the start", false, ent.UpdateAppointmentInput{EndsAt: ptr(tomorrow.Add(-time.Minute))},
				caseload.CodeBadUserInput, "endsAt", "endsAt: must be after startsAt"},
		}
		for _, tc := range refusals {
			t.Run("refused: "+tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				a := mustCreateSession(t, c, mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE), tomorrow, appointment.StatusSCHEDULED)
				v := c.admin
				if tc.clinic {
					v = c.clinician
				}
				_, err := c.svc.UpdateAppointment(c.as(v), workflow.UpdateAppointmentInput{AppointmentID: a.ID, UpdateAppointmentInput: tc.in})
				wantRefusal(t, err, tc.code, tc.field, tc.message)
				if got := mustReload(t, c, a.ID); got.Status != appointment.StatusSCHEDULED || !got.EndsAt.Equal(a.EndsAt) {
					t.Errorf("session %s ending %v after a refusal, want SCHEDULED ending %v", got.Status, got.EndsAt, a.EndsAt)
				}
			})
		}
	})
}

func TestCreateContact(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("a clinician's contact is theirs, now", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			got, err := c.svc.CreateContact(c.as(c.clinician), ent.CreateContactInput{
				ClientID: cp.ID, Channel: contact.ChannelPHONE, Direction: contact.DirectionINBOUND, Purpose: contact.PurposeCHECK_IN,
			})
			if err != nil {
				t.Fatal(err)
			}
			ct := c.tx.Contact.GetX(c.allow, got.ID)
			if ct.ClientID != cp.ID || ct.ClinicianID == nil || *ct.ClinicianID != c.clinicianID || !ct.OccurredAt.Equal(testNow) ||
				ct.Channel != contact.ChannelPHONE || ct.Direction != contact.DirectionINBOUND || ct.Purpose != contact.PurposeCHECK_IN {
				t.Errorf("contact %+v, want an INBOUND PHONE CHECK_IN of clinician %d at %v", ct, c.clinicianID, testNow)
			}
		})
		t.Run("refused: a contact to come", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			_, err := c.svc.CreateContact(c.as(c.clinician), ent.CreateContactInput{
				ClientID: cp.ID, Channel: contact.ChannelPHONE, Direction: contact.DirectionINBOUND, Purpose: contact.PurposeCHECK_IN,
				OccurredAt: ptr(testNow.Add(time.Hour)),
			})
			wantRefusal(t, err, caseload.CodeBadUserInput, "occurredAt", "a contact cannot be in the future")
			if n := c.tx.Contact.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d contacts after a refusal, want none", n)
			}
		})
	})
}

// The plain changes only pass the input on: what they write, and that the
// privacy rules, not the workflow, refuse a clinician.
func TestPlainRecordChanges(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("an admin's clinician, and changes to a clinician, client and contact", func(t *testing.T) {
			c := begin(t, db, dialectName)
			ctx := c.as(c.admin)
			cl, err := c.svc.CreateClinician(ctx, ent.CreateClinicianInput{Name: "Dr Bo", WeeklySlots: ptr(20)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.svc.UpdateClinician(ctx, workflow.UpdateClinicianInput{ClinicianID: cl.ID, UpdateClinicianInput: ent.UpdateClinicianInput{AcceptingNewClients: ptr(false)}}); err != nil {
				t.Fatal(err)
			}
			if got := c.tx.Clinician.GetX(c.allow, cl.ID); got.Name != "Dr Bo" || got.WeeklySlots != 20 || got.AcceptingNewClients || got.PracticeID != c.practice {
				t.Errorf("clinician %+v, want Dr Bo with 20 slots, not accepting, in practice %d", got, c.practice)
			}
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			if _, err := c.svc.UpdateClient(ctx, workflow.UpdateClientInput{ClientID: cp.ID, UpdateClientProfileInput: ent.UpdateClientProfileInput{Phone: ptr("+1 555 0101")}}); err != nil {
				t.Fatal(err)
			}
			if got := c.tx.ClientProfile.GetX(c.allow, cp.ID); got.Phone == nil || *got.Phone != "+1 555 0101" {
				t.Errorf("phone %v, want +1 555 0101", got.Phone)
			}
			ct := c.tx.Contact.Create().SetPracticeID(c.practice).SetClientID(cp.ID).SetChannel(contact.ChannelPHONE).
				SetDirection(contact.DirectionINBOUND).SetPurpose(contact.PurposeCHECK_IN).SaveX(c.allow)
			if _, err := c.svc.UpdateContact(ctx, workflow.UpdateContactInput{ContactID: ct.ID, UpdateContactInput: ent.UpdateContactInput{BillableMinutes: ptr(5)}}); err != nil {
				t.Fatal(err)
			}
			if got := c.tx.Contact.GetX(c.allow, ct.ID); got.BillableMinutes != 5 {
				t.Errorf("billable minutes %d, want 5", got.BillableMinutes)
			}
		})
		t.Run("refused: a change into the future, as a creation would be", func(t *testing.T) {
			c := begin(t, db, dialectName)
			ctx := c.as(c.admin)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			future := testNow.Add(48 * time.Hour)
			_, err := c.svc.UpdateClient(ctx, workflow.UpdateClientInput{ClientID: cp.ID, UpdateClientProfileInput: ent.UpdateClientProfileInput{
				DateOfBirth: &future, Email: ptr("not-an-email")}})
			wantRefusals(t, err, "BAD_USER_INPUT email", "BAD_USER_INPUT dateOfBirth")
			if got := c.tx.ClientProfile.GetX(c.allow, cp.ID); got.DateOfBirth != nil && got.DateOfBirth.Equal(future) {
				t.Errorf("date of birth %v written by a refused change", got.DateOfBirth)
			}
			ct := c.tx.Contact.Create().SetPracticeID(c.practice).SetClientID(cp.ID).SetChannel(contact.ChannelPHONE).
				SetDirection(contact.DirectionINBOUND).SetPurpose(contact.PurposeCHECK_IN).SetOccurredAt(testNow.Add(-time.Hour)).SaveX(c.allow)
			_, err = c.svc.UpdateContact(ctx, workflow.UpdateContactInput{ContactID: ct.ID, UpdateContactInput: ent.UpdateContactInput{OccurredAt: &future}})
			wantRefusals(t, err, "BAD_USER_INPUT occurredAt")
			if got := c.tx.Contact.GetX(c.allow, ct.ID); !got.OccurredAt.Equal(testNow.Add(-time.Hour)) {
				t.Errorf("occurredAt %v, want it unchanged", got.OccurredAt)
			}
		})
		t.Run("refused: a clinician adding a clinician", func(t *testing.T) {
			c := begin(t, db, dialectName)
			_, err := c.svc.CreateClinician(c.as(c.clinician), ent.CreateClinicianInput{Name: "Dr Bo"})
			wantNotFound(t, err)
			if n := c.tx.Clinician.Query().CountX(c.allow); n != 1 {
				t.Errorf("%d clinicians after a refusal, want the fixture's 1", n)
			}
		})
	})
}
