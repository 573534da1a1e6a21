// Package graph is the GraphQL layer: the composition root of the resolvers,
// the error presenter and the operation limits. Resolvers stay thin: reads
// go through ent (whose privacy rules confine them), writes run in the
// transaction entgql.Transactioner opens for every mutation.
package graph

import (
	"context"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/graphql"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/workflow"
)

// Resolver holds what the resolvers depend on.
type Resolver struct {
	client *ent.Client
	driver dialect.Driver
	now    func() time.Time
	// workflow runs every change to a caseload (internal/workflow).
	workflow *workflow.Service
}

// Options is what NewSchema needs.
type Options struct {
	// Client is the ent client (queries); mutations use the transaction on the context.
	Client *ent.Client
	// Driver is the ent driver under Client, for the aggregate SQL of
	// practiceMetrics.
	Driver dialect.Driver
	// Issuer signs the tokens login returns.
	Issuer *auth.Issuer
	// Sessions issue, rotate and revoke refresh tokens (built on Issuer when nil).
	Sessions *auth.Sessions
	// Throttle limits failed sign-ins (default limits, unkeyed hashes, when nil).
	Throttle *auth.LoginThrottle
	// Now is the clock; tests fix it.
	Now func() time.Time
	// Logger receives internal errors with their request id (never client data).
	Logger *slog.Logger
}

// NewSchema returns the executable schema.
func NewSchema(cfg Options) graphql.ExecutableSchema {
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Sessions == nil && cfg.Issuer != nil {
		cfg.Sessions = auth.NewSessions(cfg.Issuer, 0)
	}
	if cfg.Throttle == nil {
		cfg.Throttle = auth.NewLoginThrottle(nil, auth.LoginLimits{})
	}
	r := &Resolver{client: cfg.Client, driver: cfg.Driver, now: cfg.Now}
	r.workflow = workflow.New(workflow.Options{
		DB:       cfg.Client,
		Facts:    func(ctx context.Context) workflow.Facts { return r.facts(ctx) },
		Sessions: cfg.Sessions,
		Throttle: cfg.Throttle,
		Now:      cfg.Now,
		Logger:   cfg.Logger,
	})
	return NewExecutableSchema(Config{Resolvers: r})
}
