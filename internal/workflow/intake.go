package workflow

import (
	"context"
	"errors"
	"slices"
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

// RequestNewClientsInput is a request to intake for new clients.
type RequestNewClientsInput struct {
	// Count is how many (1-50); nil: caseload health's recommendation.
	Count *int
	// Note is anything intake should know.
	Note *string
	// ClinicianID is the clinician; nil: the signed-in one (another's only
	// for an admin).
	ClinicianID *int
}

// CancelNewClientRequestInput is a request to withdraw.
type CancelNewClientRequestInput struct {
	// RequestID is the request, OPEN.
	RequestID int
}

// RequestNewClients asks intake for clients for a clinician (the signed-in
// one unless an admin names another). Without a count, caseload health's
// recommendation (rule 9) says how many. Every refusal of the input is
// returned at once, before anything is written.
func (s *Service) RequestNewClients(ctx context.Context, in RequestNewClientsInput) (*ent.NewClientRequest, error) {
	tx := s.tx(ctx)
	v := viewer.FromContext(ctx)
	var refused caseload.Collector
	var cl *ent.Clinician
	switch {
	case in.ClinicianID != nil && !v.IsAdmin() && *in.ClinicianID != v.ClinicianID:
		refused.Refuse(caseload.Forbidden("only an admin asks on another clinician's behalf").At("clinicianID"))
	case in.ClinicianID != nil:
		c, err := tx.Clinician.Get(ctx, *in.ClinicianID)
		switch {
		case ent.IsNotFound(err):
			refused.Refuse(caseload.NotFound().At("clinicianID"))
		case err != nil:
			return nil, err
		default:
			cl = c
		}
	default:
		id, err := facts.OwnClinician(ctx)
		if caseload.ErrorCode(err) == caseload.CodeForbidden {
			// A user without a caseload names the clinician.
			refused.Refuse(caseload.Refusals(err)[0].At("clinicianID"))
			break
		}
		if err != nil {
			return nil, err
		}
		if cl, err = tx.Clinician.Get(ctx, id); err != nil {
			return nil, err
		}
	}
	if cl != nil && !cl.AcceptingNewClients {
		refused.Refuse(caseload.PolicyViolation("the clinician is not accepting new clients: change that first").At("clinicianID"))
	}
	n := 0
	if in.Count != nil {
		n = *in.Count
		if n < 1 || n > 50 {
			refused.Refuse(caseload.Invalid("count", "ask for 1 to 50 clients"))
		}
	} else if cl != nil {
		health, err := s.facts(ctx).Health(ctx, cl)
		if err != nil {
			return nil, err
		}
		if health.NewClientsToRequest == 0 {
			refused.Refuse(caseload.PolicyViolation("no new clients are recommended: %s (give a count to ask anyway)", health.Explanation).At("count"))
		}
		n = health.NewClientsToRequest
	}
	create := tx.NewClientRequest.Create().SetCount(n)
	if in.Note != nil {
		create.SetNote(strings.TrimSpace(*in.Note))
	}
	// The note's validators; the count's range is refused above.
	var note caseload.Collector
	checkFields(&note, create.Mutation())
	for _, e := range caseload.Refusals(note.Err()) {
		if e.Field != "count" {
			refused.Refuse(e)
		}
	}
	if cl != nil {
		open, err := tx.NewClientRequest.Query().
			Where(newclientrequest.ClinicianID(cl.ID), newclientrequest.StatusEQ(newclientrequest.StatusOPEN)).
			Exist(ctx)
		if err != nil {
			return nil, err
		}
		if open {
			refused.Refuse(caseload.PolicyViolation("there is already an open request: cancel it to ask for a different number"))
		}
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	req, err := create.SetClinicianID(cl.ID).Save(ctx)
	if ent.IsConstraintError(err) {
		// The partial unique index caught a request sent at the same time.
		return nil, caseload.Conflict("another request was made at the same time: read the open request")
	}
	return req, err
}

// CancelNewClientRequest withdraws an open request.
func (s *Service) CancelNewClientRequest(ctx context.Context, in CancelNewClientRequestInput) (*ent.NewClientRequest, error) {
	req, err := s.tx(ctx).NewClientRequest.Get(ctx, in.RequestID)
	switch {
	case ent.IsNotFound(err):
		return nil, caseload.NotFound().At("requestID")
	case err != nil:
		return nil, err
	case !viewer.FromContext(ctx).IsAdmin() && !slices.Contains(viewer.FromContext(ctx).WritableClinicianIDs(), req.ClinicianID):
		return nil, readOnly("requestID")
	case req.Status != newclientrequest.StatusOPEN:
		return nil, caseload.PolicyViolation("the request is %s: only an open request is cancelled", req.Status).At("requestID")
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
	var refused caseload.Collector
	for _, e := range caseload.Refusals(caseload.CheckSessionTimes(in.IntakeStartsAt, in.IntakeEndsAt)) {
		refused.Refuse(renamed(renamed(e, "endsAt", "intakeEndsAt"), "startsAt", "intakeStartsAt"))
	}
	if !in.IntakeStartsAt.After(s.now()) {
		refused.Refuse(caseload.Invalid("intakeStartsAt", "must be in the future"))
	}
	c, err := tx.ClientProfile.Get(ctx, in.ClientID)
	switch {
	case ent.IsNotFound(err):
		refused.Refuse(caseload.NotFound().At("clientID"))
	case err != nil:
		return nil, err
	case c.Status == clientprofile.StatusACTIVE:
		refused.Refuse(caseload.PolicyViolation("the client is already ACTIVE on a caseload").At("clientID"))
	case c.Status == clientprofile.StatusCLOSED:
		refused.Refuse(caseload.PolicyViolation("the client's case is closed: reopen it instead").At("clientID"))
	}
	cl, err := tx.Clinician.Get(ctx, in.ClinicianID)
	switch {
	case ent.IsNotFound(err):
		refused.Refuse(caseload.NotFound().At("clinicianID"))
		cl = nil
	case err != nil:
		return nil, err
	}
	var req *ent.NewClientRequest
	if in.RequestID != nil {
		req, err = tx.NewClientRequest.Get(ctx, *in.RequestID)
		switch {
		case ent.IsNotFound(err):
			refused.Refuse(caseload.NotFound().At("requestID"))
		case err != nil:
			return nil, err
		case cl != nil && req.ClinicianID != cl.ID:
			refused.Refuse(caseload.Invalid("requestID", "the request is another clinician's"))
		case req.Status != newclientrequest.StatusOPEN:
			refused.Refuse(caseload.PolicyViolation("the request is %s", req.Status).At("requestID"))
		}
	} else if cl != nil {
		req, err = tx.NewClientRequest.Query().
			Where(newclientrequest.ClinicianID(cl.ID), newclientrequest.StatusEQ(newclientrequest.StatusOPEN)).
			Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
	}
	if req == nil && cl != nil && !cl.AcceptingNewClients {
		refused.Refuse(caseload.PolicyViolation("the clinician is not accepting new clients and has no open request").At("clinicianID"))
	}
	if err := refused.Err(); err != nil {
		return nil, err
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

// renamed reports a refusal of field from on the input's field to, the
// message too.
func renamed(e *caseload.Error, from, to string) *caseload.Error {
	if e.Field != from {
		return e
	}
	c := e.At(to)
	if rest, ok := strings.CutPrefix(e.Message, from+": "); ok {
		c.Message = to + ": " + rest
	}
	return c
}
