// Package demo seeds a demo practice a newcomer can explore: four logins (one
// per role), four clinicians, about 160 clients with a year of sessions,
// notes and contacts, and at least one case of every rule of SPEC.md on the
// demo clinician's screens (struck-out clients, clients to warn or close,
// backfill candidates, minors without a caregiver, recurring series to
// revoke, overdue paperwork, ...).
//
// The data is made up and deterministic for a given clock: names, dates and
// outcomes come from a fixed-seed generator, and every date is computed from
// the now passed in, so that the demo always looks current.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // the practice's zone must load on a host without zoneinfo too

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/newclientrequest"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
)

// Password is the password of every demo user.
const Password = "caseload-demo"

// Users lists the demo logins (email -> role), printed by the server at start.
var Users = []struct{ Email, Role string }{
	{"admin@demo.example", "ADMIN"},
	{"clinician@demo.example", "CLINICIAN"},
	{"supervisor@demo.example", "SUPERVISOR"},
	{"analyst@demo.example", "ANALYST"},
}

// Result says what was created.
type Result struct {
	PracticeID                                 int
	Clients, Appointments, Documents, Contacts int
}

const (
	practiceName = "Riverbend Counseling Collective (demo)"
	timeZone     = "America/New_York"
	adminEmail   = "admin@demo.example"
	batchSize    = 500
)

// Seed creates the demo practice in one transaction, unless a practice
// already exists (then it returns (nil, nil) and writes nothing).
// now is the clock; the data is deterministic for a given now.
func Seed(ctx context.Context, client *ent.Client, now time.Time) (*Result, error) {
	// There is no signed-in user: the demo writes on its own authority.
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	exists, err := client.Practice.Query().Exist(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: looking for a practice: %w", err)
	}
	if exists {
		return nil, nil
	}
	p, err := newPlanner(now)
	if err != nil {
		return nil, err
	}
	p.build()
	// One bcrypt hash for all users, computed before the write lock is taken.
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, fmt.Errorf("demo: hashing the password: %w", err)
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: starting a transaction: %w", err)
	}
	res, err := p.write(ctx, tx.Client(), hash)
	if err != nil || res == nil {
		if rerr := tx.Rollback(); rerr != nil {
			err = errors.Join(err, rerr)
		}
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		return nil, nil
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("demo: committing: %w", err)
	}
	return res, nil
}

