package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/internal/facts"
)

// NewHandler builds the GraphQL handler explicitly: transports, query cache,
// persisted queries, limits, one transaction per mutation, the viewer check,
// the error presenter and the recover func.
func NewHandler(opts Options) *handler.Server {
	opts = opts.withDefaults()
	now := opts.Now
	r := newResolver(opts)
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r}))
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
	srv.Use(Transactions{DB: opts.DB, Now: now, Log: opts.Logger})
	srv.AroundRootFields(RequireViewer)
	// Identifying fields: FORBIDDEN to analysts, an audit event otherwise.
	srv.Use(&PHIFilters{})
	srv.AroundFields(GuardPHI)
	// One store of facts per operation (see facts): the interceptor fills it
	// with what the operation reads, the rules load from it in bulk.
	opts.DB.Intercept(facts.RegisterReads(), auditColumns())
	// Before the mutation's transaction (Transactions) begins.
	srv.AroundOperations(CheckPasswordsEarly(r.workflow))
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		f := facts.New(opts.DB, opts.Driver.Dialect(), now)
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
