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

// User is a login of the practice with one role.
type User struct {
	ent.Schema
}

// Annotations of the User.
func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person who signs in: an admin, clinician, supervisor or analyst of the practice."),
		entgql.RelayConnection(),
	}
}

// Mixin of the User.
func (User) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}}
}

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").
			MaxLen(254).
			Validate(validLoginEmail).
			Comment("Sign-in email address, lower case; unique across all practices.").
			Annotations(entgql.OrderField("EMAIL")),
		field.String("password_hash").
			Sensitive().
			NotEmpty().
			Comment("Hash of the password (auth.HashPassword: bcrypt of its SHA-256); never leaves the server."),
		field.Enum("role").
			Values("ADMIN", "CLINICIAN", "SUPERVISOR", "ANALYST").
			Comment("What the user may see and change (SPEC.md Access)."),
		field.Bool("active").
			Default(true).
			Comment("Inactive users cannot sign in."),
		field.String("password_reset_hash").
			Optional().
			Nillable().
			Sensitive().
			Comment("SHA-256 of the one-time password reset code an admin issued (resetPassword); cleared when used or when the password changes; internal.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("password_reset_expires_at").
			Optional().
			Nillable().
			Comment("When the password reset code stops being accepted; internal.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("last_login_at").
			Optional().
			Nillable().
			Comment("When the user last signed in successfully.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("totp_secret").
			Optional().
			Nillable().
			Sensitive().
			Comment("The second factor's TOTP secret, sealed (auth.TOTP: AES-256-GCM with the user's id as additional data); set while an enrolment is pending and once it is confirmed; internal.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("totp_enabled_at").
			Optional().
			Nillable().
			Comment("When the second factor was confirmed; null while none is set up or an enrolment awaits its first code; internal.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		// A default of the column, not of ent: a writer of the release
		// before (which knows no such column) must still create logins
		// once this release's migration ran (a rolling upgrade).
		field.Int64("totp_last_step").
			Optional().
			Comment("The 30-second step of the last code accepted: a code of that step or an earlier one is refused (no replay); 0 for none; internal.").
			Annotations(entgql.Skip(entgql.SkipAll), entsql.Default("0")),
		field.JSON("recovery_code_hashes", []string{}).
			Optional().
			Sensitive().
			Comment("SHA-256 of each unused recovery code (auth.HashRecoveryCode); a code used is removed; internal.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("sign_in_challenge_hash").
			Optional().
			Nillable().
			Sensitive().
			Comment("SHA-256 of the pending second-factor challenge a right password earned (login); single use; internal.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("sign_in_challenge_expires_at").
			Optional().
			Nillable().
			Comment("When the pending second-factor challenge stops being accepted; internal.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("clinician", Clinician.Type).
			Unique().
			Comment("The clinician profile of a CLINICIAN or SUPERVISOR user."),
		edge.To("refresh_tokens", RefreshToken.Type).
			Comment("The refresh tokens of the user's sign-in sessions; internal.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the User.
func (User) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("email").Unique(),
	}
}

// Policy of the User: the staff directory is readable by the practice; only admins manage logins.
func (User) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowIfStaff()},
		Mutation: privacy.MutationPolicy{rule.AllowIfAdmin(), rule.AlwaysDeny()},
	}
}
