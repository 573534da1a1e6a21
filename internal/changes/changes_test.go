package changes

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestChangeJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Change
		want string
	}{
		{"old and new", Change{Type: "Practice", ID: 3, Field: "policy.strikeLimit", Old: 3, New: 2, HasOld: true, HasNew: true},
			`{"type":"Practice","id":3,"field":"policy.strikeLimit","old":3,"new":2}`},
		{"false and zero are values", Change{Type: "Appointment", ID: 7, Field: "excused", Old: true, New: false, HasOld: true, HasNew: true},
			`{"type":"Appointment","id":7,"field":"excused","old":true,"new":false}`},
		{"cleared", Change{Type: "Appointment", ID: 7, Field: "excusedAt", Old: "2025-01-02T03:04:05Z", HasOld: true, HasNew: true},
			`{"type":"Appointment","id":7,"field":"excusedAt","old":"2025-01-02T03:04:05Z","new":null}`},
		{"bulk: new only", Change{Type: "Appointment", ID: 8, Field: "status", New: "CANCELED", HasNew: true},
			`{"type":"Appointment","id":8,"field":"status","new":"CANCELED"}`},
		{"redacted never writes its values", Change{Type: "Contact", ID: 1, Field: "note", Old: "secret", New: "other", HasOld: true, HasNew: true, Redacted: true},
			`{"type":"Contact","id":1,"field":"note","changed":true}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDetailStaysValidJSONWithinTheLimit(t *testing.T) {
	var cs []Change
	for i := 1; i <= 40; i++ {
		cs = append(cs, Change{Type: "Appointment", ID: i, Field: "status", Old: "BOOKED", New: "CANCELED", HasOld: true, HasNew: true})
	}
	one := Detail(cs[:1], 1000)
	for _, limit := range []int{1000, 200, len(one), len(one) - 1, 30} {
		d := Detail(cs, limit)
		if len(d) > limit {
			t.Fatalf("limit %d: %d bytes", limit, len(d))
		}
		var got struct {
			Changes []map[string]any `json:"changes"`
			More    int              `json:"more"`
		}
		if err := json.Unmarshal([]byte(d), &got); err != nil {
			t.Fatalf("limit %d: not JSON: %v: %s", limit, err, d)
		}
		if len(got.Changes)+got.More != len(cs) || got.More == 0 {
			t.Errorf("limit %d: %d changes and more %d, want %d in all with some left out", limit, len(got.Changes), got.More, len(cs))
		}
	}
	if d := Detail(cs[:2], 1000); strings.Contains(d, "more") {
		t.Errorf("everything fits, yet: %s", d)
	}
	if d := Detail(nil, 1000); d != "" {
		t.Errorf("no changes: %q", d)
	}
	if d := Detail(cs, 5); d != "" {
		t.Errorf("nothing fits: %q", d)
	}
}

func TestRecorderOnTheContext(t *testing.T) {
	if r := FromContext(context.Background()); r != nil {
		t.Fatal("a recorder without one put there")
	}
	FromContext(context.Background()).Add(Change{Field: "x"}) // nil: records nothing, no panic
	ctx, r := NewContext(context.Background())
	FromContext(ctx).Add(Change{Type: "Practice", Field: "name"})
	if l := r.List(); len(l) != 1 || l[0].Field != "name" {
		t.Errorf("recorded %v", l)
	}
}
