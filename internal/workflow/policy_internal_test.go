package workflow

import (
	"reflect"
	"testing"

	"github.com/caseload/caseload/internal/caseload"
)

// Every setting of a change lands in the policy setting of the same name,
// and a change without settings keeps the policy as it is.
func TestPolicyChangeSetsEachSettingByName(t *testing.T) {
	before := caseload.DefaultPolicy()
	if got := (PolicyChange{}).applyTo(before); got != before {
		t.Errorf("an empty change gave %+v, want %+v", got, before)
	}
	var change PolicyChange
	cv := reflect.ValueOf(&change).Elem()
	for i := range cv.NumField() {
		f := cv.Field(i)
		v := reflect.New(f.Type().Elem())
		v.Elem().Set(reflect.ValueOf(1000 + i).Convert(f.Type().Elem()))
		f.Set(v)
	}
	after := reflect.ValueOf(change.applyTo(before))
	if after.NumField() != cv.NumField() {
		t.Fatalf("caseload.Policy has %d settings, PolicyChange %d", after.NumField(), cv.NumField())
	}
	for i := range cv.NumField() {
		name := cv.Type().Field(i).Name
		got := after.FieldByName(name)
		if !got.IsValid() {
			t.Errorf("caseload.Policy has no setting %s", name)
			continue
		}
		if want := cv.Field(i).Elem().Interface(); got.Interface() != want {
			t.Errorf("%s = %v, want %v", name, got.Interface(), want)
		}
	}
}
