package main

import (
	"context"
	"fmt"
	"time"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/caseload"
)

// limitTodoSQL is the best single statement for myTodo that we could
// write: the clinician's caseload (every status: a closed case still owes
// its termination note), each client with its row of the projection. The
// To-Do list is every rule at once (paperwork, reminders, attendance to
// record, rule 3, minors' caregivers, the recurring streaks); the handler
// runs it over the facts (Rules.TodoOf), as the server does. The sessions
// its items point at are the facts' own (booked ones, and those paperwork
// is due for, whose start a due item keeps), so the statement reads none.
//
// $1 the clinician.
var limitTodoSQL = `
SELECT ` + clientColumns("c", false) + `, ` + projectionColumns + `
FROM clinicians cl JOIN ` + clientsWithFacts + `
WHERE cl.id = $1`

// todoItem is an item of myTodo, of the GraphQL screen or of its limit.
type todoItem struct {
	Kind         string  `json:"kind"`
	DueAt        string  `json:"dueAt"`
	Overdue      bool    `json:"overdue"`
	Explanation  string  `json:"explanation"`
	DocumentKind *string `json:"documentKind"`
	CloseBy      *string `json:"closeBy"`
	Client       struct {
		ID        string `json:"id"`
		FirstName string `json:"firstName"`
	} `json:"client"`
	Appointment *struct {
		ID       string `json:"id"`
		StartsAt string `json:"startsAt"`
	} `json:"appointment"`
	Document *idOnly `json:"document"`
	Contact  *idOnly `json:"contact"`
}

type idOnly struct {
	ID string `json:"id"`
}

// todo runs limitTodoSQL and the To-Do rule over the facts.
func (s *limitServer) todo(ctx context.Context, clinicianID int64) ([]todoItem, error) {
	rules := s.rules
	rules.Now = s.now().UTC()
	rows, err := s.db.QueryContext(ctx, s.todoSQL, clinicianID)
	if err != nil {
		return nil, fmt.Errorf("todo limit: %w", err)
	}
	defer rows.Close()
	var (
		clients []caseload.ClientFacts
		names   = map[int]string{}
		row     clientRow
	)
	err = eachClient(rows, row.dest(), &row, rules, func(c caseload.ClientFacts) {
		clients, names[c.Client.ID] = append(clients, c), row.first.String
	})
	if err != nil {
		return nil, fmt.Errorf("todo limit: %w", err)
	}
	return todoItems(rules, clients, names), nil
}

// todoItems is the To-Do list of the clients (names: their first names) in
// the screen's shape, with the sessions, documents and contacts the items
// are about.
func todoItems(rules caseload.Rules, clients []caseload.ClientFacts, names map[int]string) []todoItem {
	starts := map[int]time.Time{}
	for _, c := range clients {
		sessionStarts(c.Facts, starts)
	}
	items := rules.TodoOf(clients)
	out := make([]todoItem, 0, len(items))
	for _, it := range items {
		item := todoItem{Kind: it.Kind, DueAt: instant(it.DueAt), Overdue: it.Overdue, Explanation: it.Explanation, CloseBy: datePtr(it.CloseBy)}
		item.Client.ID, item.Client.FirstName = scalar.EncodeID(it.ClientID), names[it.ClientID]
		if it.DocumentKind != "" {
			kind := it.DocumentKind
			item.DocumentKind = &kind
		}
		if start, ok := starts[it.AppointmentID]; ok && it.AppointmentID != 0 {
			item.Appointment = &struct {
				ID       string `json:"id"`
				StartsAt string `json:"startsAt"`
			}{scalar.EncodeID(it.AppointmentID), instant(start)}
		}
		if it.DocumentID != 0 {
			item.Document = &idOnly{scalar.EncodeID(it.DocumentID)}
		}
		if it.ContactID != 0 {
			item.Contact = &idOnly{scalar.EncodeID(it.ContactID)}
		}
		out = append(out, item)
	}
	return out
}
