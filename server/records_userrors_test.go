package main

import (
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/internal/testdb"
)

// The record mutations of the payload shape (issue 15): every refusal of
// the input in one response, each on its field, and nothing written; the
// record an update names is in its input (clientID, documentID, ...).

const updateClientOp = `mutation($in: UpdateClientInput!) { updateClient(input: $in) { client { id phone } userErrors { field message code } } }`

func TestUpdateClientReportsEveryInvalidField(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann := f.ownClients[0]
		before := must(s.main.DB.Ent.ClientProfile.Get(sys(), ann.ID))

		// Three invalid fields: all of them, and the client unchanged.
		bad := map[string]any{"firstName": "", "email": "not-an-email", "phone": "call me"}
		in := map[string]any{"clientID": encodeID(ann.ID)}
		for k, v := range bad {
			in[k] = v
		}
		r := s.do(tok, updateClientOp, map[string]any{"in": in})
		wantUserErrors(t, r, "updateClient", "client",
			"BAD_USER_INPUT input.firstName", "BAD_USER_INPUT input.email", "BAD_USER_INPUT input.phone")
		for _, ue := range r.userErrors("updateClient") {
			// "email: is not in the expected form": the field, then why.
			if field := ue.Field[len(ue.Field)-1]; !strings.HasPrefix(ue.Message, field+": ") || len(ue.Message) < len(field)+10 {
				t.Errorf("userError message %q does not say what is wrong with %s", ue.Message, field)
			}
		}
		after := must(s.main.DB.Ent.ClientProfile.Get(sys(), ann.ID))
		if after.FirstName != before.FirstName || !after.UpdatedAt.Equal(before.UpdatedAt) || (after.Email == nil) != (before.Email == nil) ||
			(after.Phone == nil) != (before.Phone == nil) || after.Phone != nil && *after.Phone != *before.Phone {
			t.Errorf("client changed by a refused update: %+v, was %+v", after, before)
		}
		ev := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action("updateClient")).Only(sys()))
		if ev.Outcome != auditevent.OutcomeFAILED || ev.Detail != "BAD_USER_INPUT" || ev.EntityType != "Client" ||
			ev.EntityID == nil || *ev.EntityID != ann.ID || ev.ClientID == nil || *ev.ClientID != ann.ID {
			t.Errorf("audit event %+v, want updateClient FAILED BAD_USER_INPUT on the client", ev)
		}

		// Another clinician's client reads as one that exists nowhere, on
		// the field of its id, beside the invalid fields.
		dee := must(s.main.DB.Ent.ClientProfile.Get(sys(), f.otherClients[0].ID))
		in["clientID"] = encodeID(dee.ID)
		r = s.do(tok, updateClientOp, map[string]any{"in": in})
		wantUserErrors(t, r, "updateClient", "client",
			"BAD_USER_INPUT input.firstName", "BAD_USER_INPUT input.email", "BAD_USER_INPUT input.phone", "NOT_FOUND input.clientID")
		if got := must(s.main.DB.Ent.ClientProfile.Get(sys(), dee.ID)); got.FirstName != dee.FirstName || !got.UpdatedAt.Equal(dee.UpdatedAt) {
			t.Errorf("another clinician's client changed: %+v", got)
		}

		// A valid change: the client, and no userErrors.
		r = s.do(tok, updateClientOp, map[string]any{"in": map[string]any{"clientID": encodeID(ann.ID), "phone": "+1 555 0142"}})
		payload, _ := r.Data["updateClient"].(map[string]any)
		client, _ := payload["client"].(map[string]any)
		if len(r.Errors) > 0 || len(r.refusals()) > 0 || client["phone"] != "+1 555 0142" {
			t.Errorf("valid updateClient: %+v %+v %v", r.Errors, r.refusals(), r.Data)
		}
		if ue, ok := payload["userErrors"].([]any); !ok || len(ue) != 0 {
			t.Errorf("userErrors of a success = %v, want []", payload["userErrors"])
		}
	})
}

func TestCreateCaregiverAndContactReportEveryInvalidField(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		caregivers := func() int { return must(s.main.DB.Ent.Caregiver.Query().Count(sys())) }
		contacts := func() int { return must(s.main.DB.Ent.Contact.Query().Count(sys())) }
		cgBefore, ctBefore := caregivers(), contacts()

		const createCaregiver = `mutation($in: CreateCaregiverInput!) { createCaregiver(input: $in) { caregiver { id } userErrors { field message code } } }`
		r := s.do(tok, createCaregiver, map[string]any{"in": map[string]any{
			"clientID": encodeID(f.ownClients[0].ID), "name": "", "relationship": "", "phone": "call me", "email": "nobody", "isPrimary": true,
		}})
		wantUserErrors(t, r, "createCaregiver", "caregiver",
			"BAD_USER_INPUT input.name", "BAD_USER_INPUT input.relationship", "BAD_USER_INPUT input.phone", "BAD_USER_INPUT input.email")
		// Out of scope too: the client's id is NOT_FOUND as well.
		r = s.do(tok, createCaregiver, map[string]any{"in": map[string]any{
			"clientID": encodeID(f.otherClients[0].ID), "name": "", "relationship": "parent", "email": "nobody",
		}})
		wantUserErrors(t, r, "createCaregiver", "caregiver",
			"BAD_USER_INPUT input.name", "BAD_USER_INPUT input.email", "NOT_FOUND input.clientID")
		wantRows(t, "caregivers after refused creates", caregivers(), cgBefore)

		const createContact = `mutation($in: CreateContactInput!) { createContact(input: $in) { contact { id } userErrors { field message code } } }`
		r = s.do(tok, createContact, map[string]any{"in": map[string]any{
			"clientID": encodeID(f.otherClients[0].ID), "channel": "PHONE", "direction": "INBOUND", "purpose": "CHECK_IN",
			"occurredAt": testNow.Add(time.Hour).Format(time.RFC3339), "billableMinutes": 700,
		}})
		wantUserErrors(t, r, "createContact", "contact",
			"BAD_USER_INPUT input.occurredAt", "BAD_USER_INPUT input.billableMinutes", "NOT_FOUND input.clientID")
		wantRows(t, "contacts after a refused create", contacts(), ctBefore)

		// The same contact, corrected, is recorded.
		r = s.do(tok, createContact, map[string]any{"in": map[string]any{
			"clientID": encodeID(f.ownClients[0].ID), "channel": "PHONE", "direction": "INBOUND", "purpose": "CHECK_IN", "billableMinutes": 10,
		}})
		if len(r.Errors) > 0 || len(r.refusals()) > 0 || r.Data["createContact"].(map[string]any)["contact"] == nil {
			t.Errorf("valid createContact: %+v %+v %v", r.Errors, r.refusals(), r.Data)
		}
		wantRows(t, "contacts after a valid create", must(s.main.DB.Ent.Contact.Query().Where(contact.BillableMinutes(10)).Count(sys())), 1)
	})
}

