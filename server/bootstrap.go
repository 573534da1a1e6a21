package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
)

// Bootstrap is the first practice and admin of a new production database,
// from CASELOAD_BOOTSTRAP_* variables. Once the admin exists it does nothing.
type Bootstrap struct {
	Practice, TimeZone, AdminEmail, AdminPassword string
}

// Environment variables of the bootstrap.
const (
	envBootstrapPractice = "CASELOAD_BOOTSTRAP_PRACTICE"
	envBootstrapTimeZone = "CASELOAD_BOOTSTRAP_TIME_ZONE"
	envBootstrapEmail    = "CASELOAD_BOOTSTRAP_ADMIN_EMAIL"
	envBootstrapPassword = "CASELOAD_BOOTSTRAP_ADMIN_PASSWORD"
)

func bootstrapFromEnv(getenv func(string) string) *Bootstrap {
	if getenv(envBootstrapEmail) == "" {
		return nil
	}
	return &Bootstrap{
		Practice:      orDefault(getenv(envBootstrapPractice), "My Practice"),
		TimeZone:      orDefault(getenv(envBootstrapTimeZone), "America/New_York"),
		AdminEmail:    strings.ToLower(strings.TrimSpace(getenv(envBootstrapEmail))),
		AdminPassword: getenv(envBootstrapPassword),
	}
}

// Apply creates the practice and its admin, in one transaction, unless the
// admin's email already has a login. It reports whether it created them.
func (b *Bootstrap) Apply(ctx context.Context, db *ent.Client) (bool, error) {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	exists, err := db.User.Query().Where(user.Email(b.AdminEmail)).Exist(ctx)
	if err != nil || exists {
		return false, err
	}
	hash, err := auth.HashPassword(b.AdminPassword)
	if err != nil {
		return false, fmt.Errorf("%s: %w", envBootstrapPassword, err)
	}
	tx, err := db.Tx(ctx)
	if err != nil {
		return false, err
	}
	p, err := tx.Practice.Create().SetName(b.Practice).SetTimeZone(b.TimeZone).Save(ctx)
	if err == nil {
		err = tx.User.Create().SetPracticeID(p.ID).SetEmail(b.AdminEmail).SetPasswordHash(hash).SetRole(user.RoleADMIN).Exec(ctx)
	}
	if err != nil {
		_ = tx.Rollback()
		return false, fmt.Errorf("bootstrapping the first practice: %w", err)
	}
	return true, tx.Commit()
}