// write inserts the plan: the practice, its people, then the history in bulk.
func (p *planner) write(ctx context.Context, db *ent.Client, hash string) (*Result, error) {
	// Another seeder may have won the race since the first look.
	if exists, err := db.Practice.Query().Exist(ctx); err != nil || exists {
		return nil, err
	}
	since := p.now.AddDate(0, 0, -400)
	pr, err := db.Practice.Create().SetName(practiceName).SetTimeZone(timeZone).SetPolicy(caseload.DefaultPolicy()).
		SetCreatedAt(since).SetUpdatedAt(since).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("creating the practice: %w", err)
	}
	users := map[string]int{}
	for _, u := range Users {
		row, err := db.User.Create().SetPracticeID(pr.ID).SetEmail(u.Email).SetPasswordHash(hash).SetRole(user.Role(u.Role)).
			SetCreatedAt(since).SetUpdatedAt(since).Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("creating user %s: %w", u.Email, err)
		}
		users[u.Email] = row.ID
	}
	for _, cl := range p.clinicians { // supervisors come first
		create := db.Clinician.Create().SetPracticeID(pr.ID).SetName(cl.name).SetCredentials(cl.credentials).
			SetWeeklySlots(cl.slots).SetAcceptingNewClients(cl.accepting).SetModalities(modalityNames(cl)).
			SetCreatedAt(since).SetUpdatedAt(since)
		cl.authorID = users[adminEmail] // notes of a clinician without a login are entered by the admin
		if cl.login != "" {
			create.SetUserID(users[cl.login])
			cl.authorID = users[cl.login]
		}
		if cl.supervisor != nil {
			create.SetSupervisorID(cl.supervisor.id)
		}
		row, err := create.Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("creating clinician %s: %w", cl.name, err)
		}
		cl.id = row.ID
	}
	var (
		caregivers []caregiverOf
		episodes   []*episodePlan
		appts      []*apptPlan
		fills      []*apptPlan
		contacts   []*contactPlan
		docs       []*docPlan
		addenda    []*docPlan
	)
	for _, c := range p.clients {
		for i := range c.caregivers {
			caregivers = append(caregivers, caregiverOf{c, &c.caregivers[i]})
		}
		episodes = append(episodes, c.episodes...)
		for _, a := range c.appts {
			if a.filledFrom != nil {
				fills = append(fills, a)
			} else {
				appts = append(appts, a)
			}
		}
		contacts = append(contacts, c.contacts...)
		for _, d := range c.docs {
			if d.amends != nil {
				addenda = append(addenda, d)
			} else {
				docs = append(docs, d)
			}
		}
	}
	pid := pr.ID
	err = insert(ctx, p.clients, func(c *clientPlan) *ent.ClientProfileCreate {
		create := db.ClientProfile.Create().SetPracticeID(pid).SetFirstName(c.first).SetLastName(c.last).
			SetNillableDateOfBirth(c.dob).SetNillableEmail(c.email).SetNillablePhone(c.phone).
			SetPreferredContactChannel(c.channel).SetSessionFrequency(c.freq).SetStatus(c.status).SetNillableModality(c.modality).
			SetWantsEarlierAppointment(c.wantsEarlier).SetRecurringPrivilege(c.recurring).
			SetCreatedAt(c.createdAt).SetUpdatedAt(c.updatedAt())
		if c.clin != nil {
			create.SetClinicianID(c.clin.id)
		}
		if len(c.availability) > 0 {
			create.SetAvailability(c.availability)
		}
		return create
	}, func(ctx context.Context, bs []*ent.ClientProfileCreate) ([]*ent.ClientProfile, error) {
		return db.ClientProfile.CreateBulk(bs...).Save(ctx)
	}, func(c *clientPlan, row *ent.ClientProfile) { c.id = row.ID })
	if err != nil {
		return nil, fmt.Errorf("creating clients: %w", err)
	}
	err = insert(ctx, caregivers, func(g caregiverOf) *ent.CaregiverCreate {
		return db.Caregiver.Create().SetPracticeID(pid).SetClientID(g.client.id).SetName(g.name).SetRelationship(g.relationship).
			SetNillablePhone(g.phone).SetNillableEmail(g.email).SetIsPrimary(g.primary).SetConsentToContact(g.consent).
			SetCreatedAt(g.client.createdAt).SetUpdatedAt(g.client.createdAt)
	}, func(ctx context.Context, bs []*ent.CaregiverCreate) ([]*ent.Caregiver, error) {
		return db.Caregiver.CreateBulk(bs...).Save(ctx)
	}, func(caregiverOf, *ent.Caregiver) {})
	if err != nil {
		return nil, fmt.Errorf("creating caregivers: %w", err)
	}
	err = insert(ctx, episodes, func(e *episodePlan) *ent.EpisodeCreate {
		updated := e.openedAt
		if e.closedAt != nil {
			updated = *e.closedAt
		}
		return db.Episode.Create().SetPracticeID(pid).SetClientID(e.client.id).SetClinicianID(e.clin.id).
			SetOpenedAt(e.openedAt).SetNillableClosedAt(e.closedAt).SetNillableCloseReason(e.reason).
			SetCreatedAt(e.openedAt).SetUpdatedAt(updated)
	}, func(ctx context.Context, bs []*ent.EpisodeCreate) ([]*ent.Episode, error) {
		return db.Episode.CreateBulk(bs...).Save(ctx)
	}, func(e *episodePlan, row *ent.Episode) { e.id = row.ID })
	if err != nil {
		return nil, fmt.Errorf("creating episodes: %w", err)
	}
	buildAppt := func(a *apptPlan) *ent.AppointmentCreate {
		create := db.Appointment.Create().SetPracticeID(pid).SetClientID(a.client.id).SetClinicianID(a.clin.id).
			SetEpisodeID(a.ep.id).SetStartsAt(a.start).SetEndsAt(a.end).SetKind(a.kind).SetStatus(a.status).
			SetNillableMinutesLate(a.minutesLate).SetNillableCanceledBy(a.canceledBy).SetNillableCanceledAt(a.canceledAt).
			SetNillableCancelReason(a.cancelReason).SetNillableConfirmedAt(a.confirmedAt).
			SetNillableReminderSentAt(a.reminderAt).SetNillableReminderChannel(a.reminderChannel).
			SetExcused(a.excused).SetNillableExcuseReason(a.excuseReason).SetNillableSeriesID(a.seriesID).
			SetCreatedAt(a.createdAt).SetUpdatedAt(a.updatedAt)
		if a.filledFrom != nil {
			create.SetFilledFromID(a.filledFrom.id)
		}
		return create
	}
	setAppt := func(a *apptPlan, row *ent.Appointment) { a.id = row.ID }
	saveAppts := func(ctx context.Context, bs []*ent.AppointmentCreate) ([]*ent.Appointment, error) {
		return db.Appointment.CreateBulk(bs...).Save(ctx)
	}
	if err := insert(ctx, appts, buildAppt, saveAppts, setAppt); err != nil {
		return nil, fmt.Errorf("creating appointments: %w", err)
	}
	if err := insert(ctx, fills, buildAppt, saveAppts, setAppt); err != nil {
		return nil, fmt.Errorf("creating backfilled appointments: %w", err)
	}
	err = insert(ctx, contacts, func(k *contactPlan) *ent.ContactCreate {
		create := db.Contact.Create().SetPracticeID(pid).SetClientID(k.client.id).SetChannel(k.channel).
			SetDirection(k.direction).SetPurpose(k.purpose).SetOccurredAt(k.at).SetBillableMinutes(k.billable).
			SetNillableCloseBy(k.closeBy).SetNote(k.note).SetCreatedAt(k.at).SetUpdatedAt(k.at)
		if k.clin != nil {
			create.SetClinicianID(k.clin.id)
		}
		return create
	}, func(ctx context.Context, bs []*ent.ContactCreate) ([]*ent.Contact, error) {
		return db.Contact.CreateBulk(bs...).Save(ctx)
	}, func(k *contactPlan, row *ent.Contact) { k.id = row.ID })
	if err != nil {
		return nil, fmt.Errorf("creating contacts: %w", err)
	}
	buildDoc := func(d *docPlan) *ent.DocumentCreate {
		create := db.Document.Create().SetPracticeID(pid).SetKind(d.kind).SetClientID(d.client.id).SetAuthorID(d.clin.authorID).
			SetBody(d.body).SetStatus(d.status).SetNillableSignedAt(d.signedAt).SetVersion(d.version).
			SetCreatedAt(d.createdAt).SetUpdatedAt(d.updatedAt)
		if d.appt != nil {
			create.SetAppointmentID(d.appt.id)
		}
		if d.contact != nil {
			create.SetContactID(d.contact.id)
		}
		if d.amends != nil {
			create.SetAmendsID(d.amends.id)
		}
		return create
	}
	setDoc := func(d *docPlan, row *ent.Document) { d.id = row.ID }
	saveDocs := func(ctx context.Context, bs []*ent.DocumentCreate) ([]*ent.Document, error) {
		return db.Document.CreateBulk(bs...).Save(ctx)
	}
	if err := insert(ctx, docs, buildDoc, saveDocs, setDoc); err != nil {
		return nil, fmt.Errorf("creating documents: %w", err)
	}
	if err := insert(ctx, addenda, buildDoc, saveDocs, setDoc); err != nil {
		return nil, fmt.Errorf("creating addenda: %w", err)
	}
	for _, r := range p.requests {
		status := newclientrequest.StatusOPEN
		if r.fulfilled {
			status = newclientrequest.StatusFULFILLED
		}
		_, err := db.NewClientRequest.Create().SetPracticeID(pid).SetClinicianID(r.clin.id).SetCount(r.count).SetNote(r.note).
			SetStatus(status).SetAssignedCount(r.assigned).SetCreatedAt(r.createdAt).SetUpdatedAt(r.updatedAt).Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("creating a new client request: %w", err)
		}
	}
	_, err = db.AuditEvent.Create().SetPracticeID(pid).SetAction("seedDemoPractice").SetEntityType("Practice").SetEntityID(pid).
		SetOccurredAt(p.now).SetOutcome(auditevent.OutcomeSUCCESS).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("recording the audit event: %w", err)
	}
	return &Result{
		PracticeID:   pid,
		Clients:      len(p.clients),
		Appointments: len(appts) + len(fills),
		Documents:    len(docs) + len(addenda),
		Contacts:     len(contacts),
	}, nil
}

type caregiverOf struct {
	client *clientPlan
	*caregiverPlan
}

func modalityNames(cl *clinicianPlan) []string {
	names := make([]string, len(cl.modalities))
	for i, m := range cl.modalities {
		names[i] = string(m)
	}
	return names
}

// updatedAt is when the client's record last changed: their latest episode opening or closing.
func (c *clientPlan) updatedAt() time.Time {
	t := c.createdAt
	for _, e := range c.episodes {
		if e.openedAt.After(t) {
			t = e.openedAt
		}
		if e.closedAt != nil && e.closedAt.After(t) {
			t = *e.closedAt
		}
	}
	return t
}

// insert creates rows in bulk, batchSize at a time, and hands each plan its row.
func insert[P, B, E any](ctx context.Context, plans []P, build func(P) B, save func(context.Context, []B) ([]E, error), done func(P, E)) error {
	for i := 0; i < len(plans); i += batchSize {
		chunk := plans[i:min(i+batchSize, len(plans))]
		builders := make([]B, len(chunk))
		for j, pl := range chunk {
			builders[j] = build(pl)
		}
		rows, err := save(ctx, builders)
		if err != nil {
			return err
		}
		for j, row := range rows {
			done(chunk[j], row)
		}
	}
	return nil
}
