// Package changes records what a mutation changed, field by field, so that
// its audit event can say it: the strike limit went from 3 to 2, the strike
// was no longer excused. A Recorder rides on the context of one root field
// of a mutation (graph/txn.go puts it there); the data layer's hook
// (graph/audit_changes.go) adds a Change for every field an update sets,
// and the audit writes them into the event's detail (Detail) when the
// change commits. A refused, failed or rolled-back mutation records none.
//
// What a Change may carry is decided by whoever adds it: identifying
// fields, clinical free text and secrets are added Redacted, with their
// name and no value.
//
// Standard library only: the record is data, usable by any layer.
package changes

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"sync"
)

// Change is one field of one record that a mutation changed.
type Change struct {
	// Type and ID name the record: the API's type name and its database id.
	Type string
	ID   int
	// Field is the API's name of the field ("policy.strikeLimit" for a
	// setting inside the policy).
	Field string
	// Old and New are the values before and after; HasOld and HasNew say
	// whether they are known (a bulk update records the new value only; a
	// cleared field is New nil with HasNew).
	Old, New       any
	HasOld, HasNew bool
	// Redacted says the field changed and its values are withheld: PHI or
	// a secret. Old and New are then never written.
	Redacted bool
}

// MarshalJSON writes the change compactly, keys in a fixed order:
// {"type","id","field","old","new"} or, redacted, {"type","id","field","changed":true}.
func (c Change) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"type":`)
	writeJSON(&b, c.Type)
	b.WriteString(`,"id":`)
	b.WriteString(strconv.Itoa(c.ID))
	b.WriteString(`,"field":`)
	writeJSON(&b, c.Field)
	switch {
	case c.Redacted:
		b.WriteString(`,"changed":true`)
	default:
		if c.HasOld {
			b.WriteString(`,"old":`)
			writeJSON(&b, c.Old)
		}
		if c.HasNew {
			b.WriteString(`,"new":`)
			writeJSON(&b, c.New)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeJSON writes v as JSON; a value that has none is written null.
func writeJSON(b *bytes.Buffer, v any) {
	j, err := json.Marshal(v)
	if err != nil {
		j = []byte("null")
	}
	b.Write(j)
}

// Recorder collects the changes of one root field of a mutation. A nil
// Recorder records nothing.
type Recorder struct {
	mu   sync.Mutex
	list []Change
}

// Add records changes.
func (r *Recorder) Add(cs ...Change) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, cs...)
}

// List returns the changes recorded so far, in the order they were made.
func (r *Recorder) List() []Change {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Change(nil), r.list...)
}

type ctxKey struct{}

// NewContext returns a context that carries a new Recorder, and it.
func NewContext(ctx context.Context) (context.Context, *Recorder) {
	r := &Recorder{}
	return context.WithValue(ctx, ctxKey{}, r), r
}

// FromContext returns the context's Recorder, or nil: outside a mutation's
// root field nothing is recorded.
func FromContext(ctx context.Context) *Recorder {
	r, _ := ctx.Value(ctxKey{}).(*Recorder)
	return r
}

// Detail encodes changes as {"changes":[...]} in at most limit bytes: the
// changes that do not fit are left out, whole, and counted in "more", so
// that the detail is always valid JSON. No changes is "".
func Detail(cs []Change, limit int) string {
	if len(cs) == 0 {
		return ""
	}
	parts := make([][]byte, len(cs))
	for i, c := range cs {
		parts[i], _ = c.MarshalJSON()
	}
	for n := len(cs); n >= 0; n-- {
		s := encode(parts[:n], len(cs)-n)
		if len(s) <= limit {
			return s
		}
	}
	return "" // not even {"changes":[],"more":n} fits
}

func encode(parts [][]byte, more int) string {
	var b bytes.Buffer
	b.WriteString(`{"changes":[`)
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(p)
	}
	b.WriteByte(']')
	if more > 0 {
		b.WriteString(`,"more":`)
		b.WriteString(strconv.Itoa(more))
	}
	b.WriteByte('}')
	return b.String()
}
