package workflow_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/newclientrequest"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/workflow"
)

// iMustWaitlist puts a client on the practice's waitlist, on nobody's
// caseload, as intake takes them in.
func iMustWaitlist(tb testing.TB, c *testCase, first string) *ent.ClientProfile {
	tb.Helper()
	cp, err := c.tx.ClientProfile.Create().SetPracticeID(c.practice).SetFirstName(first).SetLastName("Waiting").
		SetStatus(clientprofile.StatusWAITLIST).Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return cp
}

// iMustRequest opens a request of the clinician for count clients.
func iMustRequest(tb testing.TB, c *testCase, clinicianID, count int) *ent.NewClientRequest {
	tb.Helper()
	r, err := c.tx.NewClientRequest.Create().SetPracticeID(c.practice).SetClinicianID(clinicianID).SetCount(count).Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestRequestNewClients(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("the recommended count for the signed-in clinician", func(t *testing.T) {
			c := begin(t, db, dialectName)
			note := "  adolescents welcome  "
			got, err := c.svc.RequestNewClients(c.as(c.clinician), workflow.RequestNewClientsInput{Note: &note})
			if err != nil {
				t.Fatal(err)
			}
			r := c.tx.NewClientRequest.GetX(c.allow, got.ID)
			// No clients and 30 weekly slots: 30 open slots, plus the
			// policy's buffer of 2 for no-shows (rule 9).
			if r.ClinicianID != c.clinicianID || r.Count != 32 || r.Note != "adolescents welcome" || r.Status != newclientrequest.StatusOPEN ||
				r.AssignedCount != 0 || r.ClosedAt != nil || r.PracticeID != c.practice {
				t.Errorf("request %+v, want an OPEN request of clinician %d for 32 clients noting %q", r, c.clinicianID, "adolescents welcome")
			}
		})
		t.Run("an admin asks on a clinician's behalf", func(t *testing.T) {
			c := begin(t, db, dialectName)
			n := 3
			got, err := c.svc.RequestNewClients(c.as(c.admin), workflow.RequestNewClientsInput{Count: &n, ClinicianID: &c.clinicianID})
			if err != nil {
				t.Fatal(err)
			}
			if r := c.tx.NewClientRequest.GetX(c.allow, got.ID); r.ClinicianID != c.clinicianID || r.Count != 3 || r.Note != "" {
				t.Errorf("request of clinician %d for %d, note %q; want %d for 3, no note", r.ClinicianID, r.Count, r.Note, c.clinicianID)
			}
		})
		refusals := []struct {
			name    string
			setup   func(tb testing.TB, c *testCase)
			count   int // 0: none given
			other   bool
			code    caseload.Code
			field   string
			message string
		}{
			{"a second open request", func(tb testing.TB, c *testCase) { iMustRequest(tb, c, c.clinicianID, 2) }, 2, false,
				caseload.CodePolicyViolation, "", "there is already an open request"},
			{"asking for another clinician", nil, 2, true,
				caseload.CodeForbidden, "clinicianID", "only an admin asks on another clinician's behalf"},
			{"asking for too many", nil, 51, false,
				caseload.CodeBadUserInput, "count", "ask for 1 to 50 clients"},
			{"a clinician not accepting new clients", func(tb testing.TB, c *testCase) {
				c.tx.Clinician.UpdateOneID(c.clinicianID).SetAcceptingNewClients(false).ExecX(c.allow)
			}, 2, false, caseload.CodePolicyViolation, "clinicianID", "the clinician is not accepting new clients"},
		}
		for _, tc := range refusals {
			t.Run("refused: "+tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				if tc.setup != nil {
					tc.setup(t, c)
				}
				before := c.tx.NewClientRequest.Query().CountX(c.allow)
				var who *int
				if tc.other {
					id := mustCreateClinician(t, c, "Dr Bo")
					who = &id
				}
				_, err := c.svc.RequestNewClients(c.as(c.clinician), workflow.RequestNewClientsInput{Count: &tc.count, ClinicianID: who})
				wantRefusal(t, err, tc.code, tc.field, tc.message)
				if after := c.tx.NewClientRequest.Query().CountX(c.allow); after != before {
					t.Errorf("%d requests after a refusal, want %d", after, before)
				}
			})
		}
		t.Run("refused: every invalid field at once", func(t *testing.T) {
			c := begin(t, db, dialectName)
			n, missing, note := 0, -1, strings.Repeat("x", 1001)
			_, err := c.svc.RequestNewClients(c.as(c.admin), workflow.RequestNewClientsInput{Count: &n, Note: &note, ClinicianID: &missing})
			want := []string{"NOT_FOUND clinicianID", "BAD_USER_INPUT count", "BAD_USER_INPUT note"}
			if got := refusalsOnFields(err); !slices.Equal(got, want) {
				t.Errorf("refusals %v, want %v", got, want)
			}
			if n := c.tx.NewClientRequest.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d requests after a refusal, want none", n)
			}
		})
	})
}

