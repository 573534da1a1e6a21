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
				addDoc(Document{Kind: noteKind(a), Status: Signed, AppointmentID: a.ID, CreatedAt: a.End, SignedAt: a.End.Add(time.Hour)})
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
	caseload := benchCaseload(r.Now)
	b.ReportAllocs()
	var items int
	for b.Loop() {
		items = len(r.Todo(caseload))
	}
	b.ReportMetric(float64(items), "items")
}

func BenchmarkCalendar(b *testing.B) {
	r := rulesAt("2026-06-15 12:00")
	caseload := benchCaseload(r.Now)
	day := r.Tomorrow()
	b.ReportAllocs()
	var entries int
	for b.Loop() {
		entries = len(r.Calendar(1, day, caseload))
	}
	b.ReportMetric(float64(entries), "entries")
}
