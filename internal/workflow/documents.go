package workflow

import (
	"context"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// UpdateDocumentInput changes the DRAFT DocumentID, read at Version.
type UpdateDocumentInput struct {
	DocumentID int
	Version    int
	ent.UpdateDocumentInput
}

// SignDocumentInput signs the DRAFT DocumentID, read at Version.
type SignDocumentInput struct {
	DocumentID int
	Version    int
}

// AddDocumentAddendumInput corrects the SIGNED document DocumentID with
// Body.
type AddDocumentAddendumInput struct {
	DocumentID int
	Body       string
}

// CreateDocument starts a DRAFT written by the signed-in user. The session,
// contact or amended document it points at must be the same client's, a
// session must be ATTENDED (POLICY_VIOLATION otherwise), and
// only an ADDENDUM amends (a SIGNED document). Every refusal of the input
// is returned at once, before anything is written.
func (s *Service) CreateDocument(ctx context.Context, input ent.CreateDocumentInput) (*ent.Document, error) {
	tx := s.tx(ctx)
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, caseload.ErrNoViewer
	}
	// Rules place a document in an episode by when it was written: on the
	// server's clock, like every other instant the rules compare.
	if err := s.mayChangeClient(ctx, "clientID", input.ClientID); err != nil {
		return nil, err
	}
	create := tx.Document.Create().SetInput(input).SetAuthorID(v.UserID).SetCreatedAt(s.now())
	var refused caseload.Collector
	checkFields(&refused, create.Mutation())
	exists, err := clientExists(ctx, tx, input.ClientID)
	if err != nil {
		return nil, err
	}
	refuseMissing(&refused, "clientID", exists)
	if input.AppointmentID != nil {
		a, err := tx.Appointment.Get(ctx, *input.AppointmentID)
		switch {
		case ent.IsNotFound(err):
			refused.Refuse(caseload.Invalid("appointmentID", "no such session"))
		case err != nil:
			return nil, err
		case a.ClientID != input.ClientID:
			refused.Refuse(caseload.Invalid("appointmentID", "the session is another client's"))
		case a.Status != appointment.StatusATTENDED:
			// A document about a session records what happened in it: only
			// an attended session has one (SPEC.md rule 6 asks a note of
			// every attended session and of no other). A cancellation or a
			// no-show is recorded on the session (its reason, an excuse),
			// and an outreach about it as a contact with its CONTACT_NOTE.
			refused.Refuse(caseload.PolicyViolation("the session is %s: only an ATTENDED session has notes (record attendance first; document a missed session's outreach as a contact)", a.Status).At("appointmentID"))
		case input.Kind == document.KindPROGRESS_NOTE || input.Kind == document.KindINTAKE:
			taken, err := tx.Document.Query().Where(document.AppointmentID(a.ID), document.KindEQ(input.Kind)).Exist(ctx)
			if err != nil {
				return nil, err
			}
			if taken {
				refused.Refuse(caseload.Conflict("the session already has its %s: edit it, or add an addendum once it is signed", input.Kind))
			}
		}
	}
	if input.ContactID != nil {
		c, err := tx.Contact.Get(ctx, *input.ContactID)
		switch {
		case ent.IsNotFound(err):
			refused.Refuse(caseload.Invalid("contactID", "no such contact"))
		case err != nil:
			return nil, err
		case c.ClientID != input.ClientID:
			refused.Refuse(caseload.Invalid("contactID", "the contact is another client's"))
		}
	}
	switch {
	case input.Kind == document.KindADDENDUM && input.AmendsID == nil:
		refused.Refuse(caseload.Invalid("amendsID", "an addendum names the signed document it corrects"))
	case input.Kind != document.KindADDENDUM && input.AmendsID != nil:
		refused.Refuse(caseload.Invalid("amendsID", "only an ADDENDUM amends a document"))
	case input.AmendsID != nil:
		d, err := tx.Document.Get(ctx, *input.AmendsID)
		switch {
		case ent.IsNotFound(err):
			refused.Refuse(caseload.Invalid("amendsID", "no such document"))
		case err != nil:
			return nil, err
		case d.ClientID != input.ClientID:
			refused.Refuse(caseload.Invalid("amendsID", "the document is another client's"))
		case d.Status != document.StatusSIGNED:
			refused.Refuse(caseload.Invalid("amendsID", "only a SIGNED document is amended; change the draft instead"))
		}
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	return create.Save(ctx)
}

// UpdateDocument changes a DRAFT if nobody changed it since it was read at
// its version. The check and the write are one conditional UPDATE, so two
// concurrent editors cannot both win; the refusals are checked first, so
// that an invalid body and a stale version are reported together.
func (s *Service) UpdateDocument(ctx context.Context, input UpdateDocumentInput) (*ent.Document, error) {
	tx := s.tx(ctx)
	id, version := input.DocumentID, input.Version
	update := tx.Document.Update().
		Where(document.ID(id), document.Version(version), document.StatusEQ(document.StatusDRAFT)).
		SetInput(input.UpdateDocumentInput).
		AddVersion(1)
	var refused caseload.Collector
	checkFields(&refused, update.Mutation())
	current, err := tx.Document.Get(ctx, id)
	switch {
	case ent.IsNotFound(err):
		refused.Refuse(caseload.NotFound().At("documentID"))
	case err != nil:
		return nil, err
	default:
		if err := s.mayChangeClient(ctx, "documentID", current.ClientID); err != nil {
			return nil, err
		}
		if e := documentUnchangeable(current, version); e != nil {
			refused.Refuse(e)
		}
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	n, err := update.Save(ctx)
	if err != nil {
		return nil, err
	}
	if current, err = tx.Document.Get(ctx, id); err != nil {
		return nil, err
	}
	if n == 0 {
		if e := documentUnchangeable(current, version); e != nil {
			return nil, e
		}
		// Readable (e.g. by a supervisor) but not the caller's to change.
		return nil, caseload.NotFound().At("documentID")
	}
	return current, nil
}

// documentUnchangeable is why the document d, read at version, cannot be
// changed: signed, or changed since; nil when it can.
func documentUnchangeable(d *ent.Document, version int) *caseload.Error {
	switch {
	case d.Status == document.StatusSIGNED:
		return caseload.PolicyViolation("a signed document never changes: add an addendum instead")
	case d.Version != version:
		return caseload.Conflict("the document changed since it was read (now at version %d): reload it and apply the change again", d.Version)
	}
	return nil
}

// SignDocument signs a draft at the version it was read at; only its author
// signs. Like UpdateDocument, the checks and the write are one conditional
// UPDATE.
func (s *Service) SignDocument(ctx context.Context, input SignDocumentInput) (*ent.Document, error) {
	tx := s.tx(ctx)
	id, version := input.DocumentID, input.Version
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, caseload.ErrNoViewer
	}
	if d, err := tx.Document.Get(ctx, id); err == nil {
		if err := s.mayChangeClient(ctx, "documentID", d.ClientID); err != nil {
			return nil, err
		}
	}
	n, err := tx.Document.Update().
		Where(document.ID(id), document.Version(version), document.StatusEQ(document.StatusDRAFT), document.AuthorID(v.UserID)).
		SetStatus(document.StatusSIGNED).
		SetSignedAt(s.now()).
		AddVersion(1).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	current, err := tx.Document.Get(ctx, id)
	switch {
	case ent.IsNotFound(err):
		return nil, caseload.NotFound().At("documentID")
	case err != nil:
		return nil, err
	case n == 1:
		return current, nil
	case current.Status == document.StatusSIGNED:
		return nil, caseload.PolicyViolation("the document is already signed")
	case current.AuthorID != v.UserID:
		return nil, caseload.PolicyViolation("only the document's author signs it")
	}
	return nil, caseload.Conflict("the document changed since it was read (now at version %d): review it and sign again", current.Version)
}

// AddDocumentAddendum starts a correction of a signed document: a DRAFT
// ADDENDUM of the same client, written by the signed-in user.
func (s *Service) AddDocumentAddendum(ctx context.Context, input AddDocumentAddendumInput) (*ent.Document, error) {
	tx := s.tx(ctx)
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, caseload.ErrNoViewer
	}
	var refused caseload.Collector
	d, err := tx.Document.Get(ctx, input.DocumentID)
	if err == nil {
		if err := s.mayChangeClient(ctx, "documentID", d.ClientID); err != nil {
			return nil, err
		}
	}
	switch {
	case ent.IsNotFound(err):
		refused.Refuse(caseload.NotFound().At("documentID"))
	case err != nil:
		return nil, err
	case d.Status != document.StatusSIGNED:
		refused.Refuse(caseload.Invalid("documentID", "only a SIGNED document is amended; change the draft instead"))
	}
	create := tx.Document.Create().
		SetKind(document.KindADDENDUM).
		SetBody(input.Body).
		SetAuthorID(v.UserID).
		SetCreatedAt(s.now())
	checkFields(&refused, create.Mutation())
	if err := refused.Err(); err != nil {
		return nil, err
	}
	return create.SetClientID(d.ClientID).SetAmendsID(d.ID).Save(ctx)
}
