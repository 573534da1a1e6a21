package graph

import (
	"bytes"
	"strconv"
	"testing"

	"entgo.io/contrib/entgql"
)

func cursorString(tb testing.TB, c entgql.Cursor[int]) string {
	var b bytes.Buffer
	c.MarshalGQL(&b)
	s, err := strconv.Unquote(b.String())
	if err != nil {
		tb.Fatalf("cursor written as %s: %v", b.String(), err)
	}
	return s
}

// FuzzCursor: a connection cursor from a client (after:, before:) is
// refused with an error or decodes to a cursor that writes back as one that
// reads the same; it never panics (entgql's own decoding can: the fuzzer
// found a msgpack input that does, see testdata).
func FuzzCursor(f *testing.F) {
	for _, c := range []entgql.Cursor[int]{{ID: 4294967297}, {ID: 1, Value: "Fixture"}, {ID: 8589934593, Value: 1.5}, {ID: -1, Value: []any{1, "a"}}} {
		f.Add(cursorString(f, c))
	}
	for _, s := range []string{"", "gqFp", "not base64!", "////", "3QAAAAA", "gqFpzwAAAAEAAAAB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			return
		}
		var again entgql.Cursor[int]
		if err := again.UnmarshalGQL(cursorString(t, c)); err != nil || again.ID != c.ID {
			t.Errorf("cursor %q (id %d) reads back as id %d, %v", s, c.ID, again.ID, err)
		}
	})
}
