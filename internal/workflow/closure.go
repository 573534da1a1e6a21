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

// activeClient returns the client, refused unless ACTIVE.
func (s *Service) activeClient(ctx context.Context, id int) (*ent.ClientProfile, error) {
	c, err := s.tx(ctx).ClientProfile.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status != clientprofile.StatusACTIVE {
		return nil, caseload.PolicyViolation("the client is %s, not ACTIVE", c.Status)
	}
	return c, nil
}

// SendClosureWarning records an OUTBOUND closure warning for an ACTIVE
// client and returns the message to send. closeBy defaults to today plus
// the policy's grace days and must be after today.
func (s *Service) SendClosureWarning(ctx context.Context, clientID int, channel contact.Channel, closeBy *time.Time) (*ClosureWarningPayload, error) {
	rules, err := s.facts(ctx).Rules(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.activeClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	by := rules.Today().AddDate(0, 0, rules.Policy.ClosureWarningGraceDays)
	if closeBy != nil {
		by = *closeBy
	}
	if !by.After(rules.Today()) {
		return nil, caseload.Invalid("closeBy", "must be after today (%s)", rules.Today().Format(time.DateOnly))
	}
	create := s.tx(ctx).Contact.Create().
		SetClientID(c.ID).
		SetChannel(channel).
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
// note if one is given (otherwise it is due as paperwork).
func (s *Service) CloseCase(ctx context.Context, clientID int, reason episode.CloseReason, terminationNote *string) (*ent.ClientProfile, error) {
	tx := s.tx(ctx)
	c, err := s.activeClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	ep, err := OpenEpisode(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	if ep != nil {
		if err := ep.Update().SetClosedAt(now).SetCloseReason(reason).Exec(ctx); err != nil {
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
	if terminationNote != nil && strings.TrimSpace(*terminationNote) != "" {
		v := viewer.FromContext(ctx)
		if err := tx.Document.Create().SetClientID(c.ID).SetAuthorID(v.UserID).SetKind(document.KindTERMINATION_NOTE).
			SetBody(*terminationNote).SetStatus(document.StatusSIGNED).SetSignedAt(now).SetCreatedAt(now).Exec(ctx); err != nil {
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
func (s *Service) ReopenCase(ctx context.Context, clientID int) (*ent.ClientProfile, error) {
	tx := s.tx(ctx)
	c, err := tx.ClientProfile.Get(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if c.Status != clientprofile.StatusCLOSED {
		return nil, caseload.PolicyViolation("the client is %s: only a closed case is reopened", c.Status)
	}
	if c.ClinicianID == nil {
		return nil, caseload.PolicyViolation("the client has no clinician: assign one first")
	}
	if err := tx.Episode.Create().SetClientID(c.ID).SetClinicianID(*c.ClinicianID).SetOpenedAt(s.now()).Exec(ctx); err != nil {
		return nil, err
	}
	return c.Update().SetStatus(clientprofile.StatusACTIVE).Save(ctx)
}

// CloseCases closes every case or none (admins only): the mutation's
// transaction rolls back on the first refusal, which names the client by
// its database id (the log shows it; the caller sees the refusal as it is).
func (s *Service) CloseCases(ctx context.Context, clientIDs []int, reason episode.CloseReason) ([]*ent.ClientProfile, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, caseload.Forbidden("only an admin closes cases in bulk")
	}
	if len(clientIDs) == 0 || len(clientIDs) > MaxCloseCases {
		return nil, caseload.Invalid("clientIds", "name 1 to %d clients", MaxCloseCases)
	}
	out := make([]*ent.ClientProfile, 0, len(clientIDs))
	for _, id := range clientIDs {
		c, err := s.CloseCase(ctx, id, reason, nil)
		if err != nil {
			return nil, fmt.Errorf("client %d: %w", id, err)
		}
		out = append(out, c)
	}
	return out, nil
}
