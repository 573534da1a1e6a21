package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/testdb"
)

// caseloadQuery is a clinician's screen: every client with their clinician,
// caregivers, episodes, last appointments with their notes, and contacts.
const caseloadQuery = `{
  clients(first: 100, orderBy: {field: LAST_NAME, direction: ASC}) {
    totalCount
    edges { node {
      id firstName lastName status
      clinician { name }
      caregivers { name isPrimary }
      episodes { openedAt closedAt }
      appointments(last: 5, orderBy: {field: STARTS_AT, direction: ASC}) {
        totalCount
        edges { node { startsAt status documents { kind status } } }
      }
      contacts(first: 3) { totalCount edges { node { occurredAt direction } } }
    } }
  }
}`

// TestCaseloadQueryStatementsDoNotGrowWithClients guards against N+1: the
// same screen for 3 and for 30 clients sends the same number of statements.
func TestCaseloadQueryStatementsDoNotGrowWithClients(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		measure := func() int {
			s.sql.Reset()
			s.mustDo(tok, caseloadQuery, nil)
			return s.sql.Count()
		}
		small := measure()
		c := s.main.DB.Ent
		for i := 0; i < 27; i++ {
			client := must(c.ClientProfile.Create().SetPracticeID(f.practice.ID).SetFirstName(fmt.Sprintf("N%02d", i)).SetLastName("Extra").
				SetClinicianID(f.clinician.ID).SetStatus(clientprofile.StatusACTIVE).Save(sys()))
			must(c.Caregiver.Create().SetPracticeID(f.practice.ID).SetClientID(client.ID).SetName("Parent").SetRelationship("mother").SetIsPrimary(true).Save(sys()))
			for w := 1; w <= 3; w++ {
				start := testNow.AddDate(0, 0, -7*w).Add(time.Duration(i+10) * time.Hour)
				a := must(c.Appointment.Create().SetPracticeID(f.practice.ID).SetClientID(client.ID).SetClinicianID(f.clinician.ID).
					SetStartsAt(start).SetEndsAt(start.Add(50 * time.Minute)).SetStatus("ATTENDED").Save(sys()))
				must(c.Document.Create().SetPracticeID(f.practice.ID).SetClientID(client.ID).SetAuthorID(f.clinicianUser.ID).
					SetAppointmentID(a.ID).SetKind("PROGRESS_NOTE").Save(sys()))
			}
		}
		large := measure()
		t.Logf("%s: %d statements for 3 clients, %d for 30", d, small, large)
		if large != small {
			t.Errorf("statements grew with the caseload: %d for 3 clients, %d for 30 (N+1)", small, large)
		}
		if large > 15 {
			t.Errorf("%d statements for one screen, want at most 15", large)
		}
	})
}
