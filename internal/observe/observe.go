// Package observe carries what the server tells its operator about one
// request: a small record that the outermost HTTP middleware puts on the
// request's context, that the layers which know a fact fill in (the
// authentication middleware the viewer, the GraphQL handler the operation
// and its error codes), and that the middleware then writes into the
// request's log line and the metrics. It also names the sign-in events the
// metrics count. It imports only the standard library, so that the layers
// filling it in pull in no metrics library.
//
// The record holds ids, names the server chose or validated, and error
// codes: never a variable, a query text or anything else of the client's.
package observe

import (
	"context"
	"slices"
	"sync"
)

// Operation types, as the record and the metrics name them.
const (
	TypeQuery        = "query"
	TypeMutation     = "mutation"
	TypeSubscription = "subscription"
)

// Request is what is known of one request so far. The resolvers of one
// request run concurrently, so it is safe for concurrent use; its methods
// do nothing on a nil *Request (a context without a record).
type Request struct {
	mu         sync.Mutex
	graphQL    bool
	operation  string
	opType     string
	userID     int
	practiceID int
	codes      []string
	userErrors []string
}

// Summary is a copy of a Request's facts at one moment.
type Summary struct {
	// GraphQL reports whether the request reached the GraphQL executor.
	GraphQL bool
	// Operation is the name of the operation as its document has it ("" for
	// an unnamed one, or when the request never became an operation).
	Operation string
	// Type is TypeQuery, TypeMutation, TypeSubscription, or "" when the
	// request never became an operation (a body or document that does not
	// parse, an unknown operation name).
	Type string
	// UserID and PracticeID are the viewer's (0 without a signed-in user).
	UserID, PracticeID int
	// Codes are the extensions.code of each error of the response, in order.
	Codes []string
	// UserErrors are the codes of the userErrors of the response's
	// payloads (graph/contract.go): refusals the user can fix, answered as
	// data. A refused mutation writes nothing.
	UserErrors []string
}

// Code returns the first error code, or else the first userError's code,
// or "" when the response had neither: what the request came to.
func (s Summary) Code() string {
	switch {
	case len(s.Codes) > 0:
		return s.Codes[0]
	case len(s.UserErrors) > 0:
		return s.UserErrors[0]
	}
	return ""
}

type ctxKey struct{}

// NewContext returns ctx carrying r.
func NewContext(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, ctxKey{}, r)
}

// FromContext returns the record on ctx, or nil.
func FromContext(ctx context.Context) *Request {
	r, _ := ctx.Value(ctxKey{}).(*Request)
	return r
}

// SetOperation records the GraphQL operation: its name in the document and
// its type ("" for both when the request never became an operation).
func (r *Request) SetOperation(name, opType string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.graphQL = true
	r.operation, r.opType = name, opType
}

// SetViewer records who is asking, by ids only.
func (r *Request) SetViewer(userID, practiceID int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.userID, r.practiceID = userID, practiceID
}

// SetCodes records the error codes of the response, replacing any recorded
// before: the layer nearest to the response has the last word.
func (r *Request) SetCodes(codes ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.codes = slices.Clone(codes)
}

// AddUserErrors records the codes of a payload's userErrors, after any
// recorded before (an operation may have several refused fields).
func (r *Request) AddUserErrors(codes ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.userErrors = append(r.userErrors, codes...)
}

// Summary returns a copy of what is recorded (the zero Summary for nil).
func (r *Request) Summary() Summary {
	if r == nil {
		return Summary{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return Summary{
		GraphQL:    r.graphQL,
		Operation:  r.operation,
		Type:       r.opType,
		UserID:     r.userID,
		PracticeID: r.practiceID,
		Codes:      slices.Clone(r.codes),
		UserErrors: slices.Clone(r.userErrors),
	}
}

// SignInFailure is why a sign-in or a token refresh failed, one of a fixed
// set (a metric's label: never an email or an address).
type SignInFailure string

// The reasons a sign-in fails.
const (
	// SignInUnknownEmail: no login has the email.
	SignInUnknownEmail SignInFailure = "unknown_email"
	// SignInBadPassword: the login exists, the password is wrong.
	SignInBadPassword SignInFailure = "bad_password"
	// SignInInactiveUser: the password is right but the login is deactivated.
	SignInInactiveUser SignInFailure = "inactive_user"
	// SignInLockedOut: refused without a check while the email at the
	// client address, or the address, is locked by the throttle.
	SignInLockedOut SignInFailure = "locked_out"
	// SignInDelayed: refused without a check before the email's growing
	// delay after its last failure is over.
	SignInDelayed SignInFailure = "delayed"
	// SignInRefreshInvalid: a refresh token that is malformed, expired or of
	// a closed session.
	SignInRefreshInvalid SignInFailure = "refresh_invalid"
	// SignInRefreshReused: a refresh token presented a second time (its
	// session is revoked).
	SignInRefreshReused SignInFailure = "refresh_reused"
	// SignInBadSecondFactor: a wrong, replayed or used code of the second
	// factor (a TOTP code or a recovery code).
	SignInBadSecondFactor SignInFailure = "bad_second_factor"
	// SignInBadChallenge: an unknown, used or expired challenge of a
	// sign-in's second step.
	SignInBadChallenge SignInFailure = "bad_challenge"
)

// SignInFailures lists every SignInFailure.
var SignInFailures = []SignInFailure{
	SignInUnknownEmail, SignInBadPassword, SignInInactiveUser,
	SignInLockedOut, SignInDelayed, SignInRefreshInvalid, SignInRefreshReused,
	SignInBadSecondFactor, SignInBadChallenge,
}

// LockoutScope is what the throttle locked: an email at a client address
// ("account"), or a client address.
type LockoutScope string

// The scopes of a lockout.
const (
	LockoutAccount LockoutScope = "account"
	LockoutAddress LockoutScope = "address"
)

// SignIns is told of failed sign-ins and of the locks the throttle sets
// (the server's metrics count them).
type SignIns interface {
	// SignInFailed counts one failed sign-in or refresh.
	SignInFailed(reason SignInFailure)
	// LockedOut counts one lock set on an email or an address.
	LockedOut(scope LockoutScope)
}
