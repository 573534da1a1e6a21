package caseload_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps the rules pure: the rules package and the
// viewer may import nothing but the standard library (no database, no
// GraphQL), in the spirit of Tailscale's tstest/deptest.
func TestStandardLibraryOnly(t *testing.T) {
	for _, pkg := range []string{"github.com/caseload/caseload/internal/caseload", "github.com/caseload/caseload/internal/viewer"} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep != pkg {
				t.Errorf("%s imports %s: only the standard library is allowed", pkg, dep)
			}
		}
	}
}
