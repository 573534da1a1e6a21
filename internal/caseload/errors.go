package caseload

import (
	"errors"
	"fmt"
)

// Code says what kind of failure an Error is; the API answers with it in
// extensions.code (SPEC.md "Errors").
type Code string

// The codes a client can act on.
const (
	// CodeUnauthenticated: no valid session; sign in (again).
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	// CodeForbidden: the caller's role may not do this.
	CodeForbidden Code = "FORBIDDEN"
	// CodeNotFound: no such record, or one the caller may not see.
	CodeNotFound Code = "NOT_FOUND"
	// CodeBadUserInput: a value of the request is wrong; Field names it.
	CodeBadUserInput Code = "BAD_USER_INPUT"
	// CodeConflict: the change collides with the practice's data (a double
	// booking, a stale version).
	CodeConflict Code = "CONFLICT"
	// CodePolicyViolation: the practice's policy forbids the change.
	CodePolicyViolation Code = "POLICY_VIOLATION"
	// CodeRateLimited: too many attempts; RetryAfter says how long to wait.
	CodeRateLimited Code = "RATE_LIMITED"
	// CodeInternal: the server failed; the detail is in its log only.
	CodeInternal Code = "INTERNAL"
)

// Error is the one error of the domain: a failure the caller can act on,
// with its code, a message shown as is, and for BAD_USER_INPUT the field.
// Anything else that goes wrong is INTERNAL.
type Error struct {
	// Code is the kind of failure.
	Code Code
	// Message is a sentence the caller can act on; it names no client.
	Message string
	// Field names the offending input field, as the API spells it, for
	// BAD_USER_INPUT; empty when the value refused is where the error is
	// reported (an argument the scalars refuse).
	Field string
	// RetryAfter is, for RATE_LIMITED, the seconds to wait before trying
	// again.
	RetryAfter int
}

func (e *Error) Error() string { return e.Message }

// Invalid is BAD_USER_INPUT on field; the message starts with the field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeBadUserInput, Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// Conflict is a change that collides with the practice's data.
func Conflict(format string, args ...any) *Error {
	return &Error{Code: CodeConflict, Message: fmt.Sprintf(format, args...)}
}

// PolicyViolation is a change the practice's policy forbids.
func PolicyViolation(format string, args ...any) *Error {
	return &Error{Code: CodePolicyViolation, Message: fmt.Sprintf(format, args...)}
}

// Forbidden is a change or read the caller's role may not make.
func Forbidden(format string, args ...any) *Error {
	return &Error{Code: CodeForbidden, Message: fmt.Sprintf(format, args...)}
}

// NotFound is a record that does not exist or that the caller may not see:
// the two read exactly the same.
func NotFound() *Error {
	return &Error{Code: CodeNotFound, Message: "not found"}
}

// Unauthenticated is a request without a valid session.
func Unauthenticated(message string) *Error {
	return &Error{Code: CodeUnauthenticated, Message: message}
}

// ErrNoViewer answers a request that needs a signed-in user and has none.
var ErrNoViewer = Unauthenticated("sign in first: send Authorization: Bearer <token> from login")

// ErrorCode is the code of the Error in err's chain, or "" if there is none.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
