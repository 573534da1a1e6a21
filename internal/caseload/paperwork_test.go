package caseload

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Rule 6 (paperwork due) and the note status of rule 10.

// describeItem prints a paperwork item on one line: kind, status, what it is
// for, due time in New York and whether it is overdue.
func describeItem(it PaperworkItem) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", it.DocumentKind, it.Status)
	for _, f := range []struct {
		name string
		id   int
	}{{"doc", it.DocumentID}, {"appt", it.AppointmentID}, {"contact", it.ContactID}, {"ep", it.EpisodeID}} {
		if f.id != 0 {
			fmt.Fprintf(&b, " %s=%d", f.name, f.id)
		}
	}
	fmt.Fprintf(&b, " due=%s", showTime(it.DueAt))
	if it.Overdue {
		b.WriteString(" overdue")
	}
	return b.String()
}

func describeItems(items []PaperworkItem) string {
	lines := make([]string, len(items))
	for i, it := range items {
		lines[i] = describeItem(it)
	}
	return strings.Join(lines, "\n")
}

func TestPaperworkNotes(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	// An episode whose treatment plan is signed and whose review is not due
	// before 2026-08-01, so that only the notes are listed.
	ep := opened(1, "2026-01-05 09:00")
	plan := documents(signed(900, DocTreatmentPlan, "2026-05-01 10:00"))
	for _, c := range []struct {
		name string
		h    *History
		want []string
	}{
		{"no history", history(), nil},
		{"attended this morning, no note", history(ep, plan, sessions(session("2026-06-15 09:00", Attended, withID(1)))),
			[]string{"PROGRESS_NOTE MISSING appt=1 due=2026-06-16 09:50 -0400"}},
		{"attended yesterday, no note: 24h after the end have passed", history(ep, plan, sessions(session("2026-06-14 10:00", Attended, withID(1)))),
			[]string{"PROGRESS_NOTE MISSING appt=1 due=2026-06-15 10:50 -0400 overdue"}},
		{"intake session: an INTAKE note", history(ep, plan, sessions(session("2026-06-15 09:00", Attended, withID(1), ofKind(KindIntake)))),
			[]string{"INTAKE MISSING appt=1 due=2026-06-16 09:50 -0400"}},
		{"family and review sessions need a progress note", history(ep, plan, sessions(
			session("2026-06-15 08:00", Attended, withID(1), ofKind(KindFamily)),
			session("2026-06-15 09:00", Attended, withID(2), ofKind(KindTreatmentPlanReview)))),
			[]string{"PROGRESS_NOTE MISSING appt=1 due=2026-06-16 08:50 -0400", "PROGRESS_NOTE MISSING appt=2 due=2026-06-16 09:50 -0400"}},
		{"a draft note", history(ep, plan, sessions(session("2026-06-15 09:00", Attended, withID(1))),
			documents(forAppointment(draft(5, DocProgressNote, "2026-06-15 10:00"), 1))),
			[]string{"PROGRESS_NOTE DRAFT doc=5 appt=1 due=2026-06-16 09:50 -0400"}},
		{"a signed note", history(ep, plan, sessions(session("2026-06-15 09:00", Attended, withID(1))),
			documents(forAppointment(signed(5, DocProgressNote, "2026-06-15 10:00"), 1))), nil},
		{"a draft and a signed version", history(ep, plan, sessions(session("2026-06-15 09:00", Attended, withID(1))),
			documents(forAppointment(draft(4, DocProgressNote, "2026-06-15 10:00"), 1), forAppointment(signed(5, DocProgressNote, "2026-06-15 10:30"), 1))), nil},
		{"a signed note of another session", history(ep, plan, sessions(session("2026-06-15 09:00", Attended, withID(1))),
			documents(forAppointment(signed(5, DocProgressNote, "2026-06-15 10:00"), 2))),
			[]string{"PROGRESS_NOTE MISSING appt=1 due=2026-06-16 09:50 -0400"}},
		{"an intake signed with a progress note is still missing its intake note", history(ep, plan,
			sessions(session("2026-06-15 09:00", Attended, withID(1), ofKind(KindIntake))),
			documents(forAppointment(signed(5, DocProgressNote, "2026-06-15 10:00"), 1))),
			[]string{"INTAKE MISSING appt=1 due=2026-06-16 09:50 -0400"}},
		{"sessions not attended need no note", history(ep, plan, sessions(
			session("2026-06-08 10:00", NoShow),
			session("2026-06-10 10:00", Canceled, cancelledBy(ByClient, time.Hour)),
			session("2026-06-12 10:00", Scheduled),
			session("2026-06-16 10:00", Confirmed))), nil},
		{"a billable contact without a note", history(ep, plan, contacts(billable(1, "2026-06-14 15:00", 20))),
			[]string{"CONTACT_NOTE MISSING contact=1 due=2026-06-15 15:00 -0400"}},
		{"a billable contact with a draft note", history(ep, plan, contacts(billable(1, "2026-06-12 15:00", 20)),
			documents(forContact(draft(6, DocContactNote, "2026-06-12 16:00"), 1))),
			[]string{"CONTACT_NOTE DRAFT doc=6 contact=1 due=2026-06-13 15:00 -0400 overdue"}},
		{"a billable contact with a signed note", history(ep, plan, contacts(billable(1, "2026-06-14 15:00", 20)),
			documents(forContact(signed(6, DocContactNote, "2026-06-14 16:00"), 1))), nil},
		{"a session whose signed note the loader left out (NoteSigned)", history(ep, plan,
			sessions(session("2026-06-15 09:00", Attended, withID(1), noteSigned()))), nil},
		{"NoteSigned settles a session even beside a draft", history(ep, plan, sessions(session("2026-06-15 09:00", Attended, withID(1), noteSigned())),
			documents(forAppointment(draft(4, DocProgressNote, "2026-06-15 10:00"), 1))), nil},
		{"a billable contact whose signed note the loader left out", history(ep, plan, contacts(signedContact(billable(1, "2026-06-14 15:00", 20)))), nil},
		{"unbillable contacts need no note", history(ep, plan, contacts(inbound(1, "2026-06-14 15:00"), outbound(2, "2026-06-14 16:00"))), nil},
		{"ordered by due time", history(ep, plan,
			sessions(session("2026-06-15 09:00", Attended, withID(3)), session("2026-06-12 09:00", Attended, withID(2))),
			contacts(billable(1, "2026-06-14 15:00", 20))),
			[]string{
				"PROGRESS_NOTE MISSING appt=2 due=2026-06-13 09:50 -0400 overdue",
				"CONTACT_NOTE MISSING contact=1 due=2026-06-15 15:00 -0400",
				"PROGRESS_NOTE MISSING appt=3 due=2026-06-16 09:50 -0400",
			}},
	} {
		got := describeItems(r.PaperworkDue(c.h))
		if want := strings.Join(c.want, "\n"); got != want {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, want)
		}
	}
}

