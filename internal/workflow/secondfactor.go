package workflow

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/observe"
	"github.com/caseload/caseload/internal/reqid"
)

// The second step of a sign-in. A right password of a login with a second
// factor (or whose role must have one) earns a challenge instead of
// tokens: a random token whose SHA-256 is stored on the login, as the
// refresh tokens and the password reset codes are. Stored, it is single use
// by construction (cleared, under a condition on its hash, by the update
// that completes the sign-in) and a new login replaces it; a signed token
// would need such a record anyway to be used once.

// ChallengeTTL is how long the challenge of a sign-in's second step is
// accepted.
const ChallengeTTL = 5 * time.Minute

// Challenge is what login answers a right password with when a second
// factor is needed.
type Challenge struct {
	// Token is sent to VerifySecondFactor or, when EnrolmentRequired, to
	// the enrolment; only its hash is stored.
	Token string
	// ExpiresAt is when the challenge stops being accepted.
	ExpiresAt time.Time
	// EnrolmentRequired: the login has no second factor but its role
	// requires one, and the challenge allows only enrolling.
	EnrolmentRequired bool
}

var (
	// errInvalidChallenge is the one answer to an unknown, used or
	// expired challenge, or one of a deactivated login.
	errInvalidChallenge = caseload.Unauthenticated("invalid or expired sign-in challenge: sign in again")
	// errEnrolmentOnly answers a challenge that allows only enrolment.
	errEnrolmentOnly = caseload.Unauthenticated("this sign-in must first set up a second factor: startSecondFactorEnrolment with the challenge")
	// errNotEnrolment answers an enrolment with the challenge of a login
	// that has a second factor already.
	errNotEnrolment = caseload.Unauthenticated("the challenge is for verifySecondFactor: this login has a second factor")
	// errInvalidCode is the one answer to a wrong, replayed or used code
	// in a sign-in's second step.
	errInvalidCode = caseload.Unauthenticated("invalid code")
)

// twoFactorRequired reports whether the practice requires a second factor
// of the login's role.
func twoFactorRequired(sys context.Context, tx *ent.Client, u *ent.User) (bool, error) {
	p, err := tx.Practice.Get(sys, u.PracticeID)
	if err != nil {
		return false, err
	}
	return slices.Contains(p.TwoFactorRoles, string(u.Role)), nil
}

// secondStep answers a right password with a challenge when the login has
// a second factor or its role requires one; nil when it needs none. The
// throttle's failures are not forgotten here but when the second step
// succeeds: otherwise a password would reset the count of wrong codes.
func (s *Service) secondStep(ctx, sys context.Context, tx *ent.Client, u *ent.User, rehash string) (*Session, error) {
	required, err := twoFactorRequired(sys, tx, u)
	if err != nil {
		return nil, err
	}
	enabled := u.TotpEnabledAt != nil
	if !enabled && !required {
		return nil, nil
	}
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	expires := s.now().Add(ChallengeTTL).UTC()
	update := u.Update().SetSignInChallengeHash(resetHash(token)).SetSignInChallengeExpiresAt(expires)
	if rehash != "" {
		update.SetPasswordHash(rehash)
	}
	if _, err := update.Save(sys); err != nil {
		return nil, err
	}
	detail := "password right: second factor asked"
	if !enabled {
		detail = "password right: the role requires a second factor, enrolment asked"
	}
	if err := s.auditSignIn(ctx, tx, u, "login", detail); err != nil {
		return nil, err
	}
	return &Session{SecondFactor: &Challenge{Token: token, ExpiresAt: expires, EnrolmentRequired: !enabled}}, nil
}

