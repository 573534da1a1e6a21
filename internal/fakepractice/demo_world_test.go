package fakepractice_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/internal/caseload"
)

// ---- the seeded practice in memory, and the rules of SPEC.md over it ----

type world struct {
	now, today        time.Time
	loc               *time.Location
	practice          *ent.Practice
	users             map[string]*ent.User
	clinicians        []*ent.Clinician
	clinicianOf       map[string]*ent.Clinician // by login email
	clinician         *ent.Clinician            // clinician@'s profile
	clients           []*ent.ClientProfile
	episodes          map[int][]*ent.Episode // by client, oldest first
	episode           map[int]*ent.Episode
	caregivers        map[int][]*ent.Caregiver
	appts             []*ent.Appointment
	clientAppts       map[int][]*ent.Appointment // by client, by start
	contacts          map[int][]*ent.Contact
	docs              map[int][]*ent.Document
	noteSigned        map[int]bool // appointment id -> has a signed INTAKE or PROGRESS_NOTE
	contactNoteSigned map[int]bool
	docCount          int
	contactCount      int
}

func load(t *testing.T, db *ent.Client, now time.Time) *world {
	t.Helper()
	ctx := allow()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	w := &world{
		now: now.UTC().Truncate(time.Minute), loc: loc,
		users: map[string]*ent.User{}, clinicianOf: map[string]*ent.Clinician{},
		episodes: map[int][]*ent.Episode{}, episode: map[int]*ent.Episode{}, caregivers: map[int][]*ent.Caregiver{},
		clientAppts: map[int][]*ent.Appointment{}, contacts: map[int][]*ent.Contact{}, docs: map[int][]*ent.Document{},
		noteSigned: map[int]bool{}, contactNoteSigned: map[int]bool{},
	}
	w.today = w.civil(w.now)
	w.practice = db.Practice.Query().OnlyX(ctx)
	for _, u := range db.User.Query().WithClinician().AllX(ctx) {
		w.users[u.Email] = u
		if u.Edges.Clinician != nil {
			w.clinicianOf[u.Email] = u.Edges.Clinician
		}
	}
	w.clinicians = db.Clinician.Query().AllX(ctx)
	w.clinician = w.clinicianOf["clinician@demo.example"]
	w.clients = db.ClientProfile.Query().Order(ent.Asc(clientprofile.FieldID)).AllX(ctx)
	for _, e := range db.Episode.Query().Order(ent.Asc("opened_at")).AllX(ctx) {
		w.episodes[e.ClientID] = append(w.episodes[e.ClientID], e)
		w.episode[e.ID] = e
	}
	for _, g := range db.Caregiver.Query().AllX(ctx) {
		w.caregivers[g.ClientID] = append(w.caregivers[g.ClientID], g)
	}
	w.appts = db.Appointment.Query().Order(ent.Asc(appointment.FieldStartsAt), ent.Asc(appointment.FieldID)).AllX(ctx)
	for _, a := range w.appts {
		w.clientAppts[a.ClientID] = append(w.clientAppts[a.ClientID], a)
	}
	ks := db.Contact.Query().AllX(ctx)
	w.contactCount = len(ks)
	for _, k := range ks {
		w.contacts[k.ClientID] = append(w.contacts[k.ClientID], k)
	}
	ds := db.Document.Query().AllX(ctx)
	w.docCount = len(ds)
	for _, d := range ds {
		w.docs[d.ClientID] = append(w.docs[d.ClientID], d)
		if d.Status != document.StatusSIGNED {
			continue
		}
		if d.AppointmentID != nil && (d.Kind == document.KindPROGRESS_NOTE || d.Kind == document.KindINTAKE) {
			w.noteSigned[*d.AppointmentID] = true
		}
		if d.ContactID != nil && d.Kind == document.KindCONTACT_NOTE {
			w.contactNoteSigned[*d.ContactID] = true
		}
	}
	return w
}