func TestPaperworkOverdueEdge(t *testing.T) {
	// A session ending 10:50 has its note due at 10:50 the next day.
	h := history(opened(1, "2026-01-05 09:00"), documents(signed(900, DocTreatmentPlan, "2026-05-01 10:00")),
		sessions(session("2026-06-14 10:00", Attended, withID(1))))
	for _, c := range []struct {
		now     time.Time
		overdue bool
	}{
		{ny("2026-06-15 10:49"), false},
		{ny("2026-06-15 10:50"), false},
		{ny("2026-06-15 10:50").Add(time.Nanosecond), true},
		{ny("2026-06-15 10:51"), true},
	} {
		r := Rules{Policy: DefaultPolicy(), Location: newYork, Now: c.now}
		items := r.PaperworkDue(h)
		if len(items) != 1 || items[0].Overdue != c.overdue {
			t.Errorf("at %s: got %q, want one progress note with overdue=%v", c.now.Format(time.RFC3339Nano), describeItems(items), c.overdue)
		}
		if _, overdue := r.NoteStatus(h.Appointments[0], h.Documents); overdue != c.overdue {
			t.Errorf("at %s: NoteStatus overdue = %v, want %v", c.now.Format(time.RFC3339Nano), overdue, c.overdue)
		}
	}
}

