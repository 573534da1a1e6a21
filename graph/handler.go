package graph

import (
	"context"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/facts"
)

// HandlerOptions configure the GraphQL HTTP handler.
type HandlerOptions struct {
	// Client is the ent client.
	Client *ent.Client
	// Driver is the ent driver under Client (practiceMetrics runs SQL on it).
	Driver dialect.Driver
	// Issuer signs the tokens of login.
	Issuer *auth.Issuer
	// Sessions issue, rotate and revoke refresh tokens (from Issuer when nil).
	Sessions *auth.Sessions
	// Throttle limits failed sign-ins (default limits when nil).
	Throttle *auth.LoginThrottle
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Logger gets internal errors and panics with their request id.
	Logger *slog.Logger
	// Introspection lets clients ask for the schema (the IDE needs it).
	Introspection bool
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
}

// NewHandler builds the GraphQL handler explicitly: transports, query cache,
// persisted queries, limits, one transaction per mutation, the viewer check,
// the error presenter and the recover func.
func NewHandler(opts HandlerOptions) *handler.Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	opts.ComplexityLimit = orDefault(opts.ComplexityLimit, DefaultMaxComplexity)
	opts.MaxDepth = orDefault(opts.MaxDepth, DefaultMaxDepth)
	opts.MaxAliases = orDefault(opts.MaxAliases, DefaultMaxAliases)
	opts.MaxRootFields = orDefault(opts.MaxRootFields, DefaultMaxRootFields)
	opts.MaxTokens = orDefault(opts.MaxTokens, DefaultMaxTokens)
	now := opts.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	if opts.Throttle == nil {
		opts.Throttle = auth.NewLoginThrottle(nil, auth.LoginLimits{})
	}
	srv := handler.New(NewSchema(Options{Client: opts.Client, Driver: opts.Driver, Issuer: opts.Issuer, Sessions: opts.Sessions, Throttle: opts.Throttle, Now: opts.Now, Logger: opts.Logger}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	// First, so outermost of the response interceptors.
	srv.AroundResponses(withoutOperation)
	srv.SetParserTokenLimit(opts.MaxTokens)
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.SetDisableSuggestion(true)
		srv.Use(NoIntrospection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	// The shape of the operation, cheapest checks first; all before any SQL.
	srv.Use(DepthLimit{Max: opts.MaxDepth})
	srv.Use(RootFieldLimit{Max: opts.MaxRootFields})
	srv.Use(AliasLimit{Max: opts.MaxAliases})
	srv.Use(ConnectionBounds{})
	srv.Use(CursorCheck{})
	srv.Use(ComplexityLimit{Max: opts.ComplexityLimit})
	srv.Use(Transactions{Client: opts.Client, Now: now, Log: opts.Logger})
	srv.AroundRootFields(RequireViewer)
	// Identifying fields: FORBIDDEN to analysts, an audit event otherwise.
	srv.Use(&PHIFilters{})
	srv.AroundFields(GuardPHI)
	// One store of facts per operation (see facts): the interceptor fills it
	// with what the operation reads, the rules load from it in bulk.
	opts.Client.Intercept(facts.RegisterReads(), auditColumns())
	// Before the mutation's transaction (Transactions) begins.
	srv.AroundOperations(CheckPasswordsEarly(opts.Client, opts.Throttle, now))
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		f := facts.New(opts.Client, opts.Driver.Dialect(), now)
		primeFacts(ctx, f)
		return next(facts.NewContext(ctx, f))
	})
	srv.SetErrorPresenter(ErrorPresenter(opts.Logger))
	srv.SetRecoverFunc(Recover(opts.Logger))
	return srv
}

// withoutOperation answers a request that never became an operation (its
// body is not a GraphQL request: not JSON, an array, a query that is not a
// string) with its errors alone, past the response interceptors registered
// after it, which expect an operation on the context.
func withoutOperation(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return &graphql.Response{Errors: graphql.GetErrors(ctx)}
	}
	return next(ctx)
}

func orDefault(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}
