package workflow

import (
	"cmp"
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/loginthrottle"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/refreshtoken"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/observe"
	"github.com/caseload/caseload/internal/reqid"
	"github.com/caseload/caseload/internal/viewer"
)

// Session is a sign-in session as the API returns it: a short-lived access
// token, the refresh token that renews it, and the user they are for.
type Session struct {
	// Token is the signed access token.
	Token string
	// ExpiresAt is when the access token stops being accepted.
	ExpiresAt time.Time
	// RefreshToken renews the session once.
	RefreshToken string
	// RefreshTokenExpiresAt is when the refresh token stops being accepted
	// unless it is used before.
	RefreshTokenExpiresAt time.Time
	// User is the signed-in user.
	User *ent.User
	// SecondFactor, when set, is the challenge of the sign-in's second
	// step, and the session has no tokens and no user yet.
	SecondFactor *Challenge
}

func newSession(p *auth.Pair, u *ent.User) *Session {
	return &Session{
		Token:                 p.AccessToken,
		ExpiresAt:             p.AccessExpiresAt,
		RefreshToken:          p.RefreshToken,
		RefreshTokenExpiresAt: p.RefreshExpiresAt,
		User:                  u,
	}
}

var (
	// errInvalidCredentials is the one answer to any failed login.
	errInvalidCredentials = caseload.Unauthenticated("invalid email or password")
	// errInvalidRefreshToken is the one answer to any refused refresh.
	errInvalidRefreshToken = caseload.Unauthenticated("invalid or expired refresh token: sign in again")
)

// Login checks the credentials and starts a session. Every failure gets the
// same answer, and an unknown email costs the same bcrypt time as a wrong
// password and counts against the throttle the same way, so that nobody can
// learn which emails have accounts.
func (s *Service) Login(ctx context.Context, email, password string) (*Session, error) {
	// No viewer exists yet: look the user up across practices, by email only.
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	tx := s.tx(ctx)
	attempt := s.throttle.Attempt(email, reqid.OriginFrom(ctx).Address)
	wait, scope, err := s.throttle.Wait(sys, tx, attempt, s.now())
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		detail := "RATE_LIMITED: the email is locked at this address after failed sign-ins"
		switch scope {
		case loginthrottle.ScopeACCOUNT:
			s.signInFailed(observe.SignInDelayed)
			detail = "RATE_LIMITED: within the delay after the email's last failed sign-in"
		case loginthrottle.ScopeADDRESS:
			s.signInFailed(observe.SignInLockedOut)
			detail = "RATE_LIMITED: the address is locked after failed sign-ins"
		default:
			s.signInFailed(observe.SignInLockedOut)
		}
		u, err := tx.User.Query().Where(user.Email(auth.NormalizeEmail(email))).Only(sys)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		// Refused unchecked, these cost an attacker nothing: one event per
		// login and address a minute is enough for the log, and bounds it.
		if ev := s.signInEvent(ctx, u, "login", detail); ev != nil {
			s.afterTransaction(ctx, func(ctx context.Context) error {
				seen, err := s.db.AuditEvent.Query().Where(
					auditevent.PracticeID(ev.u.PracticeID), auditevent.OccurredAtGT(ev.at.Add(-time.Minute)),
					auditevent.EntityID(ev.u.ID), auditevent.Action(ev.action), auditevent.Address(ev.origin.Address),
					auditevent.DetailHasPrefix("RATE_LIMITED"),
				).Exist(ctx)
				if err != nil || seen {
					return err
				}
				return ev.write(ctx, s.db)
			})
		}
		return nil, rateLimited(ctx, wait)
	}
	u, err := tx.User.Query().Where(user.Email(auth.NormalizeEmail(email))).Only(sys)
	early := earlyCheck(ctx, email, password)
	reason := observe.SignInUnknownEmail
	detail := ""
	switch {
	case ent.IsNotFound(err):
		u = nil
		if early == nil {
			auth.EqualiseTiming(password)
		}
	case err != nil:
		return nil, err
	case !early.valid(u.PasswordHash, password):
		reason, detail = observe.SignInBadPassword, "UNAUTHENTICATED: wrong password"
	case !u.Active:
		reason, detail = observe.SignInInactiveUser, "UNAUTHENTICATED: the login is deactivated"
	default:
		rehash, err := early.rehashed(u.PasswordHash, password)
		if err != nil {
			return nil, err
		}
		if challenge, err := s.secondStep(ctx, sys, tx, u, rehash); err != nil || challenge != nil {
			return challenge, err
		}
		return s.signIn(sys, tx, u, attempt, rehash)
	}
	s.signInFailed(reason)
	s.countFailure(ctx, u, attempt, s.signInEvent(ctx, u, "login", detail))
	return nil, errInvalidCredentials
}

