package workflow

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/newclientrequest"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/viewer"
)

// New clients: a clinician asks intake for clients (rule 9 says how many),
// intake assigns waitlisted clients against the request.

// Assignment takes a waitlisted client onto a clinician's caseload.
type Assignment struct {
	// ClientID is the client, on the WAITLIST.
	ClientID int
	// ClinicianID is the clinician who takes the client.
	ClinicianID int
	// RequestID is the request the assignment answers; nil: the
	// clinician's open request, if any.
	RequestID *int
	// IntakeStartsAt and IntakeEndsAt are the intake session's, in the
	// future.
	IntakeStartsAt, IntakeEndsAt time.Time
}

// Assigned is what an assignment changed.
type Assigned struct {
	// Client is the client, now ACTIVE on the clinician's caseload.
	Client *ent.ClientProfile
	// Episode is the episode of care opened.
	Episode *ent.Episode
	// Intake is the INTAKE session booked.
	Intake *ent.Appointment
	// Request is the request counted against, if any.
	Request *ent.NewClientRequest
}

// RequestNewClients asks intake for count clients for a clinician (nil: the
// signed-in one; another's only for an admin). Without a count, caseload
// health's recommendation (rule 9) says how many.
func (s *Service) RequestNewClients(ctx context.Context, count *int, note *string, clinicianID *int) (*ent.NewClientRequest, error) {
	tx := s.tx(ctx)
	v := viewer.FromContext(ctx)
	var who int
	switch {
	case clinicianID != nil && !v.IsAdmin() && *clinicianID != v.ClinicianID:
		return nil, caseload.Forbidden("only an admin asks on another clinician's behalf")
	case clinicianID != nil:
		who = *clinicianID
	default:
		id, err := facts.OwnClinician(ctx)
		if err != nil {
			return nil, err
		}
		who = id
	}
	cl, err := tx.Clinician.Get(ctx, who)
	if err != nil {
		return nil, err
	}
	if !cl.AcceptingNewClients {
		return nil, caseload.PolicyViolation("the clinician is not accepting new clients: change that first")
	}
	n := 0
	if count != nil {
		n = *count
		if n < 1 || n > 50 {
			return nil, caseload.Invalid("count", "ask for 1 to 50 clients")
		}
	} else {
		health, err := s.facts(ctx).Health(ctx, cl)
		if err != nil {
			return nil, err
		}
		if health.NewClientsToRequest == 0 {
			return nil, caseload.PolicyViolation("no new clients are recommended: %s (give a count to ask anyway)", health.Explanation)
		}
		n = health.NewClientsToRequest
	}
	open, err := tx.NewClientRequest.Query().
		Where(newclientrequest.ClinicianID(cl.ID), newclientrequest.StatusEQ(newclientrequest.StatusOPEN)).
		Exist(ctx)
	if err != nil {
		return nil, err
	}
	if open {
		return nil, caseload.PolicyViolation("there is already an open request: cancel it to ask for a different number")
	}
	create := tx.NewClientRequest.Create().SetClinicianID(cl.ID).SetCount(n)
	if note != nil {
		create.SetNote(strings.TrimSpace(*note))
	}
	req, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		// The partial unique index caught a request sent at the same time.
		return nil, caseload.Conflict("another request was made at the same time: read the open request")
	}
	return req, err
}

// CancelNewClientRequest withdraws an open request.
func (s *Service) CancelNewClientRequest(ctx context.Context, id int) (*ent.NewClientRequest, error) {
	req, err := s.tx(ctx).NewClientRequest.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if req.Status != newclientrequest.StatusOPEN {
		return nil, caseload.PolicyViolation("the request is %s: only an open request is cancelled", req.Status)
	}
	return req.Update().SetStatus(newclientrequest.StatusCANCELED).SetClosedAt(s.now()).Save(ctx)
}

// AssignClient takes a waitlisted client onto a clinician's caseload: the
// client becomes ACTIVE, an episode opens and the intake is booked, all or
// nothing, and the clinician's request counts the assignment.
func (s *Service) AssignClient(ctx context.Context, in Assignment) (*Assigned, error) {
	tx := s.tx(ctx)
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, caseload.Forbidden("only an admin (intake) assigns clients")
	}
	if err := caseload.CheckSessionTimes(in.IntakeStartsAt, in.IntakeEndsAt); err != nil {
		return nil, fieldRenamed(err, "endsAt", "intakeEndsAt")
	}
	if !in.IntakeStartsAt.After(s.now()) {
		return nil, caseload.Invalid("intakeStartsAt", "must be in the future")
	}
	c, err := tx.ClientProfile.Get(ctx, in.ClientID)
	if err != nil {
		return nil, err
	}
	switch c.Status {
	case clientprofile.StatusACTIVE:
		return nil, caseload.PolicyViolation("the client is already ACTIVE on a caseload")
	case clientprofile.StatusCLOSED:
		return nil, caseload.PolicyViolation("the client's case is closed: reopen it instead")
	}
	cl, err := tx.Clinician.Get(ctx, in.ClinicianID)
	if err != nil {
		return nil, err
	}
	var req *ent.NewClientRequest
	if in.RequestID != nil {
		req, err = tx.NewClientRequest.Get(ctx, *in.RequestID)
		if err != nil {
			return nil, caseload.Invalid("requestID", "no such request")
		}
		switch {
		case req.ClinicianID != cl.ID:
			return nil, caseload.Invalid("requestID", "the request is another clinician's")
		case req.Status != newclientrequest.StatusOPEN:
			return nil, caseload.PolicyViolation("the request is %s", req.Status)
		}
	} else {
		req, err = tx.NewClientRequest.Query().
			Where(newclientrequest.ClinicianID(cl.ID), newclientrequest.StatusEQ(newclientrequest.StatusOPEN)).
			Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
	}
	if req == nil && !cl.AcceptingNewClients {
		return nil, caseload.PolicyViolation("the clinician is not accepting new clients and has no open request")
	}
	c, err = c.Update().SetClinicianID(cl.ID).SetStatus(clientprofile.StatusACTIVE).Save(ctx)
	if err != nil {
		return nil, err
	}
	ep, err := tx.Episode.Create().SetClientID(c.ID).SetClinicianID(cl.ID).SetOpenedAt(s.now()).Save(ctx)
	if err != nil {
		return nil, err
	}
	intake, err := tx.Appointment.Create().
		SetClientID(c.ID).
		SetClinicianID(cl.ID).
		SetEpisodeID(ep.ID).
		SetStartsAt(in.IntakeStartsAt).
		SetEndsAt(in.IntakeEndsAt).
		SetKind(appointment.KindINTAKE).
		Save(ctx)
	if clash := (*caseload.Error)(nil); errors.As(err, &clash) && clash.Code == caseload.CodeConflict {
		return nil, caseload.Conflict("the intake cannot be booked then: %s; nothing was assigned", clash.Message)
	}
	if err != nil {
		return nil, err
	}
	if req != nil {
		update := req.Update().AddAssignedCount(1)
		if req.AssignedCount+1 >= req.Count {
			update.SetStatus(newclientrequest.StatusFULFILLED).SetClosedAt(s.now())
		}
		if req, err = update.Save(ctx); err != nil {
			return nil, err
		}
	}
	return &Assigned{Client: c, Episode: ep, Intake: intake, Request: req}, nil
}

// fieldRenamed reports a validation error under the input's own field name.
func fieldRenamed(err error, from, to string) error {
	var e *caseload.Error
	if errors.As(err, &e) && e.Field == from {
		return caseload.Invalid(to, "%s", strings.TrimPrefix(e.Message, from+": "))
	}
	return err
}
