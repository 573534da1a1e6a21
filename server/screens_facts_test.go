package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/internal/testdb"
	"github.com/caseload/caseload/operations"
)

// screenOperations are the screens that read the facts projection (issue
// 18), as the IDE's tabs and the benchmark send them.
var screenOperations = []string{"MyCaseload", "MyTodo", "TomorrowsCalendar", "BackfillForSlot"}

// addHistory gives a client of the fixture's clinician a history the rules
// have something to say about: attended sessions with and without notes, a
// no-show, a late cancel, a contact, a caregiver, and a session tomorrow.
func addHistory(c *ent.Client, f *practiceFixture, client *ent.ClientProfile, i int) *ent.Appointment {
	ctx := sys()
	p := f.practice.ID
	for w := 1; w <= 4; w++ {
		start := testNow.AddDate(0, 0, -7*w-2).Add(time.Duration(i) * 55 * time.Minute)
		status := []appointment.Status{appointment.StatusATTENDED, appointment.StatusNO_SHOW, appointment.StatusATTENDED, appointment.StatusATTENDED}[w-1]
		a := must(c.Appointment.Create().SetPracticeID(p).SetClientID(client.ID).SetClinicianID(f.clinician.ID).
			SetStartsAt(start).SetEndsAt(start.Add(50 * time.Minute)).SetStatus(status).Save(ctx))
		if status == appointment.StatusATTENDED && w%2 == 1 {
			must(c.Document.Create().SetPracticeID(p).SetClientID(client.ID).SetAuthorID(f.clinicianUser.ID).
				SetAppointmentID(a.ID).SetKind("PROGRESS_NOTE").Save(ctx))
		}
	}
	late := testNow.AddDate(0, 0, -2).Add(time.Duration(i) * time.Hour)
	must(c.Appointment.Create().SetPracticeID(p).SetClientID(client.ID).SetClinicianID(f.clinician.ID).
		SetStartsAt(late).SetEndsAt(late.Add(50 * time.Minute)).SetStatus(appointment.StatusCANCELED).SetCanceledBy(appointment.CanceledByCLIENT).
		SetCanceledAt(late.Add(-2 * time.Hour)).Save(ctx))
	must(c.Contact.Create().SetPracticeID(p).SetClientID(client.ID).SetClinicianID(f.clinician.ID).
		SetOccurredAt(testNow.AddDate(0, 0, -3)).SetDirection(contact.DirectionINBOUND).SetChannel(contact.ChannelPHONE).SetPurpose(contact.PurposeSCHEDULING).Save(ctx))
	must(c.Caregiver.Create().SetPracticeID(p).SetClientID(client.ID).SetName("Parent").SetRelationship("mother").
		SetIsPrimary(true).SetConsentToContact(true).Save(ctx))
	must(c.ClientProfile.UpdateOne(client).SetWantsEarlierAppointment(true).Save(ctx))
	// Tomorrow's calendar has eight sessions; the other clients are booked later.
	next := testNow.AddDate(0, 0, 1).Truncate(24 * time.Hour).Add(time.Duration(13+i) * time.Hour)
	if i >= 8 {
		next = testNow.AddDate(0, 0, 10).Add(time.Duration(i) * time.Hour)
	}
	return must(c.Appointment.Create().SetPracticeID(p).SetClientID(client.ID).SetClinicianID(f.clinician.ID).
		SetStartsAt(next).SetEndsAt(next.Add(50 * time.Minute)).Save(ctx))
}

// TestScreensReadTheProjection: the screens read the facts projection, not
// the histories; their statement count does not grow with the caseload; and
// what they answer from the projection is what they answer from the
// histories (the rows deleted, every client falls back to its history).
func TestScreensReadTheProjection(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		c := s.main.DB.Ent
		// The first client's session tomorrow is the slot: the others are
		// booked later, so they are candidates for it.
		var slot *ent.Appointment
		for i, cl := range f.ownClients {
			if a := addHistory(c, f, cl, i); slot == nil {
				slot = a
			}
		}
		vars := map[string]map[string]any{"BackfillForSlot": {"id": encodeID(slot.ID)}}
		run := func(name string) (int, []string, string) {
			doc, ok := operations.Get(name)
			if !ok {
				t.Fatalf("no operation %s", name)
			}
			s.sql.Reset()
			data := s.mustDo(tok, doc.Body, vars[name])
			b, err := json.Marshal(data)
			if err != nil {
				t.Fatal(err)
			}
			return s.sql.Count(), s.sql.Statements(), string(b)
		}
		small := map[string]int{}
		for _, name := range screenOperations {
			small[name], _, _ = run(name)
		}
		for i := range 27 {
			cl := must(c.ClientProfile.Create().SetPracticeID(f.practice.ID).SetFirstName(fmt.Sprintf("N%02d", i)).SetLastName("Extra").
				SetClinicianID(f.clinician.ID).SetStatus(clientprofile.StatusACTIVE).Save(sys()))
			must(c.Episode.Create().SetPracticeID(f.practice.ID).SetClientID(cl.ID).SetClinicianID(f.clinician.ID).SetOpenedAt(testNow.AddDate(0, -3, 0)).Save(sys()))
			addHistory(c, f, cl, i+3)
		}
		answers := map[string]string{}
		for _, name := range screenOperations {
			n, stmts, answer := run(name)
			answers[name] = answer
			t.Logf("%s: %d statements for 3 clients, %d for 30:\n%s", name, small[name], n, strings.Join(stmts, "\n"))
			if n != small[name] {
				t.Errorf("%s: statements grew with the caseload: %d for 3 clients, %d for 30:\n%s", name, small[name], n, strings.Join(stmts, "\n"))
			}
			for _, st := range stmts {
				if strings.Contains(st, "SELECT 1 AS rec") {
					t.Errorf("%s read the histories:\n%s", name, st)
				}
			}
			if !strings.Contains(strings.Join(stmts, "\n"), "FROM client_facts") {
				t.Errorf("%s did not read the projection:\n%s", name, strings.Join(stmts, "\n"))
			}
		}
		if !strings.Contains(answers["MyTodo"], "PAPERWORK") || !strings.Contains(answers["TomorrowsCalendar"], "noShowRisk") ||
			!strings.Contains(answers["BackfillForSlot"], "waitDays") {
			t.Fatalf("the screens show too little to compare: %v", answers)
		}
		// Without the rows every client is read from its history.
		if _, err := s.main.DB.SQL.Exec("DELETE FROM client_facts"); err != nil {
			t.Fatal(err)
		}
		for _, name := range screenOperations {
			_, stmts, answer := run(name)
			if !strings.Contains(strings.Join(stmts, "\n"), "SELECT 1 AS rec") {
				t.Errorf("%s: without rows, the histories were not read", name)
			}
			var fromFacts, fromHistories any
			_ = json.Unmarshal([]byte(answers[name]), &fromFacts)
			_ = json.Unmarshal([]byte(answer), &fromHistories)
			if !reflect.DeepEqual(fromFacts, fromHistories) {
				t.Errorf("%s from the projection:\n%s\nfrom the histories:\n%s", name, answers[name], answer)
			}
		}
	})
}
