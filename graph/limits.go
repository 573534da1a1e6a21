package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// MaxPageSize is the most records one connection returns.
const MaxPageSize = 100

// ArgumentChecks refuses, before any resolver runs (and so before any
// SQL), an operation with a field whose arguments are out of bounds, in one
// walk of the operation (each fragment once):
//
//   - a connection, at the root or nested, needs `first` or `last`, between
//     1 and MaxPageSize (checkPage);
//   - a cursor (`after`, `before`) must be one the server wrote for that
//     connection (checkCursorArgs, cursors.go);
//   - no list of an argument, at any depth, holds more than MaxListItems
//     items, and no string a NUL character (checkInputBounds, inputs.go).
//
// Each refusal is BAD_USER_INPUT naming the argument.
type ArgumentChecks struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = ArgumentChecks{}

// ExtensionName implements graphql.HandlerExtension.
func (ArgumentChecks) ExtensionName() string { return "ArgumentChecks" }

// Validate implements graphql.HandlerExtension.
func (ArgumentChecks) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext checks the arguments of every field of the
// operation.
func (ArgumentChecks) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	var err *gqlerror.Error
	walkFields(oc.Operation.SelectionSet, map[string]bool{}, func(f *ast.Field) bool {
		if f.Definition != nil && strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
			err = checkPage(f, oc.Variables)
		}
		if err == nil {
			err = checkCursorArgs(f, oc.Variables)
		}
		if err == nil {
			err = checkInputBounds(f, oc.Variables)
		}
		return err == nil
	})
	return err
}

// walkFields calls visit for every field of a selection set, through
// fragments (each named fragment once), until visit returns false. The
// checks that run before any SQL (page bounds, cursors, PHI filters) share
// it.
func walkFields(set ast.SelectionSet, seen map[string]bool, visit func(*ast.Field) bool) bool {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if !visit(sel) || !walkFields(sel.SelectionSet, seen, visit) {
				return false
			}
		case *ast.InlineFragment:
			if !walkFields(sel.SelectionSet, seen, visit) {
				return false
			}
		case *ast.FragmentSpread:
			if sel.Definition == nil || seen[sel.Name] {
				continue
			}
			seen[sel.Name] = true
			if !walkFields(sel.Definition.SelectionSet, seen, visit) {
				return false
			}
		}
	}
	return true
}

func checkPage(f *ast.Field, vars map[string]any) *gqlerror.Error {
	args := f.ArgumentMap(vars)
	bounded := false
	for _, name := range []string{"first", "last"} {
		v, ok := args[name]
		if !ok || v == nil {
			continue
		}
		n, ok := v.(int64)
		if !ok {
			if i, isInt := v.(int); isInt {
				n, ok = int64(i), true
			}
		}
		if !ok || n < 1 || n > MaxPageSize {
			return boundsError(f, name, fmt.Sprintf("%s: %s must be between 1 and %d", f.Alias, name, MaxPageSize))
		}
		bounded = true
	}
	if !bounded {
		return boundsError(f, "first", fmt.Sprintf("%s: pass first or last (1-%d): connections are paged", f.Alias, MaxPageSize))
	}
	return nil
}

func boundsError(f *ast.Field, arg, message string) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    message,
		Locations:  []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}},
		Extensions: map[string]any{"code": caseload.CodeBadUserInput, "field": arg},
	}
}

// publicFields answer without a signed-in user: login, refreshToken,
// completePasswordReset (its reset code is the credential), the second
// step of a sign-in and enrolment at sign-in (the challenge is the
// credential; without one they need a signed-in user), and the schema
// itself so that the IDE can show the documentation.
var publicFields = map[string]bool{
	"login": true, "refreshToken": true, "completePasswordReset": true,
	"verifySecondFactor": true, "startSecondFactorEnrolment": true, "confirmSecondFactorEnrolment": true,
	"__schema": true, "__type": true, "__typename": true,
}

// RequireViewer refuses every root field but login and introspection to a
// request without a signed-in user. The data layer would deny it anyway;
// this gives the client the right code.
func RequireViewer(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if fc != nil && !publicFields[fc.Field.Name] && viewer.FromContext(ctx) == nil {
		graphql.AddError(ctx, caseload.ErrNoViewer)
		return graphql.Null
	}
	return next(ctx)
}
