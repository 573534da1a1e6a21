package graph

import (
	"context"
	"slices"
	"time"

	entgo "entgo.io/ent"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/reqid"
)

// writeAudit stores the events with client (the mutation's transaction, or
// the root client). Events without a practice (a failed login) cannot be
// stored with a tenant: they go to the server log, without names.
func writeAudit(ctx context.Context, db *ent.Client, now time.Time, evs []auditEvent, log func(msg string, args ...any)) error {
	if len(evs) == 0 {
		return nil
	}
	origin := reqid.OriginFrom(ctx)
	id := reqid.FromContext(ctx)
	ua := origin.UserAgent
	if len(ua) > 500 {
		ua = ua[:500]
	}
	creates := make([]*ent.AuditEventCreate, 0, len(evs))
	for _, e := range evs {
		if e.practice == 0 {
			log("audit event without a practice", "request_id", id, "action", e.action, "outcome", string(e.outcome), "detail", e.detail)
			continue
		}
		c := db.AuditEvent.Create().
			SetPracticeID(e.practice).
			SetActorRole(e.role).
			SetAction(e.action).
			SetEntityType(e.entityType).
			SetRequestID(id).
			SetAddress(origin.Address).
			SetUserAgent(ua).
			SetOccurredAt(now).
			SetOutcome(e.outcome).
			SetDetail(truncate(e.detail, maxDetail))
		if e.actor != 0 {
			c.SetActorID(e.actor)
		}
		if e.entityID != 0 {
			c.SetEntityID(e.entityID)
		}
		if e.clientID != 0 {
			c.SetClientID(e.clientID)
		}
		creates = append(creates, c)
	}
	if len(creates) == 0 {
		return nil
	}
	return db.AuditEvent.CreateBulk(creates...).Exec(privacy.DecisionContext(ctx, privacy.Allow))
}

// maxDetail is the longest detail an event keeps. A detail of changes is
// made to fit, whole changes left out (changes.Detail); truncate is the
// guard for the others, which are short.
const maxDetail = 1000

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// auditColumns makes the records whose identifying fields are audited carry
// their client even when a query selects only the fields the operation asks
// for (entgql's field collection): the audit event names the client.
func auditColumns() ent.Interceptor {
	return ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			switch q.(type) {
			case *ent.DocumentQuery, *ent.ContactQuery, *ent.CaregiverQuery, *ent.AppointmentQuery:
				qc := entgo.QueryFromContext(ctx)
				rows := qc != nil && (qc.Op == entgo.OpQueryAll || qc.Op == entgo.OpQueryOnly || qc.Op == entgo.OpQueryFirst)
				if rows && len(qc.Fields) > 0 && !slices.Contains(qc.Fields, "client_id") {
					qc.Fields = append(qc.Fields, "client_id")
				}
			}
			return next.Query(ctx, q)
		})
	})
}
