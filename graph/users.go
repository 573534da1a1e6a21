package graph

import (
	"context"
	"errors"
	"strings"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// createUser adds a login. The privacy rules let only admins write users;
// this checks what only the API knows: the password and the profile link.
func (r *Resolver) createUser(ctx context.Context, input model.CreateUserInput) (*ent.User, error) {
	tx := ent.FromContext(ctx)
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, caseload.NotFound()
	}
	hash, err := auth.HashPassword(input.Password)
	if errors.Is(err, auth.ErrWeakPassword) {
		return nil, caseload.Invalid("password", "%v", err)
	}
	if err != nil {
		return nil, err
	}
	needsProfile := input.Role == user.RoleCLINICIAN || input.Role == user.RoleSUPERVISOR
	switch {
	case needsProfile && input.ClinicianID == nil:
		return nil, caseload.Invalid("clinicianID", "a %s login needs a clinician profile", input.Role)
	case !needsProfile && input.ClinicianID != nil:
		return nil, caseload.Invalid("clinicianID", "only CLINICIAN and SUPERVISOR logins have a clinician profile")
	}
	create := tx.User.Create().
		SetEmail(strings.ToLower(strings.TrimSpace(input.Email))).
		SetPasswordHash(hash).
		SetRole(input.Role)
	if input.ClinicianID != nil {
		c, err := tx.Clinician.Get(ctx, *input.ClinicianID)
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

// setUserActive activates or deactivates a login; deactivating ends all of
// the user's sessions in the same transaction.
func (r *Resolver) setUserActive(ctx context.Context, id int, active bool) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if v != nil && v.UserID == id && !active {
		return nil, caseload.PolicyViolation("you cannot deactivate your own login")
	}
	tx := ent.FromContext(ctx)
	u, err := tx.User.UpdateOneID(id).SetActive(active).Save(ctx)
	if err != nil || active {
		return u, err
	}
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	if err := auth.RevokeUser(sys, tx, u.PracticeID, u.ID, r.now()); err != nil {
		return nil, err
	}
	return u, nil
}

// unlockUser lifts the lock that failed sign-ins put on a login's email.
func (r *Resolver) unlockUser(ctx context.Context, id int) (*ent.User, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, caseload.NotFound()
	}
	tx := ent.FromContext(ctx)
	u, err := tx.User.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := r.throttle.Unlock(privacy.DecisionContext(ctx, privacy.Allow), tx, u.Email); err != nil {
		return nil, err
	}
	return u, nil
}
