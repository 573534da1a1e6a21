package schemahook

import (
	"fmt"

	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/internal/phi"
)

// NullableIdentifying makes the protected fields of internal/phi (SPEC.md
// "Access": identifying fields and clinical free text) of the ent object
// types nullable and says why in their descriptions. An analyst's request
// gets FORBIDDEN on each of them while the rest of the response resolves,
// which GraphQL allows only for nullable fields: a non-null field's error
// would null its whole record. Types that are not ent's (payloads written
// by hand) are declared nullable in their own schema files. It runs after
// Rename.
func NullableIdentifying(_ *gen.Graph, s *ast.Schema) error {
	for _, p := range phi.Fields() {
		def := s.Types[p.Type]
		if def == nil {
			continue
		}
		f := def.Fields.ForName(p.Field)
		if f == nil {
			continue
		}
		f.Type.NonNull = false
		switch p.Kind {
		case phi.Identifying:
			f.Description += " Identifying: null with a FORBIDDEN error for analysts; every read is in the audit log."
		default:
			f.Description += " Clinical free text: null with a FORBIDDEN error for analysts; every read is in the audit log."
		}
	}
	return nil
}

// StaffContactFields are the fields of a login that only admins read of
// others (finding 14: the staff directory handed every role the emails and
// last sign-ins of all logins): anyone else gets null with a FORBIDDEN
// error on another user's, and reads their own. Names and roles stay
// readable (a document's author, a clinician's login).
var StaffContactFields = map[string][]string{
	"User": {"email", "lastLoginAt"},
}

// NullableStaffContact makes StaffContactFields nullable and says why in
// their descriptions. It runs after Rename.
func NullableStaffContact(_ *gen.Graph, s *ast.Schema) error {
	for typ, fields := range StaffContactFields {
		def := s.Types[typ]
		if def == nil {
			return fmt.Errorf("schemahook: no type %s for staff contact fields", typ)
		}
		for _, name := range fields {
			f := def.Fields.ForName(name)
			if f == nil {
				return fmt.Errorf("schemahook: no field %s.%s", typ, name)
			}
			f.Type.NonNull = false
			f.Description += " Of another user, only admins read it: null with a FORBIDDEN error for everyone else."
		}
	}
	return nil
}
