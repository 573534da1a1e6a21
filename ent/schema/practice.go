package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/rule"

	"github.com/caseload/caseload/internal/caseload"
)

// Practice is the tenant: a group practice with its time zone and policy.
type Practice struct {
	ent.Schema
}

// Annotations of the Practice.
func (Practice) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A group practice: the tenant every other record belongs to, with its time zone and caseload policy."),
	}
}

// Mixin of the Practice.
func (Practice) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Practice.
func (Practice) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			NotEmpty().
			Validate(validName).
			MaxLen(200).
			Comment("The practice's name."),
		field.String("time_zone").
			Default("America/New_York").
			Validate(validTimeZone).
			Comment("IANA time zone in which the practice counts days (e.g. America/New_York)."),
		field.JSON("policy", caseload.Policy{}).
			Default(caseload.DefaultPolicy()).
			Comment("The caseload policy the rules are computed from.").
			Annotations(entgql.Skip()),
		field.JSON("two_factor_roles", []string{}).
			Optional().
			Comment("The roles (ADMIN, CLINICIAN, SUPERVISOR, ANALYST) whose users must sign in with a second factor; null is none (no ent default, so that the release before, which knows no such column, still creates practices).").
			Annotations(entgql.Skip()),
	}
}

func validTimeZone(name string) error {
	if name == "" {
		return errEmptyTimeZone
	}
	_, err := time.LoadLocation(name)
	return err
}

// Policy of the Practice: every member reads their own practice; only its admins change it.
func (Practice) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.DenyIfNoViewer(), rule.FilterOwnPractice(), rule.AllowIfStaff()},
		Mutation: privacy.MutationPolicy{rule.DenyIfNoViewer(), rule.FilterOwnPractice(), rule.AllowIfAdmin(), rule.AlwaysDeny()},
	}
}
