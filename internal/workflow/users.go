package workflow

import (
	"context"
	"errors"

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
// link. Every refusal of the input is reported at once (caseload.Errors),
// each on its field, before anything is written.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*ent.User, error) {
	tx := s.tx(ctx)
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, caseload.NotFound()
	}
	var refused caseload.Collector
	email := auth.NormalizeEmail(in.Email)
	create := tx.User.Create().SetEmail(email).SetRole(in.Role)
	checkFields(&refused, create.Mutation())
	// Emails are unique across practices: the check looks at them all, as
	// the unique index does (which still settles a race).
	taken, err := tx.User.Query().Where(user.Email(email)).Exist(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return nil, err
	}
	if taken {
		refused.Refuse(errEmailTaken)
	}
	hash, err := "", auth.ValidatePassword(in.Password, email)
	if err == nil {
		hash, err = auth.HashPassword(in.Password)
	}
	switch {
	case errors.Is(err, auth.ErrWeakPassword):
		refused.Refuse(caseload.Invalid("password", "%v", err))
	case err != nil:
		return nil, err
	default:
		create.SetPasswordHash(hash)
	}
	needsProfile := in.Role == user.RoleCLINICIAN || in.Role == user.RoleSUPERVISOR
	switch {
	case needsProfile && in.ClinicianID == nil:
		refused.Refuse(caseload.Invalid("clinicianID", "a %s login needs a clinician profile", in.Role))
	case !needsProfile && in.ClinicianID != nil:
		refused.Refuse(caseload.Invalid("clinicianID", "only CLINICIAN and SUPERVISOR logins have a clinician profile"))
	case in.ClinicianID != nil:
		c, err := tx.Clinician.Get(ctx, *in.ClinicianID)
		switch {
		case ent.IsNotFound(err):
			refused.Refuse(caseload.NotFound().At("clinicianID"))
		case err != nil:
			return nil, err
		case c.UserID != nil:
			refused.Refuse(caseload.Conflict("the clinician already has a login").At("clinicianID"))
		default:
			create.SetClinicianID(c.ID)
		}
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	u, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, errEmailTaken
	}
	return u, err
}

// errEmailTaken refuses a login whose email another login has, in any
// practice.
var errEmailTaken = caseload.Conflict("a login with this email already exists").At("email")

// SetUserActive activates or deactivates a login (ADMIN only);
// deactivating ends all of the user's sessions in the same transaction.
// A user who is not there, or a caller who is not an admin, is NOT_FOUND
// on userID.
func (s *Service) SetUserActive(ctx context.Context, id int, active bool) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if !v.IsAdmin() {
		return nil, caseload.NotFound().At("userID")
	}
	if v.UserID == id && !active {
		return nil, caseload.PolicyViolation("you cannot deactivate your own login").At("active")
	}
	tx := s.tx(ctx)
	u, err := tx.User.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, caseload.NotFound().At("userID")
	}
	if err != nil {
		return nil, err
	}
	u, err = u.Update().SetActive(active).Save(ctx)
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

// UnlockUser lifts the lock that failed sign-ins put on a login's email
// (ADMIN only). A user who is not there, or a caller who is not an admin,
// is NOT_FOUND on userID.
func (s *Service) UnlockUser(ctx context.Context, id int) (*ent.User, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, caseload.NotFound().At("userID")
	}
	tx := s.tx(ctx)
	u, err := tx.User.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, caseload.NotFound().At("userID")
	}
	if err != nil {
		return nil, err
	}
	if err := s.throttle.Unlock(privacy.DecisionContext(ctx, privacy.Allow), tx, u.Email); err != nil {
		return nil, err
	}
	return u, nil
}
