package workflow_test

import (
	"testing"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/workflow"
)

// dMustWrite writes a document of the client by the case's clinician,
// SIGNED at testNow when signed is true, else a DRAFT.
func dMustWrite(tb testing.TB, c *testCase, cp *ent.ClientProfile, body string, signed bool) *ent.Document {
	tb.Helper()
	create := c.tx.Document.Create().SetPracticeID(c.practice).SetClientID(cp.ID).SetAuthorID(c.clinician.UserID).
		SetKind(document.KindPROGRESS_NOTE).SetBody(body)
	if signed {
		create.SetStatus(document.StatusSIGNED).SetSignedAt(testNow)
	}
	d, err := create.Save(c.allow)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func ptr[T any](v T) *T { return &v }

// updateBody is the input that changes the body of document id, read at
// version.
func updateBody(id, version int, body string) workflow.UpdateDocumentInput {
	return workflow.UpdateDocumentInput{DocumentID: id, Version: version, UpdateDocumentInput: ent.UpdateDocumentInput{Body: &body}}
}

func TestCreateDocument(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		yesterday := testLocal(2026, 3, 9, 10, 0)
		t.Run("a clinician drafts a session's progress note", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCreateSession(t, c, cp, yesterday, appointment.StatusATTENDED)
			got, err := c.svc.CreateDocument(c.as(c.clinician), ent.CreateDocumentInput{
				Kind: document.KindPROGRESS_NOTE, ClientID: cp.ID, AppointmentID: &a.ID, Body: ptr("first draft"),
			})
			if err != nil {
				t.Fatal(err)
			}
			d := c.tx.Document.GetX(c.allow, got.ID)
			if d.Kind != document.KindPROGRESS_NOTE || d.ClientID != cp.ID || d.AppointmentID == nil || *d.AppointmentID != a.ID ||
				d.AuthorID != c.clinician.UserID || d.Body != "first draft" || d.Status != document.StatusDRAFT || d.Version != 1 ||
				!d.CreatedAt.Equal(testNow) || d.PracticeID != c.practice {
				t.Errorf("document %+v, want a DRAFT PROGRESS_NOTE, version 1, of session %d by user %d at %v", d, a.ID, c.clinician.UserID, testNow)
			}
		})
		refusals := []struct {
			name    string
			input   func(tb testing.TB, c *testCase, cp *ent.ClientProfile) ent.CreateDocumentInput
			code    caseload.Code
			field   string
			message string
		}{
			{"a second progress note of a session", func(tb testing.TB, c *testCase, cp *ent.ClientProfile) ent.CreateDocumentInput {
				a := mustCreateSession(tb, c, cp, yesterday, appointment.StatusATTENDED)
				c.tx.Document.Create().SetPracticeID(c.practice).SetClientID(cp.ID).SetAuthorID(c.clinician.UserID).
					SetKind(document.KindPROGRESS_NOTE).SetAppointmentID(a.ID).ExecX(c.allow)
				return ent.CreateDocumentInput{Kind: document.KindPROGRESS_NOTE, ClientID: cp.ID, AppointmentID: &a.ID}
			}, caseload.CodeConflict, "", "the session already has its PROGRESS_NOTE"},
			{"another client's session", func(tb testing.TB, c *testCase, cp *ent.ClientProfile) ent.CreateDocumentInput {
				a := mustCreateSession(tb, c, mustCreateClient(tb, c, "Bea", clientprofile.StatusACTIVE), yesterday, appointment.StatusATTENDED)
				return ent.CreateDocumentInput{Kind: document.KindPROGRESS_NOTE, ClientID: cp.ID, AppointmentID: &a.ID}
			}, caseload.CodeBadUserInput, "appointmentID", "the session is another client's"},
			// Issue 16, finding 10: a progress note was accepted on a
			// cancelled session.
			{"a progress note of a cancelled session", func(tb testing.TB, c *testCase, cp *ent.ClientProfile) ent.CreateDocumentInput {
				a := mustCreateSession(tb, c, cp, yesterday, appointment.StatusCANCELED)
				return ent.CreateDocumentInput{Kind: document.KindPROGRESS_NOTE, ClientID: cp.ID, AppointmentID: &a.ID}
			}, caseload.CodePolicyViolation, "appointmentID", "the session is CANCELED: only an ATTENDED session has notes"},
			{"an intake note of a no-show", func(tb testing.TB, c *testCase, cp *ent.ClientProfile) ent.CreateDocumentInput {
				a := mustCreateSession(tb, c, cp, yesterday, appointment.StatusNO_SHOW)
				return ent.CreateDocumentInput{Kind: document.KindINTAKE, ClientID: cp.ID, AppointmentID: &a.ID}
			}, caseload.CodePolicyViolation, "appointmentID", "the session is NO_SHOW"},
			{"a treatment plan review of a session without attendance", func(tb testing.TB, c *testCase, cp *ent.ClientProfile) ent.CreateDocumentInput {
				a := mustCreateSession(tb, c, cp, yesterday, appointment.StatusSCHEDULED)
				return ent.CreateDocumentInput{Kind: document.KindTREATMENT_PLAN_REVIEW, ClientID: cp.ID, AppointmentID: &a.ID}
			}, caseload.CodePolicyViolation, "appointmentID", "the session is SCHEDULED"},
			{"another client's contact", func(tb testing.TB, c *testCase, cp *ent.ClientProfile) ent.CreateDocumentInput {
				ct := c.tx.Contact.Create().SetPracticeID(c.practice).SetClientID(mustCreateClient(tb, c, "Bea", clientprofile.StatusACTIVE).ID).
					SetChannel(contact.ChannelPHONE).SetDirection(contact.DirectionINBOUND).SetPurpose(contact.PurposeCHECK_IN).SaveX(c.allow)
				return ent.CreateDocumentInput{Kind: document.KindCONTACT_NOTE, ClientID: cp.ID, ContactID: &ct.ID}
			}, caseload.CodeBadUserInput, "contactID", "the contact is another client's"},
			{"an addendum amending nothing", func(_ testing.TB, _ *testCase, cp *ent.ClientProfile) ent.CreateDocumentInput {
				return ent.CreateDocumentInput{Kind: document.KindADDENDUM, ClientID: cp.ID}
			}, caseload.CodeBadUserInput, "amendsID", "an addendum names the signed document it corrects"},
			{"a progress note amending", func(tb testing.TB, c *testCase, cp *ent.ClientProfile) ent.CreateDocumentInput {
				return ent.CreateDocumentInput{Kind: document.KindPROGRESS_NOTE, ClientID: cp.ID, AmendsID: &dMustWrite(tb, c, cp, "note", true).ID}
			}, caseload.CodeBadUserInput, "amendsID", "only an ADDENDUM amends a document"},
			{"an addendum to a draft", func(tb testing.TB, c *testCase, cp *ent.ClientProfile) ent.CreateDocumentInput {
				return ent.CreateDocumentInput{Kind: document.KindADDENDUM, ClientID: cp.ID, AmendsID: &dMustWrite(tb, c, cp, "note", false).ID}
			}, caseload.CodeBadUserInput, "amendsID", "only a SIGNED document is amended"},
		}
		for _, tc := range refusals {
			t.Run("refused: "+tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				in := tc.input(t, c, mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE))
				before := c.tx.Document.Query().CountX(c.allow)
				_, err := c.svc.CreateDocument(c.as(c.clinician), in)
				wantRefusal(t, err, tc.code, tc.field, tc.message)
				if after := c.tx.Document.Query().CountX(c.allow); after != before {
					t.Errorf("%d documents after a refusal, want %d", after, before)
				}
			})
		}
	})
}

