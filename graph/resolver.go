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
	"go.opentelemetry.io/otel/trace"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/observe"
	"github.com/caseload/caseload/internal/workflow"
)

// Resolver holds what the resolvers depend on.
type Resolver struct {
	// db is the root ent client (reads); a mutation's writes go through the
	// transaction on its context.
	db     *ent.Client
	driver dialect.Driver
	now    func() time.Time
	// log gets what the error presenter logs of the refusals a payload
	// reports (userErrors).
	log *slog.Logger
	// workflow runs every change to a caseload (internal/workflow).
	workflow *workflow.Service
}

// Options configure the GraphQL API: its dependencies and its limits.
type Options struct {
	// DB is the root ent client (queries); mutations use the transaction on
	// the context.
	DB *ent.Client
	// Driver is the ent driver under DB: the histories' statement and the
	// practice metrics' aggregate SQL are written in its dialect.
	Driver dialect.Driver
	// Issuer signs the tokens of login.
	Issuer *auth.Issuer
	// Sessions issue, rotate and revoke refresh tokens (built on Issuer when nil).
	Sessions *auth.Sessions
	// Throttle limits failed sign-ins (default limits, unkeyed hashes, when nil).
	Throttle *auth.LoginThrottle
	// TOTP seals and checks the second factor's secrets; without it the
	// second factor's mutations fail (INTERNAL, auth.ErrNoTOTP).
	TOTP *auth.TOTP
	// SignIns is told of failed sign-ins and the throttle's locks (the
	// server's metrics); nil tells nobody.
	SignIns observe.SignIns
	// Now is the clock (time.Now when nil); tests fix it.
	Now func() time.Time
	// Logger gets internal errors and panics with their request id (never
	// client data).
	Logger *slog.Logger
	// Introspection lets clients ask for the schema (the IDE needs it).
	Introspection bool
	// TrustedDocumentsOnly refuses every document that is not one of
	// package operations' (trusted.go).
	TrustedDocumentsOnly bool
	// ComplexityLimit caps an operation's cost, paged fields counting their
	// page size times their selections (0: DefaultMaxComplexity).
	ComplexityLimit int
	// MaxDepth caps how deep an operation's fields nest (0: DefaultMaxDepth).
	MaxDepth int
	// MaxAliases caps an operation's aliased fields (0: DefaultMaxAliases).
	MaxAliases int
	// MaxRootFields caps an operation's root fields (0: DefaultMaxRootFields).
	MaxRootFields int
	// MaxTokens caps the tokens of a request's document (0: DefaultMaxTokens).
	MaxTokens int
	// TracerProvider, if set, traces operations and resolvers (tracing.go).
	TracerProvider trace.TracerProvider
}

// withDefaults fills in what was left zero.
func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = func() time.Time { return time.Now().UTC() }
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Sessions == nil && o.Issuer != nil {
		o.Sessions = auth.NewSessions(o.Issuer, 0)
	}
	if o.Throttle == nil {
		o.Throttle = auth.NewLoginThrottle(nil, auth.LoginLimits{})
	}
	o.ComplexityLimit = orDefault(o.ComplexityLimit, DefaultMaxComplexity)
	o.MaxDepth = orDefault(o.MaxDepth, DefaultMaxDepth)
	o.MaxAliases = orDefault(o.MaxAliases, DefaultMaxAliases)
	o.MaxRootFields = orDefault(o.MaxRootFields, DefaultMaxRootFields)
	o.MaxTokens = orDefault(o.MaxTokens, DefaultMaxTokens)
	return o
}

func orDefault(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// newResolver is the composition root: the resolvers and the workflows'
// service they call, which reads the rules from the operation's facts.
func newResolver(o Options) *Resolver {
	r := &Resolver{db: o.DB, driver: o.Driver, now: o.Now, log: o.Logger}
	r.workflow = workflow.New(workflow.Options{
		DB:       o.DB,
		Facts:    func(ctx context.Context) workflow.Facts { return r.facts(ctx) },
		Sessions: o.Sessions,
		Throttle: o.Throttle,
		TOTP:     o.TOTP,
		SignIns:  o.SignIns,
		Now:      o.Now,
		Logger:   o.Logger,
	})
	return r
}

// NewSchema returns the executable schema (tests read its types).
func NewSchema(o Options) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{Resolvers: newResolver(o.withDefaults())})
}
