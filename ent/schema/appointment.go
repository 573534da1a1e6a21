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

// Appointment is a scheduled session.
type Appointment struct {
	ent.Schema
}

// Annotations of the Appointment.
func (Appointment) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A session of a client with a clinician: booked, confirmed, attended, missed or cancelled."),
		entgql.QueryField().Description("Appointments of the clients the caller may see."),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Mixin of the Appointment.
func (Appointment) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}}
}

// Fields of the Appointment.
func (Appointment) Fields() []ent.Field {
	return []ent.Field{
		field.Int("client_id").
			Immutable().
			Comment("The client seen."),
		field.Int("clinician_id").
			Comment("The clinician holding the session."),
		field.Int("episode_id").
			Optional().
			Nillable().
			Comment("The episode of care the session belongs to: the one whose span [opened, closed) contains its start, however late it was entered; none in a gap between episodes.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("starts_at").
			Comment("Start of the session.").
			Annotations(entgql.OrderField("STARTS_AT")),
		field.Time("ends_at").
			Comment("End of the session; after the start."),
		field.Enum("kind").
			Values("INTAKE", "THERAPY", "TREATMENT_PLAN_REVIEW", "FAMILY").
			Default("THERAPY").
			Comment("What the session is for."),
		field.Enum("status").
			Values("SCHEDULED", "CONFIRMED", "ATTENDED", "NO_SHOW", "CANCELED").
			Default("SCHEDULED").
			Comment("Where the session stands.").
			Annotations(entgql.OrderField("STATUS")),
		field.Int("minutes_late").
			Optional().
			Nillable().
			Range(0, 600).
			Comment("Minutes late the client arrived, for an attended session."),
		field.Enum("canceled_by").
			Values("CLIENT", "CLINICIAN", "PRACTICE").
			Optional().
			Nillable().
			Comment("Who cancelled the session; a client cancellation inside the policy window is a late cancel."),
		field.Enum("rescheduled_by").
			Values("CLIENT", "CLINICIAN", "PRACTICE").
			Optional().
			Nillable().
			Comment("Who asked to move the session: CLIENT once the client asked for any of its moves, else who asked for the latest; empty if never rescheduled. A client's request breaks the on-time streak of recurring eligibility (never a strike).").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput)),
		field.Time("canceled_at").
			Optional().
			Nillable().
			Comment("When the session was cancelled."),
		field.String("cancel_reason").
			Optional().
			Nillable().
			MaxLen(500).
			Comment("Why the session was cancelled."),
		field.Time("confirmed_at").
			Optional().
			Nillable().
			Comment("When the client confirmed the session."),
		field.Time("reminder_sent_at").
			Optional().
			Nillable().
			Comment("When a reminder was sent."),
		field.Enum("reminder_channel").
			Values("EMAIL", "PHONE", "VOICEMAIL", "TEXT", "PORTAL").
			Optional().
			Nillable().
			Comment("How the reminder was sent."),
		field.Bool("excused").
			Default(false).
			Comment("A clinician excused this no-show or late cancel: it is not a strike."),
		field.String("excuse_reason").
			Optional().
			Nillable().
			MaxLen(500).
			Comment("Why the no-show or late cancel was excused."),
		field.String("series_id").
			Optional().
			Nillable().
			MaxLen(64).
			Comment("Identifies the recurring series the session is part of, if any.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("filled_from_id").
			Optional().
			Nillable().
			Comment("The cancelled session whose slot this one took from the backfill list.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Edges of the Appointment.
func (Appointment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("client", ClientProfile.Type).
			Ref("appointments").
			Unique().
			Required().
			Immutable().
			Field("client_id").
			Comment("The client seen."),
		edge.From("clinician", Clinician.Type).
			Ref("appointments").
			Unique().
			Required().
			Field("clinician_id").
			Comment("The clinician holding the session."),
		edge.From("episode", Episode.Type).
			Ref("appointments").
			Unique().
			Field("episode_id").
			Comment("The episode of care the session belongs to.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("filled_by", Appointment.Type).
			Unique().
			Comment("The session booked from the backfill list into this cancelled slot.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			From("filled_from").
			Unique().
			Field("filled_from_id").
			Comment("The cancelled session whose slot this one took.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("documents", Document.Type).
			Comment("Notes written for this session.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the Appointment.
func (Appointment) Indexes() []ent.Index {
	return []ent.Index{
		// A client's history (the rules load it for every client a screen
		// shows) and the client's double-booking check.
		index.Fields("client_id", "starts_at"),
		// The clinician's double-booking check and a clinician's sessions.
		// The practice comes first because every query carries it (the tenant
		// filter): with it, SQLite's planner takes this index for the
		// check instead of ranging over the whole practice's sessions in the
		// window (docs/explain.md).
		index.Fields("practice_id", "clinician_id", "starts_at"),
		// Practice metrics: sessions in a range.
		index.Fields("practice_id", "starts_at"),
		// An episode's attended sessions (practice metrics: retention,
		// sessions per closed episode).
		index.Fields("episode_id", "status"),
	}
}

// Policy of the Appointment: readable with the client it hangs off; writable by the client's own clinician and admins.
func (Appointment) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowIfWholePracticeReader(), rule.FilterCaseloadRecords()},
		Mutation: privacy.MutationPolicy{rule.AllowIfAdmin(), rule.AllowCaseloadWrites()},
	}
}