// auditSignIn writes, in the transaction, the SUCCESS event of a step of a
// sign-in made without an access token (the API's own event of the
// mutation has no practice to go to).
func (s *Service) auditSignIn(ctx context.Context, tx *ent.Client, u *ent.User, action, detail string) error {
	ev := s.signInEvent(ctx, u, action, detail)
	ev.outcome = auditevent.OutcomeSUCCESS
	return ev.write(ctx, tx)
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// challenged returns the login of a pending, unexpired challenge.
func (s *Service) challenged(ctx context.Context, sys context.Context, tx *ent.Client, token string) (*ent.User, error) {
	u, err := tx.User.Query().Where(user.SignInChallengeHash(resetHash(token))).Only(sys)
	switch {
	case ent.IsNotFound(err) || ent.IsNotSingular(err) || err == nil && (!u.Active || u.SignInChallengeExpiresAt == nil || !s.now().Before(*u.SignInChallengeExpiresAt)):
		s.signInFailed(observe.SignInBadChallenge)
		return nil, errInvalidChallenge
	case err != nil:
		return nil, err
	}
	return u, nil
}

// throttled returns the sign-in throttle's attempt of the login at the
// request's address, or RATE_LIMITED while its email waits there: a code
// of the second factor is guessed no faster than a password.
func (s *Service) throttled(ctx context.Context, u *ent.User) (auth.Attempt, error) {
	attempt := s.throttle.Attempt(u.Email, reqid.OriginFrom(ctx).Address)
	wait, _, err := s.throttle.Wait(privacy.DecisionContext(ctx, privacy.Allow), s.tx(ctx), attempt, s.now())
	if err != nil {
		return attempt, err
	}
	if wait > 0 {
		s.signInFailed(observe.SignInDelayed)
		return attempt, rateLimited(ctx, wait)
	}
	return attempt, nil
}

// SecondFactorSession is a session VerifySecondFactor started, with how
// many recovery codes the login has left.
type SecondFactorSession struct {
	*Session
	RecoveryCodesLeft int
}

// VerifySecondFactor completes a sign-in with its challenge and a current
// code of the login's authenticator, or one of its recovery codes (used
// up). A wrong code counts against the sign-in throttle as a wrong password
// does and is a DENIED event of the login.
func (s *Service) VerifySecondFactor(ctx context.Context, challenge, code, recoveryCode string) (*SecondFactorSession, error) {
	if (code == "") == (recoveryCode == "") {
		return nil, caseload.Invalid("code", "send either code or recoveryCode: exactly one of the two")
	}
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	tx := s.tx(ctx)
	u, err := s.challenged(ctx, sys, tx, challenge)
	if err != nil {
		return nil, err
	}
	if u.TotpEnabledAt == nil || u.TotpSecret == nil {
		return nil, errEnrolmentOnly
	}
	attempt, err := s.throttled(ctx, u)
	if err != nil {
		return nil, err
	}
	update := tx.User.Update().Where(user.ID(u.ID), user.SignInChallengeHash(resetHash(challenge))).
		ClearSignInChallengeHash().ClearSignInChallengeExpiresAt()
	left := len(u.RecoveryCodeHashes)
	detail := "second factor: code accepted"
	if code != "" {
		step, ok, err := s.totp.Check(u.ID, *u.TotpSecret, code, s.now(), u.TotpLastStep)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, s.wrongSecondFactor(ctx, u, attempt, "verifySecondFactor", "UNAUTHENTICATED: wrong or replayed code")
		}
		// The condition on the last step makes a code used concurrently
		// count once.
		update.Where(user.TotpLastStepLT(step)).SetTotpLastStep(step)
	} else {
		i := auth.MatchRecoveryCode(u.RecoveryCodeHashes, recoveryCode)
		if i < 0 {
			return nil, s.wrongSecondFactor(ctx, u, attempt, "verifySecondFactor", "UNAUTHENTICATED: wrong or used recovery code")
		}
		left--
		update.SetRecoveryCodeHashes(slices.Delete(slices.Clone(u.RecoveryCodeHashes), i, i+1))
		detail = fmt.Sprintf("second factor: a recovery code was used, %d left", left)
	}
	if n, err := update.Save(sys); err != nil || n != 1 {
		if err == nil {
			s.signInFailed(observe.SignInBadChallenge)
			err = errInvalidChallenge // used meanwhile
		}
		return nil, err
	}
	if err := s.auditSignIn(ctx, tx, u, "verifySecondFactor", detail); err != nil {
		return nil, err
	}
	session, err := s.signIn(sys, tx, u, attempt, "")
	if err != nil {
		return nil, err
	}
	return &SecondFactorSession{Session: session, RecoveryCodesLeft: left}, nil
}

// wrongSecondFactor counts a wrong code against the sign-in throttle, with
// a DENIED event of the login (never the code), and returns the answer.
func (s *Service) wrongSecondFactor(ctx context.Context, u *ent.User, attempt auth.Attempt, action, detail string) error {
	s.signInFailed(observe.SignInBadSecondFactor)
	s.countFailure(ctx, u, attempt, s.signInEvent(ctx, u, action, detail))
	return errInvalidCode
}
