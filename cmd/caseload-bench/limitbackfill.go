package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/caseload"
)

// limitBackfillSQL is the best single statement for backfillCandidates
// that we could write: the clients of the freed session's clinician who
// are on the backfill list (ACTIVE, asked for an earlier appointment, under
// the strike limit: rule 4), not booked at the slot's time and not booked
// sooner, with the facts that rank them. The handler keeps those whose
// availability fits the slot and ranks them with the rules (availability
// is a JSON list of weekly windows in the practice's zone: comparing it in
// SQL would be two dialects of JSON and time zones for some fifty rows).
//
// $1 the freed session, $2 now, $3 the strike limit, $4 the late-cancel
// window in hours.
var limitBackfillSQL = `
WITH slot AS (SELECT a.clinician_id, a.client_id, a.starts_at AS slot_start, a.ends_at AS slot_end FROM appointments a WHERE a.id = $1),
` + backfillList("(SELECT clinician_id FROM slot)") + `
SELECT l.id, l.first_name, l.availability, slot.slot_start, slot.slot_end, l.ep_opened, l.ep_closed, l.last_seen, l.strikes, l.next_at
FROM slot JOIN listed l ON l.id <> slot.client_id
WHERE ` + freeFor("slot.slot_start", "slot.slot_end")

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

// backfillCandidates runs limitBackfillSQL for the session and ranks its
// rows with the rules, at most first.
func (s *limitServer) backfillCandidates(ctx context.Context, appointmentID int64, first int) ([]candidate, error) {
	rules := s.rules
	rules.Now = s.now().UTC()
	rows, err := s.db.QueryContext(ctx, s.backfill, appointmentID, rules.Now, rules.Policy.StrikeLimit, rules.Policy.LateCancelWindowHours)
	if err != nil {
		return nil, fmt.Errorf("backfill limit: %w", err)
	}
	defer rows.Close()
	var (
		ranked []caseload.Candidate
		names  = map[int]string{}
	)
	for rows.Next() {
		var (
			id, strikes                                  int
			name                                         string
			availability                                 []byte
			slotStart, slotEnd, opened, closed, seen, at sqlTime
		)
		if err := rows.Scan(&id, &name, &availability, &slotStart, &slotEnd, &opened, &closed, &seen, &strikes, &at); err != nil {
			return nil, fmt.Errorf("backfill limit: %w", err)
		}
		slot := caseload.Slot{Start: slotStart.Time, End: slotEnd.Time}
		c, ok, err := listedCandidate(rules, slot, id, strikes, availability, opened.Time, closed.Time, seen.Time, at.Time)
		if err != nil {
			return nil, fmt.Errorf("backfill limit: %w", err)
		}
		if !ok {
			continue
		}
		ranked = append(ranked, c)
		names[id] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("backfill limit: %w", err)
	}
	caseload.RankCandidates(ranked)
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

// listedCandidate is the candidate a listed client (a row of backfillList's
// listed: its availability, current episode, last seen, strikes and next
// session) makes for the slot, or false when their availability does not
// fit it.
func listedCandidate(rules caseload.Rules, slot caseload.Slot, id, strikes int, availability []byte, opened, closed, seen, next time.Time) (caseload.Candidate, bool, error) {
	var windows []caseload.AvailabilityWindow
	if len(availability) > 0 {
		if err := json.Unmarshal(availability, &windows); err != nil {
			return caseload.Candidate{}, false, fmt.Errorf("availability: %w", err)
		}
	}
	if !rules.FitsAvailability(windows, slot) {
		return caseload.Candidate{}, false, nil
	}
	open := !opened.IsZero() && closed.IsZero()
	seenDays := rules.ActivityFrom(seen, time.Time{}, opened, open).DaysSinceSeen
	return rules.Candidate(id, slot, next, strikes, seenDays), true, nil
}
