package scalar_test

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/caseload/caseload/graph/scalar"
)

func marshal(m graphql.Marshaler) string {
	var b bytes.Buffer
	m.MarshalGQL(&b)
	s, err := strconv.Unquote(b.String())
	if err != nil {
		panic(b.String())
	}
	return s
}

// FuzzDecodeID: any string either is refused or decodes to a positive id
// whose own encoding decodes back to it.
func FuzzDecodeID(f *testing.F) {
	for _, s := range []string{scalar.EncodeID(1), scalar.EncodeID(4294967297), "", "42", "Y2wxOjA", "Y2wxOi0x", "Y2wxOis3", "cl1:7", "====", "Y2wxOjk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := scalar.DecodeID(s)
		if err != nil {
			if id != 0 {
				t.Errorf("DecodeID(%q) = %d with error %v", s, id, err)
			}
			return
		}
		if id <= 0 {
			t.Fatalf("DecodeID(%q) = %d, want a positive id", s, id)
		}
		again, err := scalar.UnmarshalID(marshal(scalar.MarshalID(id)))
		if err != nil || again != id {
			t.Errorf("round trip of %d (from %q): %d, %v", id, s, again, err)
		}
	})
}

// FuzzDate: the Date and DateTime scalars refuse what they cannot read, and
// what they read they write back as the same day or instant.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"2026-03-08", "2024-02-29", "2023-02-29", "0000-01-01", "9999-12-31", "2026-3-8", "2026-03-08T09:00:00-05:00",
		"2026-03-08T09:00:00.123456789Z", "2026-03-08T24:00:00Z", "2026-03-08T09:00:00+14:00", "", "tomorrow"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := scalar.UnmarshalDate(s); err == nil {
			if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
				t.Errorf("Date %q = %v, want midnight UTC", s, d)
			}
			out := marshal(scalar.MarshalDate(d))
			if back, err := scalar.UnmarshalDate(out); err != nil || !back.Equal(d) {
				t.Errorf("Date %q written as %q reads back as %v, %v", s, out, back, err)
			}
		}
		if ts, err := scalar.UnmarshalDateTime(s); err == nil {
			if ts.Location() != time.UTC {
				t.Errorf("DateTime %q = %v, want UTC", s, ts)
			}
			out := marshal(scalar.MarshalDateTime(ts))
			back, err := scalar.UnmarshalDateTime(out)
			// DateTime is written to the second.
			if err != nil || !back.Equal(ts.Truncate(time.Second)) {
				t.Errorf("DateTime %q written as %q reads back as %v, %v", s, out, back, err)
			}
		}
		if _, err := scalar.UnmarshalDate(s); err != nil && err.Error() == "" {
			t.Errorf("Date %q: an error without a message", s)
		}
	})
}
