package graph

import (
	"errors"
	"reflect"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// checkCursorArgs refuses (for ArgumentChecks, limits.go) a connection
// cursor (`after`, `before`) that cannot be one the server wrote: it must
// be a string that decodes to an id and an order value, which is empty
// when the connection has no orderBy, and otherwise strings (without NUL),
// numbers, booleans or times. Otherwise the cursor would fail deep in the
// resolver as an internal error, or reach the SQL as a value no column
// holds. BAD_USER_INPUT names the argument. (A value of the wrong type for
// its order field is refused by PostgreSQL: the error presenter reports
// that as BAD_USER_INPUT too.)
func checkCursorArgs(f *ast.Field, vars map[string]any) *gqlerror.Error {
	if f.Definition == nil {
		return nil
	}
	var args map[string]any
	for _, def := range f.Definition.Arguments {
		if def.Type.Name() != "Cursor" {
			continue
		}
		if args == nil {
			args = f.ArgumentMap(vars)
		}
		v, ok := args[def.Name]
		if !ok || v == nil {
			continue
		}
		c, err := decodeCursor(v)
		if ordered := args["orderBy"] != nil; err != nil || (!ordered && c.Value != nil) || !plainValue(c.Value, true) {
			return boundsError(f, def.Name, def.Name+": not a cursor of this connection: pass a cursor from its edges or pageInfo")
		}
	}
	return nil
}

var timeType = reflect.TypeOf(time.Time{})

// plainValue reports whether a cursor's order value is one columns hold:
// a scalar, or (ordered by several fields) a list of them.
func plainValue(v any, list bool) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return !strings.ContainsRune(rv.String(), 0)
	case reflect.Bool, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	case reflect.Slice:
		if !list {
			return false
		}
		for i := 0; i < rv.Len(); i++ {
			if !plainValue(rv.Index(i).Interface(), false) {
				return false
			}
		}
		return true
	}
	return rv.Type() == timeType
}

// decodeCursor reads a client's cursor. entgql's msgpack decoding panics on
// some crafted inputs (reflect: SetInt using unaddressable value); those are
// not cursors either. Checking every cursor here, before the resolvers
// decode them again, keeps such input from reaching them.
func decodeCursor(v any) (c entgql.Cursor[int], err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = entgql.Cursor[int]{}, errMalformedCursor
		}
	}()
	err = c.UnmarshalGQL(v)
	return c, err
}

var errMalformedCursor = errors.New("malformed cursor")
