package graph

import (
	"context"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/viewer"
)

// NewHandler builds the GraphQL handler explicitly: transports, query cache,
// persisted queries, limits, one transaction per mutation, the viewer check,
// the error presenter and the recover func.
//
// It is two servers over one resolver: one for requests with a signed-in
// user (the auth middleware has put a viewer on the context), one for the
// rest. Staff may always read the schema, so that the IDE documents it in
// production too; the anonymous get introspection only when the server
// allows it (Options.Introspection), and never a "Did you mean" suggestion,
// which would spell the schema out to a stranger one guess at a time.
func NewHandler(opts Options) http.Handler {
	opts = opts.withDefaults()
	r := newResolver(opts)
	// What the resolvers read with (step 5 below): the ent interceptors
	// that fill the store of facts and the audit, once for both servers.
	opts.DB.Intercept(facts.RegisterReads(), auditColumns())
	// And what they write with: the hook that records what each update
	// changed, for the mutation's audit event (audit_changes.go).
	opts.DB.Use(auditChanges())
	trusted := NewTrustedDocuments(opts.TrustedDocumentsOnly)
	staff := newServer(r, opts, trusted, true)
	public := newServer(r, opts, trusted, false)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if viewer.FromContext(req.Context()) != nil {
			staff.ServeHTTP(w, req)
			return
		}
		public.ServeHTTP(w, req)
	})
}

// newServer builds one of NewHandler's servers: for the signed-in (staff)
// or for anonymous requests.
func newServer(r *Resolver, opts Options, trusted *TrustedDocuments, staff bool) *handler.Server {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r}))

	// The request pipeline, in the order a request meets it. Registration
	// order matters within each kind of interceptor; keep it.

	// 1. Transport and parse: GET, POST, the query cache, the token limit,
	// introspection (or none), the trusted documents (trusted.go) and
	// persisted queries. Every response's operation and error codes are
	// recorded for the log line and the metrics (observe.go), and a body
	// that never becomes an operation is answered with its errors alone
	// (first, so outermost).
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
	if staff || opts.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(NoIntrospection{})
	}
	srv.SetDisableSuggestion(!staff)
	srv.Use(trusted)
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})

	// 2. The shape of the operation and the bounds of its inputs
	// (limits.go, shape.go, cursors.go, inputs.go), cheapest checks first:
	// all before any SQL.
	srv.Use(DepthLimit{Max: opts.MaxDepth})
	srv.Use(RootFieldLimit{Max: opts.MaxRootFields})
	srv.Use(AliasLimit{Max: opts.MaxAliases})
	srv.Use(ArgumentChecks{})
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
	// gets (facts.go), filled by the ent interceptor NewHandler registers, and
	// a login's password compared before the mutation's transaction begins
	// (session.go).
	srv.AroundOperations(CheckPasswordsEarly(r.workflow))
	srv.AroundOperations(withFacts(opts.DB, opts.Driver.Dialect(), opts.Now))

	// 6. Errors: one presenter maps every error to the contract's codes.
	present := ErrorPresenter(opts.Logger)
	if !staff {
		present = withoutSuggestions(present)
	}
	srv.SetErrorPresenter(present)
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

// withoutSuggestions cuts the "Did you mean ...?" that the validator still
// adds, with suggestions off, to an unknown argument, input field, enum
// value or type.
func withoutSuggestions(present graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		e := present(ctx, err)
		if before, _, found := strings.Cut(e.Message, " Did you mean "); found {
			e.Message = before
		}
		return e
	}
}
