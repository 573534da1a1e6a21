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

// Clinician is a therapist with a caseload.
type Clinician struct {
	ent.Schema
}

// Annotations of the Clinician.
func (Clinician) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A therapist of the practice with a caseload of clients and weekly open slots."),
		entgql.QueryField().Description("Clinicians of the practice."),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Mixin of the Clinician.
func (Clinician) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}}
}

// Fields of the Clinician.
func (Clinician) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			NotEmpty().
			Validate(validName).
			MaxLen(200).
			Comment("Full name as shown to colleagues and clients.").
			Annotations(entgql.OrderField("NAME")),
		field.String("credentials").
			Default("").
			MaxLen(100).
			Comment("Licence and degrees, e.g. LCSW or PsyD."),
		field.Int("weekly_slots").
			Default(30).
			Range(0, 80).
			Comment("Open client sessions per week (typically 30-35).").
			Annotations(entgql.OrderField("WEEKLY_SLOTS")),
		field.Bool("accepting_new_clients").
			Default(true).
			Comment("Whether intake may assign new clients to this clinician."),
		field.Strings("modalities").
			Optional().
			Validate(validModalities).
			Comment("Therapy modalities the clinician practises (values of ClientModality)."),
		field.Int("supervisor_id").
			Optional().
			Nillable().
			Comment("The clinician who supervises this one, if any."),
		field.Int("user_id").
			Optional().
			Nillable().
			Unique().
			Comment("The login of this clinician, if they sign in."),
	}
}

// Edges of the Clinician.
func (Clinician) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("supervisees", Clinician.Type).
			Comment("Clinicians this clinician supervises.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			From("supervisor").
			Unique().
			Field("supervisor_id").
			Comment("The clinician who supervises this one."),
		edge.From("user", User.Type).
			Ref("clinician").
			Unique().
			Field("user_id").
			Comment("The login of this clinician."),
		edge.To("clients", ClientProfile.Type).
			Comment("Clients assigned to this clinician.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("appointments", Appointment.Type).
			Comment("Sessions this clinician holds.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("new_client_requests", NewClientRequest.Type).
			Comment("Requests this clinician made for new clients.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Policy of the Clinician: colleagues are visible to the practice; admins manage clinicians, who may edit their own profile.
func (Clinician) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowIfStaff()},
		Mutation: privacy.MutationPolicy{rule.AllowIfAdmin(), rule.AllowSelfUpdate(), rule.AlwaysDeny()},
	}
}
