package caseload

import (
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// randomHistory is a seeded random history around base: up to three
// episodes (the last maybe open), sessions of every status and kind (late
// arrivals, client and clinician cancellations inside and outside the
// window, excusals, reschedules, series), contacts (inbound, billable,
// closure warnings), drafts and signed documents, caregivers.
func randomHistory(rng *rand.Rand, base time.Time) *History {
	h := &History{Client: Client{ID: 1, Status: []string{StatusActive, StatusActive, StatusWaitlist, StatusClosed}[rng.IntN(4)],
		SessionFrequency: Weekly, RecurringPrivilege: rng.IntN(4) == 0}}
	at := func(days int) time.Time {
		return base.Add(time.Duration(days)*24*time.Hour + time.Duration(rng.IntN(600))*time.Minute)
	}
	start := -200
	for i := range 1 + rng.IntN(3) {
		open := at(start)
		ep := Episode{ID: i + 1, OpenedAt: open}
		start += 20 + rng.IntN(80)
		if start < 40 && rng.IntN(3) > 0 {
			ep.ClosedAt = at(start)
			start += 1 + rng.IntN(20)
		}
		h.Episodes = append(h.Episodes, ep)
		if ep.Open() {
			break
		}
	}
	id := 100
	for range rng.IntN(30) {
		id++
		s := at(-220 + rng.IntN(260))
		a := Appointment{ID: id, ClientID: 1, Start: s, End: s.Add(50 * time.Minute), Kind: []string{KindTherapy, KindIntake, KindFamily}[rng.IntN(3)]}
		a.Status = []string{Scheduled, Confirmed, Attended, Attended, NoShow, Canceled, Canceled}[rng.IntN(7)]
		switch a.Status {
		case Attended:
			a.MinutesLate = rng.IntN(20)
			a.NoteSigned = rng.IntN(2) == 0
		case Canceled:
			a.CanceledBy = []string{ByClient, ByClient, ByClinician, ByPractice}[rng.IntN(4)]
			a.CanceledAt = s.Add(-time.Duration(rng.IntN(72)) * time.Hour)
		}
		a.Excused = rng.IntN(5) == 0
		if rng.IntN(5) == 0 {
			a.RescheduledBy = ByClient
		}
		if rng.IntN(4) == 0 {
			a.SeriesID = "s1"
		}
		if rng.IntN(3) == 0 {
			a.ReminderSentAt = s.Add(-20 * time.Hour)
		}
		h.Appointments = append(h.Appointments, a)
	}
	for range rng.IntN(8) {
		id++
		c := Contact{ID: id, At: at(-220 + rng.IntN(250)), Direction: []string{Inbound, Outbound}[rng.IntN(2)]}
		switch rng.IntN(3) {
		case 0:
			c.Direction, c.Purpose = Outbound, ClosureWarning
			c.CloseBy = time.Date(c.At.Year(), c.At.Month(), c.At.Day()+14, 0, 0, 0, 0, time.UTC)
		case 1:
			c.BillableMinutes = 10 + rng.IntN(30)
			c.NoteSigned = rng.IntN(2) == 0
		}
		h.Contacts = append(h.Contacts, c)
	}
	kinds := []string{DocTreatmentPlan, DocTreatmentPlanReview, DocProgressNote, DocIntake, DocTerminationNote, DocContactNote}
	for range rng.IntN(8) {
		id++
		d := Document{ID: id, Kind: kinds[rng.IntN(len(kinds))], Status: []string{Draft, Signed}[rng.IntN(2)], CreatedAt: at(-200 + rng.IntN(220))}
		if d.Status == Signed {
			d.SignedAt = d.CreatedAt.Add(time.Hour)
		}
		if len(h.Appointments) > 0 && (d.Kind == DocProgressNote || d.Kind == DocIntake) {
			d.AppointmentID = h.Appointments[rng.IntN(len(h.Appointments))].ID
		}
		if len(h.Contacts) > 0 && d.Kind == DocContactNote {
			d.ContactID = h.Contacts[rng.IntN(len(h.Contacts))].ID
		}
		h.Documents = append(h.Documents, d)
	}
	for i := range rng.IntN(3) {
		h.Caregivers = append(h.Caregivers, Caregiver{ID: 900 + i, IsPrimary: rng.IntN(2) == 0, ConsentToContact: rng.IntN(2) == 0})
	}
	return h
}

// factsHistories is how many random histories the tests below draw:
// CASELOAD_FACTS_HISTORIES raises it.
func factsHistories(t *testing.T, normal int) int {
	if n, err := strconv.Atoi(os.Getenv("CASELOAD_FACTS_HISTORIES")); err == nil && n > 0 {
		return n
	}
	return normal
}

// TestFactsAnswerAsTheHistory: for thousands of random histories and, for
// each, days before, during and long after it, every rule read from the
// facts equals the rule computed from the whole history, whenever the facts
// answer (Answers), and the facts themselves do not depend on the day.
func TestFactsAnswerAsTheHistory(t *testing.T) {
	base := ny("2026-06-10 09:00")
	answered, unsettled := 0, 0
	actions := map[string]int{}
	for seed := range factsHistories(t, 3000) {
		rng := rand.New(rand.NewPCG(uint64(seed), 18))
		h := randomHistory(rng, base)
		p := DefaultPolicy()
		p.LateCancelWindowHours = []int{12, 24, 48}[rng.IntN(3)]
		p.StrikeLimit = 2 + rng.IntN(3)
		f := Rules{Policy: p, Location: newYork, Now: base}.FactsOf(h)
		for _, days := range []int{-30, 0, 1, 7, 14, 15, 29, 30, 31, 45, 60, 90, 91, 120, 400} {
			r := Rules{Policy: p, Location: newYork, Now: base.Add(time.Duration(days)*24*time.Hour + time.Duration(rng.IntN(1440))*time.Minute)}
			if g := r.FactsOf(h); !reflect.DeepEqual(g, f) {
				t.Fatalf("seed %d: the facts depend on the day:\n%+v\n%+v", seed, f, g)
			}
			// Where the stored facts cannot answer (a fact recorded ahead of
			// now), the reader's facts (FactsFor) are those as they stand now.
			f := f
			if r.Answers(f) {
				answered++
			} else {
				f = r.FactsFor(h)
				unsettled++
			}
			check := func(what string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("seed %d, day %+d: %s from the facts %+v, from the history %+v", seed, days, what, got, want)
				}
			}
			actions[r.TerminationRecommendation(h).Action]++
			check("strikeCount", f.StrikeCount, r.StrikeCount(h))
			check("activity", r.ActivityOf(f), r.Activity(h))
			check("termination", r.TerminationRecommendationOf(h.Client.Status, f), r.TerminationRecommendation(h))
			check("recurring", r.RecurringEligibilityOf(h.Client.RecurringPrivilege, f), r.RecurringEligibility(h))
			check("attendance rate", r.AttendanceRateOf(f), r.AttendanceRate(h))
			next, ok := r.NextAppointment(h)
			nb, okb := r.NextBooked(f)
			check("next session", [2]any{nb.ID, okb}, [2]any{next.ID, ok})
			check("paperwork", sortedItems(r.PaperworkDueOf(f)), sortedItems(r.PaperworkDue(h)))
			due, ok := r.TreatmentPlanReviewDue(h)
			dueF, okF := r.TreatmentPlanReviewDueOf(f)
			check("review due", [2]any{dueF, okF}, [2]any{due, ok})
			for _, a := range h.Appointments {
				check("no-show risk", r.RiskOf(f, a), r.Risk(h, a))
				st, over := r.NoteStatus(a, h.Documents)
				stF, overF := r.NoteStatusOf(f, a)
				check("note status", [2]any{stF, overF}, [2]any{st, over})
			}
		}
	}
	t.Logf("%d answered, %d read from the facts as they stand (FactsFor), recommendations %v", answered, unsettled, actions)
	if answered == 0 || len(actions) < 4 {
		t.Fatal("the facts never answered")
	}
}

// sortedItems orders paperwork items whose due times tie by what they are
// for (the history's order of ties is the order it was read in).
func sortedItems(items []PaperworkItem) []PaperworkItem {
	out := append([]PaperworkItem{}, items...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			a, b := out[i], out[j]
			if b.DueAt.Before(a.DueAt) || (b.DueAt.Equal(a.DueAt) && b.DocumentKind+strconv.Itoa(b.AppointmentID+b.ContactID+b.EpisodeID) < a.DocumentKind+strconv.Itoa(a.AppointmentID+a.ContactID+a.EpisodeID)) {
				out[i], out[j] = b, a
			}
		}
	}
	return out
}
