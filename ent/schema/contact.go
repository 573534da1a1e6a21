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

// Contact is any contact with a client outside a session.
type Contact struct {
	ent.Schema
}

// Annotations of the Contact.
func (Contact) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A contact with a client or caregiver outside a session: a reminder, check-in, scheduling call or closure warning."),
		entgql.QueryField().Description("Contacts with the clients the caller may see."),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Mixin of the Contact.
func (Contact) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}}
}

// Fields of the Contact.
func (Contact) Fields() []ent.Field {
	return []ent.Field{
		field.Int("client_id").
			Immutable().
			Comment("The client contacted or who got in touch."),
		field.Int("clinician_id").
			Optional().
			Nillable().
			Comment("The clinician who made or took the contact."),
		field.Enum("channel").
			Values("EMAIL", "PHONE", "VOICEMAIL", "TEXT", "IN_PERSON", "PORTAL").
			Comment("How the contact happened."),
		field.Enum("direction").
			Values("INBOUND", "OUTBOUND").
			Comment("INBOUND from the client or caregiver, OUTBOUND from the practice.").
			Annotations(entgql.OrderField("DIRECTION")),
		field.Enum("purpose").
			Values("REMINDER", "CHECK_IN", "SCHEDULING", "CLOSURE_WARNING", "CARE_COORDINATION", "OTHER").
			Comment("Why the contact happened."),
		field.Time("occurred_at").
			Default(nowUTC).
			Comment("When the contact happened.").
			Annotations(entgql.OrderField("OCCURRED_AT")),
		field.Int("billable_minutes").
			Default(0).
			Range(0, 600).
			Comment("Billable minutes spent; a billable contact needs a signed contact note."),
		field.Time("close_by").
			Optional().
			Nillable().
			SchemaType(dateType).
			Comment("For a closure warning: the date after which the case is closed if the client has not booked.").
			Annotations(entgql.Type("Date")),
		field.Text("note").
			Optional().
			Nillable().
			MaxLen(20_000).
			Comment("What was said (identifying)."),
	}
}

// Edges of the Contact.
func (Contact) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("client", ClientProfile.Type).
			Ref("contacts").
			Unique().
			Required().
			Immutable().
			Field("client_id").
			Comment("The client contacted."),
		edge.To("clinician", Clinician.Type).
			Unique().
			Field("clinician_id").
			Comment("The clinician who made or took the contact."),
		edge.To("documents", Document.Type).
			Comment("The contact note(s).").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the Contact.
func (Contact) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("client_id", "occurred_at"),
		// Practice metrics: contacts in a range.
		index.Fields("practice_id", "occurred_at"),
	}
}

// Policy of the Contact: readable with the client it hangs off; writable by the client's own clinician and admins.
func (Contact) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowIfWholePracticeReader(), rule.FilterCaseloadRecords()},
		Mutation: privacy.MutationPolicy{rule.AllowIfAdmin(), rule.AllowCaseloadWrites()},
	}
}