func TestPaperworkTreatmentPlans(t *testing.T) {
	for _, c := range []struct {
		name   string
		now    string
		policy func(*Policy) // nil: the default
		h      *History
		want   []string
	}{
		{"initial plan, not yet due", "2026-06-15 12:00", nil, history(opened(1, "2026-06-01 09:00")),
			[]string{"TREATMENT_PLAN MISSING ep=1 due=2026-07-01 09:00 -0400"}},
		{"initial plan across spring-forward: the same local wall time", "2026-03-25 12:00", nil, history(opened(1, "2026-02-20 10:00")),
			[]string{"TREATMENT_PLAN MISSING ep=1 due=2026-03-22 10:00 -0400 overdue"}},
		{"initial plan across fall-back: the same local wall time", "2026-11-10 12:00", nil, history(opened(1, "2026-10-20 10:00")),
			[]string{"TREATMENT_PLAN MISSING ep=1 due=2026-11-19 10:00 -0500"}},
		{"initial plan in draft", "2026-06-15 12:00", nil, history(opened(1, "2026-06-01 09:00"), documents(draft(7, DocTreatmentPlan, "2026-06-02 10:00"))),
			[]string{"TREATMENT_PLAN DRAFT doc=7 ep=1 due=2026-07-01 09:00 -0400"}},
		{"initial plan signed, review not due", "2026-06-15 12:00", nil, history(opened(1, "2026-06-01 09:00"), documents(signed(7, DocTreatmentPlan, "2026-06-02 10:00"))), nil},

		{"review: the day before its due date", "2026-06-14 12:00", nil, history(opened(1, "2026-03-01 09:00"), documents(signed(7, DocTreatmentPlan, "2026-03-15 10:00"))), nil},
		{"review: on its due date, before the hour", "2026-06-15 08:00", nil, history(opened(1, "2026-03-01 09:00"), documents(signed(7, DocTreatmentPlan, "2026-03-15 10:00"))),
			[]string{"TREATMENT_PLAN_REVIEW MISSING ep=1 due=2026-06-15 10:00 -0400"}},
		{"review: on its due date, after the hour", "2026-06-15 12:00", nil, history(opened(1, "2026-03-01 09:00"), documents(signed(7, DocTreatmentPlan, "2026-03-15 10:00"))),
			[]string{"TREATMENT_PLAN_REVIEW MISSING ep=1 due=2026-06-15 10:00 -0400 overdue"}},
		{"review: counted from the last signed review, day before", "2026-06-19 23:59", nil, history(opened(1, "2026-01-05 09:00"),
			documents(signed(7, DocTreatmentPlan, "2026-01-10 10:00"), signed(8, DocTreatmentPlanReview, "2026-03-20 10:00"))), nil},
		{"review: counted from the last signed review, on the day", "2026-06-20 00:00", nil, history(opened(1, "2026-01-05 09:00"),
			documents(signed(7, DocTreatmentPlan, "2026-01-10 10:00"), signed(8, DocTreatmentPlanReview, "2026-03-20 10:00"))),
			[]string{"TREATMENT_PLAN_REVIEW MISSING ep=1 due=2026-06-20 10:00 -0400"}},
		{"review in draft", "2026-06-16 12:00", nil, history(opened(1, "2026-03-01 09:00"),
			documents(signed(7, DocTreatmentPlan, "2026-03-15 10:00"), draft(9, DocTreatmentPlanReview, "2026-06-10 10:00"))),
			[]string{"TREATMENT_PLAN_REVIEW DRAFT doc=9 ep=1 due=2026-06-15 10:00 -0400 overdue"}},
		{"review every 6 months", "2026-06-15 12:00", func(p *Policy) { p.TreatmentPlanReviewMonths = 6 }, history(opened(1, "2026-03-01 09:00"), documents(signed(7, DocTreatmentPlan, "2026-03-15 10:00"))), nil},

		{"termination note after closing", "2026-06-15 12:00", nil, history(clientStatus(StatusClosed), closedEpisode(1, "2026-01-05 09:00", "2026-06-10 17:00"),
			documents(signed(7, DocTreatmentPlan, "2026-01-10 10:00"))),
			[]string{"TERMINATION_NOTE MISSING ep=1 due=2026-06-17 17:00 -0400"}},
		{"termination note across spring-forward", "2026-03-20 12:00", nil, history(clientStatus(StatusClosed), closedEpisode(1, "2026-01-05 09:00", "2026-03-05 10:00")),
			[]string{"TERMINATION_NOTE MISSING ep=1 due=2026-03-12 10:00 -0400 overdue"}},
		{"termination note signed", "2026-06-15 12:00", nil, history(clientStatus(StatusClosed), closedEpisode(1, "2026-01-05 09:00", "2026-06-10 17:00"),
			documents(signed(8, DocTerminationNote, "2026-06-11 10:00"))), nil},
		{"termination note in draft", "2026-06-15 12:00", nil, history(clientStatus(StatusClosed), closedEpisode(1, "2026-01-05 09:00", "2026-06-10 17:00"),
			documents(draft(8, DocTerminationNote, "2026-06-11 10:00"))),
			[]string{"TERMINATION_NOTE DRAFT doc=8 ep=1 due=2026-06-17 17:00 -0400"}},
		{"two closures, no note: two items", "2026-06-15 12:00", nil, history(clientStatus(StatusClosed),
			closedEpisode(1, "2025-09-01 09:00", "2025-12-01 12:00"), closedEpisode(2, "2026-03-02 09:00", "2026-06-10 17:00")),
			[]string{"TERMINATION_NOTE MISSING ep=1 due=2025-12-08 12:00 -0500 overdue", "TERMINATION_NOTE MISSING ep=2 due=2026-06-17 17:00 -0400"}},
		{"two closures, one note after the first: one item, the second", "2026-06-15 12:00", nil, history(clientStatus(StatusClosed),
			closedEpisode(1, "2025-09-01 09:00", "2025-12-01 12:00"), closedEpisode(2, "2026-03-02 09:00", "2026-06-10 17:00"),
			documents(signed(8, DocTerminationNote, "2025-12-03 10:00"))),
			[]string{"TERMINATION_NOTE MISSING ep=2 due=2026-06-17 17:00 -0400"}},
		{"two closures, one note after the second: one item, the first", "2026-06-15 12:00", nil, history(clientStatus(StatusClosed),
			closedEpisode(2, "2026-03-02 09:00", "2026-06-10 17:00"), closedEpisode(1, "2025-09-01 09:00", "2025-12-01 12:00"),
			documents(signed(8, DocTerminationNote, "2026-06-11 10:00"))),
			[]string{"TERMINATION_NOTE MISSING ep=1 due=2025-12-08 12:00 -0500 overdue"}},
		{"closed, reopened: the old termination note and the new plan; the old plan does not count", "2026-06-15 12:00", nil, history(
			closedEpisode(1, "2025-09-01 09:00", "2025-12-01 12:00"), opened(2, "2026-06-01 09:00"),
			documents(signed(7, DocTreatmentPlan, "2025-09-10 10:00"))),
			[]string{"TERMINATION_NOTE MISSING ep=1 due=2025-12-08 12:00 -0500 overdue", "TREATMENT_PLAN MISSING ep=2 due=2026-07-01 09:00 -0400"}},
		{"closed with the note and reopened at the same instant: the note settles the closure", "2026-06-15 12:00", nil, history(
			closedEpisode(1, "2025-09-01 09:00", "2026-06-01 09:00"), opened(2, "2026-06-01 09:00"),
			documents(signed(7, DocTreatmentPlan, "2025-09-10 10:00"), signed(8, DocTerminationNote, "2026-06-01 09:00"))),
			[]string{"TREATMENT_PLAN MISSING ep=2 due=2026-07-01 09:00 -0400"}},
		{"reopened before the termination note was written: writing it later settles the old closure", "2026-06-15 12:00", nil, history(
			closedEpisode(1, "2025-09-01 09:00", "2025-12-01 12:00"), opened(2, "2026-06-01 09:00"),
			documents(signed(7, DocTreatmentPlan, "2025-09-10 10:00"), signed(8, DocTerminationNote, "2026-06-10 10:00"), signed(9, DocTreatmentPlan, "2026-06-11 10:00"))),
			nil},
		{"a termination note drafted before closing belongs to that closure", "2026-06-15 12:00", nil, history(clientStatus(StatusClosed),
			closedEpisode(1, "2026-01-05 09:00", "2026-06-10 17:00"),
			documents(draft(8, DocTerminationNote, "2026-06-09 10:00"))),
			[]string{"TERMINATION_NOTE DRAFT doc=8 ep=1 due=2026-06-17 17:00 -0400"}},
	} {
		r := rulesAt(c.now)
		if c.policy != nil {
			r = withPolicy(r, c.policy)
		}
		got := describeItems(r.PaperworkDue(c.h))
		if want := strings.Join(c.want, "\n"); got != want {
			t.Errorf("%s (now %s): got\n%s\nwant\n%s", c.name, c.now, got, want)
		}
	}
}

