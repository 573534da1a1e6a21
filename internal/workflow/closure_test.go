package workflow_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/workflow"
)

func TestSendClosureWarning(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("closes by today plus the grace days", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			got, err := c.svc.SendClosureWarning(c.as(c.clinician), workflow.SendClosureWarningInput{ClientID: cp.ID, Channel: contact.ChannelEMAIL})
			if err != nil {
				t.Fatal(err)
			}
			// 10 March plus the default 14 days.
			want := time.Date(2026, 3, 24, 0, 0, 0, 0, time.UTC)
			ct, err := c.tx.Contact.Get(c.allow, got.Contact.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ct.Purpose != contact.PurposeCLOSURE_WARNING || ct.Direction != contact.DirectionOUTBOUND ||
				ct.CloseBy == nil || ct.CloseBy.Format(time.DateOnly) != want.Format(time.DateOnly) || *ct.ClinicianID != c.clinicianID {
				t.Errorf("contact %s %s closing by %v, want an OUTBOUND CLOSURE_WARNING closing by %s", ct.Direction, ct.Purpose, ct.CloseBy, want.Format(time.DateOnly))
			}
			if !strings.HasPrefix(got.Message, "Dear Ann,") || !strings.Contains(got.Message, "before Tuesday, March 24, 2026;") {
				t.Errorf("message %q, want it addressed to Ann and closing on Tuesday, March 24, 2026", got.Message)
			}
		})
		t.Run("a close-by date of today is refused", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
			_, err := c.svc.SendClosureWarning(c.as(c.clinician), workflow.SendClosureWarningInput{ClientID: cp.ID, Channel: contact.ChannelEMAIL, CloseBy: &today})
			wantRefusal(t, err, caseload.CodeBadUserInput, "closeBy")
		})
		t.Run("a closed client is not warned", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusCLOSED)
			_, err := c.svc.SendClosureWarning(c.as(c.clinician), workflow.SendClosureWarningInput{ClientID: cp.ID, Channel: contact.ChannelEMAIL})
			wantRefusal(t, err, caseload.CodePolicyViolation, "clientID")
		})
		t.Run("every refusal at once, nothing written", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusWAITLIST)
			yesterday := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
			_, err := c.svc.SendClosureWarning(c.as(c.clinician), workflow.SendClosureWarningInput{ClientID: cp.ID, Channel: contact.ChannelEMAIL, CloseBy: &yesterday})
			if got, want := refusalsOnFields(err), []string{"POLICY_VIOLATION clientID", "BAD_USER_INPUT closeBy"}; !slices.Equal(got, want) {
				t.Errorf("refusals %v, want %v", got, want)
			}
			if n := c.tx.Contact.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d contacts after a refusal, want none", n)
			}
		})
	})
}

// refusalsOnFields lists the refusals in err as "CODE field".
func refusalsOnFields(err error) []string {
	var out []string
	for _, e := range caseload.Refusals(err) {
		out = append(out, string(e.Code)+" "+e.Field)
	}
	return out
}

