package schema

import (
	"context"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"github.com/caseload/caseload/ent/hook"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/rule"
)

// TimeMixin records when a row was created and last changed.
type TimeMixin struct {
	mixin.Schema
}

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(nowUTC).
			Immutable().
			Comment("When the record was created.").
			Annotations(
				entgql.OrderField("CREATED_AT"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
		field.Time("updated_at").
			Default(nowUTC).
			UpdateDefault(nowUTC).
			Comment("When the record last changed.").
			Annotations(
				entgql.OrderField("UPDATED_AT"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
	}
}

// Hooks of the TimeMixin, on every write of every record that has one,
// whatever code asks (a workflow, a job, a command): an instant or date
// outside the range the practice records is refused (the workflows report
// it first, with the input's other refusals), and names are trimmed of
// surrounding spaces.
func (TimeMixin) Hooks() []ent.Hook {
	return []ent.Hook{checkInputs}
}

func checkInputs(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		var refused caseload.Collector
		for _, name := range m.Fields() {
			v, _ := m.Field(name)
			if t, ok := v.(time.Time); ok {
				if e := caseload.CheckInstant(camelCase(name), t); e != nil {
					refused.Refuse(e)
				}
			}
		}
		if err := refused.Err(); err != nil {
			return nil, err
		}
		for _, name := range nameFields {
			v, _ := m.Field(name)
			if s, ok := v.(string); ok && strings.TrimSpace(s) != s {
				if err := m.SetField(name, strings.TrimSpace(s)); err != nil {
					return nil, err
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}

// camelCase is the API's name of a column: starts_at is startsAt.
func camelCase(column string) string {
	parts := strings.Split(column, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// TenantMixin puts a row in exactly one practice. The practice is taken from
// the viewer on create and every query and mutation is filtered by it, so no
// request ever crosses practices.
type TenantMixin struct {
	mixin.Schema
}

// Fields of the TenantMixin.
func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Int("practice_id").
			Immutable().
			Comment("The practice (tenant) the record belongs to.").
			Annotations(entgql.Skip()),
	}
}

// Edges of the TenantMixin.
func (TenantMixin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("practice", Practice.Type).
			Field("practice_id").
			Unique().
			Required().
			Immutable().
			Annotations(entgql.Skip()),
	}
}

// Policy of the TenantMixin: no viewer, no data; and only the viewer's practice.
func (TenantMixin) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.DenyIfNoViewer(), rule.FilterPractice()},
		Mutation: privacy.MutationPolicy{rule.DenyIfNoViewer(), rule.FilterPractice()},
	}
}

// Hooks of the TenantMixin: new rows join the viewer's practice, and no row
// points at another practice's records.
func (TenantMixin) Hooks() []ent.Hook {
	// One hook (the generated runtime wires mixin hooks by position): join
	// the viewer's practice, then check that every reference stays in it.
	return []ent.Hook{hook.NewChain(rule.SetPractice(), SameTenantReferences()).Hook()}
}

// nowUTC is the default of every timestamp. Instants are stored in UTC so
// that they compare correctly on SQLite, where the driver stores them as text.
func nowUTC() time.Time { return time.Now().UTC() }