func TestCancelNewClientRequest(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("an open request is cancelled once", func(t *testing.T) {
			c := begin(t, db, dialectName)
			r := iMustRequest(t, c, c.clinicianID, 2)
			ctx := c.as(c.clinician)
			if _, err := c.svc.CancelNewClientRequest(ctx, workflow.CancelNewClientRequestInput{RequestID: r.ID}); err != nil {
				t.Fatal(err)
			}
			got := c.tx.NewClientRequest.GetX(c.allow, r.ID)
			if got.Status != newclientrequest.StatusCANCELED || got.ClosedAt == nil || !got.ClosedAt.Equal(testNow) {
				t.Errorf("request %s closed at %v, want CANCELED at %v", got.Status, got.ClosedAt, testNow)
			}
			_, err := c.svc.CancelNewClientRequest(ctx, workflow.CancelNewClientRequestInput{RequestID: r.ID})
			wantRefusal(t, err, caseload.CodePolicyViolation, "requestID", "the request is CANCELED")
		})
		t.Run("refused: another clinician's request", func(t *testing.T) {
			c := begin(t, db, dialectName)
			r := iMustRequest(t, c, mustCreateClinician(t, c, "Dr Bo"), 2)
			_, err := c.svc.CancelNewClientRequest(c.as(c.clinician), workflow.CancelNewClientRequestInput{RequestID: r.ID})
			wantNotFound(t, err)
			if got := c.tx.NewClientRequest.GetX(c.allow, r.ID); got.Status != newclientrequest.StatusOPEN {
				t.Errorf("request %s after a refusal, want OPEN", got.Status)
			}
		})
	})
}

