package workflow

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	entgo "entgo.io/ent"

	"github.com/caseload/caseload/ent/schema"
	"github.com/caseload/caseload/internal/caseload"
)

// Every invalid field at once: ent's builders check the fields of a write
// one after the other and stop at the first refusal. checkFields runs the
// same validators, those of ent/schema, on every field a mutation sets,
// and collects each refusal under the field's API name, worded for a
// person; the workflow returns them all before it writes anything.

// fieldRule is what the schema says of one field: its validators and, for
// a string, its maximum length (0: none).
type fieldRule struct {
	validators []any
	maxLen     int
}

var (
	rulesOnce sync.Once
	// fieldRules maps an entity type (ent's Mutation.Type) and a column
	// to the field's rule.
	fieldRules map[string]map[string]fieldRule
)

// entitySchemas are the schemas whose writes are checked.
var entitySchemas = []entgo.Interface{
	schema.Appointment{}, schema.Caregiver{}, schema.ClientProfile{}, schema.Clinician{},
	schema.Contact{}, schema.Document{}, schema.Episode{}, schema.NewClientRequest{},
	schema.Practice{}, schema.User{},
}

func loadFieldRules() {
	fieldRules = map[string]map[string]fieldRule{}
	for _, s := range entitySchemas {
		fields := s.Fields()
		for _, m := range s.Mixin() {
			fields = append(fields, m.Fields()...)
		}
		rules := map[string]fieldRule{}
		for _, f := range fields {
			d := f.Descriptor()
			if len(d.Validators) > 0 {
				rules[d.Name] = fieldRule{validators: d.Validators, maxLen: d.Size}
			}
		}
		fieldRules[reflect.TypeOf(s).Name()] = rules
	}
}

// checkFields refuses, into c, every field m sets whose value a validator
// of the schema refuses, or that is an instant outside the range of
// caseload.CheckInstant: one refusal per field, the first found.
func checkFields(c *caseload.Collector, m entgo.Mutation) {
	rulesOnce.Do(loadFieldRules)
	rules := fieldRules[m.Type()]
	for _, name := range m.Fields() {
		value, _ := m.Field(name)
		if t, ok := value.(time.Time); ok {
			// Every instant and date, in the range of the schema's hook
			// (schema.TimeMixin), reported here with the input's others.
			if e := caseload.CheckInstant(APIFieldName(name), t); e != nil {
				c.Refuse(e)
				continue
			}
		}
		rule, ok := rules[name]
		if !ok {
			continue
		}
		for _, v := range rule.validators {
			if err := callValidator(v, value); err != nil {
				c.Refuse(InvalidField(name, err, value, rule.maxLen))
				break
			}
		}
	}
}

// callValidator calls a validator of the schema, a func(T) error, on
// value; one of another type than the value's is not the value's.
func callValidator(fn, value any) error {
	f := reflect.ValueOf(fn)
	if f.Kind() != reflect.Func || f.Type().NumIn() != 1 || f.Type().NumOut() != 1 || value == nil {
		return nil
	}
	in := reflect.ValueOf(value)
	want := f.Type().In(0)
	switch {
	case in.Type().AssignableTo(want):
	case in.Type().ConvertibleTo(want):
		in = in.Convert(want)
	default:
		return nil
	}
	err, _ := f.Call([]reflect.Value{in})[0].Interface().(error)
	return err
}

// InvalidField is BAD_USER_INPUT on the column name of ent (first_name),
// reported on the API's name of the field (firstName), with the reason
// the validator gave worded for a person: ent's own validators say "value
// is greater than the required length", which a person should read as
// "at most 100 characters". value and maxLen, when known (nil and 0 when
// not), make the sentence precise.
func InvalidField(name string, reason error, value any, maxLen int) *caseload.Error {
	return caseload.Invalid(APIFieldName(name), "%s", personal(reason, value, maxLen))
}

// personal rewords the messages of ent's built-in validators; the
// validators of ent/schema already speak to a person.
func personal(reason error, value any, maxLen int) string {
	if reason == nil {
		return "is not valid"
	}
	for inner := errors.Unwrap(reason); inner != nil; inner = errors.Unwrap(reason) {
		reason = inner
	}
	msg := reason.Error()
	switch {
	case strings.HasPrefix(msg, "value is less than the required"):
		if s, ok := value.(string); ok && s != "" {
			return "is too short"
		}
		return "must not be empty"
	case strings.HasPrefix(msg, "value is greater than the required"):
		if maxLen > 0 {
			return "is too long: at most " + strconv.Itoa(maxLen) + " characters"
		}
		return "is too long"
	case msg == "value does not match validation":
		return "is not in the expected form"
	case msg == "value out of range":
		return "is out of the allowed range"
	}
	return msg
}

// APIFieldName turns ent's column name ("first_name", or "ClientProfile.first_name")
// into the API's name of the field ("firstName"; "clinician_id" is "clinicianID").
func APIFieldName(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] == "id" {
			parts[i] = "ID"
		} else if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