// countFailure counts a failed attempt against the sign-in throttle (its
// email at its address, and the email's delay) and writes its audit event
// ev (if not nil) and those of the locks it sets. Both must be written
// although the mutation's transaction rolls back: they are, after it. u
// is the login the attempt was for (nil for an unknown email).
func (s *Service) countFailure(ctx context.Context, u *ent.User, attempt auth.Attempt, ev *signInAudit) {
	now := s.now()
	s.afterTransaction(ctx, func(ctx context.Context) error {
		locked, err := s.throttle.Fail(ctx, s.db, attempt, now)
		if aerr := ev.write(ctx, s.db); aerr != nil {
			return aerr
		}
		for _, scope := range locked {
			s.lockedOut(scope)
			what := "the email at this address"
			if scope == loginthrottle.ScopeADDRESS {
				what = "this address, for every email,"
			}
			lock := s.signInEvent(ctx, u, "signInLockout", "locked "+what+" for "+s.throttle.Limits().Lockout.String()+" after failed sign-ins")
			if aerr := lock.write(ctx, s.db); aerr != nil {
				return aerr
			}
		}
		return err
	})
}

// signInAudit is the audit event of a refused sign-in or refresh of a known
// login, made while the request is at hand and written after the
// mutation's transaction (which rolls back). The event has no actor: the
// attempt is not authenticated, and whoever made it may not be the login's
// owner; the login is the event's entity (User), in its practice, with the
// request's address and user agent. Never the password or the token.
type signInAudit struct {
	u              *ent.User
	action, detail string
	requestID      string
	origin         reqid.Origin
	at             time.Time
	// outcome is DENIED unless set.
	outcome auditevent.Outcome
}

func (s *Service) signInEvent(ctx context.Context, u *ent.User, action, detail string) *signInAudit {
	if u == nil {
		return nil // an unknown email: nothing to attribute (the server log has the request)
	}
	return &signInAudit{u: u, action: action, detail: detail, requestID: reqid.FromContext(ctx), origin: reqid.OriginFrom(ctx), at: s.now()}
}

func (e *signInAudit) write(ctx context.Context, db *ent.Client) error {
	if e == nil {
		return nil
	}
	ua := e.origin.UserAgent
	if len(ua) > 500 {
		ua = ua[:500]
	}
	return db.AuditEvent.Create().
		SetPracticeID(e.u.PracticeID).
		SetAction(e.action).
		SetEntityType("User").
		SetEntityID(e.u.ID).
		SetRequestID(e.requestID).
		SetAddress(e.origin.Address).
		SetUserAgent(ua).
		SetOccurredAt(e.at).
		SetOutcome(cmp.Or(e.outcome, auditevent.OutcomeDENIED)).
		SetDetail(e.detail).
		Exec(privacy.DecisionContext(ctx, privacy.Allow))
}

// signInFailed tells the metrics of a failed sign-in or refresh.
func (s *Service) signInFailed(reason observe.SignInFailure) {
	if s.signIns != nil {
		s.signIns.SignInFailed(reason)
	}
}

// lockedOut tells the metrics of a lock the throttle set.
func (s *Service) lockedOut(scope loginthrottle.Scope) {
	if s.signIns == nil {
		return
	}
	if scope == loginthrottle.ScopeADDRESS {
		s.signIns.LockedOut(observe.LockoutAddress)
	} else {
		s.signIns.LockedOut(observe.LockoutAccount)
	}
}

