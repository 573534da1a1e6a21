package caseload

import (
	"testing"
	"time"
)

// benchCaseload is a clinician's 60 clients, each with a year of weekly
// sessions (mostly attended and documented, some no-shows, late arrivals and
// cancellations), a few contacts, a signed plan and reviews, and the next
// session booked on one of the coming weekdays.
func benchCaseload(now time.Time) []*History {
	const n = 60
	out := make([]*History, 0, n)
	for c := 1; c <= n; c++ {
		h := &History{Client: Client{ID: c, ClinicianID: 1, Status: StatusActive, SessionFrequency: Weekly, WantsEarlier: c%4 == 0}}
		opened := now.AddDate(-1, 0, -7)
		h.Episodes = []Episode{{ID: c, OpenedAt: opened}}
		if c%5 == 0 {
			h.Client.DateOfBirth = date("2012-04-01")
			h.Caregivers = []Caregiver{{ID: c, IsPrimary: c%10 == 0}}
		}
		docID := c * 10000
		addDoc := func(d Document) { docID++; d.ID = docID; h.Documents = append(h.Documents, d) }
		addDoc(Document{Kind: DocTreatmentPlan, Status: Signed, CreatedAt: opened.Add(24 * time.Hour), SignedAt: opened.Add(25 * time.Hour)})
		// The first session of the year is at a time of day that depends on the client.
		first := opened.Add(time.Duration(8+c%9)*time.Hour).AddDate(0, 0, c%5)
		for w := range 52 {
			start := first.AddDate(0, 0, 7*w)
			a := Appointment{ID: c*1000 + w, ClientID: c, ClinicianID: 1, EpisodeID: c, Start: start, End: start.Add(sessionLength), Kind: KindTherapy, Status: Attended}
			switch {
			case w == 0:
				a.Kind = KindIntake
			case (w+c)%17 == 0:
				a.Status = NoShow
			case (w+c)%13 == 0:
				a.Status, a.CanceledBy, a.CanceledAt = Canceled, ByClient, start.Add(-3*time.Hour)
			case (w+c)%11 == 0:
				a.Status, a.CanceledBy, a.CanceledAt = Canceled, ByClinician, start.Add(-72*time.Hour)
			case (w+c)%7 == 0:
				a.MinutesLate = 12
			}
			if !a.Start.Before(now) {
				a.Status = Scheduled
			}
			h.Appointments = append(h.Appointments, a)
			if a.Status == Attended && (w+c)%23 != 0 {
				addDoc(Document{Kind: NoteKind(a), Status: Signed, AppointmentID: a.ID, CreatedAt: a.End, SignedAt: a.End.Add(time.Hour)})
			}
			if w%13 == 12 {
				addDoc(Document{Kind: DocTreatmentPlanReview, Status: Signed, CreatedAt: a.End, SignedAt: a.End.Add(time.Hour)})
			}
		}
		// The next session, on one of the coming five days.
		next := now.AddDate(0, 0, 1+c%5).Truncate(time.Hour).Add(time.Duration(c%8) * time.Hour)
		h.Appointments = append(h.Appointments, Appointment{ID: c*1000 + 99, ClientID: c, ClinicianID: 1, EpisodeID: c, Start: next, End: next.Add(sessionLength), Kind: KindTherapy, Status: Scheduled})
		for k := range 6 {
			at := now.AddDate(0, -2*k, -c%20)
			ct := Contact{ID: c*100 + k, At: at, Direction: Inbound, Purpose: "SCHEDULING"}
			if k%2 == 1 {
				ct.Direction, ct.Purpose, ct.BillableMinutes = Outbound, "CARE_COORDINATION", 15
			}
			h.Contacts = append(h.Contacts, ct)
		}
		out = append(out, h)
	}
	return out
}

func BenchmarkTodo(b *testing.B) {
	r := rulesAt("2026-06-15 12:00")
	benchCaseloadRule(b, r, "items", func(caseload []*History) int { return len(r.Todo(caseload)) })
}

func BenchmarkCalendar(b *testing.B) {
	r := rulesAt("2026-06-15 12:00")
	day := r.Tomorrow()
	benchCaseloadRule(b, r, "entries", func(caseload []*History) int { return len(r.Calendar(1, day, caseload)) })
}

// The benchmarks below time each rule family the dashboard computes, over the
// whole benchCaseload (60 clients, a year of history each): one op is the
// rule for every client of a clinician's caseload, as one dashboard request
// computes it.

func BenchmarkStrikeCount(b *testing.B) {
	benchEachClient(b, func(r Rules, h *History) int { return r.StrikeCount(h) })
}

func BenchmarkActivity(b *testing.B) {
	benchEachClient(b, func(r Rules, h *History) int {
		if d := r.Activity(h).DaysSinceSeen; d != nil {
			return *d
		}
		return 0
	})
}

func BenchmarkTermination(b *testing.B) {
	benchEachClient(b, func(r Rules, h *History) int { return len(r.TerminationRecommendation(h).Action) })
}

func BenchmarkBackfillEligibility(b *testing.B) {
	benchEachClient(b, func(r Rules, h *History) int { return len(r.BackfillEligibility(h).Reasons) })
}

func BenchmarkRecurring(b *testing.B) {
	benchEachClient(b, func(r Rules, h *History) int { return r.RecurringEligibility(h).ConsecutiveOnTime })
}

func BenchmarkPaperwork(b *testing.B) {
	benchEachClient(b, func(r Rules, h *History) int { return len(r.PaperworkDue(h)) })
}

// BenchmarkBackfillCandidates ranks the caseload for a slot freed tomorrow.
// Every benchCaseload client has struck out over a year of sessions, so the
// strike limit is raised to let the wanting-earlier quarter through to the
// ranking.
func BenchmarkBackfillCandidates(b *testing.B) {
	r := withPolicy(rulesAt("2026-06-15 12:00"), func(p *Policy) { p.StrikeLimit = 100 })
	start := r.Tomorrow().Add(14 * time.Hour)
	slot := Slot{ClinicianID: 1, Start: start, End: start.Add(sessionLength)}
	benchCaseloadRule(b, r, "candidates", func(caseload []*History) int { return len(r.BackfillCandidates(slot, caseload)) })
}

func BenchmarkHealth(b *testing.B) {
	r := rulesAt("2026-06-15 12:00")
	benchCaseloadRule(b, r, "clients", func(caseload []*History) int { return r.CaseloadHealth(35, caseload).ActiveClients })
}

// benchCaseloadRule times rule over benchCaseload at r's clock, reporting
// what the last run counted (items, entries, ...) as unit.
func benchCaseloadRule(b *testing.B, r Rules, unit string, rule func([]*History) int) {
	b.Helper()
	caseload := benchCaseload(r.Now)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = rule(caseload)
	}
	b.ReportMetric(float64(n), unit)
}

// benchEachClient times rule over every client of benchCaseload.
func benchEachClient(b *testing.B, rule func(Rules, *History) int) {
	b.Helper()
	r := rulesAt("2026-06-15 12:00")
	caseload := benchCaseload(r.Now)
	b.ReportAllocs()
	sink := 0
	for b.Loop() {
		for _, h := range caseload {
			sink += rule(r, h)
		}
	}
	b.ReportMetric(float64(len(caseload)), "clients")
	_ = sink
}
