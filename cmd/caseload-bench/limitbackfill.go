package main

import (
	"context"
	"fmt"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/caseload"
)

// limitBackfillSQL is the best single statement for backfillCandidates
// that we could write: the freed session's slot, joined to the clients of
// its clinician who may be on the backfill list (ACTIVE, asked for an
// earlier appointment: rule 4; on the index practice_id, clinician_id,
// status) but its own client, each with its row of the projection. The
// handler decides the rest with the rules (the strike limit, a session
// booked at the slot's time or sooner, the availability windows: a JSON
// list of weekly windows in the practice's zone) and ranks them
// (Rules.BackfillCandidatesOf), as the server does.
//
// $1 the freed session.
var limitBackfillSQL = `
SELECT s.clinician_id, s.starts_at, s.ends_at, ` + clientColumns("c", true) + `, ` + projectionColumns + `
FROM appointments s
JOIN clients c ON c.practice_id = s.practice_id AND c.clinician_id = s.clinician_id AND c.status = 'ACTIVE'
  AND c.wants_earlier_appointment AND c.id <> s.client_id
LEFT JOIN client_facts f ON f.client_id = c.id
WHERE s.id = $1`

// candidate is a backfill candidate of the GraphQL screen or of its limit.
type candidate struct {
	Client struct {
		ID        string `json:"id"`
		FirstName string `json:"firstName"`
	} `json:"client"`
	NextAppointmentAt *string `json:"nextAppointmentAt"`
	WaitDays          *int    `json:"waitDays"`
	StrikeCount       int     `json:"strikeCount"`
	DaysSinceSeen     *int    `json:"daysSinceSeen"`
}

// backfillCandidates runs limitBackfillSQL for the session and ranks the
// clients with the rules, at most first.
func (s *limitServer) backfillCandidates(ctx context.Context, appointmentID int64, first int) ([]candidate, error) {
	rules := s.rules
	rules.Now = s.now().UTC()
	rows, err := s.db.QueryContext(ctx, s.backfill, appointmentID)
	if err != nil {
		return nil, fmt.Errorf("backfill limit: %w", err)
	}
	defer rows.Close()
	var (
		clients    []caseload.ClientFacts
		names      = map[int]string{}
		slot       caseload.Slot
		clinician  int
		start, end sqlTime
		row        clientRow
	)
	dest := append([]any{&clinician, &start, &end}, row.dest()...)
	err = eachClient(rows, dest, &row, rules, func(c caseload.ClientFacts) {
		slot = caseload.Slot{ClinicianID: clinician, Start: start.Time, End: end.Time}
		clients, names[c.Client.ID] = append(clients, c), row.first.String
	})
	if err != nil {
		return nil, fmt.Errorf("backfill limit: %w", err)
	}
	ranked := rules.BackfillCandidatesOf(slot, clients)
	out := make([]candidate, 0, min(first, len(ranked)))
	for _, c := range ranked[:min(first, len(ranked))] {
		out = append(out, toCandidate(c, names[c.ClientID]))
	}
	return out, nil
}

// toCandidate is a ranked candidate in the screen's shape.
func toCandidate(c caseload.Candidate, name string) candidate {
	var out candidate
	out.Client.ID, out.Client.FirstName = scalar.EncodeID(c.ClientID), name
	out.NextAppointmentAt, out.WaitDays, out.StrikeCount, out.DaysSinceSeen = instantPtr(c.Next), c.WaitDays, c.Strikes, c.DaysSinceSeen
	return out
}
