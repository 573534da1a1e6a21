package workflow

import (
	"context"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/caregiver"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/viewer"
)

// RecordReminderInput is a reminder sent for a session.
type RecordReminderInput struct {
	// AppointmentID is the session: booked, and not started.
	AppointmentID int
	// Channel is how the reminder was sent.
	Channel appointment.ReminderChannel
}

// Reminder is a reminder recorded for a session. The audit log names the
// first record field of a payload, so Appointment stays first.
type Reminder struct {
	// Appointment is the session, with its reminder recorded.
	Appointment *ent.Appointment
	// Contact is the OUTBOUND REMINDER contact recorded.
	Contact *ent.Contact
	// Recipient is whom the reminder goes to.
	Recipient *ReminderRecipient
}

// ReminderRecipient is whom to contact for a reminder, and how.
type ReminderRecipient struct {
	// Role is CLIENT, or CAREGIVER for a minor with a caregiver who consented to contact.
	Role string
	// Name is the name to address.
	Name *string
	// Channel is the channel the reminder was recorded with.
	Channel string
	// Phone is the recipient's phone number.
	Phone *string
	// Email is the recipient's email address.
	Email *string
}

// RecordReminder marks a booked future session reminded, records the
// reminder as an OUTBOUND contact, and says whom it goes to: for a minor,
// the caregiver to contact (caseload.ContactCaregiver: the primary one if
// they consented, else another who did). A session that is not booked and
// in the future, or a minor whose caregivers all refused contact, is
// refused before anything is written.
func (s *Service) RecordReminder(ctx context.Context, in RecordReminderInput) (*Reminder, error) {
	tx := s.tx(ctx)
	channel := in.Channel
	var refused caseload.Collector
	a, err := s.bookedFuture(ctx, &refused, in.AppointmentID, "reminded")
	if err != nil {
		return nil, err
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	rules, err := s.facts(ctx).Rules(ctx)
	if err != nil {
		return nil, err
	}
	c, err := tx.ClientProfile.Get(ctx, a.ClientID)
	if err != nil {
		return nil, err
	}
	name := c.FirstName + " " + c.LastName
	recipient := &ReminderRecipient{Role: "CLIENT", Name: &name, Channel: string(channel), Phone: c.Phone, Email: c.Email}
	if rules.IsMinor(facts.Client(c)) {
		cgs, err := tx.Caregiver.Query().Where(caregiver.ClientID(c.ID)).All(ctx)
		if err != nil {
			return nil, err
		}
		h := &caseload.History{Client: facts.Client(c)}
		for _, cg := range cgs {
			h.Caregivers = append(h.Caregivers, caseload.Caregiver{ID: cg.ID, IsPrimary: cg.IsPrimary, ConsentToContact: cg.ConsentToContact})
		}
		if rules.NoConsentedContact(h) {
			return nil, caseload.PolicyViolation("no consented contact for this minor: no caregiver on file consented to be contacted, so no reminder may be sent").
				At("appointmentID")
		}
		if to, ok := caseload.ContactCaregiver(h); ok {
			for _, cg := range cgs {
				if cg.ID == to.ID {
					recipient = &ReminderRecipient{Role: "CAREGIVER", Name: &cg.Name, Channel: string(channel), Phone: cg.Phone, Email: cg.Email}
				}
			}
		}
	}
	now := s.now()
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
	ct, err := create.Save(ctx)
	if err != nil {
		return nil, err
	}
	return &Reminder{Appointment: a, Contact: ct, Recipient: recipient}, nil
}