func TestAssignClient(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		intakeAt := testLocal(2026, 3, 12, 14, 0)
		assignment := func(clientID, clinicianID int) workflow.Assignment {
			return workflow.Assignment{ClientID: clientID, ClinicianID: clinicianID, IntakeStartsAt: intakeAt, IntakeEndsAt: intakeAt.Add(time.Hour)}
		}
		t.Run("two assignments fulfil a request for two", func(t *testing.T) {
			c := begin(t, db, dialectName)
			req := iMustRequest(t, c, c.clinicianID, 2)
			wren := iMustWaitlist(t, c, "Wren")
			ctx := c.as(c.admin)
			got, err := c.svc.AssignClient(ctx, assignment(wren.ID, c.clinicianID))
			if err != nil {
				t.Fatal(err)
			}
			cp := c.tx.ClientProfile.GetX(c.allow, wren.ID)
			if cp.Status != clientprofile.StatusACTIVE || cp.ClinicianID == nil || *cp.ClinicianID != c.clinicianID {
				t.Errorf("client %s of clinician %v, want ACTIVE of %d", cp.Status, cp.ClinicianID, c.clinicianID)
			}
			ep, err := workflow.OpenEpisode(c.allow, c.tx, wren.ID)
			if err != nil || ep == nil || ep.ID != got.Episode.ID || !ep.OpenedAt.Equal(testNow) || ep.ClinicianID == nil || *ep.ClinicianID != c.clinicianID {
				t.Fatalf("open episode %+v (%v), want one opened at %v with clinician %d", ep, err, testNow, c.clinicianID)
			}
			intake := mustReload(t, c, got.Intake.ID)
			if intake.Kind != appointment.KindINTAKE || intake.Status != appointment.StatusSCHEDULED || !intake.StartsAt.Equal(intakeAt) ||
				!intake.EndsAt.Equal(intakeAt.Add(time.Hour)) || intake.EpisodeID == nil || *intake.EpisodeID != ep.ID || intake.ClinicianID != c.clinicianID {
				t.Errorf("intake %+v, want a SCHEDULED INTAKE at %v for an hour in episode %d", intake, intakeAt, ep.ID)
			}
			r := c.tx.NewClientRequest.GetX(c.allow, req.ID)
			if r.AssignedCount != 1 || r.Status != newclientrequest.StatusOPEN || r.ClosedAt != nil {
				t.Errorf("request %s with %d assigned, want OPEN with 1", r.Status, r.AssignedCount)
			}
			// The second, naming the request, fulfils it.
			in := assignment(iMustWaitlist(t, c, "Yara").ID, c.clinicianID)
			in.IntakeStartsAt, in.IntakeEndsAt = in.IntakeStartsAt.Add(24*time.Hour), in.IntakeEndsAt.Add(24*time.Hour)
			in.RequestID = &req.ID
			if _, err := c.svc.AssignClient(ctx, in); err != nil {
				t.Fatal(err)
			}
			r = c.tx.NewClientRequest.GetX(c.allow, req.ID)
			if r.AssignedCount != 2 || r.Status != newclientrequest.StatusFULFILLED || r.ClosedAt == nil || !r.ClosedAt.Equal(testNow) {
				t.Errorf("request %s with %d assigned, closed at %v; want FULFILLED with 2 at %v", r.Status, r.AssignedCount, r.ClosedAt, testNow)
			}
		})
		refusals := []struct {
			name    string
			as      func(c *testCase) context.Context
			change  func(tb testing.TB, c *testCase, in *workflow.Assignment)
			code    caseload.Code
			field   string
			message string
		}{
			{"a clinician assigning", func(c *testCase) context.Context { return c.as(c.clinician) }, nil,
				caseload.CodeForbidden, "", "only an admin (intake) assigns clients"},
			{"an intake in the past", nil, func(_ testing.TB, _ *testCase, in *workflow.Assignment) {
				in.IntakeStartsAt, in.IntakeEndsAt = testNow.Add(-time.Hour), testNow
			}, caseload.CodeBadUserInput, "intakeStartsAt", "must be in the future"},
			{"an intake that ends before it starts", nil, func(_ testing.TB, _ *testCase, in *workflow.Assignment) {
				in.IntakeEndsAt = in.IntakeStartsAt.Add(-time.Minute)
			}, caseload.CodeBadUserInput, "intakeEndsAt", "intakeEndsAt: must be after startsAt"},
			{"an ACTIVE client", nil, func(tb testing.TB, c *testCase, in *workflow.Assignment) {
				in.ClientID = mustCreateClient(tb, c, "Ann", clientprofile.StatusACTIVE).ID
			}, caseload.CodePolicyViolation, "clientID", "the client is already ACTIVE on a caseload"},
			{"a CLOSED client", nil, func(tb testing.TB, c *testCase, in *workflow.Assignment) {
				in.ClientID = mustCreateClient(tb, c, "Ann", clientprofile.StatusCLOSED).ID
			}, caseload.CodePolicyViolation, "clientID", "the client's case is closed: reopen it instead"},
			{"another clinician's request", nil, func(tb testing.TB, c *testCase, in *workflow.Assignment) {
				in.RequestID = &iMustRequest(tb, c, mustCreateClinician(tb, c, "Dr Bo"), 1).ID
			}, caseload.CodeBadUserInput, "requestID", "the request is another clinician's"},
			{"a clinician not accepting new clients, without a request", nil, func(_ testing.TB, c *testCase, _ *workflow.Assignment) {
				c.tx.Clinician.UpdateOneID(c.clinicianID).SetAcceptingNewClients(false).ExecX(c.allow)
			}, caseload.CodePolicyViolation, "clinicianID", "the clinician is not accepting new clients and has no open request"},
		}
		for _, tc := range refusals {
			t.Run("refused: "+tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				in := assignment(iMustWaitlist(t, c, "Wren").ID, c.clinicianID)
				if tc.change != nil {
					tc.change(t, c, &in)
				}
				ctx := c.as(c.admin)
				if tc.as != nil {
					ctx = tc.as(c)
				}
				before := c.tx.ClientProfile.GetX(c.allow, in.ClientID)
				_, err := c.svc.AssignClient(ctx, in)
				wantRefusal(t, err, tc.code, tc.field, tc.message)
				if after := c.tx.ClientProfile.GetX(c.allow, in.ClientID); after.Status != before.Status {
					t.Errorf("client %s after a refusal, want %s", after.Status, before.Status)
				}
				if n := c.tx.Appointment.Query().Where(appointment.KindEQ(appointment.KindINTAKE)).CountX(c.allow); n != 0 {
					t.Errorf("%d intakes booked by a refusal", n)
				}
			})
		}
		t.Run("refused: an intake when the clinician is busy, and nothing is assigned", func(t *testing.T) {
			c := beginCommitted(t, dialectName)
			mustCreateSession(t, c, mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE), intakeAt.Add(30*time.Minute), appointment.StatusSCHEDULED)
			wren := iMustWaitlist(t, c, "Wren")
			err := c.mutate(t, c.admin, "", func(ctx context.Context) error {
				_, err := c.svc.AssignClient(ctx, assignment(wren.ID, c.clinicianID))
				return err
			})
			wantRefusal(t, err, caseload.CodeConflict, "", "the intake cannot be booked then", "nothing was assigned")
			if cp := c.tx.ClientProfile.GetX(c.allow, wren.ID); cp.Status != clientprofile.StatusWAITLIST || cp.ClinicianID != nil {
				t.Errorf("client %s of clinician %v after the rollback, want WAITLIST of none", cp.Status, cp.ClinicianID)
			}
			if n := c.tx.ClientProfile.QueryEpisodes(wren).CountX(c.allow); n != 0 {
				t.Errorf("the refused assignment left %d episodes", n)
			}
		})
	})
}
