package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/refreshtoken"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/observe"
	"github.com/caseload/caseload/internal/viewer"
)

// PasswordResetTTL is how long a reset code from ResetPassword is accepted.
const PasswordResetTTL = 24 * time.Hour

// checkCurrentPassword asks a signed-in user for their password again
// before a change that a stolen access token must not make alone (a new
// password, a new authenticator). A wrong one is refused on field and
// counts against the sign-in throttle, as at login, so that a stolen token
// cannot test passwords at full speed; while the email waits at the
// address the answer is RATE_LIMITED (err). wrong is the refusal of a
// missing or wrong password, for the caller to report with the rest.
func (s *Service) checkCurrentPassword(ctx context.Context, u *ent.User, field, password string) (wrong *caseload.Error, err error) {
	attempt, err := s.throttled(ctx, u)
	if err != nil {
		return nil, err
	}
	if password == "" {
		return caseload.Invalid(field, "the current password is required"), nil
	}
	if !auth.CheckPassword(u.PasswordHash, password) {
		s.signInFailed(observe.SignInBadPassword)
		s.countFailure(ctx, u, attempt, nil)
		return caseload.Invalid(field, "the current password is not right"), nil
	}
	return nil, nil
}

// errInvalidResetCode is the one answer to any refused reset code: an
// unknown email, a wrong, used or expired code read the same.
var errInvalidResetCode = caseload.Invalid("resetCode", "invalid or expired reset code: ask an admin for a new one")

// ChangePassword sets the signed-in user's password, after checking the
// current one (a wrong one counts against the sign-in throttle, and while
// the email waits at the address the change is RATE_LIMITED), and ends every other session of the user (the caller's
// stays). Every refusal is reported at once: a wrong current password on
// currentPassword, a new password that breaks a rule (auth.ValidatePassword)
// or equals the current one on newPassword.
func (s *Service) ChangePassword(ctx context.Context, current, next string) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.Session == "" {
		return nil, caseload.ErrNoViewer
	}
	// The password hash and the sessions are the system's records.
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	tx := s.tx(ctx)
	u, err := tx.User.Get(sys, v.UserID)
	if err != nil {
		return nil, err
	}
	var refused caseload.Collector
	wrong, err := s.checkCurrentPassword(ctx, u, "currentPassword", current)
	if err != nil {
		return nil, err
	}
	if wrong != nil {
		refused.Refuse(wrong)
	}
	if err := auth.ValidatePassword(next, u.Email); err != nil {
		refused.Refuse(caseload.Invalid("newPassword", "%v", err))
	} else if next == current {
		refused.Refuse(caseload.Invalid("newPassword", "the new password must differ from the current one"))
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	u, err = s.setPassword(sys, tx, u, next)
	if err != nil {
		return nil, err
	}
	err = tx.RefreshToken.Update().
		Where(refreshtoken.PracticeID(u.PracticeID), refreshtoken.UserID(u.ID), refreshtoken.FamilyNEQ(v.Session), refreshtoken.RevokedAtIsNil()).
		SetRevokedAt(s.now().UTC()).
		Exec(sys)
	return u, err
}

// setPassword stores the hash of a new (validated) password and drops any
// pending reset code, and the challenge of a sign-in waiting for its second
// step: it was earned with the old password.
func (s *Service) setPassword(sys context.Context, tx *ent.Client, u *ent.User, password string) (*ent.User, error) {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	return u.Update().SetPasswordHash(hash).ClearPasswordResetHash().ClearPasswordResetExpiresAt().
		ClearSignInChallengeHash().ClearSignInChallengeExpiresAt().Save(sys)
}

// PasswordReset is a one-time reset code an admin issued for a user.
type PasswordReset struct {
	// User is the user whose password the code resets.
	User *ent.User
	// Code is the reset code, shown once: only its SHA-256 is stored.
	Code string
	// ExpiresAt is when the code stops being accepted.
	ExpiresAt time.Time
}

// ResetPassword issues a one-time code with which a user of the admin's
// practice sets a new password (CompletePasswordReset), for PasswordResetTTL.
// A new code replaces the user's earlier one. The user's password and
// sessions are left as they are until the code is used. A user who is not
// there, or a caller who is not an admin, is NOT_FOUND on userID.
func (s *Service) ResetPassword(ctx context.Context, id int) (*PasswordReset, error) {
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
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	code := base64.RawURLEncoding.EncodeToString(b)
	expires := s.now().Add(PasswordResetTTL).UTC()
	u, err = u.Update().SetPasswordResetHash(resetHash(code)).SetPasswordResetExpiresAt(expires).Save(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return nil, err
	}
	return &PasswordReset{User: u, Code: code, ExpiresAt: expires}, nil
}

func resetHash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// CompletePasswordReset sets a new password with a reset code from
// ResetPassword; it needs no viewer. The code works once and until it
// expires; using it ends every session of the user. A wrong email, a wrong,
// used or expired code are one answer on resetCode; a new password that
// breaks a rule is refused on newPassword.
func (s *Service) CompletePasswordReset(ctx context.Context, email, code, next string) (*ent.User, error) {
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	tx := s.tx(ctx)
	u, err := tx.User.Query().Where(user.Email(auth.NormalizeEmail(email))).Only(sys)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	valid := u != nil && u.PasswordResetHash != nil && u.PasswordResetExpiresAt != nil &&
		s.now().Before(*u.PasswordResetExpiresAt) &&
		subtle.ConstantTimeCompare([]byte(*u.PasswordResetHash), []byte(resetHash(code))) == 1
	if !valid {
		return nil, errInvalidResetCode
	}
	if err := auth.ValidatePassword(next, u.Email); err != nil {
		return nil, caseload.Invalid("newPassword", "%v", err)
	}
	u, err = s.setPassword(sys, tx, u, next)
	if err != nil {
		return nil, err
	}
	if err := auth.RevokeUser(sys, tx, u.PracticeID, u.ID, s.now()); err != nil {
		return nil, err
	}
	return u, nil
}
