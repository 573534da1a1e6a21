package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/caseload/caseload/internal/screens"
	"github.com/caseload/caseload/operations"
)

// cost is what ComplexityLimit counts for the one operation of doc.
func cost(t *testing.T, doc string, vars map[string]any) int {
	t.Helper()
	q, errs := gqlparser.LoadQueryWithRules(NewSchema(Options{}).Schema(), doc, nil)
	if len(errs) > 0 {
		t.Fatalf("%v\n%s", errs, doc)
	}
	return measure(q.Operations[0].SelectionSet, vars, (*walk).cost)
}

// TestScreensCost: every document of the screens (operations/, and the
// dashboard the benchmark measures) costs less than DefaultMaxComplexity
// now that unpaged lists count for their bound: raising the limit's cost
// must not refuse what the front ends send.
func TestScreensCost(t *testing.T) {
	docs := map[string]string{"Dashboard": screens.Dashboard}
	for _, d := range operations.All() {
		docs[d.Name] = d.Body
	}
	for name, doc := range docs {
		c := cost(t, doc, nil)
		t.Logf("%s costs %d", name, c)
		if c > DefaultMaxComplexity {
			t.Errorf("%s costs %d, more than DefaultMaxComplexity %d", name, c, DefaultMaxComplexity)
		}
	}
}

// TestUnpagedListCost: an unpaged list field counts for its bound
// (issue 16, finding 11: 29 aliases of todo across 20 clinicians cost
// 14,000 and answered 17 MB).
func TestUnpagedListCost(t *testing.T) {
	var b strings.Builder
	b.WriteString("{ clinicians(first: 20) { edges { node { ")
	for i := range 29 {
		b.WriteString("t")
		b.WriteString(strings.Repeat("o", i+1))
		b.WriteString(": todo { kind dueAt overdue explanation client { id firstName lastName } } ")
	}
	b.WriteString("} } } }")
	c := cost(t, b.String(), nil)
	t.Logf("29 aliases of todo over 20 clinicians cost %d", c)
	if c <= DefaultMaxComplexity {
		t.Errorf("29 aliases of todo over 20 clinicians cost %d, want more than %d", c, DefaultMaxComplexity)
	}
	for _, c := range []struct {
		doc  string
		want int
	}{
		// 1 + 100 items × (1 + 1): todo counts for DefaultListBound.
		{`{ myTodo { kind dueAt } }`, 1 + DefaultListBound*2},
		// A list of scalars costs its field only.
		{`{ me { clinician { modalities } } }`, 3},
		// A connection's edges are its page, counted once.
		{`{ clients(first: 10) { edges { node { id } } } }`, 1 + 10*(1+1+1)},
		// A known bound: a client's caregivers.
		{`{ clients(first: 10) { edges { node { caregivers { name } } } } }`, 1 + 10*(1+1+(1+listBounds["Client.caregivers"]*1))},
		// A calendar entry's candidates.
		{`{ myCalendar { backfillCandidates { waitDays } } }`, 1 + listBounds["Query.myCalendar"]*(1+listBounds["CalendarEntry.backfillCandidates"])},
	} {
		if got := cost(t, c.doc, nil); got != c.want {
			t.Errorf("%s costs %d, want %d", c.doc, got, c.want)
		}
	}
}
