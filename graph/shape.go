package graph

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/caseload/caseload/internal/facts"
)

// The codes of the operation shape limits (OWASP's GraphQL cheat sheet):
// each refuses an operation before any resolver runs, so before any SQL.
const (
	CodeDepthLimit      = "DEPTH_LIMIT_EXCEEDED"
	CodeComplexityLimit = "COMPLEXITY_LIMIT_EXCEEDED"
	CodeAliasLimit      = "ALIAS_LIMIT_EXCEEDED"
	CodeRootFieldLimit  = "ROOT_FIELD_LIMIT_EXCEEDED"
)

// Defaults of the shape limits. The largest screens of the tests and docs
// cost 14,801 (a clinician's 100 clients with their caregivers, episodes,
// last 5 appointments with their notes, and last 3 contacts) and 17,911 (the
// dashboard: 100 clients with every derived field and paperwork, the To-Do
// list and the calendar), unpaged lists counted for their bound
// (listBound), and nest 8 deep; TestScreensCost keeps every document of
// operations/ and the dashboard under DefaultMaxComplexity.
const (
	DefaultMaxDepth      = 12
	DefaultMaxComplexity = 20000
	DefaultMaxAliases    = 30
	DefaultMaxRootFields = 20
	// DefaultMaxTokens bounds the parser (GRAPHQL_PARSE_FAILED beyond it).
	// The IDE's introspection query and the dashboard have under 250 tokens
	// each. Validation time grows with the square of repeated fields: a
	// document of 15,000 tokens of `id` took 11 s on two cores, one of
	// 3,000 takes half a second.
	DefaultMaxTokens = 3000
)

// The walks below count every fragment once and reuse its result wherever
// it is spread: a fragment spread twice in each of n nested fragments stands
// for 2^n copies, and walking each copy would let a small document cost
// exponential time before it is refused (gqlgen's own complexity limit,
// extension.ComplexityLimit, walks each copy: hence ComplexityLimit here).

// DepthLimit refuses an operation whose fields nest deeper than Max (a root
// field is depth 1). Fragments add no depth of their own. The selections
// under __schema and __type do not count: they read the schema, not the
// data, answer only when introspection is on, and gqlparser's
// MaxIntrospectionDepth rule bounds their fan-out (the IDE's own
// introspection query nests 15 deep).
type DepthLimit struct{ Max int }

// RootFieldLimit refuses an operation with more than Max root fields
// (counted through fragments, each spread as often as it appears).
type RootFieldLimit struct{ Max int }

// AliasLimit refuses an operation with more than Max aliased fields
// (counted through fragments, each spread as often as it appears): aliases
// are how one request asks for the same expensive field many times.
type AliasLimit struct{ Max int }

// NoIntrospection refuses an operation that asks for the schema (__schema
// or __type) with the code INTROSPECTION_DISABLED, where gqlgen would fail
// the field with a bare error that the presenter can only call INTERNAL.
// Registered when introspection is off.
type NoIntrospection struct{}

// CodeIntrospectionDisabled is NoIntrospection's code.
const CodeIntrospectionDisabled = "INTROSPECTION_DISABLED"

// ComplexityLimit refuses an operation that costs more than Max. A field
// costs 1 plus what its selections cost, except that a field with `first`
// or `last` (a connection or a ranked list) costs 1 plus its page size
// times its selections, a field taking a list of IDs (`nodes`, or
// `closeCases` in its input's `clientIDs`) 1 plus their number times its
// selections, and any other list of objects (a clinician's `todo`, a
// client's `caregivers`) 1 plus its bound times its selections
// (listBound: DefaultListBound unless a smaller one is known). The page
// size is the larger of first and last; when neither is given, or it is
// outside 1-MaxPageSize, it is MaxPageSize.
// Introspection costs 1.
type ComplexityLimit struct{ Max int }

var (
	_ shapeLimit = DepthLimit{}
	_ shapeLimit = RootFieldLimit{}
	_ shapeLimit = AliasLimit{}
	_ shapeLimit = ComplexityLimit{}
	_ shapeLimit = NoIntrospection{}
)

type shapeLimit interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
}

// ExtensionName implements graphql.HandlerExtension.
func (DepthLimit) ExtensionName() string { return "DepthLimit" }

// ExtensionName implements graphql.HandlerExtension.
func (RootFieldLimit) ExtensionName() string { return "RootFieldLimit" }

// ExtensionName implements graphql.HandlerExtension.
func (AliasLimit) ExtensionName() string { return "AliasLimit" }

// ExtensionName implements graphql.HandlerExtension.
func (ComplexityLimit) ExtensionName() string { return "ComplexityLimit" }

// ExtensionName implements graphql.HandlerExtension.
func (NoIntrospection) ExtensionName() string { return "NoIntrospection" }

