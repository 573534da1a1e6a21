// Package prom is the server's Prometheus metrics: one registry per server
// (tests build many servers in one process), served on the admin listener
// only. docs/observability.md lists every metric; TestMetricNames in the
// server checks that list against what is served.
package prom

import (
	"database/sql"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/caseload/caseload/internal/observe"
)

// MaxOperationNames bounds the distinct values of the operation label: the
// names are the clients' choice, so past this many the rest are counted as
// OperationOther.
const MaxOperationNames = 200

// Label values that are not an operation's own name.
const (
	// OperationAnonymous is an operation without a name.
	OperationAnonymous = "anonymous"
	// OperationOther is a name past MaxOperationNames, or one longer than 64
	// characters.
	OperationOther = "other"
	// OperationNone is a request that never became an operation (its body
	// or document does not parse, it names no operation of its document);
	// its type label is "none" too.
	OperationNone = "none"
	// CodeOK is the code label of an operation without errors.
	CodeOK = "OK"
)

// Metrics holds the collectors of one server.
type Metrics struct {
	registry *prometheus.Registry

	httpRequests   *prometheus.CounterVec
	httpDuration   *prometheus.HistogramVec
	operations     *prometheus.CounterVec
	opDuration     *prometheus.HistogramVec
	errors         *prometheus.CounterVec
	userErrors     *prometheus.CounterVec
	statements     *prometheus.HistogramVec
	signInFailures *prometheus.CounterVec
	lockouts       *prometheus.CounterVec
	auditPruned    prometheus.Counter

	names operationNames
}

// New returns the metrics of a server whose connection pool is db, named
// dbName in the pool's metrics (the go_sql_* of the DB stats collector),
// with the Go runtime's and the process's collectors.
func New(db *sql.DB, dbName string) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caseload_http_requests_total",
			Help: "HTTP requests answered, by route (the pattern that matched, \"unmatched\" for none) and status code.",
		}, []string{"route", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "caseload_http_request_duration_seconds",
			Help:    "Time from a request's arrival to its answer, by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caseload_graphql_operations_total",
			Help: "GraphQL operations answered, by operation name, type and the code of the first error, else of the first userError (OK without either).",
		}, []string{"operation", "type", "code"}),
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "caseload_graphql_operation_duration_seconds",
			Help:    "Time to answer a GraphQL request, by operation name and type.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation", "type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caseload_graphql_errors_total",
			Help: "Errors in GraphQL responses (and requests refused before GraphQL), by extensions.code.",
		}, []string{"code"}),
		userErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caseload_graphql_user_errors_total",
			Help: "userErrors in mutation payloads (refusals the user can fix, nothing written), by code.",
		}, []string{"code"}),
		statements: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "caseload_sql_statements_per_request",
			Help:    "SQL statements one GraphQL request sent, by operation name and type.",
			Buckets: []float64{0, 1, 2, 5, 10, 20, 50, 100, 200, 500},
		}, []string{"operation", "type"}),
		signInFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caseload_signin_failures_total",
			Help: "Failed sign-ins and token refreshes, by reason.",
		}, []string{"reason"}),
		lockouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caseload_signin_lockouts_total",
			Help: "Locks the sign-in throttle set, by scope: an email (account) or a client address.",
		}, []string{"scope"}),
		auditPruned: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "caseload_audit_events_pruned_total",
			Help: "Audit events deleted by the pruning for being older than the retention period.",
		}),
		names: operationNames{seen: map[string]bool{}},
	}
	// Every reason and scope is shown from the start, at 0, so that a rate
	// over them needs no first failure.
	for _, r := range observe.SignInFailures {
		m.signInFailures.WithLabelValues(string(r))
	}
	for _, s := range []observe.LockoutScope{observe.LockoutAccount, observe.LockoutAddress} {
		m.lockouts.WithLabelValues(string(s))
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db, dbName),
		m.httpRequests, m.httpDuration, m.operations, m.opDuration,
		m.errors, m.userErrors, m.statements, m.signInFailures, m.lockouts, m.auditPruned,
	)
	return m
}

// Handler serves the metrics in Prometheus's exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Observation is one answered request.
type Observation struct {
	// Route is the ServeMux pattern that matched ("" for none).
	Route string
	// Status is the HTTP status of the answer.
	Status int
	// Duration is the time from arrival to answer.
	Duration time.Duration
	// Statements is how many SQL statements the request sent.
	Statements int
	// Request is what the layers recorded of it.
	Request observe.Summary
}

// Observe counts an answered request: every request by route and status,
// a GraphQL one by operation too.
func (m *Metrics) Observe(o Observation) {
	route := routeLabel(o.Route)
	m.httpRequests.WithLabelValues(route, strconv.Itoa(o.Status)).Inc()
	m.httpDuration.WithLabelValues(route).Observe(o.Duration.Seconds())
	for _, c := range o.Request.Codes {
		m.errors.WithLabelValues(codeLabel(c)).Inc()
	}
	for _, c := range o.Request.UserErrors {
		m.userErrors.WithLabelValues(codeLabel(c)).Inc()
	}
	if !o.Request.GraphQL {
		return
	}
	op, typ := OperationNone, "none"
	if o.Request.Type != "" {
		op, typ = m.names.label(o.Request.Operation), o.Request.Type
	}
	code := CodeOK
	if c := o.Request.Code(); c != "" {
		code = codeLabel(c)
	}
	m.operations.WithLabelValues(op, typ, code).Inc()
	m.opDuration.WithLabelValues(op, typ).Observe(o.Duration.Seconds())
	m.statements.WithLabelValues(op, typ).Observe(float64(o.Statements))
}

// SignInFailed counts a failed sign-in or refresh (observe.SignIns).
func (m *Metrics) SignInFailed(reason observe.SignInFailure) {
	m.signInFailures.WithLabelValues(string(reason)).Inc()
}

// LockedOut counts a lock set by the sign-in throttle (observe.SignIns).
func (m *Metrics) LockedOut(scope observe.LockoutScope) {
	m.lockouts.WithLabelValues(string(scope)).Inc()
}

// AuditPruned counts audit events the retention pruning deleted.
func (m *Metrics) AuditPruned(n int) {
	m.auditPruned.Add(float64(n))
}

// routeLabel is a ServeMux pattern without its method: "GET /healthz" is
// "/healthz"; no pattern is "unmatched". Patterns are the server's own, so
// their number is bounded.
func routeLabel(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

var validCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)

// codeLabel is an error code as a label: the codes are the server's own,
// but anything not shaped like one is counted as OTHER.
func codeLabel(code string) string {
	if validCode.MatchString(code) {
		return code
	}
	return "OTHER"
}

// operationNames hands out the operation label: a client's operation name
// as it is, for the first MaxOperationNames distinct names of a process.
type operationNames struct {
	mu   sync.Mutex
	seen map[string]bool
}

var validName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)

func (n *operationNames) label(name string) string {
	if name == "" {
		return OperationAnonymous
	}
	if !validName.MatchString(name) {
		return OperationOther
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.seen[name] {
		if len(n.seen) >= MaxOperationNames {
			return OperationOther
		}
		n.seen[name] = true
	}
	return name
}
