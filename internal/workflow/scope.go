package workflow

import (
	"context"
	"slices"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// Read-only refusals (SPEC.md, Access): a record the caller may not see is
// NOT_FOUND, as one that exists nowhere; a record the caller may see but
// not change, a supervisor's on a supervisee's caseload or anything to an
// analyst, is FORBIDDEN. The workflows read a record in the caller's scope
// first (NOT_FOUND when it is not there), then ask mayChangeClient before
// checking anything else of the input: someone who may not change the
// record learns nothing more of the change than that.

// readOnly is the refusal of a change to a record the caller only reads.
func readOnly(field string) *caseload.Error {
	return caseload.Forbidden("you may read this record but not change it").At(field)
}

// mayChangeClient is FORBIDDEN on field when the caller reads the client
// clientID but may not change its records, and nil when they may change
// them or cannot see the client at all (the caller's NOT_FOUND says so:
// nothing about a record out of scope is told here).
func (s *Service) mayChangeClient(ctx context.Context, field string, clientID int) error {
	refusal, err := s.readOnlyClient(ctx, clientID)
	if refusal != nil {
		return refusal.At(field)
	}
	return err
}

// readOnlyClient is mayChangeClient's refusal, on no field.
func (s *Service) readOnlyClient(ctx context.Context, clientID int) (*caseload.Error, error) {
	v := viewer.FromContext(ctx)
	if v.IsAdmin() {
		return nil, nil
	}
	c, err := s.tx(ctx).ClientProfile.Get(ctx, clientID)
	switch {
	case ent.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	case c.ClinicianID != nil && slices.Contains(v.WritableClinicianIDs(), *c.ClinicianID):
		return nil, nil
	}
	return readOnly(""), nil
}

// mayChangeCaseload is FORBIDDEN on field when the caller reads the
// caseload of clinicianID but may not change it (a supervisor's
// supervisee's), and nil otherwise: a caseload the caller does not read is
// the write's privacy rule's NOT_FOUND.
func mayChangeCaseload(ctx context.Context, field string, clinicianID int) error {
	v := viewer.FromContext(ctx)
	if v.IsAdmin() || slices.Contains(v.WritableClinicianIDs(), clinicianID) || !slices.Contains(v.ReadableClinicianIDs(), clinicianID) {
		return nil
	}
	return readOnly(field)
}

// mayWrite is FORBIDDEN for a caller who changes no record of a caseload
// (an analyst), for a change that names no existing record.
func mayWrite(ctx context.Context, field string) error {
	v := viewer.FromContext(ctx)
	if v.IsAdmin() || len(v.WritableClinicianIDs()) > 0 {
		return nil
	}
	return readOnly(field)
}
