package caseload

import (
	"fmt"
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

// listReasons are the bars to being on the backfill list at all.
func (r Rules) listReasons(h *History) []string {
	var reasons []string
	if h.Client.Status != StatusActive {
		reasons = append(reasons, fmt.Sprintf("the client is %s, not ACTIVE", h.Client.Status))
	}
	if !h.Client.WantsEarlier {
		reasons = append(reasons, "the client has not asked for an earlier appointment")
	}
	if n := r.StrikeCount(h); n >= r.Policy.StrikeLimit {
		reasons = append(reasons, fmt.Sprintf("%d strikes in this episode (limit %d)", n, r.Policy.StrikeLimit))
	}
	return reasons
}

// BackfillEligibility says whether the client is on the backfill list and not
// barred from it (rule 4, client level).
func (r Rules) BackfillEligibility(h *History) Eligibility {
	return eligibility(r.listReasons(h))
}

// BackfillForSlot says whether the client can take the freed slot (rule 4).
func (r Rules) BackfillForSlot(h *History, s Slot) Eligibility {
	reasons := r.listReasons(h)
	if h.Client.ClinicianID != s.ClinicianID {
		reasons = append(reasons, "the client sees another clinician")
	}
	for _, a := range h.Appointments {
		if a.Booked() && a.Start.Before(s.End) && s.Start.Before(a.End) {
			reasons = append(reasons, ReasonBookedThen)
			break
		}
	}
	if next, ok := r.NextAppointment(h); ok && !next.Start.After(s.Start) {
		reasons = append(reasons, "the client's next session is not later than the slot")
	}
	if !r.FitsAvailability(h.Client.Availability, s) {
		reasons = append(reasons, "the slot is outside the client's availability windows")
	}
	return eligibility(reasons)
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

// BackfillCandidates returns the eligible clients for the slot, ranked:
// longest wait until their next session first (nothing booked waits
// longest), then fewer strikes, then longest since seen.
func (r Rules) BackfillCandidates(s Slot, histories []*History) []Candidate {
	var out []Candidate
	for _, h := range histories {
		if !r.BackfillForSlot(h, s).Eligible {
			continue
		}
		next, _ := r.NextAppointment(h)
		out = append(out, r.Candidate(h.Client.ID, s, next.Start, r.StrikeCount(h), r.Activity(h).DaysSinceSeen))
	}
	RankCandidates(out)
	return out
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
