package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/caseload/caseload/ent/privacy"
)

// RefreshToken is one refresh token of a sign-in session. A session (a
// token family) starts at login; each refresh uses its token up and adds the
// next one to the family. A used token presented again means a copy is
// around, so the whole family is revoked, and with it the access tokens that
// name the family in their sid claim. Only the SHA-256 of the token is
// stored.
type RefreshToken struct {
	ent.Schema
}

// Annotations of the RefreshToken: internal, not part of the API.
func (RefreshToken) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A refresh token of a sign-in session, stored as its hash."),
		entgql.Skip(entgql.SkipAll),
	}
}

// Mixin of the RefreshToken.
func (RefreshToken) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}}
}

// Fields of the RefreshToken.
func (RefreshToken) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id").
			Immutable().
			Comment("The user the session belongs to."),
		field.String("family").
			NotEmpty().
			MaxLen(64).
			Immutable().
			Sensitive().
			Comment("The session: random, shared by every token of one sign-in, and the sid claim of its access tokens."),
		field.String("token_hash").
			NotEmpty().
			MaxLen(64).
			Immutable().
			Sensitive().
			Comment("SHA-256 (hex) of the token; the token itself is never stored."),
		field.Time("created_at").
			Default(nowUTC).
			Immutable().
			Comment("When the token was issued."),
		field.Time("expires_at").
			Immutable().
			Comment("When the token stops being accepted."),
		field.Time("used_at").
			Optional().
			Nillable().
			Comment("When the token was exchanged for the next one; a second use revokes the family."),
		field.Time("revoked_at").
			Optional().
			Nillable().
			Comment("When the session was ended: logout, reuse of a token, or the user's deactivation."),
	}
}

// Edges of the RefreshToken.
func (RefreshToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).
			Ref("refresh_tokens").
			Field("user_id").
			Unique().
			Required().
			Immutable(),
	}
}

// Indexes of the RefreshToken.
func (RefreshToken) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("token_hash").Unique(),
		index.Fields("family"),
		index.Fields("user_id", "expires_at"),
	}
}

// Policy of the RefreshToken: only the server's sign-in code (with an
// explicit system decision) touches these rows.
func (RefreshToken) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}
