package fakepractice_test

import (
	"sort"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/ent/newclientrequest"
	"github.com/caseload/caseload/internal/caseload"
)

type generatedWorld struct {
	practice   *ent.Practice
	users      []*ent.User
	clinicians []*ent.Clinician
	clients    []*ent.ClientProfile
	appts      []*ent.Appointment
	contactIDs []int
	histories  map[int]*caseload.History
	clinician  map[int]int // client -> clinician
	weekly     map[int]int // clinician -> weekly slots
	requests   []*ent.NewClientRequest
	reasons    map[string]int // close reason -> closed episodes
}

func loadGenerated(t *testing.T, db *ent.Client) *generatedWorld {
	t.Helper()
	ctx := allow()
	w := &generatedWorld{histories: map[int]*caseload.History{}, clinician: map[int]int{}, weekly: map[int]int{}, reasons: map[string]int{}}
	w.practice = db.Practice.Query().OnlyX(ctx)
	w.users = db.User.Query().AllX(ctx)
	w.clinicians = db.Clinician.Query().AllX(ctx)
	for _, cl := range w.clinicians {
		w.weekly[cl.ID] = cl.WeeklySlots
	}
	w.clients = db.ClientProfile.Query().Order(ent.Asc(clientprofile.FieldID)).AllX(ctx)
	for _, cp := range w.clients {
		h := &caseload.History{Client: caseload.Client{ID: cp.ID, Status: string(cp.Status), SessionFrequency: string(cp.SessionFrequency),
			WantsEarlier: cp.WantsEarlierAppointment, Availability: cp.Availability, RecurringPrivilege: cp.RecurringPrivilege}}
		if cp.DateOfBirth != nil {
			h.Client.DateOfBirth = *cp.DateOfBirth
		}
		if cp.ClinicianID != nil {
			h.Client.ClinicianID = *cp.ClinicianID
			w.clinician[cp.ID] = *cp.ClinicianID
		}
		w.histories[cp.ID] = h
	}
	for _, e := range db.Episode.Query().AllX(ctx) {
		ep := caseload.Episode{ID: e.ID, OpenedAt: e.OpenedAt}
		if e.ClosedAt != nil {
			ep.ClosedAt = *e.ClosedAt
			w.reasons[string(ptr(e.CloseReason).(episode.CloseReason))]++
		}
		w.histories[e.ClientID].Episodes = append(w.histories[e.ClientID].Episodes, ep)
	}
	w.appts = db.Appointment.Query().Order(ent.Asc(appointment.FieldID)).AllX(ctx)
	for _, a := range w.appts {
		ca := caseload.Appointment{ID: a.ID, ClientID: a.ClientID, ClinicianID: a.ClinicianID, Start: a.StartsAt, End: a.EndsAt,
			Kind: string(a.Kind), Status: string(a.Status), Excused: a.Excused}
		if a.EpisodeID != nil {
			ca.EpisodeID = *a.EpisodeID
		}
		if a.MinutesLate != nil {
			ca.MinutesLate = *a.MinutesLate
		}
		if a.CanceledBy != nil {
			ca.CanceledBy = string(*a.CanceledBy)
		}
		ca.CanceledAt = deref(a.CanceledAt)
		ca.ConfirmedAt = deref(a.ConfirmedAt)
		ca.ReminderSentAt = deref(a.ReminderSentAt)
		if a.SeriesID != nil {
			ca.SeriesID = *a.SeriesID
		}
		w.histories[a.ClientID].Appointments = append(w.histories[a.ClientID].Appointments, ca)
	}
	for _, k := range db.Contact.Query().AllX(ctx) {
		w.contactIDs = append(w.contactIDs, k.ID)
		ck := caseload.Contact{ID: k.ID, At: k.OccurredAt, Direction: string(k.Direction), Purpose: string(k.Purpose), BillableMinutes: k.BillableMinutes}
		ck.CloseBy = deref(k.CloseBy)
		w.histories[k.ClientID].Contacts = append(w.histories[k.ClientID].Contacts, ck)
	}
	sort.Ints(w.contactIDs)
	for _, d := range db.Document.Query().AllX(ctx) {
		cd := caseload.Document{ID: d.ID, Kind: string(d.Kind), Status: string(d.Status), CreatedAt: d.CreatedAt, SignedAt: deref(d.SignedAt)}
		if d.AppointmentID != nil {
			cd.AppointmentID = *d.AppointmentID
		}
		if d.ContactID != nil {
			cd.ContactID = *d.ContactID
		}
		w.histories[d.ClientID].Documents = append(w.histories[d.ClientID].Documents, cd)
	}
	for _, g := range db.Caregiver.Query().AllX(ctx) {
		w.histories[g.ClientID].Caregivers = append(w.histories[g.ClientID].Caregivers,
			caseload.Caregiver{ID: g.ID, IsPrimary: g.IsPrimary, ConsentToContact: g.ConsentToContact})
	}
	w.requests = db.NewClientRequest.Query().AllX(ctx)
	return w
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// and counts what each recommends: every rule must show.
func checkGeneratedRules(t *testing.T, w *generatedWorld) {
	r, err := caseload.NewRules(w.practice.Policy, w.practice.TimeZone, testNow)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	byClinician := map[int][]*caseload.History{}
	for _, c := range w.clients {
		h := w.histories[c.ID]
		if c.Status != clientprofile.StatusACTIVE {
			continue
		}
		byClinician[h.Client.ClinicianID] = append(byClinician[h.Client.ClinicianID], h)
		rec := r.TerminationRecommendation(h)
		seen["termination "+rec.Action+" "+rec.Reason]++
		if r.StrikeCount(h) >= r.Policy.StrikeLimit {
			seen["strikes at limit"]++
		}
		act := r.Activity(h)
		if act.LastSeenAt.IsZero() {
			seen["never seen"]++
		} else if act.DaysSinceSeen != nil && *act.DaysSinceSeen >= r.Policy.InactivityDays {
			seen["not seen 30+ days"]++
		}
		if r.IsMinor(h.Client) {
			if _, ok := caseload.PrimaryCaregiver(h); ok {
				seen["minor with primary caregiver"]++
			}
		}
		if rec := r.RecurringEligibility(h); rec.Eligible {
			seen["recurring earned"]++
		}
		if r.BackfillEligibility(h).Eligible {
			seen["backfill listed"]++
		}
		for _, k := range h.Contacts {
			if k.Purpose == caseload.ClosureWarning {
				seen["closure warning"]++
			}
		}
		for _, a := range h.Appointments {
			if a.SeriesID != "" {
				seen["series"]++
			}
		}
	}
	for clin, hs := range byClinician {
		for _, item := range r.Todo(hs) {
			seen["todo "+item.Kind]++
			if item.Overdue {
				seen["overdue "+item.DocumentKind]++
			}
		}
		health := r.CaseloadHealth(w.weekly[clin], hs)
		seen["health "+health.Status]++
	}
	for _, a := range w.appts {
		if a.FilledFromID != nil {
			seen["backfilled appointment"]++
		}
		if a.Status == appointment.StatusNO_SHOW {
			seen["no-show"]++
		}
		if a.Excused {
			seen["excused"]++
		}
		if a.Kind == appointment.KindTREATMENT_PLAN_REVIEW {
			seen["review session"]++
		}
	}
	for _, h := range w.histories {
		if len(h.Episodes) > 1 {
			seen["returning client"]++
		}
	}
	for _, rq := range w.requests {
		if rq.Status == newclientrequest.StatusOPEN {
			seen["open new client request"]++
		}
	}
	t.Logf("seen: %v", seen)
	for _, want := range []string{
		"termination CLOSE STRIKES", "termination CLOSE INACTIVE", "termination CLOSE WARNING_EXPIRED",
		"termination SEND_WARNING INACTIVE", "termination WAIT INACTIVE", "termination NONE ",
		"strikes at limit", "never seen", "not seen 30+ days", "minor with primary caregiver", "recurring earned",
		"backfill listed", "closure warning", "series", "todo PAPERWORK", "todo SEND_WARNING", "todo CLOSE_CASE",
		"todo ADD_CAREGIVER", "todo REVOKE_RECURRING", "todo RECORD_ATTENDANCE", "overdue PROGRESS_NOTE", "overdue TREATMENT_PLAN",
		"overdue TREATMENT_PLAN_REVIEW", "backfilled appointment", "no-show", "excused", "review session",
		"returning client", "open new client request",
	} {
		if seen[want] == 0 {
			t.Errorf("no case of %q", want)
		}
	}
	for _, reason := range []episode.CloseReason{episode.CloseReasonINACTIVE, episode.CloseReasonSTRIKES, episode.CloseReasonGOALS_MET,
		episode.CloseReasonCLIENT_REQUEST, episode.CloseReasonTRANSFERRED, episode.CloseReasonOTHER} {
		if w.reasons[string(reason)] == 0 {
			t.Errorf("no episode closed for %s", reason)
		}
	}
}
