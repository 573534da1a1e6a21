package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/caseload/caseload/ent/privacy"
)

// LoginThrottle counts the failed sign-ins of one email, of one email from
// one client address, or of one client address (internal/auth/throttle.go
// says what each does), and remembers the addresses a login signed in from.
// It lives in the database, not in a replica's memory, so that every
// replica sees the same count.
//
// Unlike every other table it has no practice: an unknown email has none,
// and a throttle keyed by practice would tell whether an email exists. It
// holds no personal data either: the key is an HMAC of the normalized email
// or of the address, never the email itself.
type LoginThrottle struct {
	ent.Schema
}

// Annotations of the LoginThrottle: internal, not part of the API.
func (LoginThrottle) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Failed sign-ins of one email or one client address, keyed by an HMAC."),
		entgql.Skip(entgql.SkipAll),
	}
}

// Fields of the LoginThrottle.
func (LoginThrottle) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("scope").
			Values("ACCOUNT", "ADDRESS", "ACCOUNT_ADDRESS", "KNOWN_ADDRESS").
			Immutable().
			Comment("What the key stands for: an email (ACCOUNT: a growing delay), a client address (ADDRESS: a lock), an email from one address (ACCOUNT_ADDRESS: a lock), or an address an email signed in from (KNOWN_ADDRESS: exempt from the email's delay)."),
		field.String("key").
			NotEmpty().
			MaxLen(64).
			Immutable().
			Comment("HMAC-SHA256 (hex) of the scope and the normalized email or address; for a pair of both, half of the email's HMAC and half of the pair's."),
		field.Int("failures").
			NonNegative().
			Default(0).
			Comment("Failed sign-ins since window_started_at."),
		field.Time("window_started_at").
			Comment("When the first failure of the current window happened; for ACCOUNT, the last failure; for KNOWN_ADDRESS, the last sign-in."),
		field.Time("locked_until").
			Optional().
			Nillable().
			Comment("Until when sign-ins are refused: once failures reached the limit, or (ACCOUNT) the growing delay after the last failure."),
	}
}

// Indexes of the LoginThrottle.
func (LoginThrottle) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("key").Unique(),
		index.Fields("window_started_at"),
	}
}

// Policy of the LoginThrottle: only the sign-in code (with an explicit
// system decision) touches these rows.
func (LoginThrottle) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}
