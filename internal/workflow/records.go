package workflow

import (
	"context"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/caregiver"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// Plain changes of the record, through the inputs ent generates. The
// privacy rules say who may write what; the checks here are what they
// cannot know.

// CreateClinician adds a clinician to the practice.
func (s *Service) CreateClinician(ctx context.Context, input ent.CreateClinicianInput) (*ent.Clinician, error) {
	return s.tx(ctx).Clinician.Create().SetInput(input).Save(ctx)
}

// UpdateClinician changes a clinician.
func (s *Service) UpdateClinician(ctx context.Context, id int, input ent.UpdateClinicianInput) (*ent.Clinician, error) {
	return s.tx(ctx).Clinician.UpdateOneID(id).SetInput(input).Save(ctx)
}

// CreateClient adds a client. A clinician's new client goes on their own
// caseload; an ACTIVE client needs a clinician and gets an open episode in
// the same transaction. Every invalid field is refused at once
// (caseload.Errors), before anything is written.
func (s *Service) CreateClient(ctx context.Context, input ent.CreateClientProfileInput) (*ent.ClientProfile, error) {
	tx := s.tx(ctx)
	v := viewer.FromContext(ctx)
	if input.ClinicianID == nil && v != nil && v.ClinicianID != 0 && !v.IsAdmin() {
		input.ClinicianID = &v.ClinicianID
	}
	create := tx.ClientProfile.Create().SetInput(input)
	var refused caseload.Collector
	checkFields(&refused, create.Mutation())
	if input.DateOfBirth != nil && input.DateOfBirth.After(s.now()) {
		refused.Refuse(caseload.Invalid("dateOfBirth", "must not be in the future"))
	}
	status := clientprofile.DefaultStatus
	if input.Status != nil {
		status = *input.Status
	}
	switch status {
	case clientprofile.StatusCLOSED:
		refused.Refuse(caseload.Invalid("status", "a new client is WAITLIST or ACTIVE"))
	case clientprofile.StatusACTIVE:
		if input.ClinicianID == nil {
			refused.Refuse(caseload.Invalid("clinicianID", "an ACTIVE client needs a clinician"))
		}
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	c, err := create.Save(ctx)
	if err != nil {
		return nil, err
	}
	if status == clientprofile.StatusACTIVE {
		err = tx.Episode.Create().
			SetClientID(c.ID).
			SetClinicianID(*input.ClinicianID).
			SetOpenedAt(s.now()).
			Exec(ctx)
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// UpdateClient changes a client's details; the input has no status
// (closing and reopening are workflows of their own).
func (s *Service) UpdateClient(ctx context.Context, id int, input ent.UpdateClientProfileInput) (*ent.ClientProfile, error) {
	return s.tx(ctx).ClientProfile.UpdateOneID(id).SetInput(input).Save(ctx)
}

// CreateCaregiver adds a caregiver; a new primary caregiver replaces the
// previous one, so a minor has at most one.
func (s *Service) CreateCaregiver(ctx context.Context, input ent.CreateCaregiverInput) (*ent.Caregiver, error) {
	tx := s.tx(ctx)
	if input.IsPrimary != nil && *input.IsPrimary {
		if err := tx.Caregiver.Update().
			Where(caregiver.ClientID(input.ClientID), caregiver.IsPrimary(true)).
			SetIsPrimary(false).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return tx.Caregiver.Create().SetInput(input).Save(ctx)
}

// UpdateCaregiver changes a caregiver; one made primary replaces the
// client's previous primary caregiver.
func (s *Service) UpdateCaregiver(ctx context.Context, id int, input ent.UpdateCaregiverInput) (*ent.Caregiver, error) {
	tx := s.tx(ctx)
	if input.IsPrimary != nil && *input.IsPrimary {
		current, err := tx.Caregiver.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := tx.Caregiver.Update().
			Where(caregiver.ClientID(current.ClientID), caregiver.IsPrimary(true), caregiver.IDNEQ(id)).
			SetIsPrimary(false).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return tx.Caregiver.UpdateOneID(id).SetInput(input).Save(ctx)
}

// errCorrectionsOnly refuses the record-correction mutations to everyone
// but admins: they would step around the policy the workflows enforce.
var errCorrectionsOnly = caseload.Forbidden("only an admin corrects session records directly: book with scheduleAppointment and change sessions with the workflow mutations")

// CreateAppointment enters a session into the client's open episode, for an
// admin correcting the record. A closed client must be reopened first.
func (s *Service) CreateAppointment(ctx context.Context, input ent.CreateAppointmentInput) (*ent.Appointment, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, errCorrectionsOnly
	}
	tx := s.tx(ctx)
	if err := caseload.CheckSessionTimes(input.StartsAt, input.EndsAt); err != nil {
		return nil, err
	}
	c, err := tx.ClientProfile.Get(ctx, input.ClientID)
	if err != nil {
		return nil, err
	}
	if c.Status == clientprofile.StatusCLOSED {
		return nil, caseload.PolicyViolation("the client's case is closed: reopen it before booking")
	}
	create := tx.Appointment.Create().SetInput(input)
	return bookInOpenEpisode(ctx, tx, create, c.ID)
}

// UpdateAppointment changes any field of a session, for an admin
// correcting the record; a cancellation says who cancelled.
func (s *Service) UpdateAppointment(ctx context.Context, id int, input ent.UpdateAppointmentInput) (*ent.Appointment, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, errCorrectionsOnly
	}
	tx := s.tx(ctx)
	if input.StartsAt != nil || input.EndsAt != nil {
		current, err := tx.Appointment.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		starts, ends := current.StartsAt, current.EndsAt
		if input.StartsAt != nil {
			starts = *input.StartsAt
		}
		if input.EndsAt != nil {
			ends = *input.EndsAt
		}
		if err := caseload.CheckSessionTimes(starts, ends); err != nil {
			return nil, err
		}
	}
	if input.Status != nil && *input.Status == appointment.StatusCANCELED && input.CanceledBy == nil {
		return nil, caseload.Invalid("canceledBy", "say who cancelled: CLIENT, CLINICIAN or PRACTICE")
	}
	return tx.Appointment.UpdateOneID(id).SetInput(input).Save(ctx)
}

// CreateContact records a contact; a clinician's contact is theirs unless
// they say otherwise.
func (s *Service) CreateContact(ctx context.Context, input ent.CreateContactInput) (*ent.Contact, error) {
	v := viewer.FromContext(ctx)
	if input.ClinicianID == nil && v != nil && v.ClinicianID != 0 {
		input.ClinicianID = &v.ClinicianID
	}
	if input.OccurredAt != nil && input.OccurredAt.After(s.now()) {
		return nil, caseload.Invalid("occurredAt", "a contact cannot be in the future")
	}
	if input.OccurredAt == nil {
		now := s.now()
		input.OccurredAt = &now
	}
	return s.tx(ctx).Contact.Create().SetInput(input).Save(ctx)
}

// UpdateContact changes a recorded contact.
func (s *Service) UpdateContact(ctx context.Context, id int, input ent.UpdateContactInput) (*ent.Contact, error) {
	return s.tx(ctx).Contact.UpdateOneID(id).SetInput(input).Save(ctx)
}
