package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/caseload"
)

// ClientFacts is the facts projection (docs/facts.md): per client, the
// inputs the rules of SPEC.md read, for the client's current episode, kept
// current in the transaction of every write that changes them
// (internal/facts/projection). It stores instants, never what depends on
// the day (days since, overdue, close-by passed): the reader computes those
// with today. Every column is a function of the client's history and the
// practice's policy (caseload.Rules.FactsOf), which `caseload facts verify`
// checks and `caseload facts rebuild` restores.
//
// Internal: not in the API, no identifying data (ids, instants, kinds and
// statuses only), read and written by the projection's own SQL.
type ClientFacts struct {
	ent.Schema
}

// Annotations of the ClientFacts: internal, not part of the API.
func (ClientFacts) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("The facts projection: per client, the inputs the rules read, kept current on write (docs/facts.md)."),
		entgql.Skip(entgql.SkipAll),
	}
}

// Fields of the ClientFacts.
func (ClientFacts) Fields() []ent.Field {
	return []ent.Field{
		field.Int("practice_id").Immutable().Comment("The practice (tenant) of the client."),
		field.Int("client_id").Immutable().Comment("The client: one row each."),
		field.Int("version").Comment("The version of the computation that wrote the row (caseload.FactsVersion)."),
		field.Time("updated_at").Comment("When the row was last recomputed."),
		field.Int("episode_id").Optional().Nillable().Comment("The current (latest) episode."),
		field.Time("episode_opened_at").Optional().Nillable(),
		field.Time("episode_closed_at").Optional().Nillable().Comment("Null while the episode is open."),
		field.Int("strike_count").NonNegative().Comment("Strikes of the current episode under the practice's policy (rule 1)."),
		field.JSON("strike_appointment_ids", []int{}).Comment("The sessions that are the strikes."),
		field.Time("last_seen_at").Optional().Nillable().Comment("Start of the last attended session of the open episode (rule 2)."),
		field.Time("last_contact_at").Optional().Nillable().Comment("Latest of last_seen_at and the last inbound contact of the open episode (rule 2)."),
		field.Time("last_inbound_at").Optional().Nillable().Comment("The last inbound contact of any episode (rule 3)."),
		field.Time("warning_sent_at").Optional().Nillable().Comment("The closure warning of the open episode since last seen (rule 3)."),
		field.Time("warning_close_by").Optional().Nillable().Comment("Its close-by date."),
		field.Time("settled_until").Optional().Nillable().Comment("The latest instant of a recorded fact: before it the row cannot answer and the reader reads the history."),
		field.JSON("booked", []caseload.BookedSession{}).Comment("The sessions still on the calendar (next session, reminders, attendance to record, held series)."),
		field.JSON("recurring", caseload.RecurringInputs{}).Comment("The streaks of rule 5."),
		field.JSON("paperwork", []caseload.DueItem{}).Comment("The paperwork due with due instants (rule 6), overdue left to the reader."),
		field.JSON("attendance", []caseload.AttendanceEvent{}).Comment("The attended and missed sessions that the attendance window can still reach (rule 9)."),
		field.Int("primary_caregiver_id").Optional().Nillable().Comment("The primary caregiver, if any."),
		field.Int("contact_caregiver_id").Optional().Nillable().Comment("The caregiver to contact, if any consented."),
		field.Int("caregivers").NonNegative().Comment("How many caregivers are on file."),
		field.Time("review_due_at").Optional().Nillable().Comment("When the open episode's next treatment plan review is due (rule 6): after the last signed plan or review; null without one."),
	}
}

// Indexes of the ClientFacts.
func (ClientFacts) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("client_id").Unique(),
		index.Fields("practice_id"),
	}
}

// Policy of the ClientFacts: nobody through ent; the projection's own SQL
// (internal/facts) reads and writes it.
func (ClientFacts) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}
