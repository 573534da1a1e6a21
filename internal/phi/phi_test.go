package phi

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// docs/phi.md lists the declaration, row for row.
func TestTheDocsListTheDeclaration(t *testing.T) {
	b, err := os.ReadFile("../../docs/phi.md")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range Fields() {
		want = append(want, fmt.Sprintf("| %s | %s | %s |", f.Type, f.Field, f.Kind))
	}
	var got []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| type ") && !strings.HasPrefix(line, "| ---") {
			got = append(got, line)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("docs/phi.md lists\n%s\nwant (internal/phi)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTheDeclarationIsSortedAndUnique(t *testing.T) {
	for i := 1; i < len(fields); i++ {
		a, b := fields[i-1], fields[i]
		if a.Type > b.Type || a.Type == b.Type && a.Field >= b.Field {
			t.Errorf("%s.%s before %s.%s: keep the declaration sorted, each field once", a.Type, a.Field, b.Type, b.Field)
		}
	}
}
