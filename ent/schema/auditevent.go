package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"entgo.io/ent/schema/index"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/rule"
)

// AuditEvent records who did or read what, when and from where.
type AuditEvent struct {
	ent.Schema
}

// Annotations of the AuditEvent.
func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An entry of the audit log: who did or read what, when, from where, and whether it succeeded. Never changes."),
		entgql.QueryField().Description("The audit log (ADMIN only): every change, every refused or failed attempt, and every read of identifying or clinical information. Filter by actor, client, action and time, e.g. who read a client's notes last month."),
		entgql.RelayConnection(),
	}
}

// Mixin of the AuditEvent.
func (AuditEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}}
}

// Fields of the AuditEvent.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("actor_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The user who acted; empty for the system, and for a refused sign-in or refresh, which is not authenticated: its login is the entity (User).").
			Annotations(entgql.Type("ID")),
		field.String("actor_role").
			Default("").
			Immutable().
			Comment("The actor's role at the time."),
		field.String("action").
			NotEmpty().
			Immutable().
			Comment("What was done, e.g. createClient or readDocumentBody."),
		field.String("entity_type").
			Default("").
			Immutable().
			Comment("The kind of record acted on."),
		field.Int("entity_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The record acted on.").
			Annotations(entgql.Type("ID")),
		field.Int("client_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The client whose information was involved.").
			Annotations(entgql.Type("ID")),
		field.String("request_id").
			Default("").
			Immutable().
			Comment("The request the event belongs to, as in the server log."),
		field.String("address").
			Default("").
			Immutable().
			Comment("The network address the request came from."),
		field.String("user_agent").
			Default("").
			MaxLen(500).
			Immutable().
			Comment("The client software that sent the request."),
		field.Time("occurred_at").
			Default(nowUTC).
			Immutable().
			Comment("When it happened.").
			Annotations(entgql.OrderField("OCCURRED_AT")),
		field.String("detail").
			Default("").
			MaxLen(1000).
			Immutable().
			Comment("What else the entry needs: the fields read, or the error code of a refused or failed attempt. Never clinical text."),
		field.Enum("outcome").
			Values("SUCCESS", "DENIED", "FAILED").
			Immutable().
			Comment("Whether the attempt succeeded, was refused, or failed."),
	}
}

// Indexes of the AuditEvent.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("practice_id", "occurred_at"),
		index.Fields("client_id", "occurred_at"),
		index.Fields("actor_id", "occurred_at"),
	}
}

// Policy of the AuditEvent: only admins read the audit log; any signed-in request may append to it.
func (AuditEvent) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowIfAdmin(), rule.AlwaysDeny()},
		Mutation: privacy.MutationPolicy{rule.AllowIfStaff(), rule.AlwaysDeny()},
	}
}

// Hooks of the AuditEvent: the log is append-only.
func (AuditEvent) Hooks() []ent.Hook {
	return []ent.Hook{rule.AppendOnly()}
}
