package facts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/caregiver"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/testdb"
	"github.com/caseload/caseload/internal/viewer"
)

// The lean statement must give the rules what ent's full records give
// them, on both databases: on a generated practice, which has every kind of
// record and every rule's case (NULLs of every nullable column, excused
// strikes, series, drafts, unsigned notes, closure warnings, closed and
// returning clients). It checks the records (the lean ones are the full ones
// less the signed notes and the contacts no rule reads, with NoteSigned set
// where a signed note was left out), and then every rule's result, client by
// client and caseload by caseload.
func TestLeanHistoriesGiveTheRulesTheSameFacts(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		db := testdb.Open(t, dialectName, testdb.Options{})
		now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
		opts := fakepractice.Options{Seed: 3, Size: fakepractice.Size{Clinicians: 2, ActiveClientsPerClinician: 8, ClosedClients: 12, WaitlistClients: 3, Years: 0.75}, Now: now}
		mine, err := fakepractice.Load(context.Background(), db, opts)
		if err != nil {
			t.Fatal(err)
		}
		// A second practice, whose records must never show in the first's.
		opts.Seed, opts.EmailDomain = 4, "other.example"
		other, err := fakepractice.Load(context.Background(), db, opts)
		if err != nil {
			t.Fatal(err)
		}

		ctx := viewer.NewContext(context.Background(), &viewer.Viewer{PracticeID: mine.PracticeID, Role: viewer.Admin})
		clients, err := db.Ent.ClientProfile.Query().All(ctx)
		if err != nil || len(clients) == 0 {
			t.Fatalf("clients: %v, %v", clients, err)
		}
		ids := make([]int, len(clients))
		for i, c := range clients {
			ids[i] = c.ID
		}
		f := New(db.Ent, dialectName, func() time.Time { return now })
		lean, err := f.loadHistories(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		full := entHistories(t, ctx, db.Ent, clients)
		if len(lean) != len(ids) {
			t.Fatalf("histories: lean %d, clients %d", len(lean), len(ids))
		}

		var fullRecords, leanRecords, flagged int
		for _, id := range ids {
			want := leanOf(full[id])
			if g, w := describe(lean[id]), describe(want); g != w {
				t.Fatalf("client %d: lean records differ from the full ones less what no rule reads:\nlean: %s\nwant: %s", id, g, w)
			}
			fullRecords += records(full[id])
			leanRecords += records(lean[id])
			for _, a := range lean[id].Appointments {
				if a.NoteSigned {
					flagged++
				}
			}
		}
		if flagged == 0 || leanRecords >= fullRecords {
			t.Errorf("nothing left out: %d records of %d, %d sessions flagged", leanRecords, fullRecords, flagged)
		}
		t.Logf("%s: %d clients, %d records read of %d, %d signed notes flagged", dialectName, len(ids), leanRecords, fullRecords, flagged)

		rules, err := f.Rules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if g, w := ruleResults(rules, lean[id]), ruleResults(rules, full[id]); g != w {
				t.Errorf("client %d: rules differ on the lean history:\nlean: %s\nfull: %s", id, g, w)
			}
		}
		byClinician := map[int][]int{}
		for _, c := range clients {
			if c.ClinicianID != nil {
				byClinician[*c.ClinicianID] = append(byClinician[*c.ClinicianID], c.ID)
			}
		}
		for clin, cids := range byClinician {
			if g, w := caseloadResults(rules, clin, pick(lean, cids)), caseloadResults(rules, clin, pick(full, cids)); g != w {
				t.Errorf("clinician %d: caseload rules differ on the lean histories:\nlean: %s\nfull: %s", clin, g, w)
			}
		}

		// The practice filter holds even for a client id of another
		// practice slipped into the request.
		otherCtx := privacy.DecisionContext(context.Background(), privacy.Allow)
		foreign, err := db.Ent.ClientProfile.Query().Where(clientprofile.PracticeID(other.PracticeID)).FirstID(otherCtx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int]*caseload.History{foreign: {}}
		if err := readHistoryRecords(ctx, db.Ent, dialectName, mine.PracticeID, []int{foreign}, out); err != nil {
			t.Fatal(err)
		}
		if h := out[foreign]; records(h) != 0 {
			t.Errorf("another practice's client read through this practice: %s", describe(h))
		}
	})
}

func records(h *caseload.History) int {
	return len(h.Episodes) + len(h.Appointments) + len(h.Contacts) + len(h.Documents)
}

