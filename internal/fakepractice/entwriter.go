package fakepractice

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/newclientrequest"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
)

// Seed plans the practice of opts and writes it through ent, whose hooks
// and privacy rules run as for any write, in one transaction, unless a
// practice exists already: then it returns (nil, nil) and writes nothing.
// It is how the server seeds the demo practice.
func Seed(ctx context.Context, db *ent.Client, opts Options) (*Stats, error) {
	// There is no signed-in user: the seeder writes on its own authority.
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	exists, err := db.Practice.Query().Exist(ctx)
	if err != nil {
		return nil, fmt.Errorf("fakepractice: looking for a practice: %w", err)
	}
	if exists {
		return nil, nil
	}
	p, hash, stats, err := prepare(opts)
	if err != nil {
		return nil, err
	}
	began := time.Now()
	tx, err := db.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("fakepractice: starting a transaction: %w", err)
	}
	written, err := p.writeEnt(ctx, tx.Client(), hash, stats)
	if err != nil || !written {
		if rerr := tx.Rollback(); rerr != nil {
			err = errors.Join(err, rerr)
		}
		if err != nil {
			return nil, fmt.Errorf("fakepractice: %w", err)
		}
		return nil, nil
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("fakepractice: committing: %w", err)
	}
	stats.Writing = time.Since(began)
	return stats, nil
}

// entBatch is how many rows one bulk create of ent holds.
const entBatch = 500

