package workflow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// Closure and return of a case (SPEC rule 3 made to happen).

// MaxCloseCases is the most cases CloseCases closes at once: a page of the
// API's lists.
const MaxCloseCases = 100

// ClosureWarningPayload is a closure warning recorded for a client. The
// audit log names the first record field of a payload, so Contact stays
// first.
type ClosureWarningPayload struct {
	// Contact is the OUTBOUND CLOSURE_WARNING contact, with its close-by date.
	Contact *ent.Contact
	// Client is the client warned.
	Client *ent.ClientProfile
	// Message is the message to send, in the practice's words.
	Message string
}

// SendClosureWarningInput is a closure warning to record.
type SendClosureWarningInput struct {
	// ClientID is the client to warn, ACTIVE.
	ClientID int
	// Channel is how the warning is sent.
	Channel contact.Channel
	// CloseBy is the date after which the case closes unless a session is
	// booked; nil for today plus the policy's grace days.
	CloseBy *time.Time
}

// CloseCaseInput is a case to close.
type CloseCaseInput struct {
	// ClientID is the client whose case closes, ACTIVE.
	ClientID int
	// Reason is why.
	Reason episode.CloseReason
	// TerminationNote is signed by the caller when given; nil: it is due as
	// paperwork.
	TerminationNote *string
}

// ReopenCaseInput is a closed case to reopen.
type ReopenCaseInput struct {
	// ClientID is the client whose case reopens, CLOSED.
	ClientID int
}

// CloseCasesInput is the cases an admin closes at once.
type CloseCasesInput struct {
	// ClientIDs are the clients, each once, 1 to MaxCloseCases.
	ClientIDs []int
	// Reason is why.
	Reason episode.CloseReason
}

// activeClient returns the client, or the refusal (not on any field:
// the caller says which) when there is none in scope or it is not ACTIVE.
func (s *Service) activeClient(ctx context.Context, id int) (*ent.ClientProfile, *caseload.Error, error) {
	c, err := s.tx(ctx).ClientProfile.Get(ctx, id)
	switch {
	case ent.IsNotFound(err):
		return nil, caseload.NotFound(), nil
	case err != nil:
		return nil, nil, err
	}
	if refusal, err := s.readOnlyClient(ctx, id); refusal != nil || err != nil {
		return nil, refusal, err
	}
	if c.Status != clientprofile.StatusACTIVE {
		return nil, caseload.PolicyViolation("the client is %s, not ACTIVE", c.Status), nil
	}
	return c, nil, nil
}

// SendClosureWarning records an OUTBOUND closure warning for an ACTIVE
// client and returns the message to send. closeBy defaults to today plus
// the policy's grace days and must be after today. Every refusal of the
// input is returned at once, before anything is written.
func (s *Service) SendClosureWarning(ctx context.Context, in SendClosureWarningInput) (*ClosureWarningPayload, error) {
	rules, err := s.facts(ctx).Rules(ctx)
	if err != nil {
		return nil, err
	}
	var refused caseload.Collector
	c, refusal, err := s.activeClient(ctx, in.ClientID)
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		refused.Refuse(refusal.At("clientID"))
	}
	by := rules.Today().AddDate(0, 0, rules.Policy.ClosureWarningGraceDays)
	if in.CloseBy != nil {
		by = *in.CloseBy
	}
	if e := caseload.CheckInstant("closeBy", by); e != nil {
		refused.Refuse(e)
	} else if !by.After(rules.Today()) {
		refused.Refuse(caseload.Invalid("closeBy", "must be after today (%s)", rules.Today().Format(time.DateOnly)))
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	create := s.tx(ctx).Contact.Create().
		SetClientID(c.ID).
		SetChannel(in.Channel).
		SetDirection(contact.DirectionOUTBOUND).
		SetPurpose(contact.PurposeCLOSURE_WARNING).
		SetOccurredAt(s.now()).
		SetCloseBy(by)
	if v := viewer.FromContext(ctx); v.ClinicianID != 0 {
		create.SetClinicianID(v.ClinicianID)
	}
	ct, err := create.Save(ctx)
	if err != nil {
		return nil, err
	}
	message := fmt.Sprintf("Dear %s, we have not seen you in a while and would like to know how you are. "+
		"If you would like to continue, please book a session before %s; otherwise we will close your case after that date. "+
		"We are here if you need us again.", c.FirstName, by.Format("Monday, January 2, 2006"))
	return &ClosureWarningPayload{Contact: ct, Client: c, Message: message}, nil
}

// CloseCase closes an ACTIVE client's case: closes the episode with the
// reason, cancels future sessions (by PRACTICE), takes the client off the
// backfill list and the recurring privilege, and signs the termination
// note if one is given (otherwise it is due as paperwork). Every refusal
// of the input is returned at once, before anything is written.
func (s *Service) CloseCase(ctx context.Context, in CloseCaseInput) (*ent.ClientProfile, error) {
	var refused caseload.Collector
	c, refusal, err := s.activeClient(ctx, in.ClientID)
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		refused.Refuse(refusal.At("clientID"))
	}
	note := s.terminationNote(ctx, in.ClientID, in.TerminationNote)
	if note != nil {
		// The note is the document's body: its validators, on the input's field.
		var body caseload.Collector
		checkFields(&body, note.Mutation())
		for _, e := range caseload.Refusals(body.Err()) {
			refused.Refuse(renamed(e, "body", "terminationNote"))
		}
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	return s.closeCase(ctx, c, in.Reason, note)
}

