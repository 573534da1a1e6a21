package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

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
		entgql.QueryField().Description("New-client requests: an admin (intake) sees every clinician's, a clinician their own. Filter on status OPEN for the ones to act on."),
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
		field.Time("closed_at").
			Optional().
			Nillable().
			Comment("When the request was fulfilled or cancelled."),
	}
}

// Indexes of the NewClientRequest.
func (NewClientRequest) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("practice_id", "status", "created_at"),
		// A clinician has at most one open request, even when two are sent at once.
		index.Fields("clinician_id").
			Unique().
			StorageKey("new_client_requests_one_open").
			Annotations(entsql.IndexWhere("status = 'OPEN'")),
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
