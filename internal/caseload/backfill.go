package caseload

import (
	"sort"
	"time"
)

// Slot is a freed session time of a clinician.
type Slot struct {
	ClinicianID int
	Start, End  time.Time
}

// Eligibility says whether a rule lets a client in, and if not, why not.
type Eligibility struct {
	Eligible bool
	// Reasons lists every bar, in the practice's words (empty when eligible).
	Reasons []string
}

func eligibility(reasons []string) Eligibility {
	return Eligibility{Eligible: len(reasons) == 0, Reasons: reasons}
}

// ReasonBookedThen is the bar of a client who already has a session at the
// slot's time: a double booking, which fillSlot refuses as CONFLICT.
const ReasonBookedThen = "the client already has a session at that time"

// BackfillEligibility says whether the client is on the backfill list and not
// barred from it (rule 4, client level): BackfillEligibilityOf their facts.
func (r Rules) BackfillEligibility(h *History) Eligibility {
	return r.BackfillEligibilityOf(ClientFacts{Client: h.Client, Facts: r.FactsFor(h)})
}

// BackfillForSlot says whether the client can take the freed slot (rule 4):
// BackfillForSlotOf their facts.
func (r Rules) BackfillForSlot(h *History, s Slot) Eligibility {
	return r.BackfillForSlotOf(ClientFacts{Client: h.Client, Facts: r.FactsFor(h)}, s)
}

// FitsAvailability reports whether the slot lies inside one weekly window (or
// the client set none).
func (r Rules) FitsAvailability(windows []AvailabilityWindow, s Slot) bool {
	if len(windows) == 0 {
		return true
	}
	start, end := s.Start.In(r.Location), s.End.In(r.Location)
	startMin := start.Hour()*60 + start.Minute()
	endMin := startMin + int(end.Sub(start).Minutes())
	for _, w := range windows {
		if w.Weekday == start.Weekday() && startMin >= w.StartMinute && endMin <= w.EndMinute {
			return true
		}
	}
	return false
}

// Candidate is a client who can take a freed slot.
type Candidate struct {
	ClientID int
	// Next is the client's next booked session (zero if none).
	Next time.Time
	// WaitDays is how many calendar days earlier the slot is than Next (nil: nothing booked).
	WaitDays *int
	// wait is the exact time the slot saves (ranking key).
	wait    time.Duration
	Strikes int
	// DaysSinceSeen as in rule 2 (nil: never seen and no open episode).
	DaysSinceSeen *int
}

// BackfillCandidates returns the eligible clients for the slot, ranked
// (BackfillCandidatesOf their facts).
func (r Rules) BackfillCandidates(s Slot, histories []*History) []Candidate {
	return r.BackfillCandidatesOf(s, r.withFacts(histories))
}

// Candidate is an eligible client's entry for the slot from its facts: the
// start of their next booked session (zero: none), strikes and days since
// seen. BackfillCandidates gathers these from histories; a facts projection
// reads them stored.
func (r Rules) Candidate(clientID int, s Slot, next time.Time, strikes int, daysSinceSeen *int) Candidate {
	c := Candidate{ClientID: clientID, Strikes: strikes, DaysSinceSeen: daysSinceSeen}
	if !next.IsZero() {
		c.Next = next
		d := DaysBetween(r.DateOf(s.Start), r.DateOf(next))
		c.WaitDays = &d
		c.wait = next.Sub(s.Start)
	}
	return c
}

// RankCandidates orders candidates best first (rule 4): longest wait until
// their next session first (nothing booked waits longest), then fewer
// strikes, then longest since seen, then by client id.
func RankCandidates(out []Candidate) {
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if wa, wb := waitKey(a), waitKey(b); wa != wb {
			return wa > wb
		}
		if a.Strikes != b.Strikes {
			return a.Strikes < b.Strikes
		}
		if sa, sb := seenKey(a), seenKey(b); sa != sb {
			return sa > sb
		}
		return a.ClientID < b.ClientID
	})
}

// waitKey orders by the wait the slot saves; nothing booked is the longest.
func waitKey(c Candidate) time.Duration {
	if c.Next.IsZero() {
		return time.Duration(1<<62 - 1)
	}
	return c.wait
}

func seenKey(c Candidate) int {
	if c.DaysSinceSeen == nil {
		return 1 << 30
	}
	return *c.DaysSinceSeen
}
