package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/idempotencyrecord"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/changes"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/reqid"
	"github.com/caseload/caseload/internal/viewer"
)

// IdempotencyKeyHeader is the HTTP header that carries a mutation's
// idempotency key. A client that cannot set headers may send the key as
// extensions.idempotencyKey of the request instead.
const IdempotencyKeyHeader = "Idempotency-Key"

// IdempotencyTTL is how long a key is remembered.
const IdempotencyTTL = 24 * time.Hour

// Transactions runs every mutation operation in one database transaction:
// all of its root fields commit together, or nothing is written. Its root
// fields run one after the other, and after each one the operation's facts
// are dropped, so that what a mutation returns is computed from the data as
// it now is.
//
// A mutation sent with an idempotency key is remembered, per user, for a
// day: a retry with the same key and the same operation and variables gets
// the first response back (with extensions.idempotentReplay) and writes
// nothing; the same key with other input is refused with CONFLICT. The key's
// record is written first in the mutation's transaction, so two copies of a
// request racing each other are serialized by the database's unique index:
// the second waits for the first and then replays its result.
//
// A mutation of the payload shape that reports userErrors returns no
// error, so it marks the operation refused (graph/contract.go): the
// transaction is rolled back like that of a failed one, the response is
// answered as it is, and its key is not remembered (as for an error).
type Transactions struct {
	DB  *ent.Client
	Now func() time.Time
	Log *slog.Logger
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = Transactions{}

// MaxAttempts is how many times a mutation's transaction runs when
// PostgreSQL gives it up for a deadlock or a serialization failure with
// another one running at the same time (two bookings of the same client):
// the loser is run again from the start, after a short random pause, and
// past the last attempt answers CONFLICT.
const MaxAttempts = 3

// conflictMessage is the CONFLICT of a transaction given up MaxAttempts times.
const conflictMessage = "the change ran into another made at the same time: try again"

// attempt is one run of a mutation's transaction, on its context.
type attempt struct {
	// retry is set when the attempt failed in a way that running it again
	// may cure (a deadlock, a serialization failure).
	retry bool
	// last: no attempt follows this one.
	last bool
}

type attemptKey struct{}

// markRetry notes on the attempt of ctx that it may succeed if run again.
func markRetry(ctx context.Context) {
	if a, ok := ctx.Value(attemptKey{}).(*attempt); ok {
		a.retry = true
	}
}

// retrying reports whether the attempt of ctx failed and another follows.
func retrying(ctx context.Context) bool {
	a, ok := ctx.Value(attemptKey{}).(*attempt)
	return ok && a.retry && !a.last
}

// InterceptOperation runs a mutation again, whole, when its transaction
// was given up for a deadlock or a serialization failure: the interceptors
// below this one and the resolvers run afresh (a new store of facts, a new
// transaction), nothing of the failed attempt having been committed. The
// failed attempt is not audited; the last one is, as any.
func (t Transactions) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if !isMutation(graphql.GetOperationContext(ctx)) {
		return next(ctx)
	}
	return func(rctx context.Context) *graphql.Response {
		for n := 1; ; n++ {
			a := &attempt{last: n == MaxAttempts}
			rsp := next(ctx)(context.WithValue(rctx, attemptKey{}, a))
			if rsp == nil || !a.retry || a.last {
				return rsp
			}
			t.Log.InfoContext(rctx, "mutation ran into another: running it again", "request_id", reqid.FromContext(rctx), "attempt", n)
			// 10-40 ms, then 20-80 ms: the other transaction commits meanwhile.
			pause := time.Duration(n) * (10*time.Millisecond + rand.N(30*time.Millisecond)) //nolint:gosec // jitter, not a secret
			select {
			case <-time.After(pause):
			case <-rctx.Done():
				return rsp
			}
		}
	}
}

// ExtensionName names the extension.
func (Transactions) ExtensionName() string { return "Transactions" }

// Validate checks the extension's configuration.
func (t Transactions) Validate(graphql.ExecutableSchema) error {
	if t.DB == nil || t.Now == nil || t.Log == nil {
		return errors.New("graph: Transactions needs a client, a clock and a logger")
	}
	return nil
}

func isMutation(oc *graphql.OperationContext) bool {
	return oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Mutation
}

// MutateOperationContext checks the idempotency key and serializes the
// resolvers of a mutation.
func (t Transactions) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if !isMutation(oc) {
		return nil
	}
	if _, err := idempotencyKey(oc); err != nil {
		return err
	}
	previous := oc.ResolverMiddleware
	var mu sync.Mutex
	oc.ResolverMiddleware = func(ctx context.Context, next graphql.Resolver) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		fc := graphql.GetFieldContext(ctx)
		if fc == nil || fc.Object != "Mutation" {
			return previous(ctx, next)
		}
		// What the root field changes is recorded for its audit event.
		ctx, changed := changes.NewContext(ctx)
		res, err := previous(ctx, next)
		facts.Forget(ctx)
		auditFrom(ctx).call(&mutationCall{
			field: fc.Field.Name, alias: fc.Field.Alias, returns: fc.Field.Definition.Type.Name(),
			args: fc.Args, result: res, failed: err != nil,
			refused: refusedFrom(ctx).code(fc.Field.Alias),
			changes: changed.List(),
		})
		return res, err
	}
	return nil
}

