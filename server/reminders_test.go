package main

import (
	"testing"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/internal/testdb"
)

func TestRemindersAndConfirmation(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		c := s.main.DB.Ent
		tok := s.token(f.clinicianUser)
		ann, ben := f.ownClients[0], f.ownClients[1]
		must(ben.Update().SetDateOfBirth(time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)).SetPhone("+1 212 555 0100").Save(sys()))
		must(c.Caregiver.Create().SetPracticeID(f.practice.ID).SetClientID(ben.ID).SetName("Mia Parent").SetRelationship("mother").
			SetPhone("+1 212 555 0199").SetIsPrimary(true).SetConsentToContact(true).Save(sys()))

		book := func(clientID int, in time.Duration) any {
			return s.mustDo(tok, schedule, slotInput(clientID, testNow.Add(in)))["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["id"]
		}
		annSession, benSession := book(ann.ID, 20*time.Hour), book(ben.ID, 22*time.Hour)

		const remind = `mutation($id: ID!) { recordReminder(input: {appointmentID: $id, channel: TEXT}) {
			appointment { reminderDue reminderChannel } contact { direction purpose channel } recipient { role name phone channel } userErrors { field message code } } }`
		due := s.mustDo(tok, `query($id: ID!) { node(id: $id) { ... on Appointment { reminderDue } } }`, map[string]any{"id": annSession})
		if due["node"].(map[string]any)["reminderDue"] != true {
			t.Fatalf("a session 20 hours ahead without a reminder: reminderDue false")
		}
		r := s.mustDo(tok, remind, map[string]any{"id": annSession})["recordReminder"].(map[string]any)
		if r["appointment"].(map[string]any)["reminderDue"] != false || r["recipient"].(map[string]any)["role"] != "CLIENT" ||
			r["contact"].(map[string]any)["purpose"] != "REMINDER" || r["contact"].(map[string]any)["direction"] != "OUTBOUND" {
			t.Errorf("reminder for an adult = %v", r)
		}
		r = s.mustDo(tok, remind, map[string]any{"id": benSession})["recordReminder"].(map[string]any)
		if rc := r["recipient"].(map[string]any); rc["role"] != "CAREGIVER" || rc["name"] != "Mia Parent" || rc["phone"] != "+1 212 555 0199" {
			t.Errorf("reminder for a minor goes to %v, want the primary caregiver", rc)
		}
		if n := must(c.Contact.Query().Where(contact.PurposeEQ(contact.PurposeREMINDER)).Count(sys())); n != 2 {
			t.Errorf("%d reminder contacts recorded, want 2", n)
		}

		const confirm = `mutation($id: ID!) { confirmAppointment(input: {appointmentID: $id}) { appointment { status confirmedAt } userErrors { field message code } } }`
		data := s.mustDo(tok, confirm, map[string]any{"id": annSession})
		if got := data["confirmAppointment"].(map[string]any)["appointment"].(map[string]any); got["status"] != "CONFIRMED" || got["confirmedAt"] != testNow.Format(time.RFC3339) {
			t.Errorf("confirmed = %v", got)
		}
		past := must(c.Appointment.Query().All(sys()))[0]
		wantUserErrors(t, s.do(tok, confirm, map[string]any{"id": encodeID(past.ID)}), "confirmAppointment", "appointment", "POLICY_VIOLATION input.appointmentID")
		// A session the caller may not see, and one that does not exist, read the same.
		wantUserErrors(t, s.do(tok, remind, map[string]any{"id": encodeID(must(c.Appointment.Query().Where(appointment.ClientID(f.otherClients[0].ID)).First(sys())).ID)}),
			"recordReminder", "appointment", "NOT_FOUND input.appointmentID")
		if n := must(c.Contact.Query().Where(contact.PurposeEQ(contact.PurposeREMINDER)).Count(sys())); n != 2 {
			t.Errorf("%d reminder contacts after the refusals, want 2", n)
		}
	})
}

func TestNotesAreSignedByTheirAuthorAndCorrectedByAddenda(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		c := s.main.DB.Ent
		tok := s.token(f.clinicianUser)
		session := must(c.Appointment.Query().All(sys()))[0]
		must(session.Update().SetStatus("ATTENDED").Save(sys()))
		vars := map[string]any{"c": encodeID(session.ClientID), "a": encodeID(session.ID)}
		const create = `mutation($c: ID!, $a: ID!) { createDocument(input: {kind: PROGRESS_NOTE, clientID: $c, appointmentID: $a, body: "note"}) { document { id version } userErrors { field message code } } }`
		doc := s.mustDo(tok, create, vars)["createDocument"].(map[string]any)["document"].(map[string]any)
		wantUserErrors(t, s.do(tok, create, vars), "createDocument", "document", "CONFLICT null")
		const sign = `mutation($id: ID!, $v: Int!) { signDocument(input: {documentID: $id, version: $v}) { document { status signedAt version appointment { noteStatus } } userErrors { field message code } } }`
		wantUserErrors(t, s.do(s.token(f.admin), sign, map[string]any{"id": doc["id"], "v": 1}), "signDocument", "document", "POLICY_VIOLATION null")
		wantUserErrors(t, s.do(tok, sign, map[string]any{"id": doc["id"], "v": 7}), "signDocument", "document", "CONFLICT null")
		signed := s.mustDo(tok, sign, map[string]any{"id": doc["id"], "v": 1})["signDocument"].(map[string]any)["document"].(map[string]any)
		if signed["status"] != "SIGNED" || signed["signedAt"] != testNow.Format(time.RFC3339) || signed["appointment"].(map[string]any)["noteStatus"] != "SIGNED" {
			t.Errorf("signed = %v", signed)
		}
		wantUserErrors(t, s.do(tok, sign, map[string]any{"id": doc["id"], "v": 2}), "signDocument", "document", "POLICY_VIOLATION null")
		add := s.mustDo(tok, `mutation($id: ID!) { addDocumentAddendum(input: {documentID: $id, body: "correction"}) { document { kind status amends { id } author { email } } userErrors { field message code } } }`,
			map[string]any{"id": doc["id"]})["addDocumentAddendum"].(map[string]any)["document"].(map[string]any)
		if add["kind"] != "ADDENDUM" || add["status"] != "DRAFT" || add["amends"].(map[string]any)["id"] != doc["id"] || add["author"].(map[string]any)["email"] != f.clinicianUser.Email {
			t.Errorf("addendum = %v", add)
		}
	})
}

