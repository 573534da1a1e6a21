package schemahook

import (
	"fmt"
	"slices"

	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// WorkflowPackage is the Go package of the workflows, whose input types
// carry the id of the record an update changes (issue 15: a mutation has
// one argument, input).
const WorkflowPackage = "github.com/caseload/caseload/internal/workflow"

// UpdateInput is an update input that entgql generates, extended with the
// fields that say which record it changes, first.
type UpdateInput struct {
	// Type is the input's GraphQL name (after Rename).
	Type string
	// Record says what the input changes, for its description ("client").
	Record string
	// Fields are the fields added before the generated ones, in order.
	Fields []*ast.FieldDefinition
}

// idField is the non-null ID field name, described.
func idField(name, description string) *ast.FieldDefinition {
	return &ast.FieldDefinition{Name: name, Description: description, Type: ast.NonNullNamedType("ID", nil)}
}

// UpdateInputs are the update inputs of the record mutations: each is bound
// to the type of the same name in WorkflowPackage, a struct with the added
// fields that embeds ent's generated input.
var UpdateInputs = []UpdateInput{
	{Type: "UpdateClinicianInput", Record: "clinician", Fields: []*ast.FieldDefinition{
		idField("clinicianID", "The clinician to change."),
	}},
	{Type: "UpdateClientInput", Record: "client", Fields: []*ast.FieldDefinition{
		idField("clientID", "The client to change."),
	}},
	{Type: "UpdateCaregiverInput", Record: "caregiver", Fields: []*ast.FieldDefinition{
		idField("caregiverID", "The caregiver to change."),
	}},
	{Type: "UpdateAppointmentInput", Record: "session", Fields: []*ast.FieldDefinition{
		idField("appointmentID", "The session to change."),
	}},
	{Type: "UpdateContactInput", Record: "contact", Fields: []*ast.FieldDefinition{
		idField("contactID", "The contact to change."),
	}},
	{Type: "UpdateDocumentInput", Record: "document", Fields: []*ast.FieldDefinition{
		idField("documentID", "The document to change."),
		{Name: "version", Type: ast.NonNullNamedType("Int", nil),
			Description: "The version the document was read at: a document changed since is refused with CONFLICT."},
	}},
}

// ExtendUpdates adds the fields of UpdateInputs to entgql's update inputs
// and binds each to its workflow type (replacing Rename's @goModel). It
// runs after Rename.
func ExtendUpdates(_ *gen.Graph, s *ast.Schema) error {
	for _, u := range UpdateInputs {
		def := s.Types[u.Type]
		if def == nil || def.Kind != ast.InputObject {
			return fmt.Errorf("schemahook: no input %s to extend", u.Type)
		}
		for _, f := range u.Fields {
			if def.Fields.ForName(f.Name) != nil {
				return fmt.Errorf("schemahook: %s already has a field %s", u.Type, f.Name)
			}
		}
		def.Fields = append(slices.Clone(ast.FieldList(u.Fields)), def.Fields...)
		def.Description = fmt.Sprintf("The %s to change and the values to write; a field left out keeps its value.", u.Record)
		def.Directives = slices.DeleteFunc(def.Directives, func(d *ast.Directive) bool { return d.Name == "goModel" })
		def.Directives = append(def.Directives, goModel(WorkflowPackage+"."+u.Type))
	}
	return nil
}
