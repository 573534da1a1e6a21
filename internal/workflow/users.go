package workflow

import (
	"context"
	"errors"
	"strings"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// NewUser is a login an admin adds to the practice.
type NewUser struct {
	// Email is the sign-in address; stored lower case.
	Email string
	// Password is the initial password (auth.HashPassword says how strong).
	Password string
	// Role is what the user may see and change.
	Role user.Role
	// ClinicianID is the clinician profile of a CLINICIAN or SUPERVISOR.
	ClinicianID *int
}

// CreateUser adds a login. The privacy rules let only admins write users;
// this checks what only the workflow knows: the password and the profile
// link.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*ent.User, error) {
	tx := s.tx(ctx)
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, caseload.NotFound()
	}
	hash, err := auth.HashPassword(in.Password)
	if errors.Is(err, auth.ErrWeakPassword) {
		return nil, caseload.Invalid("password", "%v", err)
	}
	if err != nil {
		return nil, err
	}
	needsProfile := in.Role == user.RoleCLINICIAN || in.Role == user.RoleSUPERVISOR
	switch {
	case needsProfile && in.ClinicianID == nil:
		return nil, caseload.Invalid("clinicianID", "a %s login needs a clinician profile", in.Role)
	case !needsProfile && in.ClinicianID != nil:
		return nil, caseload.Invalid("clinicianID", "only CLINICIAN and SUPERVISOR logins have a clinician profile")
	}
	create := tx.User.Create().
		SetEmail(strings.ToLower(strings.TrimSpace(in.Email))).
		SetPasswordHash(hash).
		SetRole(in.Role)
	if in.ClinicianID != nil {
		c, err := tx.Clinician.Get(ctx, *in.ClinicianID)
		if err != nil {
			return nil, caseload.Invalid("clinicianID", "no such clinician")
		}
		if c.UserID != nil {
			return nil, caseload.Conflict("the clinician already has a login")
		}
		create.SetClinicianID(c.ID)
	}
	u, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, caseload.Conflict("a login with this email already exists")
	}
	return u, err
}

// SetUserActive activates or deactivates a login; deactivating ends all of
// the user's sessions in the same transaction.
func (s *Service) SetUserActive(ctx context.Context, id int, active bool) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if v != nil && v.UserID == id && !active {
		return nil, caseload.PolicyViolation("you cannot deactivate your own login")
	}
	tx := s.tx(ctx)
	u, err := tx.User.UpdateOneID(id).SetActive(active).Save(ctx)
	if err != nil || active {
		return u, err
	}
	// The sessions are the system's records, not the viewer's to read.
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	if err := auth.RevokeUser(sys, tx, u.PracticeID, u.ID, s.now()); err != nil {
		return nil, err
	}
	return u, nil
}

// UnlockUser lifts the lock that failed sign-ins put on a login's email.
func (s *Service) UnlockUser(ctx context.Context, id int) (*ent.User, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, caseload.NotFound()
	}
	tx := s.tx(ctx)
	u, err := tx.User.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.throttle.Unlock(privacy.DecisionContext(ctx, privacy.Allow), tx, u.Email); err != nil {
		return nil, err
	}
	return u, nil
}
