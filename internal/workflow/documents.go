package workflow

import (
	"context"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// CreateDocument starts a DRAFT written by the signed-in user. The session,
// contact or amended document it points at must be the same client's, and
// only an ADDENDUM amends (a SIGNED document).
func (s *Service) CreateDocument(ctx context.Context, input ent.CreateDocumentInput) (*ent.Document, error) {
	tx := s.tx(ctx)
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, caseload.ErrNoViewer
	}
	if input.AppointmentID != nil {
		a, err := tx.Appointment.Get(ctx, *input.AppointmentID)
		if err != nil {
			return nil, caseload.Invalid("appointmentID", "no such session")
		}
		if a.ClientID != input.ClientID {
			return nil, caseload.Invalid("appointmentID", "the session is another client's")
		}
		if input.Kind == document.KindPROGRESS_NOTE || input.Kind == document.KindINTAKE {
			exists, err := tx.Document.Query().Where(document.AppointmentID(a.ID), document.KindEQ(input.Kind)).Exist(ctx)
			if err != nil {
				return nil, err
			}
			if exists {
				return nil, caseload.Conflict("the session already has its %s: edit it, or add an addendum once it is signed", input.Kind)
			}
		}
	}
	if input.ContactID != nil {
		c, err := tx.Contact.Get(ctx, *input.ContactID)
		if err != nil {
			return nil, caseload.Invalid("contactID", "no such contact")
		}
		if c.ClientID != input.ClientID {
			return nil, caseload.Invalid("contactID", "the contact is another client's")
		}
	}
	switch {
	case input.Kind == document.KindADDENDUM && input.AmendsID == nil:
		return nil, caseload.Invalid("amendsID", "an addendum names the signed document it corrects")
	case input.Kind != document.KindADDENDUM && input.AmendsID != nil:
		return nil, caseload.Invalid("amendsID", "only an ADDENDUM amends a document")
	case input.AmendsID != nil:
		d, err := tx.Document.Get(ctx, *input.AmendsID)
		if err != nil {
			return nil, caseload.Invalid("amendsID", "no such document")
		}
		if d.ClientID != input.ClientID {
			return nil, caseload.Invalid("amendsID", "the document is another client's")
		}
		if d.Status != document.StatusSIGNED {
			return nil, caseload.Invalid("amendsID", "only a SIGNED document is amended; change the draft instead")
		}
	}
	// Rules place a document in an episode by when it was written: on the
	// server's clock, like every other instant the rules compare.
	return tx.Document.Create().SetInput(input).SetAuthorID(v.UserID).SetCreatedAt(s.now()).Save(ctx)
}

// UpdateDocument changes a DRAFT if nobody changed it since it was read at
// version. The check and the write are one conditional UPDATE, so two
// concurrent editors cannot both win.
func (s *Service) UpdateDocument(ctx context.Context, id, version int, input ent.UpdateDocumentInput) (*ent.Document, error) {
	tx := s.tx(ctx)
	n, err := tx.Document.Update().
		Where(document.ID(id), document.Version(version), document.StatusEQ(document.StatusDRAFT)).
		SetInput(input).
		AddVersion(1).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	current, err := tx.Document.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		switch {
		case current.Status == document.StatusSIGNED:
			return nil, caseload.PolicyViolation("a signed document never changes: add an addendum instead")
		case current.Version == version:
			// Readable (e.g. by a supervisor) but not the caller's to change.
			return nil, caseload.NotFound()
		}
		return nil, caseload.Conflict("the document changed since it was read (now at version %d): reload it and apply the change again", current.Version)
	}
	return current, nil
}

// SignDocument signs a draft at the version it was read at; only its author
// signs. Like UpdateDocument, the checks and the write are one conditional
// UPDATE.
func (s *Service) SignDocument(ctx context.Context, id, version int) (*ent.Document, error) {
	tx := s.tx(ctx)
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, caseload.ErrNoViewer
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
	if err != nil {
		return nil, err
	}
	switch {
	case n == 1:
		return current, nil
	case current.Status == document.StatusSIGNED:
		return nil, caseload.PolicyViolation("the document is already signed")
	case current.AuthorID != v.UserID:
		return nil, caseload.PolicyViolation("only the document's author signs it")
	}
	return nil, caseload.Conflict("the document changed since it was read (now at version %d): review it and sign again", current.Version)
}

// AddDocumentAddendum starts a correction of a signed document.
func (s *Service) AddDocumentAddendum(ctx context.Context, documentID int, body string) (*ent.Document, error) {
	d, err := s.tx(ctx).Document.Get(ctx, documentID)
	if err != nil {
		return nil, err
	}
	return s.CreateDocument(ctx, ent.CreateDocumentInput{Kind: document.KindADDENDUM, ClientID: d.ClientID, AmendsID: &d.ID, Body: &body})
}