// Validate implements graphql.HandlerExtension.
func (NoIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

// Validate implements graphql.HandlerExtension.
func (l DepthLimit) Validate(graphql.ExecutableSchema) error { return positive("DepthLimit", l.Max) }

// Validate implements graphql.HandlerExtension.
func (l RootFieldLimit) Validate(graphql.ExecutableSchema) error {
	return positive("RootFieldLimit", l.Max)
}

// Validate implements graphql.HandlerExtension.
func (l AliasLimit) Validate(graphql.ExecutableSchema) error { return positive("AliasLimit", l.Max) }

// Validate implements graphql.HandlerExtension.
func (l ComplexityLimit) Validate(graphql.ExecutableSchema) error {
	return positive("ComplexityLimit", l.Max)
}

func positive(name string, n int) error {
	if n < 1 {
		return fmt.Errorf("graph: %s needs a maximum of at least 1, got %d", name, n)
	}
	return nil
}

// MutateOperationContext measures the operation's depth.
func (l DepthLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	return overLimit(oc, l.Max, (*walk).depth, CodeDepthLimit, "the operation nests %d fields deep, more than the limit of %d: split it")
}

// MutateOperationContext counts the operation's root fields.
func (l RootFieldLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	return overLimit(oc, l.Max, (*walk).rootFields, CodeRootFieldLimit, "the operation has %d root fields, more than the limit of %d: split it")
}

// MutateOperationContext counts the operation's aliases.
func (l AliasLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	return overLimit(oc, l.Max, (*walk).aliases, CodeAliasLimit, "the operation has %d aliased fields, more than the limit of %d: split it")
}

// overLimit measures the operation with m and refuses it with code when the
// measure exceeds max (format gets the measure and max).
func overLimit(oc *graphql.OperationContext, max int, m func(*walk, ast.SelectionSet) int, code, format string) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if n := measure(oc.Operation.SelectionSet, nil, m); n > max {
		return shapeError(oc, code, format, n, max)
	}
	return nil
}

// MutateOperationContext looks for __schema and __type among the root fields.
func (NoIntrospection) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if measure(oc.Operation.SelectionSet, nil, (*walk).introspection) > 0 {
		return shapeError(oc, CodeIntrospectionDisabled, "introspection is disabled on this server: the schema is documented in the repository")
	}
	return nil
}

// MutateOperationContext computes the operation's cost.
func (l ComplexityLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if c := measure(oc.Operation.SelectionSet, oc.Variables, (*walk).cost); c > l.Max {
		return shapeError(oc, CodeComplexityLimit, "the operation has complexity %d, more than the limit of %d: ask for smaller pages or fewer fields", c, l.Max)
	}
	return nil
}

func shapeError(oc *graphql.OperationContext, code, format string, args ...any) *gqlerror.Error {
	err := &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code}}
	if p := oc.Operation.Position; p != nil {
		err.Locations = []gqlerror.Location{{Line: p.Line, Column: p.Column}}
	}
	return err
}

// walk measures selection sets, remembering each fragment's measure.
type walk struct {
	memo    map[string]int
	vars    map[string]any
	measure func(ast.SelectionSet) int
}

// measure applies m to set and to every fragment spread under it, each
// fragment once.
func measure(set ast.SelectionSet, vars map[string]any, m func(*walk, ast.SelectionSet) int) int {
	w := &walk{memo: map[string]int{}, vars: vars}
	w.measure = func(set ast.SelectionSet) int { return m(w, set) }
	return w.measure(set)
}

// fragment returns the measure of a spread fragment, computed once.
func (w *walk) fragment(s *ast.FragmentSpread) int {
	if s.Definition == nil {
		return 0
	}
	if v, ok := w.memo[s.Name]; ok {
		return v
	}
	w.memo[s.Name] = 0 // a cycle (refused by validation anyway) ends here
	v := w.measure(s.Definition.SelectionSet)
	w.memo[s.Name] = v
	return v
}

func isIntrospection(f *ast.Field) bool { return f.Name == "__schema" || f.Name == "__type" }

func (w *walk) depth(set ast.SelectionSet) int {
	d := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if isIntrospection(sel) {
				d = max(d, 1)
			} else {
				d = max(d, 1+w.depth(sel.SelectionSet))
			}
		case *ast.InlineFragment:
			d = max(d, w.depth(sel.SelectionSet))
		case *ast.FragmentSpread:
			d = max(d, w.fragment(sel))
		}
	}
	return d
}

func (w *walk) rootFields(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			n = add(n, 1)
		case *ast.InlineFragment:
			n = add(n, w.rootFields(sel.SelectionSet))
		case *ast.FragmentSpread:
			n = add(n, w.fragment(sel))
		}
	}
	return n
}

// introspection counts the root fields that read the schema.
func (w *walk) introspection(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if isIntrospection(sel) {
				n = add(n, 1)
			}
		case *ast.InlineFragment:
			n = add(n, w.introspection(sel.SelectionSet))
		case *ast.FragmentSpread:
			n = add(n, w.fragment(sel))
		}
	}
	return n
}

func (w *walk) aliases(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Alias != "" && sel.Alias != sel.Name {
				n = add(n, 1)
			}
			n = add(n, w.aliases(sel.SelectionSet))
		case *ast.InlineFragment:
			n = add(n, w.aliases(sel.SelectionSet))
		case *ast.FragmentSpread:
			n = add(n, w.fragment(sel))
		}
	}
	return n
}

