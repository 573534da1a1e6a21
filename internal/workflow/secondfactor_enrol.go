package workflow

import (
	"context"
	"slices"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/refreshtoken"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/observe"
	"github.com/caseload/caseload/internal/viewer"
)

// Setting up, changing and clearing a login's second factor. Enrolment
// works with the challenge of a sign-in whose role requires a second
// factor (the login has none yet), or for the signed-in user.

var (
	errAlreadyEnrolled = caseload.Conflict("the login has a second factor already: turn it off first (disableSecondFactor)")
	errNotEnrolled     = caseload.Conflict("the login has no second factor")
	errNoEnrolment     = caseload.Conflict("no enrolment was started: startSecondFactorEnrolment first")
)

// enrolling returns the login an enrolment is for: the challenge's, which
// must be one that asks for enrolment, or without a challenge the
// signed-in user's.
func (s *Service) enrolling(ctx, sys context.Context, tx *ent.Client, challenge string) (*ent.User, error) {
	if challenge != "" {
		u, err := s.challenged(ctx, sys, tx, challenge)
		if err != nil {
			return nil, err
		}
		if u.TotpEnabledAt != nil {
			return nil, errNotEnrolment
		}
		return u, nil
	}
	v := viewer.FromContext(ctx)
	if v == nil || v.Session == "" {
		return nil, caseload.ErrNoViewer
	}
	return tx.User.Get(sys, v.UserID)
}

// StartSecondFactorEnrolment makes a new secret for the login (see
// enrolling) and keeps it, sealed, until ConfirmSecondFactorEnrolment; a
// new start replaces an unconfirmed secret. The secret is returned this
// once. A signed-in user gives their password again (checkCurrentPassword):
// an access token alone, stolen, must not put another authenticator on the
// login and lock its owner out.
func (s *Service) StartSecondFactorEnrolment(ctx context.Context, challenge, password string) (*auth.Enrolment, error) {
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	tx := s.tx(ctx)
	u, err := s.enrolling(ctx, sys, tx, challenge)
	if err != nil {
		return nil, err
	}
	if u.TotpEnabledAt != nil {
		return nil, errAlreadyEnrolled
	}
	if challenge == "" {
		wrong, err := s.checkCurrentPassword(ctx, u, "password", password)
		if err != nil {
			return nil, err
		}
		if wrong != nil {
			return nil, wrong
		}
	}
	enrolment, err := s.totp.Enrol(u.ID, u.Email)
	if err != nil {
		return nil, err
	}
	if _, err := u.Update().SetTotpSecret(enrolment.Sealed).SetTotpLastStep(0).Save(sys); err != nil {
		return nil, err
	}
	if challenge != "" {
		if err := s.auditSignIn(ctx, tx, u, "startSecondFactorEnrolment", "second factor: enrolment started"); err != nil {
			return nil, err
		}
	}
	return &enrolment, nil
}

// Enrolled is a confirmed second factor: the recovery codes to show once
// and, when confirmed with a challenge, the session the sign-in started.
type Enrolled struct {
	User          *ent.User
	RecoveryCodes []string
	// Session is nil for a signed-in user.
	Session *Session
}