func TestCloseAndReopenCase(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("closing ends the episode and the future sessions, then reopening starts anew", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			cp = c.tx.ClientProfile.UpdateOne(cp).SetWantsEarlierAppointment(true).SetRecurringPrivilege(true).SaveX(c.allow)
			past := mustCreateSession(t, c, cp, testLocal(2026, 3, 3, 10, 0), appointment.StatusATTENDED)
			future := mustCreateSession(t, c, cp, testLocal(2026, 3, 17, 10, 0), appointment.StatusCONFIRMED)
			ep, _ := workflow.OpenEpisode(c.allow, c.tx, cp.ID)
			ctx := c.as(c.clinician)
			note := "Goals met; discharged."
			closed, err := c.svc.CloseCase(ctx, workflow.CloseCaseInput{ClientID: cp.ID, Reason: episode.CloseReasonGOALS_MET, TerminationNote: &note})
			if err != nil {
				t.Fatal(err)
			}
			if closed.Status != clientprofile.StatusCLOSED || closed.WantsEarlierAppointment || closed.RecurringPrivilege {
				t.Errorf("client %s, wants earlier %v, recurring %v; want CLOSED, off the list and the privilege",
					closed.Status, closed.WantsEarlierAppointment, closed.RecurringPrivilege)
			}
			ep = c.tx.Episode.GetX(c.allow, ep.ID)
			if ep.ClosedAt == nil || !ep.ClosedAt.Equal(testNow) || *ep.CloseReason != episode.CloseReasonGOALS_MET {
				t.Errorf("episode closed at %v for %v, want %v for GOALS_MET", ep.ClosedAt, ep.CloseReason, testNow)
			}
			if a := mustReload(t, c, future.ID); a.Status != appointment.StatusCANCELED || *a.CanceledBy != appointment.CanceledByPRACTICE || *a.CancelReason != "case closed" {
				t.Errorf("future session %s by %v, want CANCELED by PRACTICE", a.Status, a.CanceledBy)
			}
			if a := mustReload(t, c, past.ID); a.Status != appointment.StatusATTENDED {
				t.Errorf("past session %s, want it left ATTENDED", a.Status)
			}
			doc, err := c.tx.Document.Query().Where(document.ClientID(cp.ID)).Only(c.allow)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Kind != document.KindTERMINATION_NOTE || doc.Status != document.StatusSIGNED || doc.AuthorID != c.clinician.UserID || doc.Body != note {
				t.Errorf("document %s %s by %d, want the SIGNED TERMINATION_NOTE by %d", doc.Kind, doc.Status, doc.AuthorID, c.clinician.UserID)
			}

			reopened, err := c.svc.ReopenCase(ctx, workflow.ReopenCaseInput{ClientID: cp.ID})
			if err != nil {
				t.Fatal(err)
			}
			open, _ := workflow.OpenEpisode(c.allow, c.tx, cp.ID)
			if reopened.Status != clientprofile.StatusACTIVE || open == nil || open.ID == ep.ID || !open.OpenedAt.Equal(testNow) {
				t.Errorf("reopened %s with open episode %+v, want ACTIVE in a new episode opened %v", reopened.Status, open, testNow)
			}
		})
		t.Run("only an active case is closed", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusWAITLIST)
			_, err := c.svc.CloseCase(c.as(c.clinician), workflow.CloseCaseInput{ClientID: cp.ID, Reason: episode.CloseReasonINACTIVE})
			wantRefusal(t, err, caseload.CodePolicyViolation, "clientID")
		})
		t.Run("only a closed case is reopened", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			_, err := c.svc.ReopenCase(c.as(c.clinician), workflow.ReopenCaseInput{ClientID: cp.ID})
			wantRefusal(t, err, caseload.CodePolicyViolation, "clientID")
		})
		t.Run("a termination note too long and a client not active: both, nothing written", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusWAITLIST)
			long := strings.Repeat("x", 200_001)
			_, err := c.svc.CloseCase(c.as(c.clinician), workflow.CloseCaseInput{ClientID: cp.ID, Reason: episode.CloseReasonINACTIVE, TerminationNote: &long})
			if got, want := refusalsOnFields(err), []string{"POLICY_VIOLATION clientID", "BAD_USER_INPUT terminationNote"}; !slices.Equal(got, want) {
				t.Errorf("refusals %v, want %v", got, want)
			}
			if es := caseload.Refusals(err); len(es) == 2 && !strings.HasPrefix(es[1].Message, "terminationNote: ") {
				t.Errorf("message %q, want it on terminationNote", es[1].Message)
			}
			if n := c.tx.Document.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d documents after a refusal, want none", n)
			}
		})
	})
}

