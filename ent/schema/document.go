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

// Document is a piece of clinical paperwork.
type Document struct {
	ent.Schema
}

// Annotations of the Document.
func (Document) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Clinical paperwork: intake, treatment plan, review, progress, contact and termination notes, addenda. Signed documents never change."),
		entgql.QueryField().Description("Documents about the clients the caller may see."),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Mixin of the Document.
func (Document) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}}
}

// Fields of the Document.
func (Document) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").
			Values("INTAKE", "TREATMENT_PLAN", "TREATMENT_PLAN_REVIEW", "PROGRESS_NOTE", "CONTACT_NOTE", "TERMINATION_NOTE", "ADDENDUM").
			Comment("What the document is.").
			Annotations(entgql.OrderField("KIND"), entgql.Skip(entgql.SkipMutationUpdateInput)),
		field.Int("client_id").
			Immutable().
			Comment("The client the document is about."),
		field.Int("author_id").
			Immutable().
			Comment("The user who wrote it; only they may sign it.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("appointment_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The session the note is for."),
		field.Int("contact_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The contact the note is for."),
		field.Int("amends_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The signed document this addendum corrects."),
		field.Text("body").
			Default("").
			MaxLen(200_000).
			Comment("Clinical text (identifying, the most sensitive data here)."),
		field.Enum("status").
			Values("DRAFT", "SIGNED").
			Default("DRAFT").
			Comment("A DRAFT may change; a SIGNED document never does.").
			Annotations(entgql.OrderField("STATUS"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("signed_at").
			Optional().
			Nillable().
			Comment("When the author signed it.").
			Annotations(entgql.OrderField("SIGNED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("version").
			Default(1).
			Comment("Increases with every change; send it back with an update to detect concurrent edits.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Edges of the Document.
func (Document) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("client", ClientProfile.Type).
			Ref("documents").
			Unique().
			Required().
			Immutable().
			Field("client_id").
			Comment("The client the document is about."),
		edge.To("author", User.Type).
			Unique().
			Required().
			Immutable().
			Field("author_id").
			Comment("The user who wrote it.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("appointment", Appointment.Type).
			Ref("documents").
			Unique().
			Immutable().
			Field("appointment_id").
			Comment("The session the note is for."),
		edge.From("contact", Contact.Type).
			Ref("documents").
			Unique().
			Immutable().
			Field("contact_id").
			Comment("The contact the note is for."),
		edge.To("addenda", Document.Type).
			Comment("Corrections linked to this signed document.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			From("amends").
			Unique().
			Immutable().
			Field("amends_id").
			Comment("The signed document this addendum corrects."),
	}
}

// Indexes of the Document.
func (Document) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("client_id", "kind", "status"),
		index.Fields("appointment_id"),
		// The rules' histories ask whether a contact's note is signed.
		index.Fields("contact_id"),
		// One progress note (or intake note) per session, guaranteed by the
		// database even when two phones save at once.
		index.Fields("appointment_id", "kind").
			Unique().
			StorageKey("documents_one_note_per_session").
			Annotations(entsql.IndexWhere("kind IN ('PROGRESS_NOTE', 'INTAKE') AND appointment_id IS NOT NULL")),
	}
}

// Policy of the Document: readable with the client it hangs off; writable by the client's own clinician and admins.
func (Document) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowIfWholePracticeReader(), rule.FilterCaseloadRecords()},
		Mutation: privacy.MutationPolicy{rule.AllowIfAdmin(), rule.AllowCaseloadWrites()},
	}
}