// ConfirmSecondFactorEnrolment turns the started enrolment's secret into
// the login's second factor with a first code of it, and makes its
// recovery codes. With a challenge the sign-in completes; for a signed-in
// user every other session ends (they were opened without the factor). A
// wrong code counts against the sign-in throttle.
func (s *Service) ConfirmSecondFactorEnrolment(ctx context.Context, challenge, code string) (*Enrolled, error) {
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	tx := s.tx(ctx)
	u, err := s.enrolling(ctx, sys, tx, challenge)
	if err != nil {
		return nil, err
	}
	switch {
	case u.TotpEnabledAt != nil:
		return nil, errAlreadyEnrolled
	case u.TotpSecret == nil:
		return nil, errNoEnrolment
	}
	attempt, err := s.throttled(ctx, u)
	if err != nil {
		return nil, err
	}
	step, err := s.checkCode(ctx, u, attempt, code, challenge != "")
	if err != nil {
		return nil, err
	}
	codes, hashes, err := auth.NewRecoveryCodes()
	if err != nil {
		return nil, err
	}
	update := tx.User.Update().Where(user.ID(u.ID), user.TotpEnabledAtIsNil(), user.TotpLastStepLT(step)).
		SetTotpEnabledAt(s.now().UTC()).SetTotpLastStep(step).SetRecoveryCodeHashes(hashes)
	if challenge != "" {
		update.Where(user.SignInChallengeHash(resetHash(challenge))).ClearSignInChallengeHash().ClearSignInChallengeExpiresAt()
	}
	if n, err := update.Save(sys); err != nil || n != 1 {
		if err == nil {
			err = errInvalidChallenge // confirmed or used meanwhile
		}
		return nil, err
	}
	if challenge == "" {
		v := viewer.FromContext(ctx)
		err := tx.RefreshToken.Update().
			Where(refreshtoken.PracticeID(u.PracticeID), refreshtoken.UserID(u.ID), refreshtoken.FamilyNEQ(v.Session), refreshtoken.RevokedAtIsNil()).
			SetRevokedAt(s.now().UTC()).
			Exec(sys)
		if err != nil {
			return nil, err
		}
		u, err = tx.User.Get(sys, u.ID)
		return &Enrolled{User: u, RecoveryCodes: codes}, err
	}
	if err := s.auditSignIn(ctx, tx, u, "confirmSecondFactorEnrolment", "second factor: enrolment confirmed"); err != nil {
		return nil, err
	}
	session, err := s.signIn(sys, tx, u, attempt, "")
	if err != nil {
		return nil, err
	}
	return &Enrolled{User: session.User, RecoveryCodes: codes, Session: session}, nil
}

// checkCode checks a current code of the login's secret and returns its
// step. A wrong one is BAD_USER_INPUT on code and counts against the
// sign-in throttle; in a sign-in (withoutViewer) it is also a DENIED event
// of the login, which the API's own event could not place.
func (s *Service) checkCode(ctx context.Context, u *ent.User, attempt auth.Attempt, code string, withoutViewer bool) (int64, error) {
	if u.TotpSecret == nil {
		return 0, errNotEnrolled
	}
	step, ok, err := s.totp.Check(u.ID, *u.TotpSecret, code, s.now(), u.TotpLastStep)
	if err != nil || ok {
		return step, err
	}
	s.signInFailed(observe.SignInBadSecondFactor)
	var ev *signInAudit
	if withoutViewer {
		ev = s.signInEvent(ctx, u, "confirmSecondFactorEnrolment", "BAD_USER_INPUT: wrong code")
	}
	s.countFailure(ctx, u, attempt, ev)
	return 0, caseload.Invalid("code", "the code is not right (or was used already): enter the one the app shows now")
}

// updatedOnce is the answer to an update of a login conditioned on the
// step of its last code: a concurrent request with the same code made it
// first when it changed no row.
func updatedOnce(n int, err error) error {
	if err == nil && n != 1 {
		return caseload.Invalid("code", "the code was used already: enter the next one the app shows")
	}
	return err
}

// enrolledViewer is the signed-in user's login, which must have a second
// factor.
func (s *Service) enrolledViewer(ctx context.Context) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.Session == "" {
		return nil, caseload.ErrNoViewer
	}
	u, err := s.tx(ctx).User.Get(privacy.DecisionContext(ctx, privacy.Allow), v.UserID)
	if err == nil && u.TotpEnabledAt == nil {
		return nil, errNotEnrolled
	}
	return u, err
}

