package graph

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/hook"
	"github.com/caseload/caseload/internal/changes"
	"github.com/caseload/caseload/internal/phi"
)

// What a mutation changed, for its audit event (internal/changes): this
// hook of the data layer sees every update of a record made under a root
// field of a mutation, whatever workflow makes it, and records each field
// it sets or clears:
//
//   - named as the API names it: the GraphQL type (Client, not
//     ClientProfile) and field (excuseReason, clientID), a setting of a
//     JSON field by its path (policy.strikeLimit); ids are database ids, as
//     the event's entityID is;
//   - an update of one record (UpdateOne) with its old and new value; a
//     bulk update (Update: the appointments a closure cancels) with the new
//     value of each row it matched, its ids read before the update, and no
//     old value;
//   - with no value at all ("changed": true) when the field is PHI
//     (internal/phi: names, date of birth, email, phone, notes, reasons,
//     bodies) or could hold anything else that must not be copied into
//     the log: a value is kept only when it is a number, a flag, an instant,
//     an enum or structured settings without text (the policy, availability),
//     or one of the plain strings of plainStrings. Secrets (password and
//     reset hashes, anything new that is text or bytes) are withheld by
//     that rule, without a list of their own to forget.
//
// Creates record nothing: the event names the created record. There are no
// deletes of the records the API exposes. The bookkeeping of sign-in and
// of the audit itself (auditSkipped) and updatedAt are not recorded.
func auditChanges() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			rec := changes.FromContext(ctx)
			if rec == nil || auditSkipped[m.Type()] {
				return next.Mutate(ctx, m)
			}
			typ := apiType(m.Type())
			var id int
			var ids []int
			if m.Op().Is(ent.OpUpdateOne) {
				id, _ = idOf(m)
			} else if q, ok := m.(interface {
				IDs(context.Context) ([]int, error)
			}); ok {
				ids, _ = q.IDs(ctx) // the rows the update is about to change
			}
			var old map[string]any
			if id != 0 {
				old = oldValues(ctx, m)
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			if id != 0 {
				rec.Add(fieldChanges(typ, id, m, old, true)...)
				return v, nil
			}
			if n, ok := v.(int); ok && n > 0 {
				for _, id := range ids {
					rec.Add(fieldChanges(typ, id, m, nil, false)...)
				}
			}
			return v, nil
		})
	}, ent.OpUpdate|ent.OpUpdateOne)
}

// changeDetails writes a call's changes into the details of its events,
// one per target: each target's own changes, and those of records it
// names no event for (the sessions a closure cancels) with the first.
func changeDetails(cs []changes.Change, targets []target) []string {
	per := make([][]changes.Change, len(targets))
	for _, c := range cs {
		i := slices.IndexFunc(targets, func(t target) bool { return t.typ == c.Type && t.id == c.ID })
		per[max(i, 0)] = append(per[max(i, 0)], c)
	}
	out := make([]string, len(targets))
	for i := range per {
		out[i] = changes.Detail(per[i], maxDetail)
	}
	return out
}

// auditSkipped are the types whose updates are not a record's change: the
// sign-in bookkeeping, idempotency keys and the audit log itself.
var auditSkipped = map[string]bool{
	"AuditEvent": true, "IdempotencyRecord": true, "LoginThrottle": true, "RefreshToken": true,
}

// plainStrings are the text fields (or lists of text) whose values are
// kept: staff and practice details and identifiers, not a word about a
// client.
var plainStrings = map[string]bool{
	"Clinician.name": true, "Clinician.credentials": true,
	"Practice.name": true, "Practice.timeZone": true,
	"Practice.twoFactorRequiredRoles": true, // role names
	"Caregiver.relationship":          true,
	"User.email":                      true,
	"Appointment.seriesID":            true,
}

// apiFieldNames are the columns whose API name is not their own in camel
// case, by type.
var apiFieldNames = map[string]string{
	"Practice.two_factor_roles": "twoFactorRequiredRoles",
}

// apiType is the GraphQL name of an ent type.
func apiType(t string) string {
	if t == "ClientProfile" {
		return "Client"
	}
	return t
}

