package graph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// MaxListItems bounds every list an argument holds, at any depth of an
// input (`nodes(ids:)`, a filter's `idIn`, `closeCases`' clients): a
// longer one is refused with BAD_USER_INPUT before any SQL, where 40,000 ids
// would reach the database (and 200,000 exceed PostgreSQL's limit of
// parameters). It is the largest page size: ask for more in several
// requests.
const MaxListItems = MaxPageSize

// checkInputBounds refuses (for ArgumentChecks, limits.go) arguments of f
// (literal or through variables) that hold a list longer than MaxListItems
// or a string with a NUL character. PostgreSQL refuses NUL in text and
// SQLite stores it, so without this check the two databases would answer
// the same input differently (INTERNAL on one).
func checkInputBounds(f *ast.Field, vars map[string]any) *gqlerror.Error {
	if len(f.Arguments) == 0 {
		return nil
	}
	args := f.ArgumentMap(vars)
	for _, a := range f.Arguments {
		if reason, path := outOfBounds(args[a.Name], []string{a.Name}); reason != "" {
			at := strings.Join(path, ".")
			return boundsError(f, at, fmt.Sprintf("%s: %s %s", f.Alias, at, reason))
		}
	}
	return nil
}

// outOfBounds returns why v (at path) is refused, and the path of the
// offending value ("" when it is within bounds).
func outOfBounds(v any, path []string) (string, []string) {
	switch v := v.(type) {
	case string:
		if strings.ContainsRune(v, 0) {
			return "must not contain a NUL character (\\u0000)", path
		}
	case []any:
		if len(v) > MaxListItems {
			return fmt.Sprintf("has %d items: at most %d in one request", len(v), MaxListItems), path
		}
		for i, item := range v {
			if reason, at := outOfBounds(item, append(slices.Clip(path), strconv.Itoa(i))); reason != "" {
				return reason, at
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if reason, at := outOfBounds(v[k], append(slices.Clip(path), k)); reason != "" {
				return reason, at
			}
		}
	}
	return "", nil
}
