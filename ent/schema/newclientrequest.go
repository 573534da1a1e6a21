package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/rule"
)

// NewClientRequest is a clinician asking intake for new clients.
type NewClientRequest struct {
	ent.Schema
}

// Annotations of the NewClientRequest.
func (NewClientRequest) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A clinician's request to the intake coordinator for a number of new clients."),
		entgql.RelayConnection(),
	}
}

// Mixin of the NewClientRequest.
func (NewClientRequest) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}}
}

// Fields of the NewClientRequest.
func (NewClientRequest) Fields() []ent.Field {
	return []ent.Field{
		field.Int("clinician_id").
			Comment("The clinician asking."),
		field.Int("count").
			Range(1, 50).
			Comment("How many new clients are asked for."),
		field.String("note").
			Default("").
			MaxLen(1000).
			Comment("Anything intake should know, e.g. preferred ages or hours."),
		field.Enum("status").
			Values("OPEN", "FULFILLED", "CANCELED").
			Default("OPEN").
			Comment("Whether intake still has to act on it."),
		field.Int("assigned_count").
			Default(0).
			Comment("How many clients intake has assigned against this request."),
	}
}

// Edges of the NewClientRequest.
func (NewClientRequest) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("clinician", Clinician.Type).
			Ref("new_client_requests").
			Unique().
			Required().
			Field("clinician_id").
			Comment("The clinician asking."),
	}
}

// Policy of the NewClientRequest: intake (admins) sees every request; a clinician sees and makes their own.
func (NewClientRequest) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowIfWholePracticeReader(), rule.FilterCaseloadClients()},
		Mutation: privacy.MutationPolicy{rule.AllowIfAdmin(), rule.AllowCaseloadWrites()},
	}
}
