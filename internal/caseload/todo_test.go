package caseload

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// Rule 7: the To-Do list.

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// describeTodo prints a To-Do item on one line, without its explanation.
func describeTodo(it TodoItem) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s client=%d", it.Kind, it.ClientID)
	if it.DocumentKind != "" {
		fmt.Fprintf(&b, " %s", it.DocumentKind)
	}
	for _, f := range []struct {
		name string
		id   int
	}{{"appt", it.AppointmentID}, {"doc", it.DocumentID}, {"contact", it.ContactID}, {"ep", it.EpisodeID}} {
		if f.id != 0 {
			fmt.Fprintf(&b, " %s=%d", f.name, f.id)
		}
	}
	if !it.CloseBy.IsZero() {
		fmt.Fprintf(&b, " closeBy=%s", showDate(it.CloseBy))
	}
	fmt.Fprintf(&b, " due=%s", showTime(it.DueAt))
	if it.Overdue {
		b.WriteString(" overdue")
	}
	return b.String()
}

func describeTodos(items []TodoItem) string {
	lines := make([]string, len(items))
	for i, it := range items {
		lines[i] = describeTodo(it)
	}
	return strings.Join(lines, "\n")
}

// calm is a client with nothing to do: an open episode with a signed plan,
// seen a week ago with the note signed.
func calm(id int, more ...historyOption) *History {
	opts := []historyOption{
		clientID(id), opened(1, "2026-01-05 09:00"),
		documents(signed(id*100+1, DocTreatmentPlan, "2026-05-01 10:00"), forAppointment(signed(id*100+2, DocProgressNote, "2026-06-08 11:00"), id*1000+1)),
		sessions(session("2026-06-08 10:00", Attended, withID(id*1000+1))),
	}
	return history(append(opts, more...)...)
}