// terminationNote is the SIGNED termination note to write for the client,
// or nil when none is given.
func (s *Service) terminationNote(ctx context.Context, clientID int, text *string) *ent.DocumentCreate {
	if text == nil || strings.TrimSpace(*text) == "" {
		return nil
	}
	now := s.now()
	return s.tx(ctx).Document.Create().SetClientID(clientID).SetAuthorID(viewer.FromContext(ctx).UserID).
		SetKind(document.KindTERMINATION_NOTE).SetBody(*text).SetStatus(document.StatusSIGNED).SetSignedAt(now).SetCreatedAt(now)
}

// closeCase writes the closure of c's case, checked already; note is the
// termination note to write, or nil.
func (s *Service) closeCase(ctx context.Context, c *ent.ClientProfile, reason episode.CloseReason, note *ent.DocumentCreate) (*ent.ClientProfile, error) {
	tx := s.tx(ctx)
	now := s.now()
	ep, err := OpenEpisode(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	if ep != nil {
		if err := ep.Update().SetClosedAt(now).SetCloseReason(reason).Exec(ctx); err != nil {
			return nil, err
		}
		if err := unfileAfterClosing(ctx, tx, ep.ID, now); err != nil {
			return nil, err
		}
	}
	if err := tx.Appointment.Update().
		Where(appointment.ClientID(c.ID), appointment.StartsAtGT(now), appointment.StatusIn(appointment.StatusSCHEDULED, appointment.StatusCONFIRMED)).
		SetStatus(appointment.StatusCANCELED).
		SetCanceledBy(appointment.CanceledByPRACTICE).
		SetCanceledAt(now).
		SetCancelReason("case closed").
		Exec(ctx); err != nil {
		return nil, err
	}
	if note != nil {
		if err := note.Exec(ctx); err != nil {
			return nil, err
		}
	}
	return c.Update().
		SetStatus(clientprofile.StatusCLOSED).
		SetWantsEarlierAppointment(false).
		SetRecurringPrivilege(false).
		Save(ctx)
}

// ReopenCase reopens a closed client's case: a new episode, in which
// strikes start again.
func (s *Service) ReopenCase(ctx context.Context, in ReopenCaseInput) (*ent.ClientProfile, error) {
	tx := s.tx(ctx)
	if err := s.mayChangeClient(ctx, "clientID", in.ClientID); err != nil {
		return nil, err
	}
	c, err := tx.ClientProfile.Get(ctx, in.ClientID)
	switch {
	case ent.IsNotFound(err):
		return nil, caseload.NotFound().At("clientID")
	case err != nil:
		return nil, err
	case c.Status != clientprofile.StatusCLOSED:
		return nil, caseload.PolicyViolation("the client is %s: only a closed case is reopened", c.Status).At("clientID")
	case c.ClinicianID == nil:
		return nil, caseload.PolicyViolation("the client has no clinician: assign one first").At("clientID")
	}
	now := s.now()
	ep, err := tx.Episode.Create().SetClientID(c.ID).SetClinicianID(*c.ClinicianID).SetOpenedAt(now).Save(ctx)
	if err != nil {
		return nil, err
	}
	if err := fileAfterOpening(ctx, tx, c.ID, ep.ID, now); err != nil {
		return nil, err
	}
	return c.Update().SetStatus(clientprofile.StatusACTIVE).Save(ctx)
}

// CloseCases closes every case or none (admins only): every client that
// cannot be closed (not found in the caller's scope, not ACTIVE, listed
// twice) is refused on its index in clientIDs, all of them at once, and
// then none is closed.
func (s *Service) CloseCases(ctx context.Context, in CloseCasesInput) ([]*ent.ClientProfile, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, caseload.Forbidden("only an admin closes cases in bulk")
	}
	if len(in.ClientIDs) == 0 || len(in.ClientIDs) > MaxCloseCases {
		return nil, caseload.Invalid("clientIDs", "name 1 to %d clients", MaxCloseCases)
	}
	var refused caseload.Collector
	clients := make([]*ent.ClientProfile, len(in.ClientIDs))
	first := make(map[int]int, len(in.ClientIDs)) // id: its first index
	for i, id := range in.ClientIDs {
		if j, seen := first[id]; seen {
			refused.Refuse(caseload.Invalid(fmt.Sprintf("clientIDs.%d", i), "names the same client as clientIDs.%d", j))
			continue
		}
		first[id] = i
		c, refusal, err := s.activeClient(ctx, id)
		if err != nil {
			return nil, err
		}
		if refusal != nil {
			refused.Refuse(refusal.In("clientIDs", i))
		}
		clients[i] = c
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	out := make([]*ent.ClientProfile, 0, len(clients))
	for _, c := range clients {
		c, err := s.closeCase(ctx, c, in.Reason, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
