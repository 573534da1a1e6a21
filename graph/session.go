package graph

import (
	"context"
	"strings"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/viewer"
)

// login checks the credentials and issues a token. Every failure gets the
// same answer, and an unknown email costs the same bcrypt time as a wrong
// password, so that nobody can learn which emails have accounts.
func (r *Resolver) login(ctx context.Context, email, password string) (*model.AuthPayload, error) {
	// No viewer exists yet: look the user up across practices, by email only.
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	client := ent.FromContext(ctx)
	if client == nil {
		client = r.client
	}
	u, err := client.User.Query().Where(user.Email(strings.ToLower(strings.TrimSpace(email)))).Only(sys)
	if ent.IsNotFound(err) {
		auth.EqualiseTiming(password)
		return nil, errInvalidCredentials
	}
	if err != nil {
		return nil, err
	}
	if !auth.CheckPassword(u.PasswordHash, password) || !u.Active {
		return nil, errInvalidCredentials
	}
	token, expires, err := r.issuer.Issue(u.ID, u.PracticeID, viewer.Role(u.Role))
	if err != nil {
		return nil, err
	}
	u, err = u.Update().SetLastLoginAt(r.now()).Save(sys)
	if err != nil {
		return nil, err
	}
	return &model.AuthPayload{Token: token, ExpiresAt: expires, User: u}, nil
}

func (r *Resolver) me(ctx context.Context) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, unauthenticated()
	}
	return r.client.User.Get(ctx, v.UserID)
}

func (r *Resolver) practice(ctx context.Context) (*ent.Practice, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, unauthenticated()
	}
	return r.client.Practice.Get(ctx, v.PracticeID)
}
