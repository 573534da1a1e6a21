package facts

import (
	"context"

	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// OwnClinician is the signed-in user's clinician profile, whose caseload
// "my" screens show: FORBIDDEN for a user without one.
func OwnClinician(ctx context.Context) (int, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return 0, caseload.ErrNoViewer
	}
	if v.ClinicianID == 0 {
		return 0, caseload.Forbidden("only clinicians and supervisors have a caseload")
	}
	return v.ClinicianID, nil
}