// A caregiver who has not consented to contact is never whom to contact
// (SPEC, Access, "Consent"): not the reminder's recipient, not the
// calendar's caregiver to include. With nobody consented, the reminder is
// refused and the To-Do says so instead of asking for it.
func TestCaregiverWithoutConsentIsNeverContacted(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		c := s.main.DB.Ent
		tok := s.token(f.clinicianUser)
		ben := f.ownClients[1]
		must(ben.Update().SetDateOfBirth(time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)).Save(sys()))
		must(c.Caregiver.Create().SetPracticeID(f.practice.ID).SetClientID(ben.ID).SetName("Mia Parent").SetRelationship("mother").
			SetPhone("+1 212 555 0199").SetIsPrimary(true).Save(sys()))
		father := must(c.Caregiver.Create().SetPracticeID(f.practice.ID).SetClientID(ben.ID).SetName("Leo Parent").SetRelationship("father").
			SetPhone("+1 212 555 0188").Save(sys()))
		session := s.mustDo(tok, schedule, slotInput(ben.ID, testNow.Add(22*time.Hour)))["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["id"]

		const remind = `mutation($id: ID!) { recordReminder(input: {appointmentID: $id, channel: TEXT}) {
			contact { id } recipient { role name phone } userErrors { field message code } } }`
		const calendar = `{ myCalendar { appointment { id } caregiver { name } } }`
		const todo = `{ myTodo { kind client { id } appointment { id } explanation } }`
		kinds := func() map[string]string {
			out := map[string]string{}
			for _, it := range s.mustDo(tok, todo, nil)["myTodo"].([]any) {
				it := it.(map[string]any)
				if it["client"].(map[string]any)["id"] == encodeID(ben.ID) {
					out[it["kind"].(string)] = it["explanation"].(string)
				}
			}
			return out
		}
		calendarCaregiver := func() any {
			for _, e := range s.mustDo(tok, calendar, nil)["myCalendar"].([]any) {
				e := e.(map[string]any)
				if e["appointment"].(map[string]any)["id"] == session {
					return e["caregiver"]
				}
			}
			t.Fatal("the session is not on tomorrow's calendar")
			return nil
		}

		// Nobody consented: refused, nothing recorded; no caregiver to
		// include; the To-Do says there is no consented contact, and asks
		// for no reminder.
		wantUserErrors(t, s.do(tok, remind, map[string]any{"id": session}), "recordReminder", "recipient", "POLICY_VIOLATION input.appointmentID")
		if n := must(c.Contact.Query().Where(contact.PurposeEQ(contact.PurposeREMINDER)).Count(sys())); n != 0 {
			t.Errorf("%d reminder contacts recorded for a minor with no consented contact", n)
		}
		if cg := calendarCaregiver(); cg != nil {
			t.Errorf("the calendar names %v, who has not consented", cg)
		}
		got := kinds()
		if _, asked := got["SEND_REMINDER"]; asked || got["NO_CONSENTED_CONTACT"] == "" {
			t.Errorf("To-Do for the minor: %v; want NO_CONSENTED_CONTACT and no SEND_REMINDER", got)
		}

		// The father consents: he is the one to contact, not the primary
		// caregiver who has not.
		must(father.Update().SetConsentToContact(true).Save(sys()))
		if cg, ok := calendarCaregiver().(map[string]any); !ok || cg["name"] != "Leo Parent" {
			t.Errorf("the calendar's caregiver to include = %v, want Leo Parent", cg)
		}
		if got := kinds(); got["SEND_REMINDER"] == "" || got["NO_CONSENTED_CONTACT"] != "" {
			t.Errorf("To-Do once the father consented: %v; want SEND_REMINDER only", got)
		}
		r := s.mustDo(tok, remind, map[string]any{"id": session})["recordReminder"].(map[string]any)
		if rc := r["recipient"].(map[string]any); rc["role"] != "CAREGIVER" || rc["name"] != "Leo Parent" || rc["phone"] != "+1 212 555 0188" {
			t.Errorf("reminder goes to %v, want Leo Parent", rc)
		}
	})
}
