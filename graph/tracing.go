package graph

import (
	"context"
	"io"
	"log/slog"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/caseload/caseload/internal/caseload"
)

// Span attributes of the GraphQL spans. The operation's are OpenTelemetry's
// semantic conventions; graphql.field.* and graphql.error.codes are ours.
const (
	attrOperationName = attribute.Key("graphql.operation.name")
	attrOperationType = attribute.Key("graphql.operation.type")
	attrFieldName     = attribute.Key("graphql.field.name")
	attrFieldParent   = attribute.Key("graphql.field.parent_type")
	attrErrorCodes    = attribute.Key("graphql.error.codes")
)

// tracerName is the instrumentation scope of the GraphQL spans.
const tracerName = "github.com/caseload/caseload/graph"

// Tracing is the gqlgen extension that traces operations: a span per
// operation, named by its type and name ("query Dashboard"), and a child span
// per field with a resolver of its own (root fields and derived fields such
// as Clinician.caseloadHealth; plain stored fields get none), named
// "Clinician.caseloadHealth", except within the items of a list: a page of
// 100 clients would have some 1,400 spans of derived fields, each a few
// microseconds of reading the facts the page loaded, while the SQL spans
// under the list's own field show what it cost. A trace grows with the
// operation, not with the data.
//
// Spans carry names only: never the document, the variables, the
// arguments, an alias or an error message, any of which may hold a client's
// data. An operation that failed carries its errors' extensions.code; one
// with an INTERNAL error has the Error status.
type Tracing struct {
	tracer trace.Tracer
	// codes maps a resolver's error to its extensions.code, as the
	// presenter does (without its log lines).
	codes presenter
}

// NewTracing returns the extension, its spans made by tp's tracer.
func NewTracing(tp trace.TracerProvider) Tracing {
	return Tracing{
		tracer: tp.Tracer(tracerName),
		codes:  presenter{log: slog.New(slog.NewTextHandler(io.Discard, nil))},
	}
}

var (
	_ graphql.HandlerExtension     = Tracing{}
	_ graphql.OperationInterceptor = Tracing{}
	_ graphql.ResponseInterceptor  = Tracing{}
	_ graphql.FieldInterceptor     = Tracing{}
)

// ExtensionName implements graphql.HandlerExtension.
func (Tracing) ExtensionName() string { return "Tracing" }

// Validate implements graphql.HandlerExtension.
func (Tracing) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation opens the operation's span: the interceptors after this
// one and the resolvers run inside it, and it ends with the response.
func (t Tracing) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	kind := "operation"
	if oc.Operation != nil {
		kind = string(oc.Operation.Operation)
	}
	name := kind
	attrs := []attribute.KeyValue{attrOperationType.String(kind)}
	if oc.Operation != nil && oc.Operation.Name != "" {
		name += " " + oc.Operation.Name
		attrs = append(attrs, attrOperationName.String(oc.Operation.Name))
	}
	ctx, span := t.tracer.Start(ctx, name, trace.WithAttributes(attrs...))
	respond := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		defer span.End()
		return respond(ctx)
	}
}

// InterceptResponse records the codes of a response's errors on the span of
// its context: the operation's, or the HTTP request's when the request never
// became an operation (a document that does not parse or validate, an
// operation over a limit).
func (Tracing) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Errors) == 0 {
		return resp
	}
	var found []string
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			code = string(caseload.CodeInternal)
		}
		if !slices.Contains(found, code) {
			found = append(found, code)
		}
	}
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(attrErrorCodes.StringSlice(found))
	if slices.Contains(found, string(caseload.CodeInternal)) {
		span.SetStatus(codes.Error, string(caseload.CodeInternal))
	}
	return resp
}

// InterceptField opens a span for a field with a resolver of its own.
func (t Tracing) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver || inList(fc) {
		return next(ctx)
	}
	ctx, span := t.tracer.Start(ctx, fc.Object+"."+fc.Field.Name, trace.WithAttributes(
		attrFieldParent.String(fc.Object),
		attrFieldName.String(fc.Field.Name),
	))
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		code, _ := t.codes.present(ctx, err).Extensions["code"].(string)
		span.SetAttributes(attrErrorCodes.StringSlice([]string{code}))
		if code == string(caseload.CodeInternal) {
			span.SetStatus(codes.Error, code)
		}
	}
	return res, err
}

// inList reports whether the field is in an item of a list.
func inList(fc *graphql.FieldContext) bool {
	for ; fc != nil; fc = fc.Parent {
		if fc.Index != nil {
			return true
		}
	}
	return false
}