// apiField is the GraphQL name of a column of the type typ: camel case,
// an id's suffix upper case (client_id: clientID), unless apiFieldNames
// says otherwise.
func apiField(typ, column string) string {
	if name, ok := apiFieldNames[typ+"."+column]; ok {
		return name
	}
	parts := strings.Split(column, "_")
	for i := 1; i < len(parts); i++ {
		switch {
		case parts[i] == "id" && i == len(parts)-1:
			parts[i] = "ID"
		case parts[i] != "":
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

func idOf(m ent.Mutation) (int, bool) {
	if im, ok := m.(interface{ ID() (int, bool) }); ok {
		return im.ID()
	}
	return 0, false
}

// oldValues reads the values before the update of the fields it sets,
// clears or adds to (one read of the row, in the caller's scope); a field
// it cannot read is left out.
func oldValues(ctx context.Context, m ent.Mutation) map[string]any {
	old := map[string]any{}
	names := append(append(append([]string(nil), m.Fields()...), m.ClearedFields()...), m.AddedFields()...)
	for _, name := range names {
		if _, done := old[name]; done {
			continue
		}
		if v, err := m.OldField(ctx, name); err == nil {
			old[name] = v
		}
	}
	return old
}

// fieldChanges lists the fields m changed on the record id, with their old
// values when withOld (an update of one record).
func fieldChanges(typ string, id int, m ent.Mutation, old map[string]any, withOld bool) []changes.Change {
	var out []changes.Change
	add := func(column string, newValue any, hasNew bool) {
		if column == "updated_at" {
			return
		}
		oldValue, hasOld := old[column]
		hasOld = hasOld && withOld
		out = append(out, change(typ, id, apiField(typ, column), oldValue, hasOld, newValue, hasNew)...)
	}
	for _, name := range m.Fields() {
		v, _ := m.Field(name)
		add(name, v, true)
	}
	for _, name := range m.ClearedFields() {
		add(name, nil, true)
	}
	for _, name := range m.AddedFields() {
		delta, _ := m.AddedField(name)
		sum, ok := plus(old[name], delta)
		add(name, sum, ok && withOld)
	}
	return out
}

// change is the record of one field; a JSON setting of settings (both
// values objects) is one change per setting that differs.
func change(typ string, id int, field string, oldValue any, hasOld bool, newValue any, hasNew bool) []changes.Change {
	c := changes.Change{Type: typ, ID: id, Field: field}
	if phi.Is(typ, field) {
		c.Redacted = true
		return []changes.Change{c}
	}
	oldValue, newValue = derefValue(oldValue), derefValue(newValue)
	okOld, okNew := keepable(typ, field, oldValue), keepable(typ, field, newValue)
	if !okOld || !okNew {
		c.Redacted = true
		return []changes.Change{c}
	}
	oldObj, isObj := settings(oldValue)
	newObj, isObj2 := settings(newValue)
	if hasOld && hasNew && isObj && isObj2 {
		var out []changes.Change
		for _, k := range sortedKeys(oldObj, newObj) {
			o, inOld := oldObj[k]
			n, inNew := newObj[k]
			if inOld && inNew && reflect.DeepEqual(o, n) {
				continue
			}
			out = append(out, changes.Change{Type: typ, ID: id, Field: field + "." + k, Old: o, New: n, HasOld: inOld, HasNew: inNew})
		}
		return out
	}
	if hasOld && hasNew && reflect.DeepEqual(oldValue, newValue) {
		return nil // set to what it was
	}
	c.Old, c.HasOld, c.New, c.HasNew = oldValue, hasOld, newValue, hasNew
	return []changes.Change{c}
}

// derefValue looks through a pointer (a nillable field's old value).
func derefValue(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return rv.Elem().Interface()
	}
	return v
}

var (
	stringType  = reflect.TypeOf("")
	instantType = reflect.TypeOf(time.Time{})
)

// keepable says whether a value of typ.field may be written to the log.
func keepable(typ, field string, v any) bool {
	if v == nil || plainStrings[typ+"."+field] {
		return true
	}
	t := reflect.TypeOf(v)
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	case reflect.String:
		// An enum is a type of its own; plain text only when listed
		// (above).
		return t != stringType
	case reflect.Struct, reflect.Slice, reflect.Map:
		if t == instantType {
			return true
		}
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return false // bytes: a secret, a key
		}
		return textFree(v)
	}
	return false
}

// textFree says whether v, as JSON, holds no text at all: settings of
// numbers and flags.
func textFree(v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	var x any
	if json.Unmarshal(b, &x) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(x any) bool {
		switch x := x.(type) {
		case string:
			return false
		case []any:
			for _, e := range x {
				if !walk(e) {
					return false
				}
			}
		case map[string]any:
			for _, e := range x {
				if !walk(e) {
					return false
				}
			}
		}
		return true
	}
	return walk(x)
}

// settings decodes a structured value to its settings, if it is an object.
func settings(v any) (map[string]any, bool) {
	if v == nil {
		return nil, false
	}
	if k := reflect.TypeOf(v).Kind(); k != reflect.Struct && k != reflect.Map || reflect.TypeOf(v) == instantType {
		return nil, false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil, false
	}
	return m, true
}

func sortedKeys(a, b map[string]any) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// plus is old + delta for the numbers ent adds to (AddAssignedCount).
func plus(old, delta any) (any, bool) {
	o, d := reflect.ValueOf(derefValue(old)), reflect.ValueOf(delta)
	if !o.IsValid() || !d.IsValid() || !o.CanInt() || !d.CanInt() {
		return nil, false
	}
	return o.Int() + d.Int(), true
}
