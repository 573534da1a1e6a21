// Package schemahook adjusts the GraphQL schema that entgql generates before
// it is written: it gives the ent schema ClientProfile its practice name
// Client, names the time scalar DateTime, gives the update inputs the id of
// the record they change (ExtendUpdates), and makes sure every type, field,
// argument and enum value carries a description for the front-end teams.
package schemahook

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// Renames maps ent schema names to the names the GraphQL contract uses.
// ent reserves Client for its own entry point, so the client schema is
// ClientProfile in Go and Client on the wire.
var Renames = map[string]string{"ClientProfile": "Client"}

// EntPackage is the Go package of the generated ent code, used to bind the
// renamed GraphQL types back to their Go types with @goModel.
const EntPackage = "github.com/caseload/caseload/ent"

// Rename renames the types of Renames (and every type whose name contains
// one, such as ClientProfileWhereInput) everywhere they are referenced, binds
// them to their Go types, and replaces the Time scalar with DateTime.
func Rename(_ *gen.Graph, s *ast.Schema) error {
	renamed := map[string]string{}
	names := make([]string, 0, len(s.Types))
	for name := range s.Types {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if newName := renameType(name); newName != name {
			if _, taken := s.Types[newName]; taken {
				return fmt.Errorf("schemahook: renaming %s to %s: type already exists", name, newName)
			}
			renamed[name] = newName
		}
	}
	renamed["Time"] = "DateTime"
	delete(s.Types, "Time")
	for old, newName := range renamed {
		def, ok := s.Types[old]
		if !ok {
			continue
		}
		delete(s.Types, old)
		def.Name = newName
		def.Description = renameText(def.Description)
		if def.Directives.ForName("goModel") == nil && def.Kind != ast.Scalar {
			def.Directives = append(def.Directives, goModel(EntPackage+"."+old))
		}
		s.Types[newName] = def
	}
	for _, def := range s.Types {
		for i, iface := range def.Interfaces {
			if n, ok := renamed[iface]; ok {
				def.Interfaces[i] = n
			}
		}
		// ClientProfile "implements" Client only so that ent's field
		// collection matches fragments on Client (see ent/schema/client.go):
		// a type does not implement itself in the GraphQL schema.
		def.Interfaces = slices.DeleteFunc(def.Interfaces, func(iface string) bool { return iface == def.Name })
		for i, t := range def.Types {
			if n, ok := renamed[t]; ok {
				def.Types[i] = n
			}
		}
		for _, f := range def.Fields {
			renameRef(f.Type, renamed)
			f.Description = renameText(f.Description)
			for _, a := range f.Arguments {
				renameRef(a.Type, renamed)
				a.Description = renameText(a.Description)
			}
		}
	}
	for name := range s.PossibleTypes {
		if t := s.Types[name]; t != nil && t.Kind == ast.Object {
			delete(s.PossibleTypes, name) // the self-"interface" above
		}
	}
	for _, m := range []map[string][]*ast.Definition{s.PossibleTypes, s.Implements} {
		for k, defs := range m {
			if n, ok := renamed[k]; ok {
				m[n] = defs
				delete(m, k)
			}
		}
	}
	return nil
}

func renameType(name string) string {
	for old, newName := range Renames {
		name = strings.ReplaceAll(name, old, newName)
	}
	return name
}

// renameText renames the schema names inside a description, so that no
// "ClientProfile" leaks into the documentation of the contract.
func renameText(text string) string {
	for old, newName := range Renames {
		text = strings.ReplaceAll(text, old, newName)
		text = strings.ReplaceAll(text, lowerFirst(old), lowerFirst(newName))
	}
	return text
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

func renameRef(t *ast.Type, renamed map[string]string) {
	for ; t != nil; t = t.Elem {
		if n, ok := renamed[t.NamedType]; ok {
			t.NamedType = n
		}
	}
}

func goModel(model string) *ast.Directive {
	return &ast.Directive{
		Name: "goModel",
		Arguments: ast.ArgumentList{{
			Name:  "model",
			Value: &ast.Value{Kind: ast.StringValue, Raw: model},
		}},
	}
}
