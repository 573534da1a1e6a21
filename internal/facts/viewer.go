package facts

import (
	"context"

	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// errUnauthenticated answers a read that needs a viewer and has none.
var errUnauthenticated = caseload.Unauthenticated("sign in first: send Authorization: Bearer <token> from login")

// OwnClinician is the signed-in user's clinician profile, whose caseload
// "my" screens show: FORBIDDEN for a user without one.
func OwnClinician(ctx context.Context) (int, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return 0, errUnauthenticated
	}
	if v.ClinicianID == 0 {
		return 0, caseload.Forbidden("only clinicians and supervisors have a caseload")
	}
	return v.ClinicianID, nil
}
