package archtest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is the import path of this module; the rules name its packages
// relative to it.
const module = "github.com/caseload/caseload"

// Drivers are the SQL drivers, registered by importing them.
var drivers = []string{"github.com/lib/pq/...", "modernc.org/sqlite/..."}

// rules is the table of package -> forbidden imports (the idea of Tailscale's
// tstest/deptest). ARCHITECTURE.md says the same in words: change both.
var rules = []rule{
	{
		pkgs:       []string{"internal/caseload", "internal/viewer"},
		stdlibOnly: true,
		transitive: true,
		why: "the practice's rules and who is asking are pure: they must be testable " +
			"without any database or GraphQL",
	},
	{
		pkgs:       []string{"internal/phi"},
		stdlibOnly: true,
		transitive: true,
		why: "the PHI declaration is data that the schema hook, the GraphQL guard, the audit " +
			"and the docs test all read: it must not pull any of them in",
	},
	{
		pkgs:       []string{"internal/changes"},
		stdlibOnly: true,
		transitive: true,
		why: "the record of what a mutation changed is filled in by the data layer's hook " +
			"and read by the audit: it must pull in neither",
	},
	{
		pkgs:       []string{"internal/observe"},
		stdlibOnly: true,
		transitive: true,
		why: "the per-request record is filled in by auth, the workflows and the GraphQL " +
			"adapter: they must not pull in the metrics library, which only the server " +
			"(through internal/observe/prom) imports",
	},
	{
		pkgs:   []string{"graph/..."},
		forbid: append([]string{"database/sql"}, drivers...),
		why:    "the GraphQL adapter talks to the data layer through ent and the services only",
	},
	{
		pkgs:       []string{"internal/workflow/...", "internal/facts/..."},
		forbid:     []string{module + "/graph/..."},
		transitive: true,
		why: "the workflows and the rule loaders sit below the GraphQL adapter: " +
			"a job, a command or a test must be able to call them without it",
	},
	{
		// Direct imports only: ent itself pulls gqlgen in through entgql.
		pkgs:   []string{"internal/workflow/...", "internal/facts/..."},
		forbid: []string{"github.com/99designs/gqlgen/...", "github.com/vektah/gqlparser/..."},
		why: "what a change does and what the rules read is said in the domain's terms, " +
			"not in GraphQL's: the adapter translates",
	},
	{
		pkgs:       []string{"ent/schema/..."},
		forbid:     []string{module + "/graph/..."},
		transitive: true,
		why:        "the data model is below the API: ent is generated from it, and graph imports ent",
	},
	{
		pkgs: []string{"..."},
		except: []string{
			"internal/database",         // the one opener: DSN pragmas, pool sizes, session settings
			"internal/facts/...",        // hand-written SQL may need pq.Array
			"internal/metrics/...",      // likewise
			"internal/fakepractice/...", // the bulk writer of the large practice uses COPY
			"graph/...",                 // its own, stricter rule is above
		},
		forbid: drivers,
		why: "the database opener chooses and configures the driver; everything else " +
			"gets a *sql.DB or an ent client from it",
	},
}

// A rule forbids some packages of this module some imports. Rules judge the
// code a package builds into the binary, not its tests.
type rule struct {
	// pkgs names packages relative to the module: "graph" is that package,
	// "graph/..." it and every package below it, "..." all of them.
	pkgs []string
	// except leaves packages out of pkgs, written the same way.
	except []string
	// forbid lists import paths, a "/..." ending matching a path and every
	// one below it; stdlibOnly forbids whatever is not the standard library.
	forbid     []string
	stdlibOnly bool
	// transitive judges every package the build pulls in (go list -deps);
	// otherwise only the package's own imports.
	transitive bool
	// why is the reason, told when the rule is broken.
	why string
	// future marks a rule for packages that do not exist yet: it is checked
	// from the day they do. Any other pattern of pkgs that matches no package
	// fails the test, so that a renamed package cannot slip out of its rule.
	future bool
	// pending says why the rule is broken today and which work mends it: its
	// violations are logged, not failed. Once it holds, the test fails until
	// the mark is removed, so that it is enforced from then on.
	pending string
}

// pkg is what go list tells of a package.
type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
}

func TestDependencies(t *testing.T) {
	pkgs := list(t)
	for _, r := range rules {
		name := strings.Join(r.pkgs, ", ")
		matched, broken := r.check(pkgs)
		for _, p := range r.pkgs {
			if matched[p] == 0 && !r.future {
				t.Errorf("rule for %s: %q matches no package; fix the table", name, p)
			}
		}
		switch {
		case r.pending == "":
			for _, v := range broken {
				t.Errorf("%s: %s", v, r.why)
			}
		case len(broken) > 0:
			for _, v := range broken {
				t.Logf("pending (%s): %s: %s", r.pending, v, r.why)
			}
		default:
			t.Errorf("rule for %s now holds: remove its pending mark (%s)", name, r.pending)
		}
	}
}

// list runs go list once for every package of the module and the packages
// they depend on.
func list(t *testing.T) map[string]*pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json", module+"/...")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs[p.ImportPath] = &p
	}
	return pkgs
}

