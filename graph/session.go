package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
	"github.com/caseload/caseload/internal/workflow"
)

// Sign-in sessions are a workflow (internal/workflow/signin.go); what is
// left here reads the operation: one sign-in per operation, and the
// password compared before the operation's transaction begins.

// signInFields take credentials, a refresh token or a code of the second
// factor, whose failures count against the sign-in throttle.
var signInFields = map[string]bool{"login": true, "refreshToken": true, "verifySecondFactor": true, "confirmSecondFactorEnrolment": true}

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

// signInOnce runs a sign-in (login, or refresh) if it is the operation's
// only one.
func signInOnce(ctx context.Context, run func() (*workflow.Session, error)) (*workflow.Session, error) {
	if err := oneSignInPerOperation(ctx); err != nil {
		return nil, err
	}
	return run()
}

// CheckPasswordsEarly has the password of a mutation's login field compared
// before the mutation's transaction begins (workflow's CheckPasswordEarly
// says why); login then uses that verdict.
func CheckPasswordsEarly(signIns *workflow.Service) func(context.Context, graphql.OperationHandler) graphql.ResponseHandler {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
			return next(ctx)
		}
		if email, password := loginCredentials(oc); email != "" {
			ctx = signIns.CheckPasswordEarly(ctx, email, password)
		}
		return next(ctx)
	}
}

// loginCredentials returns the email and password of the operation's
// (first) login field, written in the operation or passed in variables;
// "" when it has none.
func loginCredentials(oc *graphql.OperationContext) (email, password string) {
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"}) {
		if f.Name != "login" {
			continue
		}
		input, _ := f.ArgumentMap(oc.Variables)["input"].(map[string]any)
		email, _ = input["email"].(string)
		password, _ = input["password"].(string)
		return email, password
	}
	return "", ""
}

func (r *Resolver) me(ctx context.Context) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, caseload.ErrNoViewer
	}
	// The user the token was checked against, read in this request with its
	// clinician profile (me is a query field: no mutation of the same
	// operation can have changed it since): no second read of either.
	if u := auth.SignedInUser(ctx); u != nil && u.ID == v.UserID {
		return u, nil
	}
	return r.db.User.Get(ctx, v.UserID)
}

func (r *Resolver) practice(ctx context.Context) (*ent.Practice, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, caseload.ErrNoViewer
	}
	return r.db.Practice.Get(ctx, v.PracticeID)
}

// deref is the string an optional input field holds, "" when left out.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