func pick(m map[int]*caseload.History, ids []int) []*caseload.History {
	out := make([]*caseload.History, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out
}

// leanOf is what the lean statement should read of a full history, derived
// here in Go from the rules' own definitions.
func leanOf(h *caseload.History) *caseload.History {
	out := &caseload.History{Client: h.Client, Episodes: h.Episodes, Caregivers: h.Caregivers}
	signedNote := func(d caseload.Document) bool {
		return d.Status == caseload.Signed && (d.Kind == caseload.DocProgressNote || d.Kind == caseload.DocIntake || d.Kind == caseload.DocContactNote)
	}
	for _, a := range h.Appointments {
		status, _ := caseload.Rules{}.NoteStatus(a, h.Documents)
		a.NoteSigned = status == caseload.NoteSigned
		out.Appointments = append(out.Appointments, a)
	}
	for _, c := range h.Contacts {
		if c.Direction != caseload.Inbound && c.Purpose != caseload.ClosureWarning && c.BillableMinutes <= 0 {
			continue
		}
		for _, d := range h.Documents {
			if d.ContactID == c.ID && d.Kind == caseload.DocContactNote && d.Status == caseload.Signed && c.BillableMinutes > 0 {
				c.NoteSigned = true
			}
		}
		out.Contacts = append(out.Contacts, c)
	}
	for _, d := range h.Documents {
		if !signedNote(d) {
			out.Documents = append(out.Documents, d)
		}
	}
	return out
}

// ruleResults prints every rule's result for one client (JSON writes every
// instant with its offset, so the databases' time zones do not matter).
func ruleResults(r caseload.Rules, h *caseload.History) string {
	next, _ := r.NextAppointment(h)
	review, reviewDue := r.TreatmentPlanReviewDue(h)
	res := map[string]any{
		"strikes": r.StrikeCount(h), "activity": r.Activity(h), "termination": r.TerminationRecommendation(h), "recurring": r.RecurringEligibility(h),
		"holds": r.HoldsRecurring(h), "paperwork": r.PaperworkDue(h), "next": next.ID, "review": review, "reviewDue": reviewDue,
		"listed": r.BackfillEligibility(h), "attendance": r.AttendanceRate(h),
	}
	var sessions []string
	for _, a := range h.Appointments {
		if la, ok := h.Appointment(a.ID); ok {
			a = la
		}
		status, overdue := r.NoteStatus(a, h.Documents)
		risk := r.Risk(h, a)
		sessions = append(sessions, fmt.Sprintf("%d %s %v %+v %v", a.ID, status, overdue, risk, r.BackfillForSlot(h, caseload.Slot{ClinicianID: a.ClinicianID, Start: a.Start, End: a.End})))
	}
	slices.Sort(sessions)
	res["sessions"] = sessions
	b, err := json.Marshal(res)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// caseloadResults prints the caseload rules' results: health, To-Do, and
// the calendar of every day with sessions (their candidates included).
func caseloadResults(r caseload.Rules, clinicianID int, hs []*caseload.History) string {
	res := map[string]any{"health": r.CaseloadHealth(30, hs), "todo": r.Todo(hs)}
	days := map[time.Time]bool{}
	for _, h := range hs {
		for _, a := range h.Appointments {
			days[r.DateOf(a.Start)] = true
		}
	}
	var cal []string
	for d := range days {
		for _, e := range r.Calendar(clinicianID, d, hs) {
			cal = append(cal, fmt.Sprintf("%s %d %+v %v %v %+v", d.Format(time.DateOnly), e.Appointment.ID, e.Risk, e.TreatmentPlanReviewDue, e.Caregiver, e.Candidates))
		}
	}
	slices.Sort(cal)
	res["calendar"] = cal
	b, err := json.Marshal(res)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// entHistories is the reference: every record of the clients read as ent
// entities, as the histories were read before the lean statement.
func entHistories(t *testing.T, ctx context.Context, c *ent.Client, clients []*ent.ClientProfile) map[int]*caseload.History {
	t.Helper()
	out := map[int]*caseload.History{}
	ids := make([]int, len(clients))
	for i, cp := range clients {
		ids[i] = cp.ID
		out[cp.ID] = &caseload.History{Client: Client(cp)}
	}
	eps, err := c.Episode.Query().Where(episode.ClientIDIn(ids...)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range eps {
		out[e.ClientID].Episodes = append(out[e.ClientID].Episodes, toEpisode(e))
	}
	appts, err := c.Appointment.Query().Where(appointment.ClientIDIn(ids...)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range appts {
		out[a.ClientID].Appointments = append(out[a.ClientID].Appointments, Appointment(a))
	}
	cts, err := c.Contact.Query().Where(contact.ClientIDIn(ids...)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range cts {
		out[ct.ClientID].Contacts = append(out[ct.ClientID].Contacts, toContact(ct))
	}
	docs, err := c.Document.Query().Where(document.ClientIDIn(ids...)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		out[d.ClientID].Documents = append(out[d.ClientID].Documents, toDocument(d))
	}
	cgs, err := c.Caregiver.Query().Where(caregiver.ClientIDIn(ids...)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, cg := range cgs {
		out[cg.ClientID].Caregivers = append(out[cg.ClientID].Caregivers, caseload.Caregiver{ID: cg.ID, IsPrimary: cg.IsPrimary, ConsentToContact: cg.ConsentToContact})
	}
	return out
}

// describe prints a history's records in id order, every instant in UTC.
func describe(h *caseload.History) string {
	if h == nil {
		return "<nil>"
	}
	u := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	var lines []string
	for _, e := range h.Episodes {
		lines = append(lines, fmt.Sprintf("E%d %s %s", e.ID, u(e.OpenedAt), u(e.ClosedAt)))
	}
	for _, a := range h.Appointments {
		lines = append(lines, fmt.Sprintf("A%d c%d k%d e%d %s %s %s %s late%d by%q %s x%v conf%s rem%s s%q signed%v", a.ID, a.ClientID, a.ClinicianID, a.EpisodeID,
			u(a.Start), u(a.End), a.Kind, a.Status, a.MinutesLate, a.CanceledBy, u(a.CanceledAt), a.Excused, u(a.ConfirmedAt), u(a.ReminderSentAt), a.SeriesID, a.NoteSigned))
	}
	for _, c := range h.Contacts {
		lines = append(lines, fmt.Sprintf("C%d %s %s %s %d %s signed%v", c.ID, u(c.At), c.Direction, c.Purpose, c.BillableMinutes, u(c.CloseBy), c.NoteSigned))
	}
	for _, d := range h.Documents {
		lines = append(lines, fmt.Sprintf("D%d %s %s a%d c%d %s %s", d.ID, d.Kind, d.Status, d.AppointmentID, d.ContactID, u(d.CreatedAt), u(d.SignedAt)))
	}
	slices.Sort(lines)
	return strings.Join(lines, "; ")
}

// The SQLite driver returns an instant as text when a UNION hides the
// column's type; every form it writes must read back as the same instant.
func TestDBTimeScan(t *testing.T) {
	want := time.Date(2026, 11, 1, 5, 30, 0, 123456789, time.UTC)
	for _, in := range []any{
		want,
		"2026-11-01 05:30:00.123456789 +0000 UTC",
		"2026-11-01 05:30:00.123456789 +0000 UTC m=+0.001",
		"2026-11-01 01:30:00.123456789 -0400 EDT",
		[]byte("2026-11-01 05:30:00.123456789+00:00"),
		"2026-11-01T05:30:00.123456789Z",
		"2026-11-01 05:30:00.123456789",
	} {
		var got DBTime
		if err := got.Scan(in); err != nil || !got.Equal(want) {
			t.Errorf("Scan(%v) = %v, %v; want %v", in, got.Time, err, want)
		}
	}
	var d DBTime
	if err := d.Scan("2026-11-01"); err != nil || !d.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("a date: %v, %v", d.Time, err)
	}
	if err := d.Scan(nil); err != nil || !d.IsZero() {
		t.Errorf("NULL: %v, %v", d.Time, err)
	}
	for _, bad := range []any{"yesterday", 42} {
		if err := d.Scan(bad); err == nil {
			t.Errorf("Scan(%v) succeeded", bad)
		}
	}
}

// The reference loader's conversions of ent entities (the server reads
// these records through the lean statement instead).
func toEpisode(e *ent.Episode) caseload.Episode {
	out := caseload.Episode{ID: e.ID, OpenedAt: e.OpenedAt}
	if e.ClosedAt != nil {
		out.ClosedAt = *e.ClosedAt
	}
	return out
}

func toContact(c *ent.Contact) caseload.Contact {
	out := caseload.Contact{ID: c.ID, At: c.OccurredAt, Direction: string(c.Direction), Purpose: string(c.Purpose), BillableMinutes: c.BillableMinutes}
	if c.CloseBy != nil {
		out.CloseBy = *c.CloseBy
	}
	return out
}

func toDocument(d *ent.Document) caseload.Document {
	out := caseload.Document{ID: d.ID, Kind: string(d.Kind), Status: string(d.Status), CreatedAt: d.CreatedAt}
	if d.AppointmentID != nil {
		out.AppointmentID = *d.AppointmentID
	}
	if d.ContactID != nil {
		out.ContactID = *d.ContactID
	}
	if d.SignedAt != nil {
		out.SignedAt = *d.SignedAt
	}
	return out
}
