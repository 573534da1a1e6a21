package caseload

import (
	"fmt"
	"math"
	"time"
)

// Caseload health statuses (rule 9).
const (
	HealthUnder   = "UNDER"
	HealthHealthy = "HEALTHY"
	HealthOver    = "OVER"
)

// frequencyWeights are sessions per week by preferred frequency (SPEC rule 9).
var frequencyWeights = map[string]float64{Weekly: 1, Biweekly: 0.5, Monthly: 12.0 / 52, AsNeeded: 0.1}

// FrequencyWeight is the sessions per week a client of the given preferred
// frequency is expected to come (rule 9); 0 for an unknown frequency.
func FrequencyWeight(frequency string) float64 { return frequencyWeights[frequency] }

// CaseloadHealth is a clinician's caseload health (rule 9).
type Health struct {
	ActiveClients          int
	WeeklySlots            int
	ExpectedWeeklySessions float64
	// Utilization is expected weekly sessions over weekly slots.
	Utilization    float64
	RecommendedMin int
	RecommendedMax int
	Status         string
	// NewClientsToRequest fills the expected gap plus the no-show buffer (0 unless UNDER).
	NewClientsToRequest int
	Explanation         string
}

// AttendanceRate is attended / (attended + no-shows + late cancels) over the
// policy's attendance window up to now, and 1 with no such history.
func (r Rules) AttendanceRate(h *History) float64 {
	from := r.Now.Add(-time.Duration(r.Policy.AttendanceWindowDays) * 24 * time.Hour)
	var attended, missed int
	for _, a := range h.Appointments {
		if a.Start.Before(from) || a.Start.After(r.Now) {
			continue
		}
		switch {
		case a.Status == Attended:
			attended++
		case a.Status == NoShow, r.IsLateCancel(a):
			missed++
		}
	}
	if attended+missed == 0 {
		return 1
	}
	return float64(attended) / float64(attended+missed)
}

// CaseloadHealth computes rule 9 over the clinician's clients.
func (r Rules) CaseloadHealth(weeklySlots int, clients []*History) Health {
	p := r.Policy
	h := Health{WeeklySlots: weeklySlots}
	for _, c := range clients {
		if c.Client.Status != StatusActive {
			continue
		}
		h.ActiveClients++
		h.ExpectedWeeklySessions += frequencyWeights[c.Client.SessionFrequency] * r.AttendanceRate(c)
	}
	h.ExpectedWeeklySessions = math.Round(h.ExpectedWeeklySessions*100) / 100
	if weeklySlots > 0 {
		h.Utilization = math.Round(h.ExpectedWeeklySessions/float64(weeklySlots)*1000) / 1000
	}
	h.RecommendedMin = int(math.Round(float64(weeklySlots) * p.CaseloadMinMultiple))
	h.RecommendedMax = int(math.Round(float64(weeklySlots) * p.CaseloadMaxMultiple))
	switch {
	case h.ActiveClients < h.RecommendedMin:
		h.Status = HealthUnder
		gap := max(h.RecommendedMin-h.ActiveClients, int(math.Ceil(float64(weeklySlots)-h.ExpectedWeeklySessions)))
		h.NewClientsToRequest = max(gap, 0) + p.NoShowBuffer
		h.Explanation = fmt.Sprintf("%d active clients, below the recommended %d-%d for %d weekly slots: request %d new clients (the gap plus %d for expected no-shows).",
			h.ActiveClients, h.RecommendedMin, h.RecommendedMax, weeklySlots, h.NewClientsToRequest, p.NoShowBuffer)
	case h.ActiveClients > h.RecommendedMax:
		h.Status = HealthOver
		h.Explanation = fmt.Sprintf("%d active clients, above the recommended %d-%d for %d weekly slots: stop taking new clients.", h.ActiveClients, h.RecommendedMin, h.RecommendedMax, weeklySlots)
	default:
		h.Status = HealthHealthy
		h.Explanation = fmt.Sprintf("%d active clients, within the recommended %d-%d for %d weekly slots.", h.ActiveClients, h.RecommendedMin, h.RecommendedMax, weeklySlots)
	}
	return h
}
