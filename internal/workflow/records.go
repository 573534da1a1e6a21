package workflow

import (
	"context"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/caregiver"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/clinician"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// Plain changes of the record, through the inputs ent generates. The
// privacy rules say who may write what; the checks here are what they
// cannot know. Each checks its whole input before the first write and
// returns every refusal at once (caseload.Errors), as the payloads of
// their mutations report them (graph/contract.go).

// The update inputs: ent's generated input, with the id of the record it
// changes (internal/schemahook adds the field to the GraphQL input and
// binds it to these types).
type (
	// UpdateClinicianInput changes the clinician ClinicianID.
	UpdateClinicianInput struct {
		ClinicianID int
		ent.UpdateClinicianInput
	}
	// UpdateClientInput changes the client ClientID.
	UpdateClientInput struct {
		ClientID int
		ent.UpdateClientProfileInput
	}
	// UpdateCaregiverInput changes the caregiver CaregiverID.
	UpdateCaregiverInput struct {
		CaregiverID int
		ent.UpdateCaregiverInput
	}
	// UpdateAppointmentInput changes the session AppointmentID.
	UpdateAppointmentInput struct {
		AppointmentID int
		ent.UpdateAppointmentInput
	}
	// UpdateContactInput changes the contact ContactID.
	UpdateContactInput struct {
		ContactID int
		ent.UpdateContactInput
	}
)

// refuseMissing refuses, as NOT_FOUND on field, a record the caller cannot
// see (exists false): one that exists nowhere reads the same.
func refuseMissing(c *caseload.Collector, field string, exists bool) {
	if !exists {
		c.Refuse(caseload.NotFound().At(field))
	}
}

// notFoundAt answers the save of an update: the data layer's not found (a
// record the caller may read but not change) is NOT_FOUND on field, as a
// record the caller cannot see is; other errors are as they are.
func notFoundAt(field string, err error) error {
	if ent.IsNotFound(err) {
		return caseload.NotFound().At(field)
	}
	return err
}

// CreateClinician adds a clinician to the practice.
func (s *Service) CreateClinician(ctx context.Context, input ent.CreateClinicianInput) (*ent.Clinician, error) {
	create := s.tx(ctx).Clinician.Create().SetInput(input)
	var refused caseload.Collector
	checkFields(&refused, create.Mutation())
	if err := refused.Err(); err != nil {
		return nil, err
	}
	return create.Save(ctx)
}

// UpdateClinician changes a clinician: an admin any of the practice's, a
// clinician their own profile (the privacy rule's own words). Another
// clinician's profile, which the practice's staff read, is FORBIDDEN.
func (s *Service) UpdateClinician(ctx context.Context, input UpdateClinicianInput) (*ent.Clinician, error) {
	tx := s.tx(ctx)
	v := viewer.FromContext(ctx)
	update := tx.Clinician.UpdateOneID(input.ClinicianID).SetInput(input.UpdateClinicianInput)
	var refused caseload.Collector
	checkFields(&refused, update.Mutation())
	exists, err := tx.Clinician.Query().Where(clinician.ID(input.ClinicianID)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if exists && !v.IsAdmin() && (v == nil || v.ClinicianID != input.ClinicianID) {
		return nil, readOnly("clinicianID")
	}
	refuseMissing(&refused, "clinicianID", exists)
	if err := refused.Err(); err != nil {
		return nil, err
	}
	x, err := update.Save(ctx)
	return x, notFoundAt("clinicianID", err)
}

// CreateClient adds a client. A clinician's new client goes on their own
// caseload; an ACTIVE client needs a clinician and gets an open episode in
// the same transaction. Every invalid field is refused at once
// (caseload.Errors), before anything is written.
func (s *Service) CreateClient(ctx context.Context, input ent.CreateClientProfileInput) (*ent.ClientProfile, error) {
	tx := s.tx(ctx)
	v := viewer.FromContext(ctx)
	if input.ClinicianID != nil {
		// A caseload the caller does not see is the write's NOT_FOUND.
		if err := mayChangeCaseload(ctx, "clinicianID", *input.ClinicianID); err != nil {
			return nil, err
		}
		seen, err := tx.Clinician.Query().Where(clinician.ID(*input.ClinicianID)).Exist(ctx)
		if err != nil {
			return nil, err
		}
		if seen {
			if err := mayWrite(ctx, ""); err != nil {
				return nil, err
			}
		}
	} else if err := mayWrite(ctx, ""); err != nil {
		return nil, err
	}
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
func (s *Service) UpdateClient(ctx context.Context, input UpdateClientInput) (*ent.ClientProfile, error) {
	tx := s.tx(ctx)
	if err := s.mayChangeClient(ctx, "clientID", input.ClientID); err != nil {
		return nil, err
	}
	update := tx.ClientProfile.UpdateOneID(input.ClientID).SetInput(input.UpdateClientProfileInput)
	var refused caseload.Collector
	checkFields(&refused, update.Mutation())
	if input.DateOfBirth != nil && input.DateOfBirth.After(s.now()) {
		refused.Refuse(caseload.Invalid("dateOfBirth", "must not be in the future"))
	}
	exists, err := tx.ClientProfile.Query().Where(clientprofile.ID(input.ClientID)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	refuseMissing(&refused, "clientID", exists)
	if err := refused.Err(); err != nil {
		return nil, err
	}
	x, err := update.Save(ctx)
	return x, notFoundAt("clientID", err)
}

// clientExists reports whether the caller sees the client.
func clientExists(ctx context.Context, tx *ent.Client, id int) (bool, error) {
	return tx.ClientProfile.Query().Where(clientprofile.ID(id)).Exist(ctx)
}

// CreateCaregiver adds a caregiver; a new primary caregiver replaces the
// previous one, so a minor has at most one.
func (s *Service) CreateCaregiver(ctx context.Context, input ent.CreateCaregiverInput) (*ent.Caregiver, error) {
	tx := s.tx(ctx)
	if err := s.mayChangeClient(ctx, "clientID", input.ClientID); err != nil {
		return nil, err
	}
	create := tx.Caregiver.Create().SetInput(input)
	var refused caseload.Collector
	checkFields(&refused, create.Mutation())
	exists, err := clientExists(ctx, tx, input.ClientID)
	if err != nil {
		return nil, err
	}
	refuseMissing(&refused, "clientID", exists)
	if err := refused.Err(); err != nil {
		return nil, err
	}
	if input.IsPrimary != nil && *input.IsPrimary {
		if err := tx.Caregiver.Update().
			Where(caregiver.ClientID(input.ClientID), caregiver.IsPrimary(true)).
			SetIsPrimary(false).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return create.Save(ctx)
}

// UpdateCaregiver changes a caregiver; one made primary replaces the
// client's previous primary caregiver.
func (s *Service) UpdateCaregiver(ctx context.Context, input UpdateCaregiverInput) (*ent.Caregiver, error) {
	tx := s.tx(ctx)
	id := input.CaregiverID
	update := tx.Caregiver.UpdateOneID(id).SetInput(input.UpdateCaregiverInput)
	var refused caseload.Collector
	checkFields(&refused, update.Mutation())
	current, err := tx.Caregiver.Get(ctx, id)
	switch {
	case ent.IsNotFound(err):
		refused.Refuse(caseload.NotFound().At("caregiverID"))
	case err != nil:
		return nil, err
	default:
		if err := s.mayChangeClient(ctx, "caregiverID", current.ClientID); err != nil {
			return nil, err
		}
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	if input.IsPrimary != nil && *input.IsPrimary {
		if err := tx.Caregiver.Update().
			Where(caregiver.ClientID(current.ClientID), caregiver.IsPrimary(true), caregiver.IDNEQ(id)).
			SetIsPrimary(false).Exec(ctx); err != nil {
			return nil, err
		}
	}
	x, err := update.Save(ctx)
	return x, notFoundAt("caregiverID", err)
}

// errCorrectionsOnly refuses the record-correction mutations to everyone
// but admins: they would step around the policy the workflows enforce.
var errCorrectionsOnly = caseload.Forbidden("only an admin corrects session records directly: book with scheduleAppointment and change sessions with the workflow mutations")

// CreateAppointment enters a session, for an admin correcting the record,
// into the client's episode whose span contains its start (bookInEpisode). A closed client must be reopened first.
func (s *Service) CreateAppointment(ctx context.Context, input ent.CreateAppointmentInput) (*ent.Appointment, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, errCorrectionsOnly
	}
	tx := s.tx(ctx)
	create := tx.Appointment.Create().SetInput(input)
	var refused caseload.Collector
	checkFields(&refused, create.Mutation())
	if err := refused.Check(caseload.CheckSessionTimes(input.StartsAt, input.EndsAt)); err != nil {
		return nil, err
	}
	c, err := tx.ClientProfile.Get(ctx, input.ClientID)
	switch {
	case ent.IsNotFound(err):
		refused.Refuse(caseload.NotFound().At("clientID"))
	case err != nil:
		return nil, err
	case c.Status == clientprofile.StatusCLOSED:
		refused.Refuse(caseload.PolicyViolation("the client's case is closed: reopen it before booking").At("clientID"))
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	return bookInEpisode(ctx, tx, create, c.ID)
}

// UpdateAppointment changes any field of a session, for an admin
// correcting the record; a cancellation says who cancelled.
func (s *Service) UpdateAppointment(ctx context.Context, input UpdateAppointmentInput) (*ent.Appointment, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, errCorrectionsOnly
	}
	tx := s.tx(ctx)
	update := tx.Appointment.UpdateOneID(input.AppointmentID).SetInput(input.UpdateAppointmentInput)
	var refused caseload.Collector
	checkFields(&refused, update.Mutation())
	current, err := tx.Appointment.Get(ctx, input.AppointmentID)
	switch {
	case ent.IsNotFound(err):
		refused.Refuse(caseload.NotFound().At("appointmentID"))
	case err != nil:
		return nil, err
	case input.StartsAt != nil || input.EndsAt != nil:
		starts, ends := current.StartsAt, current.EndsAt
		if input.StartsAt != nil {
			starts = *input.StartsAt
		}
		if input.EndsAt != nil {
			ends = *input.EndsAt
		}
		if err := refused.Check(caseload.CheckSessionTimes(starts, ends)); err != nil {
			return nil, err
		}
	}
	if input.Status != nil && *input.Status == appointment.StatusCANCELED && input.CanceledBy == nil {
		refused.Refuse(caseload.Invalid("canceledBy", "say who cancelled: CLIENT, CLINICIAN or PRACTICE"))
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	// A session moved in time (or cancelled, or not) moves to the episode
	// of its clinical time.
	if err := refile(ctx, tx, current, update); err != nil {
		return nil, err
	}
	x, err := update.Save(ctx)
	return x, notFoundAt("appointmentID", err)
}

// CreateContact records a contact; a clinician's contact is theirs unless
// they say otherwise.
func (s *Service) CreateContact(ctx context.Context, input ent.CreateContactInput) (*ent.Contact, error) {
	tx := s.tx(ctx)
	if err := s.mayChangeClient(ctx, "clientID", input.ClientID); err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	if input.ClinicianID == nil && v != nil && v.ClinicianID != 0 {
		input.ClinicianID = &v.ClinicianID
	}
	var refused caseload.Collector
	if input.OccurredAt != nil && input.OccurredAt.After(s.now()) {
		refused.Refuse(caseload.Invalid("occurredAt", "a contact cannot be in the future"))
	}
	if input.OccurredAt == nil {
		now := s.now()
		input.OccurredAt = &now
	}
	create := tx.Contact.Create().SetInput(input)
	checkFields(&refused, create.Mutation())
	exists, err := clientExists(ctx, tx, input.ClientID)
	if err != nil {
		return nil, err
	}
	refuseMissing(&refused, "clientID", exists)
	if err := refused.Err(); err != nil {
		return nil, err
	}
	return create.Save(ctx)
}

// UpdateContact changes a recorded contact.
func (s *Service) UpdateContact(ctx context.Context, input UpdateContactInput) (*ent.Contact, error) {
	tx := s.tx(ctx)
	update := tx.Contact.UpdateOneID(input.ContactID).SetInput(input.UpdateContactInput)
	var refused caseload.Collector
	checkFields(&refused, update.Mutation())
	if input.OccurredAt != nil && input.OccurredAt.After(s.now()) {
		refused.Refuse(caseload.Invalid("occurredAt", "a contact cannot be in the future"))
	}
	current, err := tx.Contact.Get(ctx, input.ContactID)
	switch {
	case ent.IsNotFound(err):
		refused.Refuse(caseload.NotFound().At("contactID"))
	case err != nil:
		return nil, err
	default:
		if err := s.mayChangeClient(ctx, "contactID", current.ClientID); err != nil {
			return nil, err
		}
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	x, err := update.Save(ctx)
	return x, notFoundAt("contactID", err)
}
