package graph

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
	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
	"github.com/caseload/caseload/internal/workflow"
)

// Closure and return of a case (SPEC rule 3 made to happen).

func activeClient(ctx context.Context, id int) (*ent.ClientProfile, error) {
	c, err := ent.FromContext(ctx).ClientProfile.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status != clientprofile.StatusACTIVE {
		return nil, caseload.PolicyViolation("the client is %s, not ACTIVE", c.Status)
	}
	return c, nil
}

func (r *Resolver) sendClosureWarning(ctx context.Context, clientID int, channel contact.Channel, closeBy *time.Time) (*model.ClosureWarningPayload, error) {
	rules, err := r.facts(ctx).Rules(ctx)
	if err != nil {
		return nil, err
	}
	c, err := activeClient(ctx, clientID)
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
	create := ent.FromContext(ctx).Contact.Create().
		SetClientID(c.ID).
		SetChannel(channel).
		SetDirection(contact.DirectionOUTBOUND).
		SetPurpose(contact.PurposeCLOSURE_WARNING).
		SetOccurredAt(r.now()).
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
	return &model.ClosureWarningPayload{Contact: ct, Client: c, Message: message}, nil
}

// closeCase closes one client's case; see the schema for what it does.
func (r *Resolver) closeCase(ctx context.Context, clientID int, reason episode.CloseReason, terminationNote *string) (*ent.ClientProfile, error) {
	tx := ent.FromContext(ctx)
	c, err := activeClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	now := r.now()
	ep, err := workflow.OpenEpisode(ctx, tx, c.ID)
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

func (r *Resolver) reopenCase(ctx context.Context, clientID int) (*ent.ClientProfile, error) {
	tx := ent.FromContext(ctx)
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
	if err := tx.Episode.Create().SetClientID(c.ID).SetClinicianID(*c.ClinicianID).SetOpenedAt(r.now()).Exec(ctx); err != nil {
		return nil, err
	}
	return c.Update().SetStatus(clientprofile.StatusACTIVE).Save(ctx)
}

// closeCases closes every case or none: the mutation's transaction rolls
// back on the first refusal.
func (r *Resolver) closeCases(ctx context.Context, ids []int, reason episode.CloseReason) ([]*ent.ClientProfile, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, caseload.Forbidden("only an admin closes cases in bulk")
	}
	if len(ids) == 0 || len(ids) > MaxPageSize {
		return nil, caseload.Invalid("clientIds", "name 1 to %d clients", MaxPageSize)
	}
	out := make([]*ent.ClientProfile, 0, len(ids))
	for _, id := range ids {
		c, err := r.closeCase(ctx, id, reason, nil)
		if err != nil {
			return nil, fmt.Errorf("client %s: %w", encodeIDForMessage(id), err)
		}
		out = append(out, c)
	}
	return out, nil
}