// signIn starts a session for a user whose credentials are right, and
// replaces the user's password hash with rehash unless it is "".
func (s *Service) signIn(sys context.Context, tx *ent.Client, u *ent.User, attempt auth.Attempt, rehash string) (*Session, error) {
	if err := s.throttle.Succeed(sys, tx, attempt); err != nil {
		return nil, err
	}
	now := s.now()
	s.afterTransaction(sys, func(ctx context.Context) error {
		return s.throttle.Remember(ctx, s.db, attempt, now)
	})
	pair, err := s.sessions.Start(sys, tx, u)
	if err != nil {
		return nil, err
	}
	update := u.Update().SetLastLoginAt(s.now())
	if rehash != "" {
		update.SetPasswordHash(rehash)
	}
	u, err = update.Save(sys)
	if err != nil {
		return nil, err
	}
	return newSession(pair, u), nil
}

// RefreshToken renews a session. A refresh token presented a second time
// revokes its session: one of its two holders has a copy.
func (s *Service) RefreshToken(ctx context.Context, token string) (*Session, error) {
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	pair, u, err := s.sessions.Rotate(sys, s.tx(ctx), token)
	var reused *auth.ReusedError
	switch {
	case errors.As(err, &reused):
		s.signInFailed(observe.SignInRefreshReused)
		s.log.WarnContext(ctx, "refresh token reused: session revoked", "request_id", reqid.FromContext(ctx), "user_id", reused.UserID)
		now := s.now()
		ev := &signInAudit{
			u: &ent.User{ID: reused.UserID, PracticeID: reused.PracticeID}, action: "refreshToken",
			detail:    "UNAUTHENTICATED: a refresh token presented a second time; its session is revoked",
			requestID: reqid.FromContext(ctx), origin: reqid.OriginFrom(ctx), at: now,
		}
		s.afterTransaction(ctx, func(ctx context.Context) error {
			if err := auth.RevokeSession(ctx, s.db, reused.PracticeID, reused.UserID, reused.Session, now); err != nil {
				return err
			}
			return ev.write(ctx, s.db)
		})
		return nil, errInvalidRefreshToken
	case errors.Is(err, auth.ErrInvalidToken):
		s.signInFailed(observe.SignInRefreshInvalid)
		return nil, errInvalidRefreshToken
	case err != nil:
		return nil, err
	}
	return newSession(pair, u), nil
}

// Logout ends the caller's session, or with everywhere every session of
// the caller (as deactivating a user does), and returns how many it ended.
func (s *Service) Logout(ctx context.Context, everywhere bool) (int, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.Session == "" {
		return 0, caseload.ErrNoViewer
	}
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	tx := s.tx(ctx)
	if !everywhere {
		if err := auth.RevokeSession(sys, tx, v.PracticeID, v.UserID, v.Session, s.now()); err != nil {
			return 0, err
		}
		return 1, nil
	}
	// A session is open while a token of its family is not revoked (the
	// access tokens check just that).
	open, err := tx.RefreshToken.Query().
		Where(refreshtoken.PracticeID(v.PracticeID), refreshtoken.UserID(v.UserID), refreshtoken.RevokedAtIsNil()).
		Unique(true).
		Select(refreshtoken.FieldFamily).
		Strings(sys)
	if err != nil {
		return 0, err
	}
	if err := auth.RevokeUser(sys, tx, v.PracticeID, v.UserID, s.now()); err != nil {
		return 0, err
	}
	return len(open), nil
}

// rateLimited is the answer to a sign-in while its email is locked at its
// address, its address is locked, or its email's delay is not over: the
// same whether or not the email has a login.
func rateLimited(ctx context.Context, wait time.Duration) error {
	seconds := int(math.Ceil(wait.Seconds()))
	auth.SetRetryAfter(ctx, seconds)
	return &caseload.Error{
		Code:       caseload.CodeRateLimited,
		Message:    "too many failed sign-ins: try again later (extensions.retryAfter says when, in seconds)",
		RetryAfter: seconds,
	}
}