func TestUpdateDocument(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("a draft changes at the version read, then a stale version conflicts", func(t *testing.T) {
			c := begin(t, db, dialectName)
			d := dMustWrite(t, c, mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE), "first draft", false)
			ctx := c.as(c.clinician)
			if _, err := c.svc.UpdateDocument(ctx, updateBody(d.ID, 1, "second draft")); err != nil {
				t.Fatal(err)
			}
			if got := c.tx.Document.GetX(c.allow, d.ID); got.Body != "second draft" || got.Version != 2 {
				t.Errorf("document %q at version %d, want %q at 2", got.Body, got.Version, "second draft")
			}
			_, err := c.svc.UpdateDocument(ctx, updateBody(d.ID, 1, "stale edit"))
			wantRefusal(t, err, caseload.CodeConflict, "", "the document changed since it was read (now at version 2)")
			if got := c.tx.Document.GetX(c.allow, d.ID); got.Body != "second draft" || got.Version != 2 {
				t.Errorf("document %q at version %d after a stale edit, want %q at 2", got.Body, got.Version, "second draft")
			}
		})
		t.Run("refused: a signed document", func(t *testing.T) {
			c := begin(t, db, dialectName)
			d := dMustWrite(t, c, mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE), "signed note", true)
			_, err := c.svc.UpdateDocument(c.as(c.clinician), updateBody(d.ID, 1, "after signing"))
			wantRefusal(t, err, caseload.CodePolicyViolation, "", "a signed document never changes: add an addendum instead")
			if got := c.tx.Document.GetX(c.allow, d.ID); got.Body != "signed note" {
				t.Errorf("body %q, want the signed one", got.Body)
			}
		})
		t.Run("refused: another clinician's draft", func(t *testing.T) {
			c := begin(t, db, dialectName)
			d := dMustWrite(t, c, mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE), "first draft", false)
			stranger := *c.clinician
			stranger.ClinicianID = mustCreateClinician(t, c, "Dr Bo")
			_, err := c.svc.UpdateDocument(c.as(&stranger), updateBody(d.ID, 1, "hijacked"))
			wantRefusal(t, err, caseload.CodeNotFound, "documentID")
			if got := c.tx.Document.GetX(c.allow, d.ID); got.Body != "first draft" || got.Version != 1 {
				t.Errorf("document %q at version %d, want untouched", got.Body, got.Version)
			}
		})
	})
}