// writeEnt inserts the plan: the practice, its people, then the history
// in bulk. It reports false when another seeder won the race.
func (p *planner) writeEnt(ctx context.Context, db *ent.Client, hash string, stats *Stats) (bool, error) {
	if exists, err := db.Practice.Query().Exist(ctx); err != nil || exists {
		return false, err
	}
	t := tableTimer{stats: stats}
	pr, err := db.Practice.Create().SetName(p.practiceName).SetTimeZone(timeZone).SetPolicy(p.policy).
		SetCreatedAt(p.since).SetUpdatedAt(p.since).Save(ctx)
	if err != nil {
		return false, fmt.Errorf("creating the practice: %w", err)
	}
	pid := pr.ID
	stats.PracticeID = pid
	t.done("practices", 1)
	for _, u := range p.users {
		row, err := db.User.Create().SetPracticeID(pid).SetEmail(u.email).SetPasswordHash(hash).SetRole(user.Role(u.role)).
			SetActive(u.active).SetCreatedAt(p.since).SetUpdatedAt(p.since).Save(ctx)
		if err != nil {
			return false, fmt.Errorf("creating user %s: %w", u.email, err)
		}
		u.id = row.ID
	}
	t.done("users", len(p.users))
	for _, cl := range p.clinicians { // supervisors come before their supervisees
		create := db.Clinician.Create().SetPracticeID(pid).SetName(cl.name).SetCredentials(cl.credentials).
			SetWeeklySlots(cl.slots).SetAcceptingNewClients(cl.accepting).SetModalities(modalityNames(cl)).
			SetCreatedAt(p.since).SetUpdatedAt(p.since)
		if cl.user != nil {
			create.SetUserID(cl.user.id)
		}
		if cl.supervisor != nil {
			create.SetSupervisorID(cl.supervisor.id)
		}
		row, err := create.Save(ctx)
		if err != nil {
			return false, fmt.Errorf("creating clinician %s: %w", cl.name, err)
		}
		cl.id = row.ID
	}
	t.done("clinicians", len(p.clinicians))
	h := p.history()
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
	}, db.ClientProfile.CreateBulk, func(c *clientPlan, row *ent.ClientProfile) { c.id = row.ID })
	if err != nil {
		return false, fmt.Errorf("creating clients: %w", err)
	}
	t.done("clients", len(p.clients))
	err = insert(ctx, h.caregivers, func(g caregiverOf) *ent.CaregiverCreate {
		return db.Caregiver.Create().SetPracticeID(pid).SetClientID(g.client.id).SetName(g.name).SetRelationship(g.relationship).
			SetNillablePhone(g.phone).SetNillableEmail(g.email).SetIsPrimary(g.primary).SetConsentToContact(g.consent).
			SetCreatedAt(g.client.createdAt).SetUpdatedAt(g.client.createdAt)
	}, db.Caregiver.CreateBulk, func(g caregiverOf, row *ent.Caregiver) { g.id = row.ID })
	if err != nil {
		return false, fmt.Errorf("creating caregivers: %w", err)
	}
	t.done("caregivers", len(h.caregivers))
	err = insert(ctx, h.episodes, func(e *episodePlan) *ent.EpisodeCreate {
		return db.Episode.Create().SetPracticeID(pid).SetClientID(e.client.id).SetClinicianID(e.clin.id).
			SetOpenedAt(e.openedAt).SetNillableClosedAt(e.closedAt).SetNillableCloseReason(e.reason).
			SetCreatedAt(e.openedAt).SetUpdatedAt(e.updatedAt())
	}, db.Episode.CreateBulk, func(e *episodePlan, row *ent.Episode) { e.id = row.ID })
	if err != nil {
		return false, fmt.Errorf("creating episodes: %w", err)
	}
	t.done("episodes", len(h.episodes))
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
	if err := insert(ctx, h.appts, buildAppt, db.Appointment.CreateBulk, setAppt); err != nil {
		return false, fmt.Errorf("creating appointments: %w", err)
	}
	if err := insert(ctx, h.fills, buildAppt, db.Appointment.CreateBulk, setAppt); err != nil {
		return false, fmt.Errorf("creating backfilled appointments: %w", err)
	}
	t.done("appointments", len(h.appts)+len(h.fills))
	err = insert(ctx, h.contacts, func(k *contactPlan) *ent.ContactCreate {
		create := db.Contact.Create().SetPracticeID(pid).SetClientID(k.client.id).SetChannel(k.channel).
			SetDirection(k.direction).SetPurpose(k.purpose).SetOccurredAt(k.at).SetBillableMinutes(k.billable).
			SetNillableCloseBy(k.closeBy).SetNote(k.note).SetCreatedAt(k.at).SetUpdatedAt(k.at)
		if k.clin != nil {
			create.SetClinicianID(k.clin.id)
		}
		return create
	}, db.Contact.CreateBulk, func(k *contactPlan, row *ent.Contact) { k.id = row.ID })
	if err != nil {
		return false, fmt.Errorf("creating contacts: %w", err)
	}
	t.done("contacts", len(h.contacts))
	buildDoc := func(d *docPlan) *ent.DocumentCreate {
		create := db.Document.Create().SetPracticeID(pid).SetKind(d.kind).SetClientID(d.client.id).SetAuthorID(p.author(d).id).
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
	if err := insert(ctx, h.docs, buildDoc, db.Document.CreateBulk, setDoc); err != nil {
		return false, fmt.Errorf("creating documents: %w", err)
	}
	if err := insert(ctx, h.addenda, buildDoc, db.Document.CreateBulk, setDoc); err != nil {
		return false, fmt.Errorf("creating addenda: %w", err)
	}
	t.done("documents", len(h.docs)+len(h.addenda))
	for _, r := range p.requests {
		_, err := db.NewClientRequest.Create().SetPracticeID(pid).SetClinicianID(r.clin.id).SetCount(r.count).SetNote(r.note).
			SetStatus(newclientrequest.Status(r.status)).SetAssignedCount(r.assigned).SetNillableClosedAt(r.closedAt).
			SetCreatedAt(r.createdAt).SetUpdatedAt(r.updatedAt).Save(ctx)
		if err != nil {
			return false, fmt.Errorf("creating a new client request: %w", err)
		}
	}
	t.done("new_client_requests", len(p.requests))
	_, err = db.AuditEvent.Create().SetPracticeID(pid).SetAction(p.audit).SetEntityType("Practice").SetEntityID(pid).
		SetOccurredAt(p.now).SetDetail(p.auditDetail()).SetOutcome(auditevent.OutcomeSUCCESS).Save(ctx)
	if err != nil {
		return false, fmt.Errorf("recording the audit event: %w", err)
	}
	t.done("audit_events", 1)
	return true, nil
}

// insert creates rows in bulk, entBatch at a time, and hands each plan its row.
func insert[P, B, R any, S interface {
	Save(context.Context) ([]R, error)
}](ctx context.Context, plans []P,
	build func(P) B, bulk func(...B) S, done func(P, R)) error {
	for i := 0; i < len(plans); i += entBatch {
		chunk := plans[i:min(i+entBatch, len(plans))]
		builders := make([]B, len(chunk))
		for j, pl := range chunk {
			builders[j] = build(pl)
		}
		rows, err := bulk(builders...).Save(ctx)
		if err != nil {
			return err
		}
		for j, row := range rows {
			done(chunk[j], row)
		}
	}
	return nil
}

func modalityNames(cl *clinicianPlan) []string {
	names := make([]string, len(cl.modalities))
	for i, m := range cl.modalities {
		names[i] = string(m)
	}
	return names
}