// passwordCheck is a sign-in's password compared with the user's hash
// before the mutation's transaction began (CheckPasswordEarly).
type passwordCheck struct {
	email, password string
	// hash is the hash the password was compared with; "" when the email
	// has no login (the comparison then only took the time of one).
	hash string
	ok   bool
	// rehash replaces hash when the password matched a hash of an older
	// scheme (auth.NeedsRehash); made here, out of the transaction, as
	// it costs another bcrypt.
	rehash string
}

type passwordCheckKey struct{}

// CheckPasswordEarly compares the password of a sign-in before its
// mutation's transaction begins, and returns ctx with the verdict for Login
// to use. bcrypt takes a quarter of a second on purpose, and on SQLite a
// mutation's transaction holds the database's write lock from its start:
// compared inside it, concurrent sign-ins queued behind each other's bcrypt
// until SQLite's busy timeout failed them (seen at 16 concurrent sign-ins
// in the benchmark). Login still reads the user again in the transaction
// and uses this verdict only if the hash is the one compared. A locked-out
// attempt is not compared at all, as in Login; then, or when the user
// cannot be read, ctx is returned as it is.
func (s *Service) CheckPasswordEarly(ctx context.Context, email, password string) context.Context {
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	attempt := s.throttle.Attempt(email, reqid.OriginFrom(ctx).Address)
	if wait, _, err := s.throttle.Wait(sys, s.db, attempt, s.now()); err != nil || wait > 0 {
		return ctx // refused (or failed) in Login, as without the early check
	}
	pc := &passwordCheck{email: email, password: password}
	u, err := s.db.User.Query().Where(user.Email(auth.NormalizeEmail(email))).Only(sys)
	switch {
	case ent.IsNotFound(err):
		auth.EqualiseTiming(password)
	case err != nil:
		return ctx
	default:
		pc.hash, pc.ok = u.PasswordHash, auth.CheckPassword(u.PasswordHash, password)
		if pc.ok && auth.NeedsRehash(u.PasswordHash) {
			if h, err := auth.Rehash(password); err == nil {
				pc.rehash = h
			}
		}
	}
	return context.WithValue(ctx, passwordCheckKey{}, pc)
}

// earlyCheck returns the early comparison of this email and password, or
// nil.
func earlyCheck(ctx context.Context, email, password string) *passwordCheck {
	pc, _ := ctx.Value(passwordCheckKey{}).(*passwordCheck)
	if pc == nil || pc.email != email || pc.password != password {
		return nil
	}
	return pc
}

// valid reports whether password matches hash, from the early comparison
// when it was made against this very hash (a password changed since is
// compared again), else by bcrypt now.
func (pc *passwordCheck) valid(hash, password string) bool {
	if pc != nil && pc.hash != "" && pc.hash == hash {
		return pc.ok
	}
	return auth.CheckPassword(hash, password)
}

// rehashed returns the new hash for a password that matched hash when hash
// is of an older scheme (auth.NeedsRehash), else "": the one made by the
// early check when it was made for this hash, else a new one.
func (pc *passwordCheck) rehashed(hash, password string) (string, error) {
	if !auth.NeedsRehash(hash) {
		return "", nil
	}
	if pc != nil && pc.hash == hash && pc.rehash != "" {
		return pc.rehash, nil
	}
	return auth.Rehash(password)
}

// afterTransaction runs fn with a system decision once the mutation's
// transaction has ended, committed or rolled back (at once outside one).
// It is for what must be written although the mutation fails, such as a
// failed sign-in or a revoked session; fn writes with the root client,
// which it could not do earlier on SQLite, where the transaction holds the
// write lock. An error of fn is logged: the answer to the client stands.
func (s *Service) afterTransaction(ctx context.Context, fn func(ctx context.Context) error) {
	var once sync.Once
	run := func() {
		once.Do(func() {
			if err := fn(privacy.DecisionContext(context.WithoutCancel(ctx), privacy.Allow)); err != nil {
				s.log.ErrorContext(ctx, "writing after the transaction", "request_id", reqid.FromContext(ctx), "error", err.Error())
			}
		})
	}
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		run()
		return
	}
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Rollback(ctx, tx)
			run()
			return err
		})
	})
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			run()
			return err
		})
	})
}
