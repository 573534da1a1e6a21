package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/reqid"
	"github.com/caseload/caseload/internal/workflow"
)

// presenter maps every error to the contract: the codes above for what a
// client can act on, and a generic message with a request id for the rest,
// whose detail goes to the server log only.
type presenter struct {
	log *slog.Logger
}

// ErrorPresenter returns the presenter for handler.SetErrorPresenter.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return presenter{log: log}.present
}

func (p presenter) present(ctx context.Context, err error) *gqlerror.Error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err == nil {
		// Parse and validation errors of gqlgen itself: already safe.
		switch gqlErr.Extensions["code"] {
		case nil:
			gqlErr.Extensions = withCode(gqlErr.Extensions, "GRAPHQL_VALIDATION_FAILED")
		case string(caseload.CodeNotFound):
			// entgql names the raw id; a missing record and one the caller
			// may not see must read exactly the same.
			gqlErr.Message = "not found"
		}
		return gqlErr
	}
	out := graphql.DefaultErrorPresenter(ctx, err)
	code, message, field := p.classify(ctx, err)
	out.Message = message
	out.Extensions = withCode(out.Extensions, string(code))
	if field != "" {
		out.Extensions["field"] = field
	}
	if code == caseload.CodeInternal {
		out.Extensions["requestId"] = reqid.FromContext(ctx)
	}
	if appErr := (*caseload.Error)(nil); errors.As(err, &appErr) && appErr.RetryAfter > 0 {
		out.Extensions["retryAfter"] = appErr.RetryAfter
	}
	if code == caseload.CodeUnavailable {
		out.Extensions["retryAfter"] = caseload.RetryAfterUnavailable
	}
	return out
}

// classify maps an error to the code of the contract, a message safe to
// show, and the offending field: caseload.Error as it is, the database's
// and ent's refusals in this one table, and everything else INTERNAL.
func (p presenter) classify(ctx context.Context, err error) (code caseload.Code, message, field string) {
	var appErr *caseload.Error
	var validation *ent.ValidationError
	var gqlErr *gqlerror.Error
	switch {
	case errors.As(err, &appErr):
		field := appErr.Field
		if field == "" && appErr.Code == caseload.CodeBadUserInput && errors.As(err, &gqlErr) && len(gqlErr.Path) > 0 {
			// A literal argument the scalars refuse (e.g. id: "x"),
			// reported on the path of the argument.
			if name, ok := gqlErr.Path[len(gqlErr.Path)-1].(ast.PathName); ok {
				field = string(name)
			}
			return appErr.Code, strings.TrimSpace(field + ": " + appErr.Message), field
		}
		return appErr.Code, appErr.Message, field
	case strings.Contains(err.Error(), "_no_overlap"):
		// PostgreSQL's exclusion constraints (internal/database) caught a
		// double booking that raced past the check.
		return caseload.CodeConflict, "someone booked that time first: the clinician or the client already has a session then", ""
	case strings.Contains(err.Error(), "one_note_per_session"), strings.Contains(err.Error(), "documents.appointment_id, documents.kind"):
		// The unique index behind one progress (or intake) note per session
		// (PostgreSQL names the index, SQLite its columns).
		return caseload.CodeConflict, "the session already has its note: edit it, or add an addendum once it is signed", ""
	case errors.As(err, &validation):
		// ent's builders stop at the first invalid field; the workflows of
		// the payload shape check them all first (workflow.checkFields).
		refusal := workflow.InvalidField(validation.Name, validation, nil, 0)
		return refusal.Code, refusal.Message, refusal.Field
	case ent.IsNotFound(err), errors.Is(err, privacy.Deny), errors.Is(err, facts.ErrNotReadable):
		return caseload.CodeNotFound, "not found", ""
	case ent.IsConstraintError(err):
		p.log.WarnContext(ctx, "constraint violation", "request_id", reqid.FromContext(ctx))
		return caseload.CodeConflict, "the change conflicts with existing data", ""
	case errors.As(err, &gqlErr) && gqlErr.Extensions["code"] != nil:
		// Argument coercion errors (e.g. a malformed ID or DateTime).
		code, _ := gqlErr.Extensions["code"].(string)
		return caseload.Code(code), gqlErr.Message, ""
	case database.Unavailable(err):
		// The database is down, frozen past the request's timeout, or
		// restarting: 503 with Retry-After (server/http.go), never a code
		// that tells the client its input or its token is wrong.
		p.log.WarnContext(ctx, "database unavailable", "request_id", reqid.FromContext(ctx), "error", err.Error())
		return caseload.CodeUnavailable, auth.UnavailableMessage, ""
	case database.Retryable(err):
		// A deadlock or serialization failure that outlasted the
		// transaction's retries (txn.go).
		markRetry(ctx)
		return caseload.CodeConflict, conflictMessage, ""
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return caseload.CodeInternal, "the request was cancelled or took too long", ""
	case sqlState(err) == sqlStateQueryCanceled:
		p.log.WarnContext(ctx, "statement timeout", "request_id", reqid.FromContext(ctx))
		return caseload.CodeInternal, "the request took too long; quote the request id when reporting it", ""
	case strings.HasPrefix(sqlState(err), sqlStateDataException):
		// The value is the client's (a forged cursor, a NUL in a text); the
		// log gets the SQLSTATE only, as the message may quote it.
		p.log.WarnContext(ctx, "value refused by the database", "request_id", reqid.FromContext(ctx), "sqlstate", sqlState(err))
		return caseload.CodeBadUserInput, "a value of the request does not fit the field it is for", ""
	}
	p.log.ErrorContext(ctx, "internal error", "request_id", reqid.FromContext(ctx), "error", err.Error())
	return caseload.CodeInternal, "internal error; quote the request id when reporting it", ""
}

func withCode(ext map[string]any, code string) map[string]any {
	if ext == nil {
		ext = map[string]any{}
	}
	ext["code"] = code
	return ext
}

// Recover turns a panic in a resolver into an internal error with a request
// id; the panic value goes to the log.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", reqid.FromContext(ctx), "panic", fmt.Sprint(v))
		return &caseload.Error{Code: caseload.CodeInternal, Message: "internal error; quote the request id when reporting it"}
	}
}