func TestTodoKinds(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	const now = "due=2026-06-15 12:00 -0400"
	// A client last seen 45 days ago, with the note of that session signed.
	quiet := func(more ...historyOption) *History {
		opts := []historyOption{
			clientID(2), opened(1, "2026-01-05 09:00"),
			documents(signed(201, DocTreatmentPlan, "2026-03-01 10:00"), signed(202, DocTreatmentPlanReview, "2026-04-30 10:00"),
				forAppointment(signed(203, DocProgressNote, "2026-05-01 11:00"), 2001)),
			sessions(session("2026-05-01 10:00", Attended, withID(2001))),
		}
		return history(append(opts, more...)...)
	}
	for _, c := range []struct {
		name string
		r    Rules
		h    *History
		want []string
	}{
		{"nothing to do", r, calm(1), nil},
		{"a note to sign", r, calm(1, sessions(session("2026-06-15 09:00", Attended, withID(7)))),
			[]string{"PAPERWORK client=1 PROGRESS_NOTE appt=7 due=2026-06-16 09:50 -0400"}},
		{"a session tomorrow within 24h", r, calm(1, sessions(session("2026-06-16 10:00", Scheduled, withID(7)))),
			[]string{"SEND_REMINDER client=1 appt=7 due=2026-06-16 10:00 -0400"}},
		{"a session tomorrow, reminder sent", r, calm(1, sessions(session("2026-06-16 10:00", Scheduled, withID(7), remindedAt(ny("2026-06-15 09:00"))))), nil},
		{"a session in two days", r, calm(1, sessions(session("2026-06-17 10:00", Scheduled, withID(7)))), nil},
		{"attendance not recorded, three days ago", r, calm(1, sessions(session("2026-06-12 10:00", Scheduled, withID(7)))),
			[]string{"RECORD_ATTENDANCE client=1 appt=7 due=2026-06-12 10:50 -0400 overdue"}},
		{"attendance not recorded, an hour ago", r, calm(1, sessions(session("2026-06-15 10:00", Confirmed, withID(7)))),
			[]string{"RECORD_ATTENDANCE client=1 appt=7 due=2026-06-15 10:50 -0400"}},
		{"send a closure warning", r, quiet(contacts(inbound(1, "2026-06-05 10:00"))),
			[]string{"SEND_WARNING client=2 closeBy=2026-06-29 " + now}},
		{"waiting on a warning: nothing to do", r, quiet(contacts(inbound(1, "2026-06-05 10:00"), warningSent(2, "2026-06-10 10:00", "2026-06-24"))), nil},
		{"close the case: inactive", r, quiet(),
			[]string{"CLOSE_CASE client=2 " + now}},
		{"close the case: strikes", r, calm(1, sessions(
			session("2026-05-25 10:00", NoShow), session("2026-06-01 10:00", NoShow), session("2026-06-11 10:00", Canceled, cancelledBy(ByClient, 2*time.Hour)))),
			[]string{"CLOSE_CASE client=1 " + now}},
		{"a minor with no caregiver", r, calm(1, born("2010-01-01")),
			[]string{"ADD_CAREGIVER client=1 " + now}},
		{"a minor with only a secondary caregiver, who consented", r, calm(1, born("2010-01-01"), caregivers(Caregiver{ID: 1, ConsentToContact: true})),
			[]string{"ADD_CAREGIVER client=1 " + now}},
		{"a minor with a primary caregiver who consented", r, calm(1, born("2010-01-01"), caregivers(Caregiver{ID: 1, IsPrimary: true, ConsentToContact: true}),
			sessions(session("2026-06-16 10:00", Scheduled, withID(7)))),
			[]string{"SEND_REMINDER client=1 appt=7 due=2026-06-16 10:00 -0400"}},
		{"a minor whose primary caregiver refused contact, another consented", r, calm(1, born("2010-01-01"),
			caregivers(Caregiver{ID: 1, IsPrimary: true}, Caregiver{ID: 2, ConsentToContact: true}), sessions(session("2026-06-16 10:00", Scheduled, withID(7)))),
			[]string{"SEND_REMINDER client=1 appt=7 due=2026-06-16 10:00 -0400"}},
		{"a minor with no consented contact: no reminder, the To-Do says so", r, calm(1, born("2010-01-01"),
			caregivers(Caregiver{ID: 1, IsPrimary: true}, Caregiver{ID: 2}), sessions(session("2026-06-16 10:00", Scheduled, withID(7)))),
			[]string{"NO_CONSENTED_CONTACT client=1 " + now}},
		{"a minor with only a secondary caregiver, who refused contact", r, calm(1, born("2010-01-01"), caregivers(Caregiver{ID: 1})),
			[]string{"ADD_CAREGIVER client=1 " + now, "NO_CONSENTED_CONTACT client=1 " + now}},
		{"an adult: caregivers on file do not matter", r, calm(1, born("2000-01-01"), caregivers(Caregiver{ID: 1, IsPrimary: true}),
			sessions(session("2026-06-16 10:00", Scheduled, withID(7)))),
			[]string{"SEND_REMINDER client=1 appt=7 due=2026-06-16 10:00 -0400"}},
		{"18 today: not a minor", r, calm(1, born("2008-06-15")), nil},
		{"18 tomorrow: still a minor", r, calm(1, born("2008-06-16")),
			[]string{"ADD_CAREGIVER client=1 " + now}},
		{"Auckland: 18 today locally while New York is still the day before", Rules{Policy: DefaultPolicy(), Location: auckland, Now: utc("2026-06-10T13:00:00Z")},
			history(born("2008-06-11")), nil},
		{"New York at the same instant: a minor", Rules{Policy: DefaultPolicy(), Location: newYork, Now: utc("2026-06-10T13:00:00Z")},
			history(born("2008-06-11")), []string{"ADD_CAREGIVER client=1 due=2026-06-10 09:00 -0400"}},
		{"revoke the recurring series", r, calm(1, recurringPrivilege(), sessions(
			session("2026-06-10 10:00", Canceled, cancelledBy(ByClient, 72*time.Hour)),
			session("2026-06-12 10:00", Canceled, cancelledBy(ByClient, 72*time.Hour)))),
			[]string{"REVOKE_RECURRING client=1 " + now}},
		{"two cancellations without a series: nothing to revoke", r, calm(1, sessions(
			session("2026-06-10 10:00", Canceled, cancelledBy(ByClient, 72*time.Hour)),
			session("2026-06-12 10:00", Canceled, cancelledBy(ByClient, 72*time.Hour)))), nil},
		{"closed client: the termination note, no reminder, no attendance", r, history(clientID(3), clientStatus(StatusClosed),
			closedEpisode(4, "2026-01-05 09:00", "2026-06-10 17:00"), born("2012-01-01"),
			sessions(session("2026-06-16 10:00", Scheduled, withID(8)), session("2026-06-12 10:00", Scheduled, withID(9)))),
			[]string{"PAPERWORK client=3 TERMINATION_NOTE ep=4 due=2026-06-17 17:00 -0400"}},
	} {
		got := c.r.Todo([]*History{c.h})
		if want := strings.Join(c.want, "\n"); describeTodos(got) != want {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, describeTodos(got), want)
		}
		for _, it := range got {
			if it.Explanation == "" {
				t.Errorf("%s: %s has no explanation", c.name, describeTodo(it))
			}
		}
	}
}

