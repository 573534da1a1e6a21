package caseload

import (
	"fmt"
	"math"
	"strconv"
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
	// NewClientsToRequest is what rule 9 says to ask intake for: 0 unless
	// UNDER with at least one open weekly slot (see newClients).
	NewClientsToRequest int
	Explanation         string
}

// AttendanceRate is attended / (attended + no-shows + late cancels) over the
// policy's attendance window up to now, and 1 with no such history.
func (r Rules) AttendanceRate(h *History) float64 {
	return r.attendanceRate(r.attendanceEvents(h.Appointments))
}

// attendanceEvents are the attended and missed (no-show, late cancel)
// sessions among appts.
func (r Rules) attendanceEvents(appts []Appointment) []AttendanceEvent {
	var out []AttendanceEvent
	for _, a := range appts {
		switch {
		case a.Status == Attended:
			out = append(out, AttendanceEvent{Start: a.Start, Attended: true})
		case a.Status == NoShow, r.IsLateCancel(a):
			out = append(out, AttendanceEvent{Start: a.Start})
		}
	}
	return out
}

// attendanceWindow is how far back the attendance rate looks.
func (r Rules) attendanceWindow() time.Duration {
	return time.Duration(r.Policy.AttendanceWindowDays) * 24 * time.Hour
}

// attendanceRate is rule 9's rate over the events inside the window up to now.
func (r Rules) attendanceRate(events []AttendanceEvent) float64 {
	from := r.Now.Add(-r.attendanceWindow())
	var attended, missed int
	for _, e := range events {
		if e.Start.Before(from) || e.Start.After(r.Now) {
			continue
		}
		if e.Attended {
			attended++
		} else {
			missed++
		}
	}
	if attended+missed == 0 {
		return 1
	}
	return float64(attended) / float64(attended+missed)
}

// CaseloadHealth computes rule 9 over the clinician's clients' histories:
// CaseloadHealthOf over their facts.
func (r Rules) CaseloadHealth(weeklySlots int, clients []*History) Health {
	return r.CaseloadHealthOf(weeklySlots, r.withFacts(clients))
}

// health is rule 9 for weekly slots and the expected weekly sessions of
// each active client (frequency times attendance rate).
func (r Rules) health(weeklySlots int, active []float64) Health {
	p := r.Policy
	h := Health{WeeklySlots: weeklySlots, ActiveClients: len(active)}
	for _, x := range active {
		h.ExpectedWeeklySessions += x
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
		h.NewClientsToRequest, h.Explanation = r.newClients(h)
	case h.ActiveClients > h.RecommendedMax:
		h.Status = HealthOver
		h.Explanation = fmt.Sprintf("%d active clients, above the recommended %d-%d for %d weekly slots: stop taking new clients.", h.ActiveClients, h.RecommendedMin, h.RecommendedMax, weeklySlots)
	default:
		h.Status = HealthHealthy
		h.Explanation = fmt.Sprintf("%d active clients, within the recommended %d-%d for %d weekly slots.", h.ActiveClients, h.RecommendedMin, h.RecommendedMax, weeklySlots)
	}
	return h
}

// newClients is rule 9's count of new clients for an UNDER caseload, and
// its explanation. The open slots are the weekly slots the expected
// sessions leave free; each new client starts weekly, so the count fills
// them (rounded up) plus the no-show buffer, but never takes the caseload
// past the recommended maximum. With less than one open slot the week is
// full although the caseload is small: asking for more would overbook it.
func (r Rules) newClients(h Health) (int, string) {
	under := fmt.Sprintf("%d active clients, below the recommended %d-%d for %d weekly slots", h.ActiveClients, h.RecommendedMin, h.RecommendedMax, h.WeeklySlots)
	open := float64(h.WeeklySlots) - h.ExpectedWeeklySessions
	if open < 1 {
		return 0, fmt.Sprintf("%s, but the slots are full although the caseload is small: %.2f expected weekly sessions for %d slots leave no open slot, so request none.",
			under, h.ExpectedWeeklySessions, h.WeeklySlots)
	}
	fill := int(math.Ceil(open - 1e-9))
	n := fill + r.Policy.NoShowBuffer
	room := h.RecommendedMax - h.ActiveClients
	if n > room {
		return room, fmt.Sprintf("%s: %.2f expected weekly sessions leave %s open slots; %d new clients (one per open slot plus %d for expected no-shows) would pass the maximum of %d, so request %d.",
			under, h.ExpectedWeeklySessions, trimFloat(open), fill+r.Policy.NoShowBuffer, r.Policy.NoShowBuffer, h.RecommendedMax, room)
	}
	return n, fmt.Sprintf("%s: %.2f expected weekly sessions leave %s open slots, so request %d new clients (one per open slot, rounded up, plus %d for expected no-shows).",
		under, h.ExpectedWeeklySessions, trimFloat(open), n, r.Policy.NoShowBuffer)
}

// trimFloat writes x with at most two decimals and no trailing zeros.
func trimFloat(x float64) string {
	return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
}
