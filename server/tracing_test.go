package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/caseload/caseload/internal/testdb"
)

// tracedServer is an API server whose spans go to an in-memory exporter,
// through the same provider and attribute filter Main.openTracing builds.
func tracedServer(t *testing.T, dialectName string) (*apiServer, func() tracetest.SpanStubs, func()) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := newTracerProvider(exp, resource.Empty())
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	s := newTracedAPIServer(t, dialectName, tp)
	spans := func() tracetest.SpanStubs {
		if err := tp.ForceFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
		return exp.GetSpans()
	}
	reset := func() {
		spans()
		exp.Reset()
	}
	return s, spans, reset
}

// The spans of one operation: the HTTP request's, the operation's named
// after it, a span per resolver beneath it, and the SQL statements', all in
// one trace; and no span tells anything of a client, the token or the
// variables.
func TestTracesOfAnOperation(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s, spans, reset := tracedServer(t, d)
		f := s.seedPractice("Traced", "traced.example")
		secret := []string{"Zephyrine", "Quillfeather", "zephyrine.q@mail.example", "+1 555 0199 321", "1987-06-05",
			"Sentinel note: panic attacks since the accident", "needle_7f3a9c"}
		client := f.ownClients[0]
		must(client.Update().SetFirstName(secret[0]).SetLastName(secret[1]).SetEmail(secret[2]).SetPhone(secret[3]).
			SetDateOfBirth(time.Date(1987, time.June, 5, 0, 0, 0, 0, time.UTC)).Save(sys()))
		must(s.main.DB.Ent.Document.Create().SetPracticeID(f.practice.ID).SetClientID(client.ID).SetAuthorID(f.clinicianUser.ID).
			SetKind("PROGRESS_NOTE").SetBody(secret[5]).Save(sys()))
		token := s.token(f.clinicianUser)
		secret = append(secret, token)
		reset()

		data := s.mustDo(token, `query ClientChart($needle: String!) {
			me { clinician { caseloadHealth { status } } }
			clients(first: 10, where: {lastNameNEQ: $needle}) { edges { node {
				id firstName lastName email phone dateOfBirth strikeCount
				documents(first: 5) { edges { node { body } } } } } } }`, map[string]any{"needle": secret[6]})
		if !strings.Contains(toJSON(data), secret[5]) {
			t.Fatalf("the operation did not read the note: %s", toJSON(data))
		}
		got := spans()

		httpSpan := only(t, got, func(s tracetest.SpanStub) bool { return s.SpanKind == trace.SpanKindServer })
		if httpSpan.Name != "POST /graphql" || attr(httpSpan.Attributes, "http.route") != "/graphql" ||
			attr(httpSpan.Attributes, "http.response.status_code") != "200" || attr(httpSpan.Attributes, "caseload.request_id") == "" {
			t.Errorf("HTTP span %q %v", httpSpan.Name, httpSpan.Attributes)
		}
		op := only(t, got, func(s tracetest.SpanStub) bool { return s.Name == "query ClientChart" })
		if attr(op.Attributes, "graphql.operation.name") != "ClientChart" || attr(op.Attributes, "graphql.operation.type") != "query" {
			t.Errorf("operation span attributes %v", op.Attributes)
		}
		if op.Parent.SpanID() != httpSpan.SpanContext.SpanID() {
			t.Errorf("the operation's span is not a child of the request's")
		}
		root := only(t, got, func(s tracetest.SpanStub) bool { return s.Name == "Query.clients" })
		if root.Parent.SpanID() != op.SpanContext.SpanID() || attr(root.Attributes, "graphql.field.name") != "clients" {
			t.Errorf("root field span: parent %v, attributes %v", root.Parent.SpanID(), root.Attributes)
		}
		derived := only(t, got, func(s tracetest.SpanStub) bool { return s.Name == "Clinician.caseloadHealth" })
		if !descends(got, derived, op) || attr(derived.Attributes, "graphql.field.parent_type") != "Clinician" {
			t.Errorf("derived field span %v, want it under the operation's", derived.Attributes)
		}
		for _, sp := range got {
			switch sp.Name {
			case "Client.firstName", "Document.body":
				t.Errorf("a plain field has a span: %s", sp.Name)
			case "Client.strikeCount":
				t.Errorf("a field of a list's items has a span: %s", sp.Name)
			}
		}
		system := map[string]string{"sqlite3": "sqlite", "postgres": "postgresql"}[d]
		statements, underResolver := 0, 0
		for _, sp := range got {
			if sp.SpanContext.TraceID() != httpSpan.SpanContext.TraceID() {
				t.Errorf("span %s is in another trace", sp.Name)
			}
			if sp.SpanKind != trace.SpanKindClient {
				continue
			}
			statements++
			if attr(sp.Attributes, "db.system.name") != system || attr(sp.Attributes, "db.operation.name") == "" {
				t.Errorf("SQL span %s: %v", sp.Name, sp.Attributes)
			}
			if q := attr(sp.Attributes, "db.query.text"); strings.HasPrefix(q, "SELECT") && sp.Name != "SELECT" {
				t.Errorf("SQL span of %q is named %q", q, sp.Name)
			}
			if descends(got, sp, root) {
				underResolver++
			}
		}
		if statements < 3 || underResolver == 0 {
			t.Errorf("%d SQL spans, %d of them under Query.clients: want the operation's statements", statements, underResolver)
		}
		assertNoSecret(t, got, secret)

		// A refused request: the code on the operation's span, an error
		// status only for INTERNAL; the refused value nowhere.
		reset()
		r := s.do(token, `query Chart($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": encodeID(f.otherClients[0].ID)})
		if r.code() != "NOT_FOUND" {
			t.Fatalf("reading another caseload's client: %+v", r.Errors)
		}
		got = spans()
		op = only(t, got, func(s tracetest.SpanStub) bool { return s.Name == "query Chart" })
		if attr(op.Attributes, "graphql.error.codes") != `["NOT_FOUND"]` || op.Status.Code == codes.Error {
			t.Errorf("operation span of a refusal: %v, status %v", op.Attributes, op.Status)
		}
		// A document that never becomes an operation: the code on the
		// request's span.
		reset()
		if r := s.do(token, `query Broken { clients(first: 1) { edges { node { `+secret[6]+` } } } }`, nil); r.code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Fatalf("an unknown field: %+v", r.Errors)
		}
		got = spans()
		httpSpan = only(t, got, func(s tracetest.SpanStub) bool { return s.SpanKind == trace.SpanKindServer })
		if attr(httpSpan.Attributes, "graphql.error.codes") != `["GRAPHQL_VALIDATION_FAILED"]` {
			t.Errorf("request span of an invalid document: %v", httpSpan.Attributes)
		}
		assertNoSecret(t, got, secret)
	})
}

// The filter in front of the exporter removes who called from where and
// error messages, on spans and on their events, and keeps the rest.
func TestExportedSpansWithholdAddressesAndErrorMessages(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := newTracerProvider(exp, resource.Empty())
	_, span := tp.Tracer("test").Start(context.Background(), "GET /", trace.WithAttributes(
		attribute.String("client.address", "203.0.113.7"),
		attribute.String("network.peer.address", "203.0.113.7"),
		attribute.Int("network.peer.port", 50123),
		attribute.String("user_agent.original", "Mozilla/5.0"),
		attribute.String("url.path", "/"),
	))
	span.RecordError(fmt.Errorf(`pq: invalid input syntax for type date: "Zephyrine"`))
	span.End()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := exp.GetSpans()
	if len(got) != 1 {
		t.Fatalf("%d spans exported, want 1", len(got))
	}
	if len(got[0].Attributes) != 1 || attr(got[0].Attributes, "url.path") != "/" {
		t.Errorf("exported attributes %v, want url.path alone", got[0].Attributes)
	}
	if len(got[0].Events) != 1 || attr(got[0].Events[0].Attributes, "exception.type") == "" ||
		attr(got[0].Events[0].Attributes, "exception.message") != "" {
		t.Errorf("exported error event %v, want its type without its message", got[0].Events)
	}
	assertNoSecret(t, got, []string{"Zephyrine", "203.0.113.7", "Mozilla"})
}

// only returns the one span that matches, failing the test otherwise.
func only(t *testing.T, spans tracetest.SpanStubs, match func(tracetest.SpanStub) bool) tracetest.SpanStub {
	t.Helper()
	var found []tracetest.SpanStub
	for _, s := range spans {
		if match(s) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		var names []string
		for _, s := range spans {
			names = append(names, s.Name)
		}
		t.Fatalf("%d matching spans, want 1; spans: %v", len(found), names)
	}
	return found[0]
}

// attr returns the value of an attribute as a string ("" when absent).
func attr(attrs []attribute.KeyValue, key string) string {
	for _, a := range attrs {
		if string(a.Key) == key {
			return a.Value.String()
		}
	}
	return ""
}

// descends reports whether span has ancestor among its ancestors.
func descends(spans tracetest.SpanStubs, span, ancestor tracetest.SpanStub) bool {
	byID := map[trace.SpanID]tracetest.SpanStub{}
	for _, s := range spans {
		byID[s.SpanContext.SpanID()] = s
	}
	for p := span.Parent.SpanID(); p.IsValid(); {
		if p == ancestor.SpanContext.SpanID() {
			return true
		}
		next, ok := byID[p]
		if !ok {
			return false
		}
		p = next.Parent.SpanID()
	}
	return false
}

// assertNoSecret fails the test if a span's name, status, attributes or
// events hold any of the secrets.
func assertNoSecret(t *testing.T, spans tracetest.SpanStubs, secrets []string) {
	t.Helper()
	for _, s := range spans {
		texts := []string{s.Name, s.Status.Description}
		for _, a := range s.Attributes {
			texts = append(texts, string(a.Key)+"="+a.Value.String())
		}
		for _, e := range s.Events {
			texts = append(texts, e.Name)
			for _, a := range e.Attributes {
				texts = append(texts, string(a.Key)+"="+a.Value.String())
			}
		}
		for _, text := range texts {
			for _, secret := range secrets {
				if strings.Contains(text, secret) {
					t.Errorf("span %s holds %q: %s", s.Name, secret, text)
				}
			}
		}
	}
}

// Tracing is on when an OTLP endpoint is configured, off otherwise, and a
// setting the server cannot honour is refused with the variable's name.
func TestTracesEndpointFromTheEnvironment(t *testing.T) {
	for _, c := range []struct {
		env       map[string]string
		want, err string
	}{
		{env: nil, want: ""},
		{env: map[string]string{envOTLPEndpoint: "http://collector:4318"}, want: "http://collector:4318/v1/traces"},
		{env: map[string]string{envOTLPEndpoint: "https://collector:4318/"}, want: "https://collector:4318/v1/traces"},
		{env: map[string]string{envOTLPEndpoint: "http://a:4318", envOTLPTracesEndpoint: "http://b:4318/custom"}, want: "http://b:4318/custom"},
		{env: map[string]string{envOTLPEndpoint: "http://a:4318", envSDKDisabled: "true"}, want: ""},
		{env: map[string]string{envOTLPEndpoint: "http://a:4318", envTracesExporter: "none"}, want: ""},
		{env: map[string]string{envOTLPEndpoint: "http://a:4318", envOTLPProtocol: "http/protobuf"}, want: "http://a:4318/v1/traces"},
		{env: map[string]string{envOTLPEndpoint: "http://a:4318", envOTLPProtocol: "grpc"}, err: envOTLPProtocol},
		{env: map[string]string{envOTLPEndpoint: "http://a:4318", envOTLPTracesProtocol: "grpc", envOTLPProtocol: "http/protobuf"}, err: envOTLPTracesProtocol},
		{env: map[string]string{envOTLPEndpoint: "http://a:4318", envTracesExporter: "zipkin"}, err: envTracesExporter},
		{env: map[string]string{envOTLPEndpoint: "http://a:4318", envSDKDisabled: "maybe"}, err: envSDKDisabled},
		{env: map[string]string{envOTLPTracesEndpoint: "collector:4318"}, err: envOTLPTracesEndpoint},
	} {
		got, err := tracesEndpoint(func(k string) string { return c.env[k] })
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%v: %q, %v; want %q, an error naming %q", c.env, got, err, c.want, c.err)
		}
	}
}

// Without an endpoint nothing traces: no provider, no exporter, and no span
// reaches even OpenTelemetry's global provider, where instrumentation
// without a provider of its own would send it.
func TestNoTracingWithoutAnEndpoint(t *testing.T) {
	cfg, err := ParseConfig([]string{"-db", t.TempDir() + "/caseload.db"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Logger: slog.New(slog.DiscardHandler)}
	if err := m.openTracing(context.Background()); err != nil || m.TracerProvider != nil || m.stopTracing != nil {
		t.Fatalf("tracing without an endpoint: %v, provider %v", err, m.TracerProvider)
	}

	rec := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })
	s := newAPIServer(t, dialect.SQLite)
	f := s.seedPractice("Untraced", "untraced.example")
	s.mustDo(s.token(f.clinicianUser), `query Mine { clients(first: 5) { edges { node { strikeCount } } } }`, nil)
	if n := len(rec.Started()); n != 0 {
		t.Errorf("%d spans started with tracing off", n)
	}
}

// With an endpoint, the real command posts its spans to it as OTLP/HTTP
// requests (protobuf, POST /v1/traces) and flushes them when it shuts down:
// a local server implementing that request receives the request's, the
// operation's and the SQL statements' spans, under service.name caseload.
func TestTracesAreExportedOverOTLP(t *testing.T) {
	var mu sync.Mutex
	received := map[string]bool{}
	services := map[string]bool{}
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		req := &coltracepb.ExportTraceServiceRequest{}
		if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" ||
			err != nil || proto.Unmarshal(body, req) != nil {
			t.Errorf("collector got %s %s (%s): %v", r.Method, r.URL.Path, r.Header.Get("Content-Type"), err)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, rs := range req.GetResourceSpans() {
			for _, a := range rs.GetResource().GetAttributes() {
				if a.GetKey() == "service.name" {
					services[a.GetValue().GetStringValue()] = true
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, sp := range ss.GetSpans() {
					received[sp.GetName()] = true
				}
			}
		}
		mu.Unlock()
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	defer collector.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{envOTLPEndpoint: collector.URL}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", addr, "-db", filepath.Join(t.TempDir(), "caseload.db")}, func(k string) string { return env[k] }, io.Discard)
	}()
	base := "http://" + addr
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("server not ready within a minute")
		}
	}
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"query Ping { __typename }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not shut down")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"GET /readyz", "POST /graphql", "query Ping", "CREATE"} {
		if !received[want] {
			t.Errorf("the collector got no %q span; it got %v", want, received)
		}
	}
	if !services[serviceName] {
		t.Errorf("service names %v, want %q", services, serviceName)
	}
}
