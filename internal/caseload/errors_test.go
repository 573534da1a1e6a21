package caseload

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestCollectorReportsEveryRefusal(t *testing.T) {
	var c Collector
	if c.Err() != nil {
		t.Fatalf("an empty collector: %v, want nil", c.Err())
	}
	c.Refuse(Invalid("email", "must be an email address"))
	one := c.Err()
	var e *Error
	if !errors.As(one, &e) || e.Field != "email" {
		t.Fatalf("one refusal: %#v, want the Error itself", one)
	}
	if err := c.Check(Errors{PolicyViolation("only ACTIVE clients are booked").At("clientID"), NotFound().At("clinicianID")}); err != nil {
		t.Fatalf("Check of refusals returned %v", err)
	}
	if err := c.Check(nil); err != nil {
		t.Fatalf("Check(nil) = %v", err)
	}
	phone := Invalid("phone", "must have 7 to 15 digits").In("caregivers", 2)
	c.Refuse(phone)
	failure := fmt.Errorf("reading the client: %w", errors.New("connection reset"))
	if err := c.Check(failure); !errors.Is(err, failure) {
		t.Errorf("Check of a failure = %v, want it back to stop on", err)
	}

	all := Refusals(c.Err())
	var got []string
	for _, r := range all {
		got = append(got, fmt.Sprintf("%s %s %s", r.Code, r.Field, r.Message))
	}
	want := []string{
		"BAD_USER_INPUT email email: must be an email address",
		"POLICY_VIOLATION clientID only ACTIVE clients are booked",
		"NOT_FOUND clinicianID not found",
		"BAD_USER_INPUT caregivers.2.phone caregivers.2.phone: must have 7 to 15 digits",
	}
	if !slices.Equal(got, want) {
		t.Errorf("refusals:\n%q\nwant:\n%q", got, want)
	}
	if ErrorCode(c.Err()) != CodeBadUserInput {
		t.Errorf("ErrorCode of the refusals = %s, want the first's", ErrorCode(c.Err()))
	}
	if !errors.As(fmt.Errorf("wrapped: %w", c.Err()), new(Errors)) {
		t.Error("Errors is not found through a wrapping error")
	}
	if Refusals(failure) != nil || Refusals(nil) != nil {
		t.Error("a failure or nil holds no refusals")
	}
	// Collecting more after Err does not change what Err returned.
	before := c.Err()
	c.Refuse(Conflict("taken"))
	if len(Refusals(before)) != 4 {
		t.Errorf("Err's result changed under later refusals: %v", before)
	}
	// In on a refusal without a field names the item itself.
	if got := NotFound().In("clientIds", 0).Field; got != "clientIds.0" {
		t.Errorf("In without a field: %q, want clientIds.0", got)
	}
}
