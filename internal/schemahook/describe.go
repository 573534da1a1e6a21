package schemahook

import (
	"fmt"
	"strings"

	"entgo.io/ent/entc/gen"
	entschema "entgo.io/ent/schema"
	"github.com/vektah/gqlparser/v2/ast"
)

// Describe gives every generated type the comment of its ent schema and
// fills in the descriptions entgql leaves empty (connection plumbing, filter
// predicates, order fields, enum values), so that the whole contract is
// documented. Descriptions written in the ent schema always win.
func Describe(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		def, ok := s.Types[renameType(n.Name)]
		if !ok || def.Description != "" {
			continue
		}
		if c, ok := n.Annotations[(&entschema.CommentAnnotation{}).Name()].(map[string]any); ok {
			if text, _ := c["Text"].(string); text != "" {
				def.Description = text
			}
		}
	}
	for name, def := range s.Types {
		if strings.HasPrefix(name, "__") {
			continue
		}
		if def.Description == "" {
			def.Description = describeType(name, def)
		}
		for _, f := range def.Fields {
			if f.Description == "" {
				f.Description = describeField(name, def, f)
			}
			for _, a := range f.Arguments {
				if a.Description == "" || a.Name == "first" || a.Name == "last" {
					a.Description = describeArgument(a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				v.Description = describeEnumValue(name, v.Name)
			}
		}
	}
	return nil
}

func describeType(name string, def *ast.Definition) string {
	switch {
	case name == "Query":
		return "The entry points for reading. Every field but login needs a signed-in user; records the caller may not see are not there."
	case strings.HasSuffix(name, "Connection"):
		return fmt.Sprintf("A page of %s records (Relay cursor connection).", strings.TrimSuffix(name, "Connection"))
	case strings.HasSuffix(name, "Edge"):
		return fmt.Sprintf("A %s record in a connection, with its cursor.", strings.TrimSuffix(name, "Edge"))
	case strings.HasSuffix(name, "OrderField"):
		return fmt.Sprintf("Properties by which %s connections can be ordered.", strings.TrimSuffix(name, "OrderField"))
	case strings.HasSuffix(name, "Order"):
		return fmt.Sprintf("Ordering options for %s connections.", strings.TrimSuffix(name, "Order"))
	case def.Kind == ast.Enum:
		return fmt.Sprintf("The possible values of %s.", name)
	}
	return fmt.Sprintf("The %s type.", name)
}

func describeField(typeName string, def *ast.Definition, f *ast.FieldDefinition) string {
	switch f.Name {
	case "edges":
		return "The records of this page, each with its cursor."
	case "node":
		return "The record."
	case "cursor":
		return "Pass this to `after` or `before` to page from this record."
	case "pageInfo":
		return "Where this page sits in the whole list."
	case "totalCount":
		return "How many records match, over all pages."
	case "direction":
		return "Ascending or descending."
	case "field":
		return "The property to order by."
	case "not":
		return "Matches records that do not match the given filter."
	case "and":
		return "Matches records that match all of the given filters."
	case "or":
		return "Matches records that match any of the given filters."
	case "id":
		return "The opaque global ID of the record."
	}
	if def.Kind == ast.InputObject && strings.HasSuffix(typeName, "WhereInput") {
		return describePredicate(f.Name)
	}
	if def.Kind == ast.InputObject {
		if strings.HasPrefix(f.Name, "add") && strings.HasSuffix(f.Name, "IDs") {
			return fmt.Sprintf("IDs to add to %s.", lowerFirst(strings.TrimSuffix(strings.TrimPrefix(f.Name, "add"), "IDs")))
		}
		if strings.HasPrefix(f.Name, "remove") && strings.HasSuffix(f.Name, "IDs") {
			return fmt.Sprintf("IDs to remove from %s.", lowerFirst(strings.TrimSuffix(strings.TrimPrefix(f.Name, "remove"), "IDs")))
		}
		if strings.HasPrefix(f.Name, "clear") {
			return fmt.Sprintf("Clears %s.", lowerFirst(strings.TrimPrefix(f.Name, "clear")))
		}
		if strings.HasPrefix(f.Name, "append") {
			return fmt.Sprintf("Values to append to %s.", lowerFirst(strings.TrimPrefix(f.Name, "append")))
		}
		if strings.HasSuffix(f.Name, "IDs") {
			return fmt.Sprintf("IDs of the %s.", strings.TrimSuffix(f.Name, "IDs"))
		}
		if strings.HasSuffix(f.Name, "ID") {
			return fmt.Sprintf("ID of the %s.", strings.TrimSuffix(f.Name, "ID"))
		}
	}
	return fmt.Sprintf("The %s of the %s.", f.Name, typeName)
}

// predicateSuffixes are entgql's where-input suffixes, longest first so that
// "NotIn" is not read as "In".
var predicateSuffixes = []struct{ suffix, meaning string }{
	{"ContainsFold", "contains the value, ignoring case"},
	{"EqualFold", "equals the value, ignoring case"},
	{"HasPrefix", "starts with the value"},
	{"HasSuffix", "ends with the value"},
	{"Contains", "contains the value"},
	{"IsNil", "is not set"},
	{"NotNil", "is set"},
	{"NotIn", "is none of the values"},
	{"NEQ", "does not equal the value"},
	{"GTE", "is greater than or equal to the value"},
	{"LTE", "is less than or equal to the value"},
	{"GT", "is greater than the value"},
	{"LT", "is less than the value"},
	{"In", "is one of the values"},
}

func describePredicate(name string) string {
	if strings.HasPrefix(name, "has") && strings.HasSuffix(name, "With") {
		return fmt.Sprintf("Matches records with a %s matching any of the given filters.", lowerFirst(strings.TrimSuffix(strings.TrimPrefix(name, "has"), "With")))
	}
	if strings.HasPrefix(name, "has") && len(name) > 3 {
		return fmt.Sprintf("Matches records that have (true) or lack (false) a %s.", lowerFirst(strings.TrimPrefix(name, "has")))
	}
	for _, p := range predicateSuffixes {
		if field, ok := strings.CutSuffix(name, p.suffix); ok && field != "" {
			return fmt.Sprintf("Matches records whose %s %s.", field, p.meaning)
		}
	}
	return fmt.Sprintf("Matches records whose %s equals the value.", name)
}

func describeArgument(name string) string {
	switch name {
	case "first":
		return "Returns the first n records (1-100). Either first or last is required."
	case "last":
		return "Returns the last n records (1-100). Either first or last is required."
	case "after":
		return "Returns the records after this cursor."
	case "before":
		return "Returns the records before this cursor."
	case "orderBy":
		return "Ordering options for the returned records."
	case "where":
		return "Filtering options for the returned records."
	case "id":
		return "The opaque global ID of the record."
	case "ids":
		return "The opaque global IDs of the records."
	case "input":
		return "The values to write."
	}
	return fmt.Sprintf("The %s.", name)
}

func describeEnumValue(typeName, value string) string {
	words := strings.ToLower(strings.ReplaceAll(value, "_", " "))
	if strings.HasSuffix(typeName, "OrderField") {
		return fmt.Sprintf("Order by %s.", words)
	}
	return fmt.Sprintf("%s%s.", strings.ToUpper(words[:1]), words[1:])
}
