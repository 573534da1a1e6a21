package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"entgo.io/ent/schema/index"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/rule"
)

// Episode is one stretch of care of a client, from intake to termination.
type Episode struct {
	ent.Schema
}

// Annotations of the Episode.
func (Episode) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("One stretch of care (a case) of a client, opened at intake and closed by termination; strikes count per episode."),
	}
}

// Mixin of the Episode.
func (Episode) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}}
}

// Fields of the Episode.
func (Episode) Fields() []ent.Field {
	return []ent.Field{
		field.Int("client_id").
			Immutable().
			Comment("The client in care."),
		field.Int("clinician_id").
			Optional().
			Nillable().
			Comment("The clinician who held the case."),
		field.Time("opened_at").
			Default(nowUTC).
			Comment("When the episode opened (intake)."),
		field.Time("closed_at").
			Optional().
			Nillable().
			Comment("When the episode was closed; empty while open."),
		field.Enum("close_reason").
			Values("INACTIVE", "STRIKES", "GOALS_MET", "CLIENT_REQUEST", "TRANSFERRED", "OTHER").
			Optional().
			Nillable().
			Comment("Why the episode was closed."),
	}
}

// Edges of the Episode.
func (Episode) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("client", ClientProfile.Type).
			Ref("episodes").
			Unique().
			Required().
			Immutable().
			Field("client_id").
			Comment("The client in care."),
		edge.To("clinician", Clinician.Type).
			Unique().
			Field("clinician_id").
			Comment("The clinician who held the case."),
		edge.To("appointments", Appointment.Type).
			Comment("Sessions of this episode.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the Episode.
func (Episode) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("client_id", "opened_at"),
		// Practice metrics: episodes opened, and closed, in a range.
		index.Fields("practice_id", "opened_at"),
		index.Fields("practice_id", "closed_at"),
	}
}

// Policy of the Episode: readable with the client it hangs off; writable by the client's own clinician and admins.
func (Episode) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowIfWholePracticeReader(), rule.FilterCaseloadRecords()},
		Mutation: privacy.MutationPolicy{rule.AllowIfAdmin(), rule.AllowCaseloadWrites()},
	}
}
