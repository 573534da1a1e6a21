package graph_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/reqid"
)

// TestInternalErrorsAreGeneric: an error the client cannot act on (a driver
// error, a panic) is shown as INTERNAL with a generic message and the
// request id; the detail goes to the log under the same id.
func TestInternalErrorsAreGeneric(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx := reqid.NewContext(context.Background(), "req-7")
	present := graph.ErrorPresenter(log)
	for name, err := range map[string]error{
		"driver error": errors.New(`pq: relation "users" does not exist`),
		"panic":        graph.Recover(log)(ctx, "runtime error: index out of range [3]"),
	} {
		got := present(ctx, err)
		if got.Extensions["code"] != string(caseload.CodeInternal) || got.Extensions["requestId"] != "req-7" {
			t.Errorf("%s: extensions %v, want INTERNAL with the request id", name, got.Extensions)
		}
		for _, leak := range []string{"relation", "users", "index", "runtime"} {
			if strings.Contains(got.Message, leak) {
				t.Errorf("%s: message %q shows internals", name, got.Message)
			}
		}
	}
	for _, want := range []string{"req-7", `relation \"users\"`, "index out of range"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}

// pgError stands for a PostgreSQL error (lib/pq's *pq.Error has SQLState).
type pgError struct{ state, message string }

func (e *pgError) Error() string    { return e.message }
func (e *pgError) SQLState() string { return e.state }

// TestDatabaseRefusals: a value PostgreSQL refuses (SQLSTATE class 22) is the
// client's to fix, BAD_USER_INPUT; a statement stopped by the statement
// timeout is INTERNAL with the request id. Neither message nor log quotes
// the value.
func TestDatabaseRefusals(t *testing.T) {
	var logs bytes.Buffer
	present := graph.ErrorPresenter(slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := reqid.NewContext(context.Background(), "req-8")
	refused := fmt.Errorf("clients: %w", &pgError{"22007", `invalid input syntax for type timestamp with time zone: "Jane Secret"`})
	if got := present(ctx, refused); got.Extensions["code"] != string(caseload.CodeBadUserInput) || strings.Contains(got.Message, "Jane") {
		t.Errorf("data exception: %v %q", got.Extensions, got.Message)
	}
	timeout := fmt.Errorf("clients: %w", &pgError{"57014", "canceling statement due to statement timeout"})
	if got := present(ctx, timeout); got.Extensions["code"] != string(caseload.CodeInternal) || got.Extensions["requestId"] != "req-8" || !strings.Contains(got.Message, "too long") {
		t.Errorf("statement timeout: %v %q", got.Extensions, got.Message)
	}
	if strings.Contains(logs.String(), "Jane") || !strings.Contains(logs.String(), "22007") {
		t.Errorf("log:\n%s", logs.String())
	}
}
