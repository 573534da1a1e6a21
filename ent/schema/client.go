package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"entgo.io/ent/schema/index"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/rule"

	"github.com/caseload/caseload/internal/caseload"
)

// ClientProfile is a client of the practice. ent reserves the name Client for
// its own entry point, so the schema is ClientProfile with table "clients"
// and the GraphQL type is renamed to Client by the entgql schema hook.
type ClientProfile struct {
	ent.Schema
}

// Annotations of the ClientProfile.
func (ClientProfile) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person in therapy with the practice: waitlisted, active on a clinician's caseload, or closed."),
		entsql.Annotation{Table: "clients"},
		entgql.QueryField("clients").Description("Clients the caller may see: all of the practice for an admin, their own caseload for a clinician."),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		// The GraphQL type is Client (schemahook.Rename). Naming Client as
		// an implemented type puts it among the type conditions ent's field
		// collection matches, so `... on Client` fragments load their fields;
		// the schema hook keeps it out of the schema's interfaces.
		entgql.Implements("Client"),
	}
}

// Mixin of the ClientProfile.
func (ClientProfile) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}}
}

// dateType stores a calendar date without a time of day.
var dateType = map[string]string{dialect.Postgres: "date", dialect.SQLite: "date"}

// Fields of the ClientProfile.
func (ClientProfile) Fields() []ent.Field {
	return []ent.Field{
		field.String("first_name").
			NotEmpty().
			Validate(validName).
			MaxLen(100).
			Comment("Given name (identifying).").
			Annotations(entgql.OrderField("FIRST_NAME")),
		field.String("last_name").
			NotEmpty().
			Validate(validName).
			MaxLen(100).
			Comment("Family name (identifying).").
			Annotations(entgql.OrderField("LAST_NAME")),
		field.Time("date_of_birth").
			Optional().
			Nillable().
			SchemaType(dateType).
			Comment("Date of birth (identifying); decides whether the client is a minor.").
			Annotations(entgql.Type("Date")),
		field.String("email").
			Optional().
			Nillable().
			MaxLen(254).
			Validate(validEmail).
			Comment("Email address (identifying)."),
		field.String("phone").
			Optional().
			Nillable().
			MaxLen(32).
			Validate(validPhone).
			Comment("Phone number (identifying)."),
		field.Enum("preferred_contact_channel").
			Values("EMAIL", "PHONE", "TEXT", "PORTAL").
			Default("PHONE").
			Comment("How the client prefers to be reached."),
		field.Enum("session_frequency").
			Values("WEEKLY", "BIWEEKLY", "MONTHLY", "AS_NEEDED").
			Default("WEEKLY").
			Comment("How often the client prefers to be seen.").
			Annotations(entgql.OrderField("SESSION_FREQUENCY")),
		field.Int("clinician_id").
			Optional().
			Nillable().
			Comment("The clinician whose caseload the client is on; empty while waitlisted."),
		field.Enum("status").
			Values("WAITLIST", "ACTIVE", "CLOSED").
			Default("WAITLIST").
			Comment("Where the client is in the practice: waiting, in care, or closed.").
			Annotations(
				entgql.OrderField("STATUS"),
				entgql.Skip(entgql.SkipMutationUpdateInput),
			),
		field.Enum("modality").
			Values(Modalities...).
			Optional().
			Nillable().
			Comment("The therapy modality the client is treated with."),
		field.Bool("wants_earlier_appointment").
			Default(false).
			Comment("On the backfill list: the client would take an earlier slot if one frees up."),
		field.JSON("availability", []caseload.AvailabilityWindow{}).
			Optional().
			Comment("Weekly windows in which the client can take an earlier slot; empty means any time.").
			Annotations(entgql.Skip()),
		field.Bool("recurring_privilege").
			Default(false).
			Comment("Whether the client holds a standing recurring appointment.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Edges of the ClientProfile.
func (ClientProfile) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("clinician", Clinician.Type).
			Ref("clients").
			Unique().
			Field("clinician_id").
			Comment("The clinician whose caseload the client is on."),
		edge.To("caregivers", Caregiver.Type).
			Comment("Parents or guardians of a minor client.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("episodes", Episode.Type).
			Comment("Stretches of care, newest last; at most one is open.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("appointments", Appointment.Type).
			Comment("The client's sessions.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("documents", Document.Type).
			Comment("Clinical paperwork about the client.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("contacts", Contact.Type).
			Comment("Contacts with the client outside sessions.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the ClientProfile.
func (ClientProfile) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("practice_id", "clinician_id", "status"),
		index.Fields("practice_id", "last_name", "first_name"),
	}
}

// Policy of the ClientProfile: admins and analysts read the practice, clinicians their caseload (supervisors also their supervisees'); writes stay in one's own caseload.
func (ClientProfile) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowIfWholePracticeReader(), rule.FilterCaseloadClients()},
		Mutation: privacy.MutationPolicy{rule.AllowIfAdmin(), rule.AllowCaseloadWrites()},
	}
}
