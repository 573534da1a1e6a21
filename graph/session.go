package graph

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/reqid"
	"github.com/caseload/caseload/internal/viewer"
)

// errInvalidRefreshToken is the one answer to any refused refresh.
var errInvalidRefreshToken = &caseload.Error{Code: caseload.CodeUnauthenticated, Message: "invalid or expired refresh token: sign in again"}

// login checks the credentials and starts a session. Every failure gets the
// same answer, and an unknown email costs the same bcrypt time as a wrong
// password and counts against the throttle the same way, so that nobody can
// learn which emails have accounts.
func (r *Resolver) login(ctx context.Context, email, password string) (*model.AuthPayload, error) {
	if err := oneSignInPerOperation(ctx); err != nil {
		return nil, err
	}
	// No viewer exists yet: look the user up across practices, by email only.
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	client := r.txClient(ctx)
	attempt := r.throttle.Attempt(email, reqid.OriginFrom(ctx).Address)
	wait, err := r.throttle.Wait(sys, client, attempt, r.now())
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		return nil, rateLimited(ctx, wait)
	}
	u, err := client.User.Query().Where(user.Email(auth.NormalizeEmail(email))).Only(sys)
	early := earlyCheck(ctx, email, password)
	switch {
	case ent.IsNotFound(err):
		if early == nil {
			auth.EqualiseTiming(password)
		}
	case err != nil:
		return nil, err
	case early.valid(u.PasswordHash, password) && u.Active:
		return r.signIn(sys, client, u, attempt)
	}
	// The failed attempt must be counted although the mutation's
	// transaction rolls back.
	now := r.now()
	r.afterTransaction(ctx, func(ctx context.Context) error {
		return r.throttle.Fail(ctx, r.client, attempt, now)
	})
	return nil, errInvalidCredentials
}

// passwordCheck is a sign-in's password compared with the user's hash
// before the mutation's transaction began (CheckPasswordsEarly).
type passwordCheck struct {
	email, password string
	// hash is the hash the password was compared with; "" when the email
	// has no login (the comparison then only took the time of one).
	hash string
	ok   bool
}

type passwordCheckKey struct{}

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

// CheckPasswordsEarly compares the password of an operation that signs in
// before its transaction begins. bcrypt takes a quarter of a second on
// purpose, and on SQLite a mutation's transaction holds the database's
// write lock from its start: compared inside it, concurrent sign-ins queued
// behind each other's bcrypt until SQLite's busy timeout failed them (seen
// at 16 concurrent sign-ins in the benchmark). The sign-in itself still
// runs in the transaction, reads the user again and uses this comparison
// only if the hash is the one compared. A locked-out attempt is not
// compared at all, as inside.
func CheckPasswordsEarly(client *ent.Client, throttle *auth.LoginThrottle, now func() time.Time) func(context.Context, graphql.OperationHandler) graphql.ResponseHandler {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
			return next(ctx)
		}
		for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"}) {
			if f.Name != "login" {
				continue
			}
			args := f.ArgumentMap(oc.Variables)
			email, _ := args["email"].(string)
			password, _ := args["password"].(string)
			if email == "" {
				break
			}
			sys := privacy.DecisionContext(ctx, privacy.Allow)
			attempt := throttle.Attempt(email, reqid.OriginFrom(ctx).Address)
			if wait, err := throttle.Wait(sys, client, attempt, now()); err != nil || wait > 0 {
				break // refused (or failed) inside, as before
			}
			pc := &passwordCheck{email: email, password: password}
			u, err := client.User.Query().Where(user.Email(auth.NormalizeEmail(email))).Only(sys)
			switch {
			case ent.IsNotFound(err):
				auth.EqualiseTiming(password)
			case err != nil:
				return next(ctx)
			default:
				pc.hash, pc.ok = u.PasswordHash, auth.CheckPassword(u.PasswordHash, password)
			}
			ctx = context.WithValue(ctx, passwordCheckKey{}, pc)
			break
		}
		return next(ctx)
	}
}

// signIn starts a session for a user whose credentials are right.
func (r *Resolver) signIn(sys context.Context, client *ent.Client, u *ent.User, attempt auth.Attempt) (*model.AuthPayload, error) {
	if err := r.throttle.Succeed(sys, client, attempt); err != nil {
		return nil, err
	}
	pair, err := r.sessions.Start(sys, client, u)
	if err != nil {
		return nil, err
	}
	u, err = u.Update().SetLastLoginAt(r.now()).Save(sys)
	if err != nil {
		return nil, err
	}
	return authPayload(pair, u), nil
}