func (w *walk) cost(set ast.SelectionSet) int {
	c := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if isIntrospection(sel) {
				c = add(c, 1)
				continue
			}
			c = add(c, add(1, mul(w.multiplier(sel), w.cost(sel.SelectionSet))))
		case *ast.InlineFragment:
			c = add(c, w.cost(sel.SelectionSet))
		case *ast.FragmentSpread:
			c = add(c, w.fragment(sel))
		}
	}
	return c
}

// multiplier is how many times a field's selections are resolved: its page
// size, the number of IDs it takes, an unpaged list's bound (listBound), or 1.
func (w *walk) multiplier(f *ast.Field) int {
	if f.Definition == nil {
		return 1
	}
	if len(f.Definition.Arguments) == 0 {
		return listBound(f)
	}
	args := f.ArgumentMap(w.vars)
	m, paged := 0, false
	for _, def := range f.Definition.Arguments {
		switch {
		case def.Name == "first" || def.Name == "last":
			paged = true
			if n, ok := asInt(args[def.Name]); ok && n >= 1 && n <= MaxPageSize {
				m = max(m, int(n))
			} else if args[def.Name] != nil {
				m = MaxPageSize
			}
		case def.Type.Elem != nil && def.Type.Elem.Name() == "ID":
			if ids, ok := args[def.Name].([]any); ok {
				m = max(m, len(ids))
			}
		case def.Name == "input":
			// A mutation's input: its lists of IDs (clientIDs).
			in, _ := args[def.Name].(map[string]any)
			for name, v := range in {
				if ids, ok := v.([]any); ok && strings.HasSuffix(name, "IDs") {
					m = max(m, len(ids))
				}
			}
		}
	}
	if paged && m == 0 {
		m = MaxPageSize
	}
	if m == 0 {
		m = listBound(f)
	}
	return max(m, 1)
}

// DefaultListBound is what an unpaged list field (one without first or
// last, such as a clinician's todo or a client's caregivers) counts for in
// the complexity, unless listBounds knows a smaller bound: without it, 29
// aliases of todo across 20 clinicians cost 14,000 and answered 17 MB
// (issue 16, finding 11). It is the largest page.
const DefaultListBound = MaxPageSize

// listBounds are the unpaged lists known to hold fewer items than
// DefaultListBound, by "Type.field"; each is what the code caps it at or
// what a practice holds at most in practice.
var listBounds = map[string]int{
	// A connection's edges and nodes are its page, counted at the
	// connection.
	"*Connection.edges": 1,
	"*Connection.nodes": 1,
	// A calendar entry lists its first few candidates (facts.CalendarCandidates).
	"CalendarEntry.backfillCandidates": facts.CalendarCandidates,
	// One per closure reason.
	"MetricsGroup.closedByReason": 6,
	// closeCases counts its input's clientIDs at the mutation.
	"CloseCasesPayload.clients": 1,
	// A recurring series has at most 52 sessions (workflow.CreateRecurringSeries).
	"CreateRecurringSeriesPayload.appointments": 52,
	"RevokeRecurringPayload.canceled":           52,
	// A day's sessions: 24 one-hour slots at most.
	"Clinician.calendar": 24,
	"Query.myCalendar":   24,
	// A client's paperwork: the notes of the open episode not yet signed,
	// its plan and review, its termination note.
	"Client.paperworkDue": 10,
	// A client's people and history, and a record's documents: a handful
	// each.
	"Client.caregivers":     10,
	"Client.episodes":       10,
	"Client.availability":   14,
	"Appointment.documents": 5,
	"Contact.documents":     5,
	"Document.addenda":      10,
	// A supervisor's supervisees: a clinical supervisor oversees a few.
	"Clinician.supervisees": 20,
	// One per field of an input.
	"*.userErrors": 20,
}

// listBound is how many items an unpaged field is counted for: 1 unless
// it is a list of objects (a list of scalars costs nothing per item), its
// bound in listBounds, else DefaultListBound.
func listBound(f *ast.Field) int {
	if f.Definition == nil || f.Definition.Type.Elem == nil || len(f.SelectionSet) == 0 {
		return 1
	}
	parent := f.ObjectDefinition
	if parent == nil {
		return DefaultListBound
	}
	for _, key := range []string{parent.Name + "." + f.Name, "*." + f.Name} {
		if n, ok := listBounds[key]; ok {
			return n
		}
	}
	if strings.HasSuffix(parent.Name, "Connection") {
		if n, ok := listBounds["*Connection."+f.Name]; ok {
			return n
		}
	}
	return DefaultListBound
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}

// ceiling caps every measure well inside int on any platform.
const ceiling = math.MaxInt32

func add(a, b int) int {
	if a > ceiling-b {
		return ceiling
	}
	return a + b
}

func mul(a, b int) int {
	if a != 0 && b > ceiling/a {
		return ceiling
	}
	return min(a*b, ceiling)
}