// DisableSecondFactor turns the signed-in user's second factor off, with
// their password and a current code; refused when their role requires one.
func (s *Service) DisableSecondFactor(ctx context.Context, password, code string) (*ent.User, error) {
	u, err := s.enrolledViewer(ctx)
	if err != nil {
		return nil, err
	}
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	tx := s.tx(ctx)
	required, err := twoFactorRequired(sys, tx, u)
	if err != nil {
		return nil, err
	}
	if required {
		return nil, caseload.PolicyViolation("the practice requires a second factor of the role %s: it cannot be turned off (an admin can reset it)", u.Role)
	}
	attempt, err := s.throttled(ctx, u)
	if err != nil {
		return nil, err
	}
	if !auth.CheckPassword(u.PasswordHash, password) {
		var refused caseload.Collector
		refused.Refuse(caseload.Invalid("password", "the password is not right"))
		if _, ok, err := s.totp.Check(u.ID, *u.TotpSecret, code, s.now(), u.TotpLastStep); err != nil {
			return nil, err
		} else if !ok {
			refused.Refuse(caseload.Invalid("code", "the code is not right (or was used already)"))
		}
		s.signInFailed(observe.SignInBadPassword)
		s.countFailure(ctx, u, attempt, nil)
		return nil, refused.Err()
	}
	step, err := s.checkCode(ctx, u, attempt, code, false)
	if err != nil {
		return nil, err
	}
	err = updatedOnce(tx.User.Update().Where(user.ID(u.ID), user.TotpLastStepLT(step)).
		ClearTotpSecret().ClearTotpEnabledAt().SetTotpLastStep(0).ClearRecoveryCodeHashes().
		Save(sys))
	if err != nil {
		return nil, err
	}
	return tx.User.Get(sys, u.ID)
}

// ResetSecondFactor clears a user's second factor and recovery codes (a
// lost phone) and ends every session of theirs (admins only). A user who is
// not there, not of the admin's practice, or a caller who is not an admin,
// is NOT_FOUND on userID.
func (s *Service) ResetSecondFactor(ctx context.Context, id int) (*ent.User, error) {
	if !viewer.FromContext(ctx).IsAdmin() {
		return nil, caseload.NotFound().At("userID")
	}
	tx := s.tx(ctx)
	u, err := tx.User.Get(ctx, id) // the viewer's practice only
	if ent.IsNotFound(err) {
		return nil, caseload.NotFound().At("userID")
	}
	if err != nil {
		return nil, err
	}
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	u, err = u.Update().ClearTotpSecret().ClearTotpEnabledAt().SetTotpLastStep(0).ClearRecoveryCodeHashes().
		ClearSignInChallengeHash().ClearSignInChallengeExpiresAt().Save(sys)
	if err != nil {
		return nil, err
	}
	return u, auth.RevokeUser(sys, tx, u.PracticeID, u.ID, s.now())
}

// RegenerateRecoveryCodes replaces the signed-in user's recovery codes,
// with a current code, and returns the new ones, once.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, code string) (*Enrolled, error) {
	u, err := s.enrolledViewer(ctx)
	if err != nil {
		return nil, err
	}
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	tx := s.tx(ctx)
	attempt, err := s.throttled(ctx, u)
	if err != nil {
		return nil, err
	}
	step, err := s.checkCode(ctx, u, attempt, code, false)
	if err != nil {
		return nil, err
	}
	codes, hashes, err := auth.NewRecoveryCodes()
	if err != nil {
		return nil, err
	}
	if err := updatedOnce(tx.User.Update().Where(user.ID(u.ID), user.TotpLastStepLT(step)).
		SetTotpLastStep(step).SetRecoveryCodeHashes(hashes).Save(sys)); err != nil {
		return nil, err
	}
	u, err = tx.User.Get(sys, u.ID)
	return &Enrolled{User: u, RecoveryCodes: codes}, err
}

// SetTwoFactorRequirement sets the roles of the practice whose users must
// sign in with a second factor (admins only).
func (s *Service) SetTwoFactorRequirement(ctx context.Context, roles []user.Role) (*ent.Practice, error) {
	v := viewer.FromContext(ctx)
	if !v.IsAdmin() {
		return nil, caseload.Forbidden("only an admin sets the practice's second-factor requirement")
	}
	names := make([]string, 0, len(roles))
	for _, r := range roles {
		names = append(names, string(r))
	}
	slices.Sort(names)
	return s.tx(ctx).Practice.UpdateOneID(v.PracticeID).SetTwoFactorRoles(slices.Compact(names)).Save(ctx)
}
