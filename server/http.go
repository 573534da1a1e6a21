package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/ide"
	"github.com/caseload/caseload/internal/observe"
	"github.com/caseload/caseload/internal/observe/prom"
	"github.com/caseload/caseload/internal/reqid"
	"github.com/caseload/caseload/internal/sqlcount"
)

// maxBodyBytes bounds a GraphQL request body.
const maxBodyBytes = 1 << 20

// Handler returns the HTTP routes of the server.
func (m *Main) Handler() http.Handler {
	gql := graph.NewHandler(graph.Options{
		DB:            m.DB.Ent,
		Driver:        m.DB.Driver,
		Issuer:        m.Issuer,
		Sessions:      m.Sessions,
		Throttle:      m.Throttle,
		TOTP:          m.TOTP,
		SignIns:       m.metrics(),
		Now:           m.Now,
		Logger:        m.Logger,
		Introspection: m.Config.Introspection,

		TrustedDocumentsOnly: m.Config.TrustedDocumentsOnly,

		ComplexityLimit: m.Config.MaxComplexity,
		MaxDepth:        m.Config.MaxDepth,
		MaxAliases:      m.Config.MaxAliases,
		MaxRootFields:   m.Config.MaxRootFields,
		MaxTokens:       m.Config.MaxTokens,

		TracerProvider: m.TracerProvider,
	})
	authn := &auth.Authenticator{Issuer: m.Issuer, DB: m.DB.Ent}

	mux := http.NewServeMux()
	mux.Handle("/graphql", cors(m.Config.CORSOrigins, noStore(limitBody(persistedGET(authn.Middleware(unavailableStatus(gql)))))))
	mux.Handle("/metrics.csv", cors(m.Config.CORSOrigins, noStore(authn.Middleware(unavailableStatus(http.HandlerFunc(m.metricsCSV))))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", m.ready)
	mux.Handle("/", ide.Handler("/graphql", ide.WithNotice(m.setupNotice)))
	return m.traced(mux, m.withRequestID(m.recoverPanics(securityHeaders(m.withTimeout(mux)))))
}

// withTimeout bounds every request's context by Config.RequestTimeout
// (0: none): whatever waits on the database (a connection from the pool, a
// statement) gives up then, and the request answers UNAVAILABLE, instead
// of hanging as long as a frozen database does.
func (m *Main) withTimeout(next http.Handler) http.Handler {
	d := m.Config.RequestTimeout
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// unavailableStatus answers 503 with Retry-After, instead of 200, a
// GraphQL response with an UNAVAILABLE error (the database could not be
// reached: graph/errors.go), so that clients back off and retry, load
// balancers and alerts see a server error, and nobody is signed out.
func unavailableStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&unavailableWriter{ResponseWriter: w, record: observe.FromContext(r.Context())}, r)
	})
}

type unavailableWriter struct {
	http.ResponseWriter
	record *observe.Request
	wrote  bool
}

func (u *unavailableWriter) WriteHeader(status int) {
	if !u.wrote {
		u.wrote = true
		if status == http.StatusOK && slices.Contains(u.record.Summary().Codes, string(caseload.CodeUnavailable)) {
			u.Header().Set("Retry-After", strconv.Itoa(caseload.RetryAfterUnavailable))
			status = http.StatusServiceUnavailable
		}
	}
	u.ResponseWriter.WriteHeader(status)
}

func (u *unavailableWriter) Write(p []byte) (int, error) {
	if !u.wrote {
		u.WriteHeader(http.StatusOK)
	}
	return u.ResponseWriter.Write(p)
}

// Flush lets a streaming response (the CSV export) flush through.
func (u *unavailableWriter) Flush() {
	if f, ok := u.ResponseWriter.(http.Flusher); ok {
		if !u.wrote {
			u.WriteHeader(http.StatusOK)
		}
		f.Flush()
	}
}

// CodePersistedQueryRequired refuses a GET request that carries a query's
// text.
const CodePersistedQueryRequired = "PERSISTED_QUERY_REQUIRED"

// persistedGET lets a GET request run only a persisted or trusted document,
// named by its hash (extensions.persistedQuery.sha256Hash): a URL ends up in
// proxy logs and browser history, and a query's text there would hold
// whatever the user searched for. The query text goes in a POST body.
// (gqlgen already refuses a mutation over GET.)
func persistedGET(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Query().Has("query") {
			writeGraphQLError(w, r, http.StatusBadRequest, CodePersistedQueryRequired,
				"a GET request runs only a persisted or trusted document sent by its hash (extensions.persistedQuery.sha256Hash), never a query's text, which would end up in proxy logs and browser history: POST the query instead")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ReadyPingTimeout bounds the database ping of /readyz: with the rest of
// the answer it stays within the two seconds a probe allows.
const ReadyPingTimeout = 1500 * time.Millisecond

// ready answers 200 when the database answers a ping within
// ReadyPingTimeout, and 503 once shutdown has begun (the process still
// finishes its requests). The ping runs apart from the request: a ping
// blocked on a frozen connection is abandoned at the deadline, and the
// probe is answered in time anyway.
func (m *Main) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), ReadyPingTimeout)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if m.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "draining")
		return
	}
	pinged := make(chan error, 1)
	go func() { pinged <- m.DB.SQL.PingContext(ctx) }()
	var err error
	select {
	case err = <-pinged:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		m.Logger.WarnContext(ctx, "readiness check failed", "request_id", reqid.FromContext(ctx), "error", err.Error())
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database unavailable")
		return
	}
	fmt.Fprintln(w, "ready")
}