func (w *world) civil(t time.Time) time.Time {
	l := t.In(w.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

func (w *world) daysSince(t time.Time) int { return int(w.today.Sub(w.civil(t)).Hours() / 24) }

func (w *world) nextBusinessDay() time.Time {
	d := w.today.AddDate(0, 0, 1)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func midnightUTC(t time.Time) bool {
	u := t.UTC()
	return u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0
}

func (w *world) withStatus(s clientprofile.Status) []*ent.ClientProfile {
	var cs []*ent.ClientProfile
	for _, c := range w.clients {
		if c.Status == s {
			cs = append(cs, c)
		}
	}
	return cs
}

func (w *world) activeOf(cl *ent.Clinician) []*ent.ClientProfile {
	var cs []*ent.ClientProfile
	for _, c := range w.withStatus(clientprofile.StatusACTIVE) {
		if c.ClinicianID != nil && *c.ClinicianID == cl.ID {
			cs = append(cs, c)
		}
	}
	return cs
}

func (w *world) open(c *ent.ClientProfile) *ent.Episode {
	es := w.episodes[c.ID]
	if len(es) > 0 && es[len(es)-1].ClosedAt == nil {
		return es[len(es)-1]
	}
	return nil
}

func (w *world) minor(c *ent.ClientProfile) bool {
	return c.DateOfBirth != nil && c.DateOfBirth.After(w.today.AddDate(-18, 0, 0))
}

func lateCancel(a *ent.Appointment) bool {
	return a.Status == appointment.StatusCANCELED && a.CanceledBy != nil && *a.CanceledBy == appointment.CanceledByCLIENT &&
		a.CanceledAt != nil && a.StartsAt.Sub(*a.CanceledAt) < 24*time.Hour
}

// strikes is rule 1 with the default policy.
func (w *world) strikes(c *ent.ClientProfile) int {
	e := w.open(c)
	if e == nil {
		return 0
	}
	n := 0
	for _, a := range w.clientAppts[c.ID] {
		if *a.EpisodeID == e.ID && !a.Excused && (a.Status == appointment.StatusNO_SHOW || lateCancel(a)) {
			n++
		}
	}
	return n
}

func (w *world) lastAttended(c *ent.ClientProfile) time.Time {
	var t time.Time
	for _, a := range w.clientAppts[c.ID] {
		if a.Status == appointment.StatusATTENDED {
			t = a.StartsAt
		}
	}
	return t
}

func (w *world) hasFuture(c *ent.ClientProfile) bool {
	return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool {
		return a.StartsAt.After(w.now) && (a.Status == appointment.StatusSCHEDULED || a.Status == appointment.StatusCONFIRMED)
	})
}

func (w *world) nextAppointment(c *ent.ClientProfile) *ent.Appointment {
	for _, a := range w.clientAppts[c.ID] {
		if a.StartsAt.After(w.now) && (a.Status == appointment.StatusSCHEDULED || a.Status == appointment.StatusCONFIRMED) {
			return a
		}
	}
	return nil
}

func (w *world) lastInbound(c *ent.ClientProfile) time.Time {
	var t time.Time
	for _, k := range w.contacts[c.ID] {
		if k.Direction == contact.DirectionINBOUND && k.OccurredAt.After(t) {
			t = k.OccurredAt
		}
	}
	return t
}

// recommendation is rule 3 with the default policy.
func (w *world) recommendation(c *ent.ClientProfile) string {
	e := w.open(c)
	if c.Status != clientprofile.StatusACTIVE || e == nil {
		return "NONE"
	}
	if w.strikes(c) >= 3 {
		return "STRIKES"
	}
	future := w.hasFuture(c)
	var warnedUntil time.Time
	for _, k := range w.contacts[c.ID] {
		if k.Purpose == contact.PurposeCLOSURE_WARNING && k.CloseBy.After(warnedUntil) {
			warnedUntil = *k.CloseBy
		}
	}
	if !warnedUntil.IsZero() && warnedUntil.Before(w.today) && !future {
		return "WARNING_EXPIRED"
	}
	seen := w.lastAttended(c)
	if seen.IsZero() {
		seen = e.OpenedAt
	}
	contacted := seen
	if in := w.lastInbound(c); in.After(contacted) {
		contacted = in
	}
	inbound := w.lastInbound(c)
	if w.daysSince(seen) >= 30 && !future && !inbound.IsZero() && w.daysSince(inbound) < 30 {
		if warnedUntil.After(w.today) {
			return "WAIT"
		}
		return "SEND_WARNING"
	}
	if w.daysSince(contacted) >= 30 && !future {
		return "INACTIVE"
	}
	return "NONE"
}

// freedSlot is clinician@'s session on the next business day that a client
// cancelled with notice.
func (w *world) freedSlot() *ent.Appointment {
	for _, a := range w.appts {
		if a.ClinicianID == w.clinician.ID && a.StartsAt.After(w.now) && w.civil(a.StartsAt).Equal(w.nextBusinessDay()) &&
			a.Status == appointment.StatusCANCELED && *a.CanceledBy == appointment.CanceledByCLIENT && !lateCancel(a) {
			return a
		}
	}
	return nil
}

func inWindows(w *world, c *ent.ClientProfile, slot *ent.Appointment) bool {
	if len(c.Availability) == 0 {
		return true
	}
	s, e := slot.StartsAt.In(w.loc), slot.EndsAt.In(w.loc)
	from, to := s.Hour()*60+s.Minute(), e.Hour()*60+e.Minute()
	return slices.ContainsFunc(c.Availability, func(win caseload.AvailabilityWindow) bool {
		return win.Weekday == s.Weekday() && win.StartMinute <= from && to <= win.EndMinute
	})
}

// backfillEligible is rule 4 for the freed slot.
func (w *world) backfillEligible(c *ent.ClientProfile, slot *ent.Appointment) bool {
	if slot == nil || c.Status != clientprofile.StatusACTIVE || c.ClinicianID == nil || *c.ClinicianID != slot.ClinicianID ||
		!c.WantsEarlierAppointment || w.strikes(c) >= 3 || c.ID == slot.ClientID {
		return false
	}
	if next := w.nextAppointment(c); next != nil && !next.StartsAt.After(slot.StartsAt) {
		return false
	}
	return inWindows(w, c, slot)
}

// countable are the client's last n past recorded sessions that count for rule 5.
func (w *world) countable(c *ent.ClientProfile, n int) []*ent.Appointment {
	var out []*ent.Appointment
	for _, a := range slices.Backward(w.clientAppts[c.ID]) {
		if len(out) == n {
			break
		}
		if a.StartsAt.After(w.now) || a.Kind == appointment.KindINTAKE ||
			(a.Status == appointment.StatusCANCELED && *a.CanceledBy != appointment.CanceledByCLIENT) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (w *world) signedNote(a *ent.Appointment) bool { return w.noteSigned[a.ID] }

// lastPlan is when the newest signed treatment plan or review of the open episode was signed.
func (w *world) lastPlan(c *ent.ClientProfile) time.Time {
	e := w.open(c)
	var t time.Time
	for _, d := range w.docs[c.ID] {
		if (d.Kind == document.KindTREATMENT_PLAN || d.Kind == document.KindTREATMENT_PLAN_REVIEW) && d.SignedAt != nil &&
			e != nil && d.SignedAt.After(e.OpenedAt) && d.SignedAt.After(t) {
			t = *d.SignedAt
		}
	}
	return t
}

// fingerprint sums up the seeded data to compare two seeds.
func (w *world) fingerprint() string {
	var b strings.Builder
	names := map[int]string{}
	for _, c := range w.clients {
		names[c.ID] = c.FirstName + " " + c.LastName
		fmt.Fprintf(&b, "%s|", names[c.ID])
	}
	fmt.Fprintf(&b, "\n%d appointments, %d documents, %d contacts\n", len(w.appts), w.docCount, w.contactCount)
	for _, a := range w.appts {
		fmt.Fprintf(&b, "%s %s %s;", names[a.ClientID], a.StartsAt.UTC().Format(time.RFC3339), a.Status)
	}
	return b.String()
}

func (w *world) stats() string {
	byStatus := map[appointment.Status]int{}
	for _, a := range w.appts {
		byStatus[a.Status]++
	}
	recs := map[string]int{}
	for _, c := range w.withStatus(clientprofile.StatusACTIVE) {
		recs[w.recommendation(c)]++
	}
	var per []string
	for _, cl := range w.clinicians {
		per = append(per, fmt.Sprintf("%s %d", cl.Name, len(w.activeOf(cl))))
	}
	return fmt.Sprintf("appointments by status %v; recommendations %v; active per clinician %s",
		byStatus, recs, strings.Join(per, ", "))
}
