package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/caseload/caseload/ent/privacy"
)

// IdempotencyRecord remembers a mutation sent with an idempotency key, so
// that a phone retrying it gets the first result and nothing is written
// twice. It is written in the mutation's own transaction.
type IdempotencyRecord struct {
	ent.Schema
}

// Annotations of the IdempotencyRecord: internal, not part of the API.
func (IdempotencyRecord) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("The first result of a mutation sent with an idempotency key."),
		entgql.Skip(entgql.SkipAll),
	}
}

// Mixin of the IdempotencyRecord.
func (IdempotencyRecord) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}}
}

// Fields of the IdempotencyRecord.
func (IdempotencyRecord) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id").
			Immutable().
			Comment("The user who sent the request; keys are per user."),
		field.String("key").
			NotEmpty().
			MaxLen(255).
			Immutable().
			Comment("The idempotency key the client chose."),
		field.String("request_hash").
			NotEmpty().
			MaxLen(64).
			Immutable().
			Comment("SHA-256 of the operation and its variables: the same key with other input is refused."),
		field.Bytes("response").
			Optional().
			Comment("The data of the first response, replayed to retries."),
		field.Time("created_at").
			Default(nowUTC).
			Comment("When the first request was made; records expire a day later."),
	}
}

// Indexes of the IdempotencyRecord.
func (IdempotencyRecord) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("practice_id", "user_id", "key").Unique(),
		index.Fields("created_at"),
	}
}

// Policy of the IdempotencyRecord: only the server's transaction code (with
// an explicit system decision) touches these rows.
func (IdempotencyRecord) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}