func TestTodoIsOrderedByDueTime(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	caseload := []*History{
		calm(3, sessions(session("2026-06-16 10:00", Scheduled, withID(31)), session("2026-06-15 09:00", Attended, withID(32)))),
		calm(1, born("2012-03-04"), sessions(session("2026-06-12 10:00", Scheduled, withID(11)))),
		calm(2, born("2012-03-04"), contacts(billable(21, "2026-06-14 15:00", 15))),
	}
	got := r.Todo(caseload)
	want := []string{
		"RECORD_ATTENDANCE client=1 appt=11 due=2026-06-12 10:50 -0400 overdue",
		"ADD_CAREGIVER client=1 due=2026-06-15 12:00 -0400",
		"ADD_CAREGIVER client=2 due=2026-06-15 12:00 -0400",
		"PAPERWORK client=2 CONTACT_NOTE contact=21 due=2026-06-15 15:00 -0400",
		// By due time, not by kind: the note (09:50) before the reminder (10:00).
		"PAPERWORK client=3 PROGRESS_NOTE appt=32 due=2026-06-16 09:50 -0400",
		"SEND_REMINDER client=3 appt=31 due=2026-06-16 10:00 -0400",
	}
	if describeTodos(got) != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", describeTodos(got), strings.Join(want, "\n"))
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].DueAt.Before(got[j].DueAt) }) {
		t.Errorf("not ordered by due time:\n%s", describeTodos(got))
	}
	if n := len(r.Todo(nil)); n != 0 {
		t.Errorf("Todo(nil) has %d items, want none", n)
	}
}

// goldenCaseload is a small practice's caseload seen on Monday 2026-06-15 at
// 12:00 in New York: one client of each situation a clinician meets.
func goldenCaseload() []*History {
	return []*History{
		// 1: doing well, seen last week, note signed, next session tomorrow.
		calm(1, sessions(session("2026-06-16 10:00", Confirmed, withID(1002), remindedAt(ny("2026-06-15 08:00"))))),
		// 2: seen this morning, note in draft; session tomorrow afternoon not yet reminded.
		calm(2,
			sessions(session("2026-06-15 09:00", Attended, withID(2002)), session("2026-06-16 11:00", Scheduled, withID(2003))),
			documents(forAppointment(draft(205, DocProgressNote, "2026-06-15 10:00"), 2002))),
		// 3: a minor whose intake was last Friday: intake note, plan and caregiver missing,
		// attendance of Monday's session not recorded.
		history(clientID(3), born("2013-09-01"), opened(1, "2026-06-05 09:00"),
			sessions(session("2026-06-12 16:00", Attended, withID(3001), ofKind(KindIntake)), session("2026-06-15 08:00", Scheduled, withID(3002)))),
		// 4: last seen 45 days ago, called 10 days ago: send a closure warning.
		history(clientID(4), opened(1, "2026-01-05 09:00"),
			documents(signed(401, DocTreatmentPlan, "2026-02-01 10:00"), signed(402, DocTreatmentPlanReview, "2026-04-30 10:00"),
				forAppointment(signed(403, DocProgressNote, "2026-05-01 11:00"), 4001)),
			sessions(session("2026-05-01 10:00", Attended, withID(4001))),
			contacts(inbound(41, "2026-06-05 10:00"))),
		// 5: three strikes: close; plan review due since Friday.
		history(clientID(5), opened(1, "2026-01-05 09:00"),
			documents(signed(501, DocTreatmentPlan, "2026-03-12 10:00"), forAppointment(signed(502, DocProgressNote, "2026-05-18 11:00"), 5001)),
			sessions(session("2026-05-18 10:00", Attended, withID(5001)),
				session("2026-05-25 10:00", NoShow, withID(5002)), session("2026-06-01 10:00", NoShow, withID(5003)),
				session("2026-06-08 10:00", Canceled, withID(5004), cancelledBy(ByClient, 3*time.Hour)))),
		// 6: a recurring series and two cancellations in a row; a billable call to document.
		calm(6, recurringPrivilege(),
			sessions(session("2026-06-10 10:00", Canceled, cancelledBy(ByClient, 72*time.Hour)), session("2026-06-12 10:00", Canceled, cancelledBy(ByClient, 30*time.Hour)),
				session("2026-06-22 10:00", Scheduled, inSeries("weekly-6"))),
			contacts(billable(61, "2026-06-11 14:00", 25))),
		// 7: closed last week, termination note missing; a stray booking gets no reminder.
		history(clientID(7), clientStatus(StatusClosed), closedEpisode(1, "2026-01-05 09:00", "2026-06-09 17:00"),
			sessions(session("2026-06-16 09:00", Scheduled, withID(7001)))),
		// 8: on the waitlist: nothing.
		history(clientID(8), clientStatus(StatusWaitlist)),
	}
}

func TestTodoGolden(t *testing.T) {
	r := rulesAt("2026-06-15 12:00")
	var b strings.Builder
	for _, it := range r.Todo(goldenCaseload()) {
		fmt.Fprintf(&b, "%s | %s\n", describeTodo(it), it.Explanation)
	}
	got := b.String()
	path := filepath.Join("testdata", "todo.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestTodoGolden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("To-Do list differs from %s (go test -run TestTodoGolden -update rewrites it after review)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
