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
	r := newResolver(opts)
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r}))

	// The request pipeline, in the order a request meets it. Registration
	// order matters within each kind of interceptor; keep it.

	// 1. Transport and parse: GET, POST, the query cache, the token limit,
	// introspection (or none), persisted queries. Every response's
	// operation and error codes are recorded for the log line and the
	// metrics (observe.go), and a body that never becomes an operation is
	// answered with its errors alone (first, so outermost).
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if opts.TracerProvider != nil {
		srv.Use(NewTracing(opts.TracerProvider)) // tracing.go: outermost, so its spans hold the rest
	}
	srv.AroundResponses(recordOperation)
	srv.AroundResponses(withoutOperation)
	srv.SetParserTokenLimit(opts.MaxTokens)
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.SetDisableSuggestion(true)
		srv.Use(NoIntrospection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})

	// 2. The shape of the operation (limits.go, shape.go, cursors.go),
	// cheapest checks first: all before any SQL.
	srv.Use(DepthLimit{Max: opts.MaxDepth})
	srv.Use(RootFieldLimit{Max: opts.MaxRootFields})
	srv.Use(AliasLimit{Max: opts.MaxAliases})
	srv.Use(ConnectionBounds{})
	srv.Use(CursorCheck{})
	srv.Use(ComplexityLimit{Max: opts.ComplexityLimit})

	// 3. The operation (txn.go, audit.go): a mutation's idempotency key and
	// its one transaction, the audit events of every operation.
	srv.Use(Transactions{DB: opts.DB, Now: opts.Now, Log: opts.Logger})

	// 4. Each root field needs a viewer (limits.go); each field that
	// identifies a person is FORBIDDEN to analysts and audited otherwise, and
	// so is filtering by one (phi.go).
	srv.AroundRootFields(RequireViewer)
	srv.Use(&PHIFilters{})
	srv.AroundFields(GuardPHI)

	// 5. What the resolvers read with: the store of facts each operation
	// gets (facts.go), filled by an ent interceptor with what it reads, and
	// a login's password compared before the mutation's transaction begins
	// (session.go).
	opts.DB.Intercept(facts.RegisterReads(), auditColumns())
	srv.AroundOperations(CheckPasswordsEarly(r.workflow))
	srv.AroundOperations(withFacts(opts.DB, opts.Driver.Dialect(), opts.Now))

	// 6. Errors: one presenter maps every error to the contract's codes.
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
