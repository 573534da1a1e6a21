package graph

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/auth"
)

// HandlerOptions configure the GraphQL HTTP handler.
type HandlerOptions struct {
	// Client is the ent client.
	Client *ent.Client
	// Issuer signs the tokens of login.
	Issuer *auth.Issuer
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Logger gets internal errors and panics with their request id.
	Logger *slog.Logger
	// Introspection lets clients ask for the schema (the IDE needs it).
	Introspection bool
	// ComplexityLimit caps the fields an operation may resolve (0: 5000).
	ComplexityLimit int
}

// NewHandler builds the GraphQL handler explicitly: transports, query cache,
// persisted queries, limits, one transaction per mutation, the viewer check,
// the error presenter and the recover func.
func NewHandler(opts HandlerOptions) *handler.Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ComplexityLimit == 0 {
		opts.ComplexityLimit = 5000
	}
	now := opts.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	srv := handler.New(NewSchema(Options{Client: opts.Client, Issuer: opts.Issuer, Now: opts.Now, Logger: opts.Logger}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(15000)
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.SetDisableSuggestion(true)
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(extension.FixedComplexityLimit(opts.ComplexityLimit))
	srv.Use(ConnectionBounds{})
	srv.Use(Transactions{Client: opts.Client, Now: now, Log: opts.Logger})
	srv.AroundRootFields(RequireViewer)
	// One store of facts per operation (see facts): the interceptor fills it
	// with what the operation reads, the rules load from it in bulk.
	opts.Client.Intercept(registerReads())
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(withFacts(ctx, newFacts(opts.Client, now)))
	})
	srv.SetErrorPresenter(ErrorPresenter(opts.Logger))
	srv.SetRecoverFunc(Recover(opts.Logger))
	return srv
}
