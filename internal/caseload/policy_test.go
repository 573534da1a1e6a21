package caseload

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultPolicyIsValid(t *testing.T) {
	if err := DefaultPolicy().Validate(); err != nil {
		t.Fatalf("default policy: %v", err)
	}
}

func TestPolicyValidationNamesTheField(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*Policy)
		field  string
	}{
		{"review interval below 3 months", func(p *Policy) { p.TreatmentPlanReviewMonths = 2 }, "treatmentPlanReviewMonths"},
		{"review interval above 6 months", func(p *Policy) { p.TreatmentPlanReviewMonths = 7 }, "treatmentPlanReviewMonths"},
		{"strike limit zero", func(p *Policy) { p.StrikeLimit = 0 }, "strikeLimit"},
		{"no inactivity days", func(p *Policy) { p.InactivityDays = 0 }, "inactivityDays"},
		{"negative buffer", func(p *Policy) { p.NoShowBuffer = -1 }, "noShowBuffer"},
		{"max below min", func(p *Policy) { p.CaseloadMaxMultiple = 1.2 }, "caseloadMaxMultiple"},
		{"min zero", func(p *Policy) { p.CaseloadMinMultiple = 0 }, "caseloadMinMultiple"},
	} {
		p := DefaultPolicy()
		c.change(&p)
		var invalid *Error
		if err := p.Validate(); !errors.As(err, &invalid) || invalid.Code != CodeBadUserInput || invalid.Field != c.field {
			t.Errorf("%s: got %v, want BAD_USER_INPUT on %s", c.name, err, c.field)
		}
	}
	for _, months := range []int{3, 6} {
		p := DefaultPolicy()
		p.TreatmentPlanReviewMonths = months
		if err := p.Validate(); err != nil {
			t.Errorf("review every %d months: %v, want valid", months, err)
		}
	}
}

func TestAvailabilityWindow(t *testing.T) {
	for _, c := range []struct {
		w AvailabilityWindow
		// fields refused, in order; none: valid
		fields []string
	}{
		{AvailabilityWindow{time.Monday, 9 * 60, 12 * 60}, nil},
		{AvailabilityWindow{time.Sunday, 0, 24 * 60}, nil},
		{AvailabilityWindow{time.Monday, 12 * 60, 12 * 60}, []string{"endMinute"}},
		{AvailabilityWindow{time.Monday, 13 * 60, 12 * 60}, []string{"endMinute"}},
		{AvailabilityWindow{time.Monday, -1, 60}, []string{"startMinute"}},
		{AvailabilityWindow{time.Monday, 0, 24*60 + 1}, []string{"endMinute"}},
		{AvailabilityWindow{7, 0, 60}, []string{"weekday"}},
		{AvailabilityWindow{7, 24 * 60, 0}, []string{"weekday", "startMinute", "endMinute"}},
	} {
		var got []string
		for _, e := range Refusals(c.w.Validate()) {
			if e.Code != CodeBadUserInput || !strings.HasPrefix(e.Message, e.Field+": ") {
				t.Errorf("%+v: refusal %+v, want BAD_USER_INPUT worded on its field", c.w, e)
			}
			got = append(got, e.Field)
		}
		if !slices.Equal(got, c.fields) {
			t.Errorf("%+v: Validate() refused %v, want %v", c.w, got, c.fields)
		}
	}
}

func TestStoredPolicyTakesDefaultsForNewSettings(t *testing.T) {
	var p Policy
	if err := json.Unmarshal([]byte(`{"strikeLimit": 4}`), &p); err != nil {
		t.Fatal(err)
	}
	want := DefaultPolicy()
	want.StrikeLimit = 4
	if p != want {
		t.Errorf("got %+v, want %+v", p, want)
	}
}
