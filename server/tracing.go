package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// OpenTelemetry's environment variables that turn tracing on or off. The
// exporter reads the rest of OTEL_EXPORTER_OTLP_* itself (headers, timeout,
// compression, certificates), the SDK OTEL_TRACES_SAMPLER(_ARG), and the
// resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
const (
	envOTLPEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envOTLPTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	envOTLPProtocol       = "OTEL_EXPORTER_OTLP_PROTOCOL"
	envOTLPTracesProtocol = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	envTracesExporter     = "OTEL_TRACES_EXPORTER"
	envSDKDisabled        = "OTEL_SDK_DISABLED"
)

// serviceName is the resource's service.name unless OTEL_SERVICE_NAME says otherwise.
const serviceName = "caseload"

// tracesEndpoint returns the URL the server posts its spans to (OTLP over
// HTTP with protobuf), or "" when tracing is off: no endpoint is configured,
// OTEL_SDK_DISABLED is true or OTEL_TRACES_EXPORTER is none. The URL is
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, or
// OTEL_EXPORTER_OTLP_ENDPOINT with /v1/traces appended, as the
// specification says.
func tracesEndpoint(getenv func(string) string) (string, error) {
	if s := getenv(envSDKDisabled); s != "" {
		off, err := strconv.ParseBool(s)
		if err != nil {
			return "", fmt.Errorf("%s must be true or false, got %q", envSDKDisabled, s)
		}
		if off {
			return "", nil
		}
	}
	switch e := strings.TrimSpace(getenv(envTracesExporter)); e {
	case "", "otlp":
	case "none":
		return "", nil
	default:
		return "", fmt.Errorf("%s: the server exports traces over OTLP only (otlp or none), got %q", envTracesExporter, e)
	}
	for _, name := range []string{envOTLPTracesProtocol, envOTLPProtocol} {
		if p := getenv(name); p != "" {
			if p != "http/protobuf" {
				return "", fmt.Errorf("%s: the server sends OTLP over HTTP with protobuf (http/protobuf), got %q", name, p)
			}
			break
		}
	}
	endpoint, name := getenv(envOTLPTracesEndpoint), envOTLPTracesEndpoint
	if endpoint == "" && getenv(envOTLPEndpoint) != "" {
		endpoint, name = strings.TrimSuffix(getenv(envOTLPEndpoint), "/")+"/v1/traces", envOTLPEndpoint
	}
	if endpoint == "" {
		return "", nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s must be an http:// or https:// URL such as http://localhost:4318, got %q", name, getenv(name))
	}
	return endpoint, nil
}

// openTracing starts the tracer provider that exports to
// Config.TracesEndpoint; without one, tracing stays off and costs nothing:
// no provider, no exporter, and no instrumentation installed.
func (m *Main) openTracing(ctx context.Context) error {
	if m.Config.TracesEndpoint == "" || m.TracerProvider != nil {
		return nil
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(m.Config.TracesEndpoint))
	if err != nil {
		return fmt.Errorf("starting the OTLP trace exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(serviceName), semconv.ServiceVersion(releaseVersion())),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return fmt.Errorf("reading OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	tp := newTracerProvider(exp, res)
	m.TracerProvider, m.stopTracing = tp, tp.Shutdown
	m.Logger.Info("exporting traces", "endpoint", m.Config.TracesEndpoint)
	return nil
}

// closeTracing flushes the spans not yet exported and stops the exporter,
// waiting at most 5 seconds for an unreachable collector.
func (m *Main) closeTracing() error {
	if m.stopTracing == nil {
		return nil
	}
	stop := m.stopTracing
	m.stopTracing = nil
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := stop(ctx); err != nil {
		m.Logger.Warn("flushing traces failed: the last spans are lost", "error", err.Error())
		return fmt.Errorf("flushing traces: %w", err)
	}
	return nil
}

// newTracerProvider returns a tracer provider that batches spans to exp,
// past the filter that withholds what identifies a person (withheld).
func newTracerProvider(exp sdktrace.SpanExporter, res *resource.Resource) *sdktrace.TracerProvider {
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(withholding{exp}), sdktrace.WithResource(res))
}

// traced gives each request a server span named by its route ("POST
// /graphql", "GET /"), with the request id of its log line: the outermost
// layer, so the span times all of it. W3C trace context headers continue a
// caller's trace (a proxy's). Without a tracer provider it is next itself.
func (m *Main) traced(mux *http.ServeMux, next http.Handler) http.Handler {
	if m.TracerProvider == nil {
		return next
	}
	route := func(r *http.Request) string {
		_, pattern := mux.Handler(r)
		if _, path, ok := strings.Cut(pattern, " "); ok {
			return path
		}
		return pattern
	}
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		trace.SpanFromContext(r.Context()).SetAttributes(
			semconv.HTTPRoute(route(r)),
			attribute.String("caseload.request_id", w.Header().Get("X-Request-ID")),
		)
	})
	return otelhttp.NewHandler(inner, "http",
		otelhttp.WithTracerProvider(m.TracerProvider),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + route(r) }),
	)
}

// withheld are the span attributes the instrumentation libraries record
// that the server never exports: who is calling from where (the audit log
// keeps that, in the practice's own database), and error messages, which
// may quote a value of the request (a client's name in a refused write).
var withheld = map[attribute.Key]bool{
	semconv.ClientAddressKey:       true,
	semconv.NetworkPeerAddressKey:  true,
	semconv.NetworkPeerPortKey:     true,
	semconv.UserAgentOriginalKey:   true,
	"http.client_ip":               true,
	semconv.ExceptionMessageKey:    true,
	semconv.ExceptionStacktraceKey: true,
}

// withholding is an exporter that exports its spans without the withheld
// attributes, on the spans and on their events.
type withholding struct{ sdktrace.SpanExporter }

func (e withholding) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	out := make([]sdktrace.ReadOnlySpan, len(spans))
	for i, s := range spans {
		out[i] = withheldSpan{s}
	}
	return e.SpanExporter.ExportSpans(ctx, out)
}

type withheldSpan struct{ sdktrace.ReadOnlySpan }

func (s withheldSpan) Attributes() []attribute.KeyValue { return without(s.ReadOnlySpan.Attributes()) }

func (s withheldSpan) Events() []sdktrace.Event {
	events := s.ReadOnlySpan.Events()
	out := make([]sdktrace.Event, len(events))
	for i, e := range events {
		e.Attributes = without(e.Attributes)
		out[i] = e
	}
	return out
}

func without(attrs []attribute.KeyValue) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, len(attrs))
	for _, a := range attrs {
		if !withheld[a.Key] {
			out = append(out, a)
		}
	}
	return out
}
