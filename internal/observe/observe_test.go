package observe

import (
	"context"
	"slices"
	"sync"
	"testing"
)

// TestRequestRecord: the layers of one request write its record from
// concurrent resolvers (run with -race), the last codes win, a summary is
// a copy, and a context without a record takes writes without effect.
func TestRequestRecord(t *testing.T) {
	r := &Request{}
	ctx := NewContext(context.Background(), r)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			FromContext(ctx).SetViewer(7, 3)
			FromContext(ctx).SetCodes("NOT_FOUND", "FORBIDDEN")
			_ = FromContext(ctx).Summary()
			FromContext(ctx).SetOperation("Dashboard", TypeQuery)
		})
	}
	wg.Wait()
	got := r.Summary()
	want := Summary{GraphQL: true, Operation: "Dashboard", Type: TypeQuery, UserID: 7, PracticeID: 3, Codes: []string{"NOT_FOUND", "FORBIDDEN"}}
	if got.GraphQL != want.GraphQL || got.Operation != want.Operation || got.Type != want.Type ||
		got.UserID != want.UserID || got.PracticeID != want.PracticeID || !slices.Equal(got.Codes, want.Codes) {
		t.Errorf("summary %+v, want %+v", got, want)
	}
	if got.Code() != "NOT_FOUND" {
		t.Errorf("first code %q", got.Code())
	}
	got.Codes[0] = "changed"
	if r.Summary().Code() != "NOT_FOUND" {
		t.Error("a summary shares its codes with the record")
	}
	r.SetCodes()
	if c := r.Summary().Code(); c != "" {
		t.Errorf("codes set to none: first code %q", c)
	}

	none := FromContext(context.Background())
	none.SetViewer(1, 1)
	none.SetCodes("INTERNAL")
	none.SetOperation("X", TypeMutation)
	if s := none.Summary(); s.GraphQL || s.UserID != 0 || s.Code() != "" {
		t.Errorf("a context without a record: %+v", s)
	}
}