// withRequestID gives every request an id of its own (internal/reqid: the
// audit log's and the log line's; a caller's X-Request-ID is kept only as
// the line's client_request_id, cleaned and capped), returns it in the
// response, counts its SQL statements, puts a
// record on its context for the inner layers to say what it was
// (internal/observe), and when it is answered logs one line and counts it in
// the metrics. The line has the method, path, status, duration in
// milliseconds, statements, the GraphQL operation's name and type, the
// viewer's user and practice ids and the first error code: never the query,
// variables, headers or a name or email. With ExposeStatementCount the
// count is also the X-SQL-Statements response header.
func (m *Main) withRequestID(next http.Handler) http.Handler {
	metrics := m.metrics()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := reqid.New()
		hint := reqid.ClientHint(r.Header.Get("X-Request-ID"))
		w.Header().Set("X-Request-ID", id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		statements := &sqlcount.Counter{}
		record := &observe.Request{}
		ctx := reqid.WithOrigin(reqid.NewContext(r.Context(), id), reqid.Origin{Address: auth.ClientAddress(r, m.Config.TrustProxy), UserAgent: r.UserAgent()})
		ctx = observe.NewContext(sqlcount.NewContext(ctx, statements), record)
		// The mux sets the pattern it matched on this request.
		inner := r.WithContext(ctx)
		if m.Config.ExposeStatementCount {
			held := &heldResponse{ResponseWriter: rec}
			next.ServeHTTP(held, inner)
			held.release(statements.Count())
		} else {
			next.ServeHTTP(rec, inner)
		}
		elapsed := time.Since(start)
		done := record.Summary()
		m.Logger.LogAttrs(r.Context(), levelFor(rec.status), "request",
			slog.String("request_id", id),
			slog.String("client_request_id", hint),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.Int("statements", statements.Count()),
			slog.String("operation", done.Operation),
			slog.String("type", done.Type),
			slog.Int("user_id", done.UserID),
			slog.Int("practice_id", done.PracticeID),
			slog.String("code", done.Code()),
			slog.Int("errors", len(done.Codes)),
			slog.Int("user_errors", len(done.UserErrors)),
		)
		metrics.Observe(prom.Observation{Route: inner.Pattern, Status: rec.status, Duration: elapsed, Statements: statements.Count(), Request: done})
	})
}

// HeaderSQLStatements is the response header with the request's SQL
// statement count (when Config.ExposeStatementCount is on).
const HeaderSQLStatements = "X-SQL-Statements"

// heldResponse holds back the status and body of a response until the
// handler has returned, so that a header can still carry what is only
// known then: the statement count. Only the benchmark turns it on; the
// GraphQL handler writes its response in one piece at the end anyway.
type heldResponse struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (h *heldResponse) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *heldResponse) Write(p []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(p)
}

// release sets the statement count header and sends what was held.
func (h *heldResponse) release(statements int) {
	h.Header().Set(HeaderSQLStatements, strconv.Itoa(statements))
	if h.status == 0 {
		h.status = http.StatusOK
	}
	h.ResponseWriter.WriteHeader(h.status)
	_, _ = h.body.WriteTo(h.ResponseWriter)
}

func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (m *Main) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { //nolint:errorlint // a recovered value, compared as net/http compares it
					panic(v)
				}
				m.Logger.ErrorContext(r.Context(), "panic in handler", "request_id", reqid.FromContext(r.Context()), "panic", fmt.Sprint(v))
				http.Error(w, "internal error, request id "+reqid.FromContext(r.Context()), http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// noStore keeps clinical data out of browser and proxy caches.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// CodeRequestTooLarge is the extensions.code of a request body over maxBodyBytes.
const CodeRequestTooLarge = "REQUEST_TOO_LARGE"

// limitBody refuses a request body over maxBodyBytes with 413 before
// anything parses it (reading at most one byte more than the limit).
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBodyBytes {
			writeGraphQLError(w, r, http.StatusRequestEntityTooLarge, CodeRequestTooLarge, fmt.Sprintf("the request body is larger than %d bytes", maxBodyBytes))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			writeGraphQLError(w, r, http.StatusRequestEntityTooLarge, CodeRequestTooLarge, fmt.Sprintf("the request body is larger than %d bytes", maxBodyBytes))
			return
		case err != nil:
			writeGraphQLError(w, r, http.StatusBadRequest, "BAD_REQUEST", "the request body could not be read")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// writeGraphQLError answers a request refused before GraphQL sees it in the
// shape of a GraphQL error, and records the code for its log line.
func writeGraphQLError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	observe.FromContext(r.Context()).SetCodes(code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": message, "extensions": map[string]any{"code": code}}}})
}
