package graph

import (
	"context"
	"log/slog"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/observe"
)

// The front ends' contract (issue 15, graph/schema/contract.graphqls): a
// mutation of the payload shape reports what the user can fix as the
// payload's userErrors, every refusal of its input at once, and writes
// nothing; what is not the user's to fix stays a top-level error.

// userErrorCodes are the codes a payload reports; any other code
// (UNAUTHENTICATED, RATE_LIMITED, INTERNAL) stays a top-level error.
var userErrorCodes = map[caseload.Code]bool{
	caseload.CodeBadUserInput:    true,
	caseload.CodePolicyViolation: true,
	caseload.CodeConflict:        true,
	caseload.CodeNotFound:        true,
	caseload.CodeForbidden:       true,
}

// inputArgument is the one argument of a mutation of the payload shape:
// the paths of its userErrors start with it.
const inputArgument = "input"

// userErrors answers a workflow's outcome for a payload: no error is an
// empty list; refusals (caseload.Errors, a caseload.Error, and the
// database's and ent's refusals the presenter maps to a code of
// UserErrorCode) are the list, and mark the operation's transaction for
// rollback; anything else is returned as the error, top-level.
func (r *Resolver) userErrors(ctx context.Context, err error) ([]*model.UserError, error) {
	if err == nil {
		return []*model.UserError{}, nil
	}
	refusals := caseload.Refusals(err)
	if refusals == nil {
		// ent's and the database's refusals, worded by the presenter's
		// table. Asked quietly first: what is not a refusal goes on to the
		// presenter, which logs it once.
		code, message, field := presenter{log: slog.New(slog.DiscardHandler)}.classify(ctx, err)
		if !userErrorCodes[code] {
			return nil, err
		}
		presenter{log: r.log}.classify(ctx, err) // what it logs of a refusal
		refusals = caseload.Errors{{Code: code, Message: message, Field: field}}
	}
	out := make([]*model.UserError, 0, len(refusals))
	for _, e := range refusals {
		if !userErrorCodes[e.Code] {
			return nil, err
		}
		ue := &model.UserError{Message: e.Message, Code: e.Code}
		if e.Field != "" {
			ue.Field = append([]string{inputArgument}, strings.Split(e.Field, ".")...)
		}
		out = append(out, ue)
	}
	markRefused(ctx, out[0].Code)
	codes := make([]string, len(out))
	for i, ue := range out {
		codes[i] = string(ue.Code)
	}
	observe.FromContext(ctx).AddUserErrors(codes...)
	return out, nil
}

// refusedFields is the record, on a mutation's context, of its root
// fields refused with userErrors: Transactions rolls the operation back
// when there is any, and audits each as refused.
type refusedFields struct {
	mu    sync.Mutex
	codes map[string]caseload.Code // by alias: the first code
}

type refusedKey struct{}

// withRefusals returns ctx with an empty record of refused fields.
func withRefusals(ctx context.Context) (context.Context, *refusedFields) {
	r := &refusedFields{codes: map[string]caseload.Code{}}
	return context.WithValue(ctx, refusedKey{}, r), r
}

// markRefused records that the root field of ctx was refused with code;
// outside a mutation's transaction it does nothing.
func markRefused(ctx context.Context, code caseload.Code) {
	r, ok := ctx.Value(refusedKey{}).(*refusedFields)
	if !ok {
		return
	}
	alias := ""
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		alias = fc.Field.Alias
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, seen := r.codes[alias]; !seen {
		r.codes[alias] = code
	}
}

// code is the refusal of the root field alias, or "".
func (r *refusedFields) code(alias string) caseload.Code {
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.codes[alias]
}

// any reports whether a root field was refused.
func (r *refusedFields) any() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.codes) > 0
}

// refusedFrom returns the operation's record of refused fields, or nil.
func refusedFrom(ctx context.Context) *refusedFields {
	r, _ := ctx.Value(refusedKey{}).(*refusedFields)
	return r
}
