package graph

import (
	"context"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/caregiver"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/viewer"
)

// recordReminder marks a booked future session reminded, records the
// reminder as an OUTBOUND contact, and says whom it goes to: for a minor
// with a primary caregiver, the caregiver.
func (r *Resolver) recordReminder(ctx context.Context, id int, channel appointment.ReminderChannel) (*model.ReminderPayload, error) {
	tx := ent.FromContext(ctx)
	a, err := r.bookedFuture(ctx, id, "reminded")
	if err != nil {
		return nil, err
	}
	rules, err := r.facts(ctx).Rules(ctx)
	if err != nil {
		return nil, err
	}
	client, err := tx.ClientProfile.Get(ctx, a.ClientID)
	if err != nil {
		return nil, err
	}
	now := r.now()
	a, err = a.Update().SetReminderSentAt(now).SetReminderChannel(channel).Save(ctx)
	if err != nil {
		return nil, err
	}
	create := tx.Contact.Create().
		SetClientID(a.ClientID).
		SetChannel(contact.Channel(channel)).
		SetDirection(contact.DirectionOUTBOUND).
		SetPurpose(contact.PurposeREMINDER).
		SetOccurredAt(now)
	if v := viewer.FromContext(ctx); v != nil && v.ClinicianID != 0 {
		create.SetClinicianID(v.ClinicianID)
	}
	c, err := create.Save(ctx)
	if err != nil {
		return nil, err
	}
	recipient := &model.ReminderRecipient{Role: "CLIENT", Name: ptr(client.FirstName + " " + client.LastName),
		Channel: string(channel), Phone: client.Phone, Email: client.Email}
	if rules.IsMinor(facts.Client(client)) {
		cg, err := tx.Caregiver.Query().Where(caregiver.ClientID(client.ID), caregiver.IsPrimary(true)).First(ctx)
		switch {
		case err == nil:
			recipient = &model.ReminderRecipient{Role: "CAREGIVER", Name: ptr(cg.Name), Channel: string(channel), Phone: cg.Phone, Email: cg.Email}
		case !ent.IsNotFound(err):
			return nil, err
		}
	}
	return &model.ReminderPayload{Appointment: a, Contact: c, Recipient: recipient}, nil
}

func (r *Resolver) confirmAppointment(ctx context.Context, id int) (*ent.Appointment, error) {
	a, err := r.bookedFuture(ctx, id, "confirmed")
	if err != nil {
		return nil, err
	}
	return a.Update().SetStatus(appointment.StatusCONFIRMED).SetConfirmedAt(r.now()).Save(ctx)
}

func ptr[T any](v T) *T { return &v }
