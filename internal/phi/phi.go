// Package phi is the one declaration of protected health information in the
// API: which fields of which GraphQL types identify a person or hold
// clinical free text. The analyst guard (graph/phi.go: the field is null with
// FORBIDDEN, and no filter or order may use it), the audit log (graph/audit_reads.go:
// every read is an event) and the audit-path test (server/audit_paths_test.go:
// every path to every field listed here is proven audited) all read this
// list, and docs/security.md names it. A new field that identifies someone
// or says anything about their health goes here, and nowhere else.
//
// Standard library only: the rule is data, testable without GraphQL.
package phi

import "sort"

// Kind says why a field is protected.
type Kind string

const (
	// Identifying fields name or reach a person: names, date of birth,
	// email, phone.
	Identifying Kind = "identifying"
	// ClinicalText is free text written about a client or their care:
	// notes, document bodies, why a session was cancelled or excused. Any
	// free-text field is here: what someone types may be health information.
	ClinicalText Kind = "clinical free text"
)

// Field is one protected field: a GraphQL object type and its field.
type Field struct {
	Type, Field string
	Kind        Kind
	// Filterable says the field is also a filter (a WhereInput predicate,
	// named by the field as prefix) or an order field of its type: an
	// analyst may use neither.
	Filterable bool
}

// fields is the declaration. Keep it sorted by type, then field.
var fields = []Field{
	{"Appointment", "cancelReason", ClinicalText, true},
	{"Appointment", "excuseReason", ClinicalText, true},
	{"Caregiver", "email", Identifying, true},
	{"Caregiver", "name", Identifying, true},
	{"Caregiver", "phone", Identifying, true},
	{"Client", "dateOfBirth", Identifying, true},
	{"Client", "email", Identifying, true},
	{"Client", "firstName", Identifying, true},
	{"Client", "lastName", Identifying, true},
	{"Client", "phone", Identifying, true},
	{"Contact", "note", ClinicalText, true},
	{"Document", "body", ClinicalText, true},
	{"NewClientRequest", "note", ClinicalText, true},
	// Payloads of mutations (audited as the mutation, never reachable from
	// a query) that carry a name.
	{"ReminderRecipient", "email", Identifying, false},
	{"ReminderRecipient", "name", Identifying, false},
	{"ReminderRecipient", "phone", Identifying, false},
	{"SendClosureWarningPayload", "message", Identifying, false},
}

var index = func() map[string]map[string]Field {
	m := map[string]map[string]Field{}
	for _, f := range fields {
		if m[f.Type] == nil {
			m[f.Type] = map[string]Field{}
		}
		m[f.Type][f.Field] = f
	}
	return m
}()

// Fields returns every protected field, sorted by type and field.
func Fields() []Field {
	out := append([]Field(nil), fields...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Field < out[j].Field
	})
	return out
}

// Lookup returns the declaration of typ.field, if it is protected.
func Lookup(typ, field string) (Field, bool) {
	f, ok := index[typ][field]
	return f, ok
}

// Is says whether typ.field is protected.
func Is(typ, field string) bool {
	_, ok := index[typ][field]
	return ok
}

// Filters returns, for each type, its protected fields that are filters or
// order fields.
func Filters() map[string][]string {
	out := map[string][]string{}
	for _, f := range Fields() {
		if f.Filterable {
			out[f.Type] = append(out[f.Type], f.Field)
		}
	}
	return out
}
