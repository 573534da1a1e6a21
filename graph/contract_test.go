package graph

import (
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

// The front ends' contract (issue 15): one shape for every mutation and one
// naming convention for every name, generated (entgql) or hand-written.
// These tests walk the whole schema, so a new mutation or field that breaks
// the rule fails here before a front end sees it.

// TestEveryMutationHasTheOneShape: verbNoun(input: VerbNounInput!):
// VerbNounPayload!, whose payload holds the changed objects, nullable (null
// when refused), and ends with userErrors: [UserError!]!.
func TestEveryMutationHasTheOneShape(t *testing.T) {
	s := NewSchema(Options{}).Schema()
	if s.Mutation == nil || len(s.Mutation.Fields) == 0 {
		t.Fatal("the schema has no mutations")
	}
	for _, f := range s.Mutation.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		verbNoun := strings.ToUpper(f.Name[:1]) + f.Name[1:]
		if len(f.Arguments) != 1 || f.Arguments[0].Name != "input" {
			t.Errorf("%s: arguments %v, want the one argument input", f.Name, argNames(f.Arguments))
		} else if in := f.Arguments[0].Type; !in.NonNull || in.NamedType != verbNoun+"Input" {
			t.Errorf("%s(input: %s), want input: %sInput!", f.Name, in, verbNoun)
		} else if def := s.Types[in.NamedType]; def == nil || def.Kind != ast.InputObject {
			t.Errorf("%s: %s is not an input object", f.Name, in.NamedType)
		}
		if !f.Type.NonNull || f.Type.NamedType != verbNoun+"Payload" {
			t.Errorf("%s: returns %s, want %sPayload!", f.Name, f.Type, verbNoun)
			continue
		}
		payload := s.Types[f.Type.NamedType]
		if payload == nil || payload.Kind != ast.Object || len(payload.Fields) < 2 {
			t.Errorf("%s: %s is not an object with the changed objects and userErrors", f.Name, f.Type.NamedType)
			continue
		}
		last := payload.Fields[len(payload.Fields)-1]
		if last.Name != "userErrors" || last.Type.String() != "[UserError!]!" {
			t.Errorf("%s: the last field of %s is %s: %s, want userErrors: [UserError!]!", f.Name, payload.Name, last.Name, last.Type)
		}
		for _, pf := range payload.Fields[:len(payload.Fields)-1] {
			if pf.Type.NonNull {
				t.Errorf("%s: %s.%s is %s: a payload's objects are null when the input is refused", f.Name, payload.Name, pf.Name, pf.Type)
			}
		}
	}
}

func argNames(args ast.ArgumentDefinitionList) []string {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.Name
	}
	return names
}

var (
	pascalCase = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	camelCase  = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)
	upperSnake = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)
	// An id is ID, ids are IDs, as entgql generates them (clientID,
	// addCaregiverIDs): never clientId, clientIds or clientIdIn.
	lowerID = regexp.MustCompile(`Ids?([A-Z]|$)`)
)

// TestEveryNameFollowsTheConvention: types PascalCase, fields, arguments
// and input fields camelCase with ID (not Id), enum values UPPER_SNAKE,
// input objects named ...Input (an ordering: ...Order), payloads only as
// mutations' results.
func TestEveryNameFollowsTheConvention(t *testing.T) {
	s := NewSchema(Options{}).Schema()
	payloads := map[string]bool{}
	for _, f := range s.Mutation.Fields {
		payloads[f.Type.NamedType] = true
	}
	// checkName checks name, found at where (e.g. "argument Query.node(").
	checkName := func(where, name string) {
		t.Helper()
		if !camelCase.MatchString(name) {
			t.Errorf("%s%s is not camelCase", where, name)
		}
		if lowerID.MatchString(name) {
			t.Errorf("%s%s: write ID and IDs, as in clientID", where, name)
		}
	}
	for name, def := range s.Types {
		if strings.HasPrefix(name, "__") || def.BuiltIn {
			continue
		}
		if !pascalCase.MatchString(name) {
			t.Errorf("type %q is not PascalCase", name)
		}
		if lowerID.MatchString(name) {
			t.Errorf("type %q: write ID, not Id", name)
		}
		switch def.Kind {
		case ast.InputObject:
			if !strings.HasSuffix(name, "Input") && !strings.HasSuffix(name, "Order") {
				t.Errorf("input %s: an input object's name ends in Input (an ordering's in Order)", name)
			}
		case ast.Object:
			if strings.HasSuffix(name, "Payload") && !payloads[name] {
				t.Errorf("type %s: ...Payload names a mutation's result only", name)
			}
		case ast.Enum:
			for _, v := range def.EnumValues {
				if !upperSnake.MatchString(v.Name) {
					t.Errorf("enum value %s.%s is not UPPER_SNAKE", name, v.Name)
				}
			}
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			checkName("field "+name+".", f.Name)
			for _, a := range f.Arguments {
				checkName("argument "+name+"."+f.Name+"(", a.Name)
			}
		}
	}
}

// TestEveryMutationIsAudited: each mutation says what kind of record it
// changes, so that a refused or failed call is audited on that record.
func TestEveryMutationIsAudited(t *testing.T) {
	s := NewSchema(Options{}).Schema()
	for _, f := range s.Mutation.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		rec, ok := mutationRecords[f.Name]
		if !ok {
			t.Errorf("mutation %s has no row in mutationRecords (graph/audit_mutations.go)", f.Name)
			continue
		}
		if s.Types[rec.typ] == nil {
			t.Errorf("mutation %s: record kind %q is not a type of the schema", f.Name, rec.typ)
		}
		if rec.idField == "" {
			continue
		}
		var in *ast.Definition
		if len(f.Arguments) == 1 {
			in = s.Types[f.Arguments[0].Type.Name()]
		}
		want := strings.ToLower(rec.idField[:1]) + rec.idField[1:]
		if in == nil || in.Fields.ForName(want) == nil {
			t.Errorf("mutation %s: its input has no field %s for the audit", f.Name, want)
		}
	}
	for name := range mutationRecords {
		if s.Mutation.Fields.ForName(name) == nil {
			t.Errorf("mutationRecords has %s, which is not a mutation", name)
		}
	}
}

// secretFields are the fields of a payload that hold a secret shown once.
var secretFields = map[string]bool{
	"token": true, "refreshToken": true, "challenge": true, "secret": true, "otpauthURL": true,
	"recoveryCodes": true, "resetCode": true,
}

// TestSecretResultsAreListed: a mutation whose payload reaches a secret
// field (at any depth) is in secretResults, so that its response is never
// kept for an idempotent replay; and every mutation listed reaches one.
func TestSecretResultsAreListed(t *testing.T) {
	s := NewSchema(Options{}).Schema()
	var reaches func(typ string, seen map[string]bool) bool
	reaches = func(typ string, seen map[string]bool) bool {
		def := s.Types[typ]
		if def == nil || def.Kind != ast.Object || seen[typ] {
			return false
		}
		seen[typ] = true
		for _, f := range def.Fields {
			if secretFields[f.Name] || reaches(f.Type.Name(), seen) {
				return true
			}
		}
		return false
	}
	for _, f := range s.Mutation.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		secret := reaches(f.Type.Name(), map[string]bool{})
		if secret != secretResults[f.Name] {
			t.Errorf("mutation %s: its payload reaches a secret field: %v; listed in secretResults (graph/txn.go): %v", f.Name, secret, secretResults[f.Name])
		}
	}
	if !secretResults["login"] || len(secretResults) < 7 {
		t.Errorf("secretResults %v: the sign-in and second-factor mutations are missing", secretResults)
	}
}
