package graph

import (
	"cmp"
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/changes"
	"github.com/caseload/caseload/internal/viewer"
)

// The audit log (HIPAA 164.312(b)): every mutation, refused and failed
// attempts included, and every read of a document body, a contact note or
// a client's identifying fields is an AuditEvent. Transactions writes the
// events of a mutation in its own transaction, so the change and its record
// commit together; if the events cannot be written the response fails.
//
// By concern: this file gathers an operation's events (the log on the
// context, the mutation calls, events); audit_reads.go notes the reads of
// identifying fields, audit_mutations.go finds the records a mutation acted
// on, audit_denied.go the ids a refused read asked for, and audit_write.go
// stores the events.

// auditLog collects the events of one operation.
type auditLog struct {
	mu    sync.Mutex
	reads map[readKey]*readEvent
	order []readKey
	calls []*mutationCall
}

type readKey struct {
	action string
	id     int
}

type readEvent struct {
	action, entityType string
	entityID, clientID int
	fields             []string
}

// mutationCall is one root field of a mutation and how it ended.
type mutationCall struct {
	field, alias, returns string
	args                  map[string]any
	result                any
	failed                bool
	// refused is the code of the payload's first userError, if any.
	refused caseload.Code
	// changes is what it changed (audit_changes.go); they are written
	// only if it committed.
	changes []changes.Change
}

type auditKey struct{}

func withAudit(ctx context.Context) (context.Context, *auditLog) {
	a := &auditLog{reads: map[readKey]*readEvent{}}
	return context.WithValue(ctx, auditKey{}, a), a
}

// auditFrom returns the operation's log; outside an operation, one that
// nobody writes.
func auditFrom(ctx context.Context) *auditLog {
	if a, ok := ctx.Value(auditKey{}).(*auditLog); ok {
		return a
	}
	return &auditLog{reads: map[readKey]*readEvent{}}
}

func (a *auditLog) call(c *mutationCall) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, c)
}

// deniedCodes are refusals of access; other errors are failures.
var deniedCodes = map[caseload.Code]bool{caseload.CodeNotFound: true, caseload.CodeForbidden: true, caseload.CodeUnauthenticated: true, caseload.CodeRateLimited: true}

// errorCodes maps each root field (by alias) to the code of its first error.
func errorCodes(rsp *graphql.Response) map[string]string {
	out := map[string]string{}
	for _, e := range rsp.Errors {
		root := ""
		if len(e.Path) > 0 {
			if k, ok := e.Path[0].(ast.PathName); ok {
				root = string(k)
			}
		}
		code, _ := e.Extensions["code"].(string)
		if _, seen := out[root]; !seen {
			out[root] = code
		}
	}
	return out
}

// auditEvent is one row to write, before it meets the database.
type auditEvent struct {
	practice, actor    int
	role               string
	action, entityType string
	entityID, clientID int
	outcome            auditevent.Outcome
	detail             string
}

// events turns what the operation did into rows. committed says whether
// the operation's writes stand; reads are logged only when data went out.
func (a *auditLog) events(ctx context.Context, rsp *graphql.Response, committed bool) []auditEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	v := viewer.FromContext(ctx)
	base := auditEvent{}
	if v != nil {
		base.practice, base.actor, base.role = v.PracticeID, v.UserID, string(v.Role)
	}
	codes := errorCodes(rsp)
	var out []auditEvent
	for _, c := range a.calls {
		ev := base
		ev.action = c.field
		ev.entityType = c.returns
		code := cmp.Or(codes[c.alias], string(c.refused))
		switch {
		case code == "" && c.failed:
			code = string(caseload.CodeInternal)
			fallthrough
		case code != "":
			ev.outcome = auditevent.OutcomeFAILED
			if deniedCodes[caseload.Code(code)] {
				ev.outcome = auditevent.OutcomeDENIED
			}
			ev.detail = code
		case committed:
			ev.outcome = auditevent.OutcomeSUCCESS
		default:
			ev.outcome = auditevent.OutcomeFAILED
			ev.detail = "rolled back: another part of the operation failed"
		}
		targets := entitiesOf(c.result)
		if ev.outcome != auditevent.OutcomeSUCCESS || len(targets) == 0 {
			targets = []target{targetOfArgs(c.field, c.args)}
		}
		var details []string
		if ev.outcome == auditevent.OutcomeSUCCESS {
			details = changeDetails(c.changes, targets)
		}
		for i, t := range targets {
			e := ev
			if details != nil {
				e.detail = details[i]
			}
			if t.typ != "" {
				e.entityType = t.typ
			}
			e.entityID, e.clientID = t.id, t.client
			if e.clientID == 0 && e.entityType == "Client" {
				e.clientID = e.entityID
			}
			if t.user != nil && v == nil {
				// login: the actor is who signed in.
				e.practice, e.actor, e.role = t.user.PracticeID, t.user.ID, string(t.user.Role)
			}
			out = append(out, e)
		}
	}
	if len(rsp.Data) > 0 {
		// Fields resolve concurrently: order the reads for a stable log.
		sort.Slice(a.order, func(i, j int) bool {
			if a.order[i].action != a.order[j].action {
				return a.order[i].action > a.order[j].action
			}
			return a.order[i].id < a.order[j].id
		})
		for _, k := range a.order {
			r := a.reads[k]
			e := base
			e.action, e.entityType, e.entityID, e.clientID = r.action, r.entityType, r.entityID, r.clientID
			e.outcome = auditevent.OutcomeSUCCESS
			e.detail = "fields: " + strings.Join(r.fields, ", ")
			out = append(out, e)
		}
	}
	if len(a.calls) == 0 {
		// A refused read (e.g. an id out of the caller's scope) is recorded
		// too, with the id it asked for: probing for what exists leaves a
		// trace of what was probed.
		for _, d := range deniedReads(ctx, rsp) {
			e := base
			e.action, e.outcome, e.detail = "read "+d.root, auditevent.OutcomeDENIED, d.code
			e.entityID = d.id
			out = append(out, e)
		}
	}
	return out
}