func TestCloseCases(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("an admin closes them all", func(t *testing.T) {
			c := begin(t, db, dialectName)
			a, b := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE), mustCreateClient(t, c, "Bea", clientprofile.StatusACTIVE)
			got, err := c.svc.CloseCases(c.as(c.admin), workflow.CloseCasesInput{ClientIDs: []int{a.ID, b.ID}, Reason: episode.CloseReasonINACTIVE})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID {
				t.Fatalf("closed %v, want Ann and Bea", got)
			}
			if n := c.tx.ClientProfile.Query().Where(clientprofile.StatusEQ(clientprofile.StatusCLOSED)).CountX(c.allow); n != 2 {
				t.Errorf("%d closed clients, want 2", n)
			}
		})
		t.Run("one that cannot be closed refuses them all", func(t *testing.T) {
			c := begin(t, db, dialectName)
			a, b := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE), mustCreateClient(t, c, "Bea", clientprofile.StatusWAITLIST)
			_, err := c.svc.CloseCases(c.as(c.admin), workflow.CloseCasesInput{ClientIDs: []int{a.ID, b.ID}, Reason: episode.CloseReasonINACTIVE})
			wantRefusal(t, err, caseload.CodePolicyViolation, "clientIDs.1")
			if n := c.tx.ClientProfile.Query().Where(clientprofile.StatusEQ(clientprofile.StatusCLOSED)).CountX(c.allow); n != 0 {
				t.Errorf("%d closed clients, want none", n)
			}
		})
		t.Run("every client that cannot be closed is refused on its index", func(t *testing.T) {
			c := begin(t, db, dialectName)
			a := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			b := mustCreateClient(t, c, "Bea", clientprofile.StatusCLOSED)
			d := mustCreateClient(t, c, "Dee", clientprofile.StatusACTIVE)
			_, err := c.svc.CloseCases(c.as(c.admin), workflow.CloseCasesInput{ClientIDs: []int{a.ID, b.ID, -1, d.ID, a.ID}, Reason: episode.CloseReasonINACTIVE})
			want := []string{"POLICY_VIOLATION clientIDs.1", "NOT_FOUND clientIDs.2", "BAD_USER_INPUT clientIDs.4"}
			if got := refusalsOnFields(err); !slices.Equal(got, want) {
				t.Errorf("refusals %v, want %v", got, want)
			}
			if n := c.tx.ClientProfile.Query().Where(clientprofile.StatusEQ(clientprofile.StatusCLOSED)).CountX(c.allow); n != 1 {
				t.Errorf("%d closed clients, want only the one closed before", n)
			}
		})
		t.Run("a clinician may not", func(t *testing.T) {
			c := begin(t, db, dialectName)
			a := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			_, err := c.svc.CloseCases(c.as(c.clinician), workflow.CloseCasesInput{ClientIDs: []int{a.ID}, Reason: episode.CloseReasonINACTIVE})
			wantRefusal(t, err, caseload.CodeForbidden, "")
		})
		t.Run("name 1 to 100 clients", func(t *testing.T) {
			c := begin(t, db, dialectName)
			_, err := c.svc.CloseCases(c.as(c.admin), workflow.CloseCasesInput{Reason: episode.CloseReasonINACTIVE})
			wantRefusal(t, err, caseload.CodeBadUserInput, "clientIDs")
			_, err = c.svc.CloseCases(c.as(c.admin), workflow.CloseCasesInput{ClientIDs: make([]int, workflow.MaxCloseCases+1), Reason: episode.CloseReasonINACTIVE})
			wantRefusal(t, err, caseload.CodeBadUserInput, "clientIDs")
		})
		t.Run("a client of another practice is not found", func(t *testing.T) {
			c := begin(t, db, dialectName)
			a := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			stranger := *c.admin
			stranger.PracticeID = c.tx.Practice.Create().SetName("South Practice").SaveX(c.allow).ID
			_, err := c.svc.CloseCases(c.as(&stranger), workflow.CloseCasesInput{ClientIDs: []int{a.ID}, Reason: episode.CloseReasonINACTIVE})
			wantRefusal(t, err, caseload.CodeNotFound, "clientIDs.0")
		})
	})
}