func TestPaperworkReviewMentionsThePolicy(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	h := history(opened(1, "2026-03-01 09:00"), documents(signed(7, DocTreatmentPlan, "2026-03-15 10:00")))
	items := r.PaperworkDue(h)
	if len(items) != 1 || !strings.Contains(items[0].Explanation, "no-show") || !strings.Contains(items[0].Explanation, "late-cancel") {
		t.Errorf("review item: got %+v, want one whose explanation suggests revisiting the no-show and late-cancel policy", items)
	}
	for _, it := range items {
		if it.Explanation == "" {
			t.Errorf("%s: empty explanation", describeItem(it))
		}
	}
}

func TestTreatmentPlanReviewDue(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		name string
		h    *History
		want string // "" for none
	}{
		{"no episode", history(documents(signed(7, DocTreatmentPlan, "2026-03-15 10:00"))), ""},
		{"no signed plan", history(opened(1, "2026-03-01 09:00"), documents(draft(7, DocTreatmentPlan, "2026-03-15 10:00"))), ""},
		{"closed episode", history(closedEpisode(1, "2026-03-01 09:00", "2026-05-01 09:00"), documents(signed(7, DocTreatmentPlan, "2026-03-15 10:00"))), ""},
		{"a signed plan", history(opened(1, "2026-03-01 09:00"), documents(signed(7, DocTreatmentPlan, "2026-03-15 10:00"))), "2026-06-15 10:00 -0400"},
		{"the latest signed review wins", history(opened(1, "2026-01-01 09:00"), documents(
			signed(8, DocTreatmentPlanReview, "2026-04-02 10:00"), signed(7, DocTreatmentPlan, "2026-01-02 10:00"), draft(9, DocTreatmentPlanReview, "2026-06-01 10:00"))),
			"2026-07-02 10:00 -0400"},
		{"a plan of a previous episode does not count", history(closedEpisode(1, "2025-09-01 09:00", "2025-12-01 12:00"), opened(2, "2026-03-01 09:00"),
			documents(signed(7, DocTreatmentPlan, "2025-09-10 10:00"))), ""},
		{"across fall-back: the same local wall time", history(opened(1, "2026-08-01 09:00"), documents(signed(7, DocTreatmentPlan, "2026-08-20 10:00"))), "2026-11-20 10:00 -0500"},
	} {
		due, ok := r.TreatmentPlanReviewDue(c.h)
		got := ""
		if ok {
			got = showTime(due)
		}
		if got != c.want {
			t.Errorf("%s: TreatmentPlanReviewDue = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestNoteStatus(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	yesterday := func(opts ...apptOption) Appointment {
		return session("2026-06-14 10:00", Attended, append([]apptOption{withID(1)}, opts...)...)
	}
	for _, c := range []struct {
		name    string
		a       Appointment
		docs    []Document
		status  string
		overdue bool
	}{
		{"attended, no note, overdue", yesterday(), nil, NoteMissing, true},
		{"attended this morning, no note", session("2026-06-15 09:00", Attended, withID(1)), nil, NoteMissing, false},
		{"draft", yesterday(), []Document{forAppointment(draft(5, DocProgressNote, "2026-06-14 11:00"), 1)}, NoteDraft, true},
		{"signed", yesterday(), []Document{forAppointment(signed(5, DocProgressNote, "2026-06-14 11:00"), 1)}, NoteSigned, false},
		{"signed late is still signed, not overdue", session("2026-06-01 10:00", Attended, withID(1)),
			[]Document{forAppointment(signed(5, DocProgressNote, "2026-06-10 11:00"), 1)}, NoteSigned, false},
		{"intake with an intake note", yesterday(ofKind(KindIntake)), []Document{forAppointment(signed(5, DocIntake, "2026-06-14 11:00"), 1)}, NoteSigned, false},
		{"intake with a progress note", yesterday(ofKind(KindIntake)), []Document{forAppointment(signed(5, DocProgressNote, "2026-06-14 11:00"), 1)}, NoteMissing, true},
		{"note of another session", yesterday(), []Document{forAppointment(signed(5, DocProgressNote, "2026-06-14 11:00"), 2)}, NoteMissing, true},
		{"NoteSigned without the note", yesterday(noteSigned()), nil, NoteSigned, false},
		{"NoteSigned beside a draft", yesterday(noteSigned()), []Document{forAppointment(draft(5, DocProgressNote, "2026-06-14 11:00"), 1)}, NoteSigned, false},
		{"no-show", session("2026-06-14 10:00", NoShow, withID(1)), nil, NoteNotRequired, false},
		{"cancelled", session("2026-06-14 10:00", Canceled, withID(1), cancelledBy(ByClient, time.Hour)), nil, NoteNotRequired, false},
		{"scheduled in the past", session("2026-06-14 10:00", Scheduled, withID(1)), nil, NoteNotRequired, false},
		{"scheduled in the future", session("2026-06-16 10:00", Scheduled, withID(1)), nil, NoteNotRequired, false},
	} {
		status, overdue := r.NoteStatus(c.a, c.docs)
		if status != c.status || overdue != c.overdue {
			t.Errorf("%s: NoteStatus = %s overdue=%v, want %s overdue=%v", c.name, status, overdue, c.status, c.overdue)
		}
	}
}

// TestTreatmentPlanReviewDueAtMonthEnd: "3 months after" a plan signed on the
// 30th or 31st. time.AddDate normalizes 2026-02-30 to 2026-03-02, which puts
// the review past the interval the policy allows.
func TestTreatmentPlanReviewDueAtMonthEnd(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	for _, c := range []struct {
		signed, want string
	}{
		{"2025-11-30 10:00", "2026-02-28 10:00 -0500"},
		{"2026-03-31 10:00", "2026-06-30 10:00 -0400"},
		{"2025-11-29 10:00", "2026-02-28 10:00 -0500"},
	} {
		h := history(opened(1, "2025-11-01 09:00"), documents(signed(7, DocTreatmentPlan, c.signed)))
		due, _ := r.TreatmentPlanReviewDue(h)
		if got := showTime(due); got != c.want {
			t.Errorf("plan signed %s: review due %s, want %s", c.signed, got, c.want)
		}
	}
}

// TestPaperworkDueDatesFromUTCInstants: instants read from the database are
// in UTC, not in the practice's zone; due dates still keep the local wall time
// across a DST change.
func TestPaperworkDueDatesFromUTCInstants(t *testing.T) {
	inUTC := func(h *History) *History {
		for i := range h.Episodes {
			h.Episodes[i].OpenedAt, h.Episodes[i].ClosedAt = h.Episodes[i].OpenedAt.UTC(), h.Episodes[i].ClosedAt.UTC()
		}
		for i := range h.Documents {
			h.Documents[i].CreatedAt, h.Documents[i].SignedAt = h.Documents[i].CreatedAt.UTC(), h.Documents[i].SignedAt.UTC()
		}
		return h
	}
	for _, c := range []struct {
		name string
		now  string
		h    *History
		want string
	}{
		{"initial plan across spring-forward", "2026-03-25 12:00", inUTC(history(opened(1, "2026-02-20 10:00"))),
			"TREATMENT_PLAN MISSING ep=1 due=2026-03-22 10:00 -0400 overdue"},
		{"termination note across spring-forward", "2026-03-20 12:00", inUTC(history(clientStatus(StatusClosed), closedEpisode(1, "2026-01-05 09:00", "2026-03-05 10:00"))),
			"TERMINATION_NOTE MISSING ep=1 due=2026-03-12 10:00 -0400 overdue"},
		{"review across fall-back", "2026-11-20 12:00", inUTC(history(opened(1, "2026-08-01 09:00"), documents(signed(7, DocTreatmentPlan, "2026-08-20 10:00")))),
			"TREATMENT_PLAN_REVIEW MISSING ep=1 due=2026-11-20 10:00 -0500 overdue"},
	} {
		if got := describeItems(rulesAt(c.now).PaperworkDue(c.h)); got != c.want {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, c.want)
		}
	}
}
