package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/phi"
	"github.com/caseload/caseload/internal/viewer"
)

// Identifying fields and clinical free text (SPEC.md "Access": PHI) are
// declared once, in internal/phi: client and caregiver names, date of birth,
// email, phone, document bodies, contact notes, why a session was cancelled
// or excused, what a clinician asks intake. An analyst never gets them: the
// field errors with FORBIDDEN and the rest of the response resolves, and no
// filter or order may use them. Every other read of them is an audit event
// (audit.go).

func isPHI(object, field string) bool { return phi.Is(object, field) }

// phiInputs are the filter fields (and their predicates, which extend the
// name: firstNameContainsFold) of each where input that reveal PHI: an
// analyst may not filter by them (no learning a name by filtering on it).
var phiInputs = func() map[string][]string {
	out := map[string][]string{}
	for typ, fields := range phi.Filters() {
		out[typ+"WhereInput"] = fields
	}
	return out
}()

// enumValueOf turns a field name into its enum value: firstName, FIRST_NAME.
func enumValueOf(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func errPHIForbidden(what string) *caseload.Error {
	return &caseload.Error{Code: caseload.CodeForbidden, Message: what + " identifies a person: analysts see aggregates and records without identifying fields"}
}

// staffContactFields are the fields of another login that only admins
// read (schemahook.StaffContactFields makes them nullable): the staff
// directory gives every role names and roles, not emails or sign-in times.
var staffContactFields = map[string]map[string]bool{
	"User": {"email": true, "lastLoginAt": true, "twoFactorEnabled": true},
}

// staffContactInputs and staffContactOrders are the filters and orders
// that would reveal them: only admins use them.
var staffContactInputs = map[string][]string{
	"UserWhereInput": {"email", "lastLoginAt"},
}

var staffContactOrders = map[string]map[string]bool{
	"UserOrderField": {"EMAIL": true, "LAST_LOGIN_AT": true},
}

func errStaffContactForbidden(what string) *caseload.Error {
	return &caseload.Error{Code: caseload.CodeForbidden, Message: what + " of another login is for admins only"}
}

// staffContactRefused reports whether the viewer may not read field of the
// login parent: a signed-in non-admin reading another's. Without a viewer
// (the payload of login) the login is the one just signed in to.
func staffContactRefused(ctx context.Context, fc *graphql.FieldContext) bool {
	if !staffContactFields[fc.Object][fc.Field.Name] {
		return false
	}
	v := viewer.FromContext(ctx)
	if v == nil || v.IsAdmin() {
		return false
	}
	u, ok := fc.Parent.Result.(*ent.User)
	return !ok || u.ID != v.UserID
}

// GuardPHI is the field middleware that keeps PHI from analysts and notes
// every other read of it for the audit log; and keeps the contact fields
// of other logins from non-admins.
func GuardPHI(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc != nil && fc.Parent != nil && staffContactRefused(ctx, fc) {
		return nil, errStaffContactForbidden(fc.Object + "." + fc.Field.Name)
	}
	if fc == nil || !isPHI(fc.Object, fc.Field.Name) {
		return next(ctx)
	}
	if v := viewer.FromContext(ctx); v != nil && v.Role == viewer.Analyst {
		return nil, errPHIForbidden(fc.Object + "." + fc.Field.Name)
	}
	res, err := next(ctx)
	if err == nil && fc.Parent != nil {
		auditFrom(ctx).read(fc.Object, fc.Field.Name, fc.Parent.Result)
	}
	return res, err
}

// PHIFilters refuses to an analyst, before any SQL, an operation that
// filters or orders by a PHI field anywhere in its arguments.
type PHIFilters struct {
	schema *ast.Schema
	// orders are the order fields of PHI, by order enum: FIRST_NAME of
	// ClientOrderField, those of internal/phi the schema has.
	orders map[string]map[string]bool
	// staffOnly checks only the staff contact filters (a viewer who is
	// neither analyst nor admin).
	staffOnly bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &PHIFilters{}

// ExtensionName implements graphql.HandlerExtension.
func (*PHIFilters) ExtensionName() string { return "PHIFilters" }

// Validate keeps the schema to walk input types with.
func (p *PHIFilters) Validate(s graphql.ExecutableSchema) error {
	p.schema = s.Schema()
	p.orders = map[string]map[string]bool{}
	for typ, fields := range phi.Filters() {
		enum := p.schema.Types[typ+"OrderField"]
		if enum == nil {
			continue
		}
		for _, f := range fields {
			if v := enumValueOf(f); enum.EnumValues.ForName(v) != nil {
				if p.orders[enum.Name] == nil {
					p.orders[enum.Name] = map[string]bool{}
				}
				p.orders[enum.Name][v] = true
			}
		}
	}
	return nil
}

// MutateOperationContext checks the arguments of every field.
func (p *PHIFilters) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	v := viewer.FromContext(ctx)
	if v == nil || oc.Operation == nil || v.IsAdmin() {
		return nil
	}
	// Analysts may not filter on PHI; nobody but admins on logins' emails.
	p = &PHIFilters{schema: p.schema, orders: p.orders, staffOnly: v.Role != viewer.Analyst}
	var found string
	walkFields(oc.Operation.SelectionSet, map[string]bool{}, func(f *ast.Field) bool {
		for _, arg := range f.Arguments {
			if arg.Value == nil || arg.Value.ExpectedType == nil {
				continue
			}
			val, err := arg.Value.Value(oc.Variables)
			if err != nil {
				continue
			}
			if found = p.phiIn(arg.Value.ExpectedType, val); found != "" {
				return false
			}
		}
		return true
	})
	if found == "" {
		return nil
	}
	e := errPHIForbidden("filtering or ordering by " + found)
	if strings.HasPrefix(found, "User") {
		e = errStaffContactForbidden("filtering or ordering by " + found)
	}
	return &gqlerror.Error{Message: e.Message, Extensions: map[string]any{"code": e.Code}}
}

// phiIn returns the first PHI filter or order field in a value of type t.
func (p *PHIFilters) phiIn(t *ast.Type, v any) string {
	if list, ok := v.([]any); ok {
		elem := t
		if t.Elem != nil {
			elem = t.Elem
		}
		for _, item := range list {
			if f := p.phiIn(elem, item); f != "" {
				return f
			}
		}
		return ""
	}
	name := t.Name()
	if s, ok := v.(string); ok && (!p.staffOnly && p.orders[name][s] || staffContactOrders[name][s]) {
		return fmt.Sprintf("%s %s", name, s)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	def := p.schema.Types[name]
	for key, val := range obj {
		prefixes := staffContactInputs[name]
		if !p.staffOnly {
			prefixes = append(slices.Clip(prefixes), phiInputs[name]...)
		}
		for _, prefix := range prefixes {
			if strings.HasPrefix(key, prefix) {
				return name + "." + key
			}
		}
		if def == nil {
			continue
		}
		if fd := def.Fields.ForName(key); fd != nil {
			if f := p.phiIn(fd.Type, val); f != "" {
				return f
			}
		}
	}
	return ""
}