// refreshToken renews a session. A refresh token presented a second time
// revokes its session: one of its two holders has a copy.
func (r *Resolver) refreshToken(ctx context.Context, token string) (*model.AuthPayload, error) {
	if err := oneSignInPerOperation(ctx); err != nil {
		return nil, err
	}
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	pair, u, err := r.sessions.Rotate(sys, r.txClient(ctx), token)
	var reused *auth.ReusedError
	switch {
	case errors.As(err, &reused):
		r.log.WarnContext(ctx, "refresh token reused: session revoked", "request_id", reqid.FromContext(ctx), "user_id", reused.UserID)
		now := r.now()
		r.afterTransaction(ctx, func(ctx context.Context) error {
			return auth.RevokeSession(ctx, r.client, reused.PracticeID, reused.UserID, reused.Session, now)
		})
		return nil, errInvalidRefreshToken
	case errors.Is(err, auth.ErrInvalidToken):
		return nil, errInvalidRefreshToken
	case err != nil:
		return nil, err
	}
	return authPayload(pair, u), nil
}

// logout ends the caller's session.
func (r *Resolver) logout(ctx context.Context) (bool, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.Session == "" {
		return false, errUnauthenticated
	}
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	if err := auth.RevokeSession(sys, r.txClient(ctx), v.PracticeID, v.UserID, v.Session, r.now()); err != nil {
		return false, err
	}
	return true, nil
}

func authPayload(p *auth.Pair, u *ent.User) *model.AuthPayload {
	return &model.AuthPayload{
		Token:                 p.AccessToken,
		ExpiresAt:             p.AccessExpiresAt,
		RefreshToken:          p.RefreshToken,
		RefreshTokenExpiresAt: p.RefreshExpiresAt,
		User:                  u,
	}
}

// rateLimited is the answer to a sign-in while its email or address is
// locked: the same whether or not the email has a login.
func rateLimited(ctx context.Context, wait time.Duration) error {
	seconds := int(math.Ceil(wait.Seconds()))
	auth.SetRetryAfter(ctx, seconds)
	return &caseload.Error{
		Code:       caseload.CodeRateLimited,
		Message:    "too many failed sign-ins: try again later (extensions.retryAfter says when, in seconds)",
		RetryAfter: seconds,
	}
}

// signInFields take credentials or a refresh token.
var signInFields = map[string]bool{"login": true, "refreshToken": true}

// oneSignInPerOperation refuses an operation with more than one sign-in
// field (aliases make it easy to write): failures are counted after the
// operation's transaction, so a second attempt in the same operation would
// not see the first.
func oneSignInPerOperation(ctx context.Context) error {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	oc := graphql.GetOperationContext(ctx)
	n := 0
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"}) {
		if signInFields[f.Name] {
			n++
		}
	}
	if n > 1 {
		return &caseload.Error{Code: caseload.CodeBadUserInput, Message: "sign in or refresh once per operation"}
	}
	return nil
}

// txClient is the client of the mutation's transaction (the root client
// outside one).
func (r *Resolver) txClient(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return r.client
}

// afterTransaction runs fn with a system decision once the mutation's
// transaction has ended, committed or rolled back (at once outside one).
// It is for what must be written although the mutation fails, such as a
// failed sign-in or a revoked session; fn writes with the root client,
// which it could not do earlier on SQLite, where the transaction holds the
// write lock. An error of fn is logged: the answer to the client stands.
func (r *Resolver) afterTransaction(ctx context.Context, fn func(ctx context.Context) error) {
	var once sync.Once
	run := func() {
		once.Do(func() {
			if err := fn(privacy.DecisionContext(context.WithoutCancel(ctx), privacy.Allow)); err != nil {
				r.log.ErrorContext(ctx, "writing after the transaction", "request_id", reqid.FromContext(ctx), "error", err.Error())
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

func (r *Resolver) me(ctx context.Context) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, errUnauthenticated
	}
	// The user the token was checked against, read in this request with its
	// clinician profile (me is a query field: no mutation of the same
	// operation can have changed it since): no second read of either.
	if u := auth.SignedInUser(ctx); u != nil && u.ID == v.UserID {
		return u, nil
	}
	return r.client.User.Get(ctx, v.UserID)
}

func (r *Resolver) practice(ctx context.Context) (*ent.Practice, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, errUnauthenticated
	}
	return r.client.Practice.Get(ctx, v.PracticeID)
}
