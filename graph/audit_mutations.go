package graph

import (
	"reflect"

	"github.com/caseload/caseload/ent"
)

// target is a record a mutation acted on.
type target struct {
	typ        string
	id, client int
	user       *ent.User
}

// entitiesOf finds the records in a mutation's result: the record itself,
// each record of a list, or the first record field (or list of records)
// of a payload.
func entitiesOf(v any) []target {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	if (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Slice) && rv.IsNil() {
		return nil
	}
	switch x := v.(type) {
	case *ent.ClientProfile:
		return []target{{typ: "Client", id: x.ID, client: x.ID}}
	case *ent.Appointment:
		return []target{{typ: "Appointment", id: x.ID, client: x.ClientID}}
	case *ent.Document:
		return []target{{typ: "Document", id: x.ID, client: x.ClientID}}
	case *ent.Contact:
		return []target{{typ: "Contact", id: x.ID, client: x.ClientID}}
	case *ent.Caregiver:
		return []target{{typ: "Caregiver", id: x.ID, client: x.ClientID}}
	case *ent.Episode:
		return []target{{typ: "Episode", id: x.ID, client: x.ClientID}}
	case *ent.Clinician:
		return []target{{typ: "Clinician", id: x.ID}}
	case *ent.User:
		return []target{{typ: "User", id: x.ID, user: x}}
	case *ent.Practice:
		return []target{{typ: "Practice", id: x.ID}}
	case *ent.NewClientRequest:
		return []target{{typ: "NewClientRequest", id: x.ID}}
	}
	switch {
	case rv.Kind() == reflect.Slice:
		var out []target
		for i := 0; i < rv.Len(); i++ {
			out = append(out, entitiesOf(rv.Index(i).Interface())...)
		}
		return out
	case rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Struct:
		s := rv.Elem()
		for i := 0; i < s.NumField(); i++ {
			f := s.Field(i)
			if f.Kind() != reflect.Pointer && f.Kind() != reflect.Slice || f.IsNil() || !s.Type().Field(i).IsExported() {
				continue
			}
			if t := entitiesOf(f.Interface()); len(t) > 0 {
				return t
			}
		}
	}
	return nil
}

// targetOfArgs names what a refused or failed mutation aimed at, from its
// input: the kind of record (mutationRecords), its id when the input names
// it, and the client.
func targetOfArgs(field string, args map[string]any) target {
	in := args["input"]
	rec := mutationRecords[field]
	t := target{typ: rec.typ, client: intField(in, "ClientID")}
	if rec.idField != "" {
		t.id = intField(in, rec.idField)
	}
	return t
}

// mutationRecords says, for each mutation, what kind of record it changes
// and which field of its input names that record ("" when it creates one,
// or changes several): the audit event of a refused or failed call is of
// that kind and id. A new mutation needs its row (TestEveryMutationIsAudited).
var mutationRecords = map[string]struct{ typ, idField string }{
	"login":                 {"User", ""},
	"refreshToken":          {"User", ""},
	"logout":                {"User", ""},
	"createUser":            {"User", ""},
	"setUserActive":         {"User", "UserID"},
	"unlockUser":            {"User", "UserID"},
	"changePassword":        {"User", ""},
	"resetPassword":         {"User", "UserID"},
	"completePasswordReset": {"User", ""},

	"verifySecondFactor":           {"User", ""},
	"startSecondFactorEnrolment":   {"User", ""},
	"confirmSecondFactorEnrolment": {"User", ""},
	"disableSecondFactor":          {"User", ""},
	"resetSecondFactor":            {"User", "UserID"},
	"regenerateRecoveryCodes":      {"User", ""},
	"setTwoFactorRequirement":      {"Practice", ""},

	"updatePolicy": {"Practice", ""},

	"createClinician": {"Clinician", ""},
	"updateClinician": {"Clinician", "ClinicianID"},
	"createClient":    {"Client", ""},
	"updateClient":    {"Client", "ClientID"},
	"createCaregiver": {"Caregiver", ""},
	"updateCaregiver": {"Caregiver", "CaregiverID"},
	"createContact":   {"Contact", ""},
	"updateContact":   {"Contact", "ContactID"},

	"createAppointment":     {"Appointment", ""},
	"updateAppointment":     {"Appointment", "AppointmentID"},
	"scheduleAppointment":   {"Appointment", ""},
	"rescheduleAppointment": {"Appointment", "AppointmentID"},
	"cancelAppointment":     {"Appointment", "AppointmentID"},
	"recordAttendance":      {"Appointment", "AppointmentID"},
	"excuseStrike":          {"Appointment", "AppointmentID"},
	"recordReminder":        {"Appointment", "AppointmentID"},
	"confirmAppointment":    {"Appointment", "AppointmentID"},
	"fillSlot":              {"Appointment", "CanceledAppointmentID"},

	"createDocument":      {"Document", ""},
	"updateDocument":      {"Document", "DocumentID"},
	"signDocument":        {"Document", "DocumentID"},
	"addDocumentAddendum": {"Document", "DocumentID"},

	"setBackfillPreference": {"Client", "ClientID"},
	"sendClosureWarning":    {"Client", "ClientID"},
	"closeCase":             {"Client", "ClientID"},
	"reopenCase":            {"Client", "ClientID"},
	"closeCases":            {"Client", ""},
	"createRecurringSeries": {"Client", "ClientID"},
	"revokeRecurring":       {"Client", "ClientID"},
	"assignClient":          {"Client", "ClientID"},

	"requestNewClients":      {"NewClientRequest", ""},
	"cancelNewClientRequest": {"NewClientRequest", "RequestID"},
}

// intField reads an int (or *int) field of a struct (or pointer to one).
func intField(v any, name string) int {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return 0
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return 0
	}
	f := rv.FieldByName(name)
	switch {
	case !f.IsValid():
		return 0
	case f.Kind() == reflect.Int:
		return int(f.Int())
	case f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.Int:
		return int(f.Elem().Int())
	}
	return 0
}
