package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/caseload/caseload/internal/observe"
)

// recordOperation writes what the request's log line and metrics say of it
// into its record (internal/observe): the operation's name as its document
// has it and its type, and the extensions.code of each error of the
// response. Registered first, it sees every response, also of a request
// that never became an operation (name and type are then ""). Variables and
// query text stay out.
func recordOperation(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	record := observe.FromContext(ctx)
	if record == nil {
		return resp
	}
	var name, opType string
	if graphql.HasOperationContext(ctx) {
		if op := graphql.GetOperationContext(ctx).Operation; op != nil {
			name, opType = op.Name, string(op.Operation)
		}
	}
	record.SetOperation(name, opType)
	if resp != nil {
		codes := make([]string, len(resp.Errors))
		for i, e := range resp.Errors {
			codes[i], _ = e.Extensions["code"].(string)
		}
		record.SetCodes(codes...)
	}
	return resp
}