// idempotencyKey returns the operation's key: the header, else the
// request extension. A key is 1-255 visible ASCII characters.
func idempotencyKey(oc *graphql.OperationContext) (string, *gqlerror.Error) {
	key := oc.Headers.Get(IdempotencyKeyHeader)
	if key == "" {
		if ext, ok := oc.Extensions["idempotencyKey"]; ok {
			s, isString := ext.(string)
			if !isString || s == "" {
				return "", keyError("extensions.idempotencyKey must be a non-empty string")
			}
			key = s
		}
	}
	if key == "" {
		return "", nil
	}
	if len(key) > 255 {
		return "", keyError("an idempotency key has at most 255 characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return "", keyError("an idempotency key is visible ASCII characters without spaces (a UUID is a good one)")
		}
	}
	return key, nil
}

func keyError(msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": caseload.CodeBadUserInput, "field": IdempotencyKeyHeader}}
}

// secretResults are the mutations whose response holds a secret shown
// once (resetPassword's reset code, a second factor's secret and recovery
// codes, the tokens and challenges of the sign-in steps): their response is
// not kept for a replay under an idempotency key, so that the secret is
// stored nowhere but hashed or sealed. A retry with the key runs again. A
// sign-in is keyed only when sent with the token of a session already open
// (a key belongs to a user), which is why login and refreshToken are here:
// kept, their tokens and challenge would lie in the database in clear for a
// day. TestSecretResultsAreListed derives this list from the schema.
var secretResults = map[string]bool{
	"login": true, "refreshToken": true,
	"resetPassword": true, "startSecondFactorEnrolment": true, "confirmSecondFactorEnrolment": true,
	"regenerateRecoveryCodes": true, "verifySecondFactor": true,
}

// carriesSecret reports whether the operation runs a mutation of
// secretResults (fragments included).
func carriesSecret(oc *graphql.OperationContext) bool {
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"}) {
		if secretResults[f.Name] {
			return true
		}
	}
	return false
}

// keyed is a mutation sent with an idempotency key.
type keyed struct {
	practice, user int
	key, hash      string
}

func requestHash(oc *graphql.OperationContext) (string, error) {
	b, err := json.Marshal(struct {
		Query     string         `json:"query"`
		Operation string         `json:"operationName"`
		Variables map[string]any `json:"variables"`
	}{oc.RawQuery, oc.OperationName, oc.Variables})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// InterceptResponse runs a mutation under a transaction, replaying the
// first response of a repeated idempotency key.
func (t Transactions) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx) // a request that never became an operation
	}
	oc := graphql.GetOperationContext(ctx)
	ctx, log := withAudit(ctx)
	if !isMutation(oc) {
		rsp := next(ctx)
		if err := t.audit(ctx, t.DB, log, rsp, true); err != nil {
			return t.internal(ctx, "writing the audit log", err)
		}
		return rsp
	}
	key, _ := idempotencyKey(oc)
	v := viewer.FromContext(ctx)
	if key == "" || v == nil || carriesSecret(oc) {
		rsp, _ := t.run(ctx, next, nil)
		return rsp
	}
	hash, err := requestHash(oc)
	if err != nil {
		return t.internal(ctx, "hashing the request", err)
	}
	req := &keyed{practice: v.PracticeID, user: v.UserID, key: key, hash: hash}
	if rsp := t.replay(ctx, req); rsp != nil {
		return rsp
	}
	rsp, raced := t.run(ctx, next, req)
	if !raced {
		return rsp
	}
	// Another copy of the request committed first: answer as it did.
	if rsp := t.replay(ctx, req); rsp != nil {
		return rsp
	}
	return errorResponse(caseload.CodeConflict, "a request with this idempotency key is in progress: retry it shortly")
}

// replay answers a request whose key is already recorded, or returns nil.
func (t Transactions) replay(ctx context.Context, req *keyed) *graphql.Response {
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	rec, err := t.DB.IdempotencyRecord.Query().
		Where(
			idempotencyrecord.PracticeID(req.practice),
			idempotencyrecord.UserID(req.user),
			idempotencyrecord.Key(req.key),
			idempotencyrecord.CreatedAtGT(t.Now().Add(-IdempotencyTTL)),
		).
		Only(sys)
	switch {
	case ent.IsNotFound(err):
		return nil
	case err != nil:
		return t.internal(ctx, "reading an idempotency key", err)
	case rec.RequestHash != req.hash:
		return errorResponse(caseload.CodeConflict, "this idempotency key was used for another request: use a new key for new input")
	}
	return &graphql.Response{Data: rec.Response, Extensions: map[string]any{"idempotentReplay": true}}
}

