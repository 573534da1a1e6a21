// Package scalar marshals the custom GraphQL scalars of the contract: opaque
// global IDs, DateTime (RFC 3339) and Date (YYYY-MM-DD).
package scalar

import (
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/caseload/caseload/internal/caseload"
)

// idPrefix versions the ID encoding so that it can change without breaking
// stored IDs.
const idPrefix = "cl1:"

// EncodeID turns a database id into the opaque global ID clients see.
func EncodeID(id int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(idPrefix + strconv.Itoa(id)))
}

// DecodeID turns an opaque global ID back into a database id.
func DecodeID(s string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, errInvalidID
	}
	n, ok := strings.CutPrefix(string(raw), idPrefix)
	if !ok {
		return 0, errInvalidID
	}
	id, err := strconv.Atoi(n)
	if err != nil || id <= 0 {
		return 0, errInvalidID
	}
	return id, nil
}

var errInvalidID = inputErrorf("not a valid ID")

// inputErrorf is a value the scalars refuse: BAD_USER_INPUT, reported on
// the path of the argument or variable that holds it.
func inputErrorf(format string, args ...any) *caseload.Error {
	return &caseload.Error{Code: caseload.CodeBadUserInput, Message: fmt.Sprintf(format, args...)}
}

// MarshalID writes a database id as an opaque global ID.
func MarshalID(id int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(EncodeID(id)))
	})
}

// UnmarshalID reads an opaque global ID.
func UnmarshalID(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		return 0, inputErrorf("ID must be a string, got %T", v)
	}
	return DecodeID(s)
}

// MarshalDateTime writes an instant in RFC 3339, in UTC.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339)))
	})
}

// UnmarshalDateTime reads an RFC 3339 instant with an offset and returns it
// in UTC: instants are stored and compared in UTC (SQLite compares them as text).
// One outside caseload's range (1900 to 2199, UTC) is refused wherever it
// is written, a mutation's input or a query's filter: SQLite could not
// read a year after 9999 back, and no answer could write it as RFC 3339.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, inputErrorf("DateTime must be an RFC 3339 string, got %T", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, inputErrorf("DateTime must be RFC 3339 with an offset, such as 2026-03-08T09:00:00-05:00")
	}
	if !caseload.InstantInRange(t) {
		return time.Time{}, inputErrorf("DateTime %s", caseload.InstantRangeMessage)
	}
	return t.UTC(), nil
}

// MarshalDate writes a calendar date as YYYY-MM-DD.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate reads a YYYY-MM-DD calendar date as midnight UTC, within
// caseload's range of instants (1900 to 2199).
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, inputErrorf("Date must be a YYYY-MM-DD string, got %T", v)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, inputErrorf("Date must be YYYY-MM-DD, such as 2026-03-08")
	}
	if !caseload.InstantInRange(t) {
		return time.Time{}, inputErrorf("Date %s", caseload.InstantRangeMessage)
	}
	return t, nil
}
