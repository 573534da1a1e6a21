package caseload

import (
	"fmt"
	"math"
	"time"
)

// The no-show risk model: a client's share of missed sessions (no-shows and
// late cancels) among their recorded sessions, pulled toward a prior for
// clients with little history, halved when the session is confirmed.
const (
	// riskPrior is the miss rate assumed for a client with no history.
	riskPrior = 0.15
	// riskPriorWeight is how many sessions of history the prior is worth.
	riskPriorWeight = 4
	// riskConfirmedFactor scales the risk of a confirmed session.
	riskConfirmedFactor = 0.5
)

// NoShowRisk estimates the chance the client misses a session (rule 8), with
// its inputs so that a clinician can judge it.
type NoShowRisk struct {
	// Score is between 0 and 1.
	Score float64
	// RecordedSessions, NoShows, LateCancels: the client's recorded history.
	RecordedSessions, NoShows, LateCancels int
	// Confirmed: the client confirmed this session.
	Confirmed   bool
	Explanation string
}

// Risk computes the no-show risk of session a of the client of h.
func (r Rules) Risk(h *History, a Appointment) NoShowRisk {
	var recorded, noShows, lateCancels int
	for _, p := range h.Appointments {
		if !r.counted(p) {
			continue
		}
		recorded++
		switch {
		case p.Status == NoShow:
			noShows++
		case r.IsLateCancel(p):
			lateCancels++
		}
	}
	return r.RiskFrom(recorded, noShows, lateCancels, a)
}

// RiskFrom is the no-show risk of session a from its facts: the client's
// recorded sessions (past, not booked, not cancelled by the practice), and
// the no-shows and late cancels among them. Risk counts these from a
// history; a facts projection reads them stored.
func (r Rules) RiskFrom(recorded, noShows, lateCancels int, a Appointment) NoShowRisk {
	risk := NoShowRisk{RecordedSessions: recorded, NoShows: noShows, LateCancels: lateCancels}
	misses := float64(risk.NoShows + risk.LateCancels)
	risk.Score = (misses + riskPrior*riskPriorWeight) / (float64(risk.RecordedSessions) + riskPriorWeight)
	risk.Confirmed = a.Status == Confirmed || !a.ConfirmedAt.IsZero()
	if risk.Confirmed {
		risk.Score *= riskConfirmedFactor
	}
	risk.Score = math.Round(risk.Score*1000) / 1000
	risk.Explanation = fmt.Sprintf("%d no-shows and %d late cancels in %d recorded sessions", risk.NoShows, risk.LateCancels, risk.RecordedSessions)
	if risk.Confirmed {
		risk.Explanation += "; confirmed, which halves the risk"
	} else {
		risk.Explanation += "; not confirmed"
	}
	return risk
}

// CalendarEntry is a session of the calendar with what to prepare (rule 8).
type CalendarEntry struct {
	Appointment Appointment
	Risk        NoShowRisk
	// TreatmentPlanReviewDue: the review is due by the session's day: prepare it.
	TreatmentPlanReviewDue bool
	// Caregiver to include, for a minor: the one to contact (ContactCaregiver),
	// nil when not a minor or no caregiver on file consented to contact.
	Caregiver *Caregiver
	// Candidates to call if the session falls through, ranked.
	Candidates []Candidate
}

// Calendar lists the sessions of a clinician on a local day (rule 8):
// CalendarOf the sessions and facts of the clients of caseload.
func (r Rules) Calendar(clinicianID int, day time.Time, caseload []*History) []CalendarEntry {
	var sessions []Appointment
	for _, h := range caseload {
		sessions = append(sessions, h.Appointments...)
	}
	return r.CalendarOf(clinicianID, day, sessions, r.withFacts(caseload))
}