// run executes the operation in a transaction. With a key, it records the
// key first; raced reports that another copy of the request holds the key.
func (t Transactions) run(ctx context.Context, next graphql.ResponseHandler, req *keyed) (rsp *graphql.Response, raced bool) {
	tx, err := t.DB.Tx(ctx)
	if err != nil {
		return t.internal(ctx, "opening a transaction", err), false
	}
	txCtx := ent.NewContext(ent.NewTxContext(ctx, tx), tx.Client())
	txCtx, refused := withRefusals(txCtx)
	defer func() {
		if r := recover(); r != nil {
			_ = tx.Rollback()
			panic(r)
		}
	}()
	var rec *ent.IdempotencyRecord
	if req != nil {
		sys := privacy.DecisionContext(txCtx, privacy.Allow)
		// Forget the practice's expired keys, then claim this one.
		if _, err := tx.IdempotencyRecord.Delete().
			Where(idempotencyrecord.PracticeID(req.practice), idempotencyrecord.CreatedAtLTE(t.Now().Add(-IdempotencyTTL))).
			Exec(sys); err != nil {
			_ = tx.Rollback()
			return t.internal(ctx, "expiring idempotency keys", err), false
		}
		rec, err = tx.IdempotencyRecord.Create().
			SetPracticeID(req.practice).
			SetUserID(req.user).
			SetKey(req.key).
			SetRequestHash(req.hash).
			SetCreatedAt(t.Now()).
			Save(sys)
		if err != nil {
			_ = tx.Rollback()
			if ent.IsConstraintError(err) {
				return nil, true
			}
			return t.internal(ctx, "recording an idempotency key", err), false
		}
	}
	rsp = next(txCtx)
	log := auditFrom(ctx)
	if len(rsp.Errors) > 0 {
		_ = tx.Rollback()
		rsp = &graphql.Response{Errors: rsp.Errors, Extensions: rsp.Extensions}
		if retrying(ctx) {
			return rsp, false // InterceptOperation runs it again
		}
		// The refused or failed attempt is recorded after the rollback.
		if err := t.audit(ctx, t.DB, log, rsp, false); err != nil {
			return t.internal(ctx, "writing the audit log", err), false
		}
		return rsp, false
	}
	if refused.any() {
		// A payload reported userErrors: the response stands, its writes do
		// not, and neither does the key's record, so that the corrected
		// request may be sent again with the same key.
		_ = tx.Rollback()
		if err := t.audit(ctx, t.DB, log, rsp, false); err != nil {
			return t.internal(ctx, "writing the audit log", err), false
		}
		return rsp, false
	}
	if err := t.audit(txCtx, tx.Client(), log, rsp, true); err != nil {
		_ = tx.Rollback()
		return t.internal(ctx, "writing the audit log", err), false
	}
	if rec != nil {
		sys := privacy.DecisionContext(txCtx, privacy.Allow)
		if err := tx.IdempotencyRecord.UpdateOne(rec).SetResponse(rsp.Data).Exec(sys); err != nil {
			_ = tx.Rollback()
			return t.internal(ctx, "saving an idempotent response", err), false
		}
	}
	if err := tx.Commit(); err != nil {
		if database.Retryable(err) || database.Unavailable(err) {
			return t.internal(ctx, "committing", err), false
		}
		if ent.IsConstraintError(err) {
			return errorResponse(caseload.CodeConflict, "the change conflicts with a change made at the same time: read again and retry"), false
		}
		return t.internal(ctx, "committing", err), false
	}
	return rsp, false
}

// audit writes the operation's audit events; an error fails the response.
func (t Transactions) audit(ctx context.Context, db *ent.Client, log *auditLog, rsp *graphql.Response, committed bool) error {
	return writeAudit(ctx, db, t.Now(), log.events(ctx, rsp, committed), func(msg string, args ...any) {
		t.Log.InfoContext(ctx, msg, args...)
	})
}

// internal logs the cause with the request id and answers generically;
// a database that is unavailable answers UNAVAILABLE, and a deadlock or
// serialization failure CONFLICT, and has the operation run again.
func (t Transactions) internal(ctx context.Context, doing string, err error) *graphql.Response {
	id := reqid.FromContext(ctx)
	switch {
	case database.Retryable(err):
		markRetry(ctx)
		t.Log.InfoContext(ctx, "transaction given up by the database", "request_id", id, "doing", doing, "error", err.Error())
		return errorResponse(caseload.CodeConflict, conflictMessage)
	case database.Unavailable(err):
		t.Log.WarnContext(ctx, "database unavailable", "request_id", id, "doing", doing, "error", err.Error())
		rsp := errorResponse(caseload.CodeUnavailable, auth.UnavailableMessage)
		rsp.Errors[0].Extensions["retryAfter"] = caseload.RetryAfterUnavailable
		return rsp
	}
	t.Log.ErrorContext(ctx, "transaction failed", "request_id", id, "doing", doing, "error", err.Error())
	rsp := errorResponse(caseload.CodeInternal, "internal error; quote the request id when reporting it")
	rsp.Errors[0].Extensions["requestId"] = id
	return rsp
}

func errorResponse(code caseload.Code, format string, args ...any) *graphql.Response {
	return &graphql.Response{Errors: gqlerror.List{{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": string(code)},
	}}}
}
