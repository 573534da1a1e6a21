package graph

import (
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/caseload/caseload/internal/phi"
)

// TestEverythingIsDescribed keeps the contract documented: every type,
// field, argument and enum value of the schema has a description, and no
// ent-internal name leaks into it.
func TestEverythingIsDescribed(t *testing.T) {
	s := NewSchema(Options{}).Schema()
	for name, def := range s.Types {
		if strings.HasPrefix(name, "__") || def.BuiltIn {
			continue
		}
		if def.Description == "" {
			t.Errorf("type %s has no description", name)
		}
		if strings.Contains(name, "ClientProfile") || strings.Contains(def.Description, "ClientProfile") {
			t.Errorf("type %s leaks the ent name ClientProfile", name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if f.Description == "" {
				t.Errorf("field %s.%s has no description", name, f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					t.Errorf("argument %s.%s(%s) has no description", name, f.Name, a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				t.Errorf("enum value %s.%s has no description", name, v.Name)
			}
		}
	}
}

// TestConnectionsArePaged checks that every connection field takes first and
// last, which ArgumentChecks requires one of.
func TestConnectionsArePaged(t *testing.T) {
	s := NewSchema(Options{}).Schema()
	n := 0
	for name, def := range s.Types {
		for _, f := range def.Fields {
			if !strings.HasSuffix(f.Type.Name(), "Connection") {
				continue
			}
			n++
			if f.Arguments.ForName("first") == nil || f.Arguments.ForName("last") == nil {
				t.Errorf("%s.%s is a connection without first/last", name, f.Name)
			}
		}
	}
	if n < 10 {
		t.Errorf("found %d connection fields, expected the clients, clinicians, appointments, documents and contacts connections and their nested edges", n)
	}
}

// The example operations of docs/workflows.md hold placeholder ids, so they
// are not run against the demo (as README's are); they must still be valid
// operations of the schema.
func TestWorkflowExamplesAreValid(t *testing.T) {
	s := NewSchema(Options{}).Schema()
	doc, err := os.ReadFile("../docs/workflows.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(doc), "```graphql\n")[1:]
	if len(blocks) < 4 {
		t.Fatalf("docs/workflows.md has %d example operations, want at least 4", len(blocks))
	}
	for _, b := range blocks {
		op, _, closed := strings.Cut(b, "```")
		if !closed {
			t.Fatalf("docs/workflows.md: a ```graphql block is not closed:\n%s", b)
		}
		if _, errs := gqlparser.LoadQueryWithRules(s, op, nil); len(errs) > 0 {
			t.Errorf("invalid example: %v\n%s", errs, op)
		}
	}
}

// Every field of the PHI declaration (internal/phi) is in the schema and
// nullable, so that an analyst's FORBIDDEN on it leaves the rest of the
// record in the response.
func TestIdentifyingFieldsAreNullable(t *testing.T) {
	s := NewSchema(Options{}).Schema()
	for _, p := range phi.Fields() {
		def := s.Types[p.Type]
		if def == nil {
			t.Errorf("no type %s", p.Type)
			continue
		}
		f := def.Fields.ForName(p.Field)
		switch {
		case f == nil:
			t.Errorf("%s.%s is declared PHI but not in the schema", p.Type, p.Field)
		case f.Type.NonNull:
			t.Errorf("%s.%s is PHI but non-null", p.Type, p.Field)
		case !isPHI(p.Type, p.Field):
			t.Errorf("%s.%s is declared PHI but not guarded", p.Type, p.Field)
		}
	}
}
