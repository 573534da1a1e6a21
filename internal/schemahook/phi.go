package schemahook

import (
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
