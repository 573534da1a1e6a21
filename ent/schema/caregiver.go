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

// Caregiver is a parent or guardian of a minor client.
type Caregiver struct {
	ent.Schema
}

// Annotations of the Caregiver.
func (Caregiver) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A parent or guardian of a minor client, contacted for reminders and included in sessions."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Mixin of the Caregiver.
func (Caregiver) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}}
}

// Fields of the Caregiver.
func (Caregiver) Fields() []ent.Field {
	return []ent.Field{
		field.Int("client_id").
			Immutable().
			Comment("The minor client this caregiver is for."),
		field.String("name").
			NotEmpty().
			Validate(validName).
			MaxLen(200).
			Comment("Full name (identifying)."),
		field.String("relationship").
			NotEmpty().
			Validate(validName).
			MaxLen(50).
			Comment("Relationship to the client, e.g. mother, guardian."),
		field.String("phone").
			Optional().
			Nillable().
			MaxLen(32).
			Validate(validPhone).
			Comment("Phone number (identifying)."),
		field.String("email").
			Optional().
			Nillable().
			MaxLen(254).
			Validate(validEmail).
			Comment("Email address (identifying)."),
		field.Bool("is_primary").
			Default(false).
			Comment("The caregiver to contact first."),
		field.Bool("consent_to_contact").
			Default(false).
			Comment("Whether the caregiver agreed to be contacted by the practice."),
	}
}

// Edges of the Caregiver.
func (Caregiver) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("client", ClientProfile.Type).
			Ref("caregivers").
			Unique().
			Required().
			Immutable().
			Field("client_id").
			Comment("The minor client this caregiver is for."),
	}
}

// Indexes of the Caregiver.
func (Caregiver) Indexes() []ent.Index {
	return []ent.Index{
		// The caregivers of the clients a screen shows, loaded with their
		// histories (primary caregiver, calendar, To-Do list).
		index.Fields("client_id"),
	}
}

// Policy of the Caregiver: readable with the client it hangs off; writable by the client's own clinician and admins.
func (Caregiver) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowIfWholePracticeReader(), rule.FilterCaseloadRecords()},
		Mutation: privacy.MutationPolicy{rule.AllowIfAdmin(), rule.AllowCaseloadWrites()},
	}
}