func TestRecordCorrectionsAndDocumentsReportUserErrors(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin, tok := s.token(f.admin), s.token(f.clinicianUser)

		// An admin's correction: an end before the start and a cancellation
		// by nobody, at once; the session unchanged.
		a := must(s.main.DB.Ent.Appointment.Query().First(sys()))
		const updateAppointment = `mutation($in: UpdateAppointmentInput!) { updateAppointment(input: $in) { appointment { id } userErrors { field message code } } }`
		r := s.do(admin, updateAppointment, map[string]any{"in": map[string]any{
			"appointmentID": encodeID(a.ID), "endsAt": a.StartsAt.Add(-time.Minute).Format(time.RFC3339), "status": "CANCELED",
		}})
		wantUserErrors(t, r, "updateAppointment", "appointment", "BAD_USER_INPUT input.endsAt", "BAD_USER_INPUT input.canceledBy")
		if got := must(s.main.DB.Ent.Appointment.Get(sys(), a.ID)); got.Status != a.Status || !got.EndsAt.Equal(a.EndsAt) {
			t.Errorf("session %s ending %v after a refused correction, want %s ending %v", got.Status, got.EndsAt, a.Status, a.EndsAt)
		}

		// Documents: a missing one is NOT_FOUND on documentID; an addendum
		// to a draft is refused on documentID.
		draft := must(s.main.DB.Ent.Document.Create().SetPracticeID(f.practice.ID).SetClientID(f.ownClients[0].ID).
			SetAuthorID(f.clinicianUser.ID).SetKind(document.KindPROGRESS_NOTE).SetBody("draft").Save(sys()))
		docs := func() int { return must(s.main.DB.Ent.Document.Query().Count(sys())) }
		before := docs()
		const sign = `mutation($in: SignDocumentInput!) { signDocument(input: $in) { document { id status } userErrors { field message code } } }`
		wantUserErrors(t, s.do(tok, sign, map[string]any{"in": map[string]any{"documentID": encodeID(f.otherClients[0].ID), "version": 1}}),
			"signDocument", "document", "NOT_FOUND input.documentID")
		const addendum = `mutation($in: AddDocumentAddendumInput!) { addDocumentAddendum(input: $in) { document { id } userErrors { field message code } } }`
		wantUserErrors(t, s.do(tok, addendum, map[string]any{"in": map[string]any{"documentID": encodeID(draft.ID), "body": "correction"}}),
			"addDocumentAddendum", "document", "BAD_USER_INPUT input.documentID")
		const update = `mutation($in: UpdateDocumentInput!) { updateDocument(input: $in) { document { id version } userErrors { field message code } } }`
		wantUserErrors(t, s.do(tok, update, map[string]any{"in": map[string]any{"documentID": encodeID(draft.ID), "version": 3, "body": "stale"}}),
			"updateDocument", "document", "CONFLICT null")
		wantRows(t, "documents after refusals", docs(), before)
		if got := must(s.main.DB.Ent.Document.Get(sys(), draft.ID)); got.Body != "draft" || got.Version != 1 || got.Status != document.StatusDRAFT {
			t.Errorf("document %q v%d %s after refusals, want the untouched draft", got.Body, got.Version, got.Status)
		}
		// The refused update is audited on the document it aimed at.
		ev := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action("updateDocument")).Only(sys()))
		if ev.Outcome != auditevent.OutcomeFAILED || ev.Detail != "CONFLICT" || ev.EntityType != "Document" || ev.EntityID == nil || *ev.EntityID != draft.ID {
			t.Errorf("audit event %+v, want updateDocument FAILED CONFLICT on document %d", ev, draft.ID)
		}
		// Signed at the version read, then an update is a POLICY_VIOLATION.
		r = s.do(tok, sign, map[string]any{"in": map[string]any{"documentID": encodeID(draft.ID), "version": 1}})
		if len(r.Errors) > 0 || len(r.refusals()) > 0 {
			t.Fatalf("signing: %+v %+v", r.Errors, r.refusals())
		}
		wantUserErrors(t, s.do(tok, update, map[string]any{"in": map[string]any{"documentID": encodeID(draft.ID), "version": 2, "body": "after"}}),
			"updateDocument", "document", "POLICY_VIOLATION null")
	})
}
