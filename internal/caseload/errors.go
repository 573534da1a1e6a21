package caseload

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	// CodeUnavailable: the database cannot be reached or did not answer in
	// time: send the request again after the response's Retry-After (HTTP
	// 503); with an idempotency key, a mutation is safe to send again.
	CodeUnavailable Code = "UNAVAILABLE"
)

// RetryAfterUnavailable is the Retry-After, in seconds, of an UNAVAILABLE
// answer.
const RetryAfterUnavailable = 5

// Error is the one error of the domain: a failure the caller can act on,
// with its code, a message shown as is, and for BAD_USER_INPUT the field.
// Anything else that goes wrong is INTERNAL.
type Error struct {
	// Code is the kind of failure.
	Code Code
	// Message is a sentence the caller can act on; it names no client.
	Message string
	// Field names the offending input field, as the API spells it, for
	// BAD_USER_INPUT (and for any other refusal that is about one value):
	// a path in the input, dot-separated for a nested field or an item of
	// a list ("caregivers.2.phone"); empty when the value refused is where
	// the error is reported (an argument the scalars refuse).
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

// At returns a copy of e reported on field: the path of the offending
// value in the input, as the API spells it, dot-separated for a nested
// field or an item of a list ("caregivers.2.phone").
func (e *Error) At(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// In returns a copy of e reported on item index (from 0) of the input's
// list: "phone" becomes "caregivers.2.phone", and so does the field its
// message starts with.
func (e *Error) In(list string, index int) *Error {
	prefix := list + "." + strconv.Itoa(index)
	c := *e
	if e.Field == "" {
		c.Field = prefix
	} else {
		c.Field = prefix + "." + e.Field
		if rest, ok := strings.CutPrefix(e.Message, e.Field+": "); ok {
			c.Message = c.Field + ": " + rest
		}
	}
	return &c
}

// Errors is every refusal of one request, in the order they were found:
// a workflow checks each field of its input and reports them all at once,
// and writes nothing. errors.As finds the first.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Message
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns each refusal, for errors.As and errors.Is.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Refusals returns the refusals in err: each of an Errors, the one Error,
// or none when err is nil or not a refusal.
func Refusals(err error) Errors {
	var es Errors
	if errors.As(err, &es) {
		return es
	}
	var e *Error
	if errors.As(err, &e) {
		return Errors{e}
	}
	return nil
}

// Collector gathers the refusals of one input, so that a workflow checks
// every field before it answers: Refuse or Check each, then return Err
// before writing anything.
type Collector struct {
	errs Errors
}

// Refuse records a refusal; one the same as a refusal already recorded
// (two checks of the same value, such as the schema's range of instants
// and a session's times) is recorded once.
func (c *Collector) Refuse(e *Error) {
	for _, seen := range c.errs {
		if *seen == *e {
			return
		}
	}
	c.errs = append(c.errs, e)
}

// Check records the refusals in err and returns nil; any other error, a
// failure rather than a refusal, is returned for the caller to stop on.
func (c *Collector) Check(err error) error {
	if err == nil {
		return nil
	}
	found := Refusals(err)
	if found == nil {
		return err
	}
	for _, e := range found {
		c.Refuse(e)
	}
	return nil
}

// Err is nil when nothing was refused, the Error when one was, and the
// Errors otherwise.
func (c *Collector) Err() error {
	switch len(c.errs) {
	case 0:
		return nil
	case 1:
		return c.errs[0]
	}
	return slices.Clone(c.errs)
}