func TestSignDocument(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("the author signs the version read, once", func(t *testing.T) {
			c := begin(t, db, dialectName)
			d := dMustWrite(t, c, mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE), "note", false)
			ctx := c.as(c.clinician)
			if _, err := c.svc.SignDocument(ctx, workflow.SignDocumentInput{DocumentID: d.ID, Version: 1}); err != nil {
				t.Fatal(err)
			}
			got := c.tx.Document.GetX(c.allow, d.ID)
			if got.Status != document.StatusSIGNED || got.SignedAt == nil || !got.SignedAt.Equal(testNow) || got.Version != 2 {
				t.Errorf("document %s at %v, version %d; want SIGNED at %v, version 2", got.Status, got.SignedAt, got.Version, testNow)
			}
			_, err := c.svc.SignDocument(ctx, workflow.SignDocumentInput{DocumentID: d.ID, Version: 2})
			wantRefusal(t, err, caseload.CodePolicyViolation, "", "the document is already signed")
		})
		refusals := []struct {
			name    string
			admin   bool
			version int
			code    caseload.Code
			message string
		}{
			{"someone else's document", true, 1, caseload.CodePolicyViolation, "only the document's author signs it"},
			{"a stale version", false, 7, caseload.CodeConflict, "the document changed since it was read (now at version 1)"},
		}
		for _, tc := range refusals {
			t.Run("refused: "+tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				d := dMustWrite(t, c, mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE), "note", false)
				v := c.clinician
				if tc.admin {
					v = c.admin
				}
				_, err := c.svc.SignDocument(c.as(v), workflow.SignDocumentInput{DocumentID: d.ID, Version: tc.version})
				wantRefusal(t, err, tc.code, "", tc.message)
				if got := c.tx.Document.GetX(c.allow, d.ID); got.Status != document.StatusDRAFT || got.SignedAt != nil || got.Version != 1 {
					t.Errorf("document %s at %v, version %d after a refusal; want an unsigned DRAFT at 1", got.Status, got.SignedAt, got.Version)
				}
			})
		}
	})
}

func TestAddDocumentAddendum(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("a signed document gets a draft addendum", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			d := dMustWrite(t, c, cp, "note", true)
			got, err := c.svc.AddDocumentAddendum(c.as(c.clinician), workflow.AddDocumentAddendumInput{DocumentID: d.ID, Body: "correction"})
			if err != nil {
				t.Fatal(err)
			}
			a := c.tx.Document.GetX(c.allow, got.ID)
			if a.Kind != document.KindADDENDUM || a.Status != document.StatusDRAFT || a.AmendsID == nil || *a.AmendsID != d.ID ||
				a.ClientID != cp.ID || a.AuthorID != c.clinician.UserID || a.Body != "correction" {
				t.Errorf("addendum %+v, want a DRAFT ADDENDUM of %d by user %d saying %q", a, d.ID, c.clinician.UserID, "correction")
			}
		})
		t.Run("refused: an addendum to a draft", func(t *testing.T) {
			c := begin(t, db, dialectName)
			d := dMustWrite(t, c, mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE), "note", false)
			_, err := c.svc.AddDocumentAddendum(c.as(c.clinician), workflow.AddDocumentAddendumInput{DocumentID: d.ID, Body: "correction"})
			wantRefusal(t, err, caseload.CodeBadUserInput, "documentID", "only a SIGNED document is amended")
			if n := c.tx.Document.Query().Where(document.KindEQ(document.KindADDENDUM)).CountX(c.allow); n != 0 {
				t.Errorf("%d addenda after a refusal", n)
			}
		})
	})
}