// check returns how many packages each pattern of r.pkgs matched and the
// violations, each as "importer imports path" or, for a dependency pulled
// in transitively, the shortest chain of imports that pulls it in.
func (r rule) check(pkgs map[string]*pkg) (matched map[string]int, broken []string) {
	matched = map[string]int{}
	var paths []string
	for path := range pkgs {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	for _, path := range paths {
		rel, ok := relative(path)
		if !ok || !r.covers(rel, matched) {
			continue
		}
		deps := pkgs[path].Imports
		if r.transitive {
			deps = pkgs[path].Deps
		}
		for _, dep := range deps {
			if !r.forbids(dep, pkgs) {
				continue
			}
			// Name only the nearest forbidden package on the way: what it
			// pulls in goes when it goes.
			c := chain(pkgs, path, dep)
			if !slices.ContainsFunc(c[1:len(c)-1], func(p string) bool { return r.forbids(p, pkgs) }) {
				broken = append(broken, strings.Join(c, " imports "))
			}
		}
	}
	return matched, broken
}

// relative returns the path of a package of this module relative to it.
func relative(path string) (string, bool) {
	if path == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, module+"/")
	return rel, ok
}

// covers reports whether the rule is for the package at rel, counting the
// patterns of pkgs that match it.
func (r rule) covers(rel string, matched map[string]int) bool {
	for _, p := range r.except {
		if match(p, rel) {
			return false
		}
	}
	covered := false
	for _, p := range r.pkgs {
		if match(p, rel) {
			matched[p]++
			covered = true
		}
	}
	return covered
}

func (r rule) forbids(dep string, pkgs map[string]*pkg) bool {
	if r.stdlibOnly {
		p, ok := pkgs[dep]
		return !ok || !p.Standard
	}
	for _, f := range r.forbid {
		if match(f, dep) {
			return true
		}
	}
	return false
}

// match reports whether path matches pattern: the same path, or one below a
// pattern ending in "/...", or anything for "...".
func match(pattern, path string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return path == pattern
}

// chain returns a shortest chain of imports from one package to another,
// both ends included.
func chain(pkgs map[string]*pkg, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var path []string
			for p := to; p != ""; p = prev[p] {
				path = append(path, p)
			}
			slices.Reverse(path)
			return path
		}
		if p, ok := pkgs[cur]; ok {
			for _, next := range p.Imports {
				if _, seen := prev[next]; !seen {
					prev[next] = cur
					queue = append(queue, next)
				}
			}
		}
	}
	return []string{from, to}
}

// TestRulesCatchViolations runs the rules on a made-up module, so that a rule
// that can never fail is caught too.
func TestRulesCatchViolations(t *testing.T) {
	fake := map[string]*pkg{}
	add := func(path string, standard bool, imports ...string) {
		fake[path] = &pkg{ImportPath: path, Standard: standard, Imports: imports}
	}
	add("time", true)
	add("database/sql", true)
	add("github.com/lib/pq", false, "database/sql")
	add(module+"/internal/viewer", false, "time")
	add(module+"/internal/phi", false, "time", "github.com/vektah/gqlparser/v2/ast")
	add("github.com/vektah/gqlparser/v2/ast", false, "time")
	add(module+"/internal/changes", false, "time", module+"/ent")
	add(module+"/ent", false, "time")
	add(module+"/internal/observe", false, "github.com/prometheus/client_golang/prometheus")
	add("github.com/prometheus/client_golang/prometheus", false, "time")
	add(module+"/internal/caseload", false, "time", module+"/internal/helper")
	add(module+"/internal/helper", false, "github.com/lib/pq")
	add(module+"/graph", false, "database/sql")
	add(module+"/graph/model", false, "time")
	add("github.com/99designs/gqlgen/graphql", false, "time")
	add(module+"/internal/workflow", false, module+"/internal/caseload", module+"/graph/model")
	add(module+"/internal/facts", false, "github.com/99designs/gqlgen/graphql")
	add(module+"/ent/schema", false, "time")
	add(module+"/internal/database", false, "github.com/lib/pq")
	add(module+"/server", false, module+"/internal/database")
	for path, p := range fake {
		seen := map[string]bool{}
		var walk func(string)
		walk = func(q string) {
			for _, dep := range fake[q].Imports {
				if !seen[dep] {
					seen[dep] = true
					walk(dep)
				}
			}
		}
		walk(path)
		for dep := range seen {
			p.Deps = append(p.Deps, dep)
		}
	}

	// What each rule of the table, in order, must find.
	want := [][]string{
		{module + "/internal/caseload imports " + module + "/internal/helper"},
		{module + "/internal/phi imports github.com/vektah/gqlparser/v2/ast"},
		{module + "/internal/changes imports " + module + "/ent"},
		{module + "/internal/observe imports github.com/prometheus/client_golang/prometheus"},
		{module + "/graph imports database/sql"},
		{module + "/internal/workflow imports " + module + "/graph/model"},
		{module + "/internal/facts imports github.com/99designs/gqlgen/graphql"},
		nil,
		{module + "/internal/helper imports github.com/lib/pq"},
	}
	if len(want) != len(rules) {
		t.Fatalf("%d rules, %d expectations: say what a new rule must find", len(rules), len(want))
	}
	for i, r := range rules {
		name := strings.Join(r.pkgs, ", ")
		_, broken := r.check(fake)
		slices.Sort(broken)
		if !slices.Equal(broken, want[i]) {
			t.Errorf("rule %d, for %s, found\n  %q\nwant\n  %q", i, name, broken, want[i])
		}
	}
}
