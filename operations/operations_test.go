package operations_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/operations"
)

// Every document is valid against the published schema: a schema change
// that breaks a screen fails here (and in the TypeScript client's check).
func TestDocumentsMatchSchema(t *testing.T) {
	b, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(b)})
	if err != nil {
		t.Fatal(err)
	}
	docs := operations.All()
	if len(docs) < 8 {
		t.Fatalf("%d documents, want the 8 screens at least", len(docs))
	}
	for _, d := range docs {
		if _, errs := gqlparser.LoadQueryWithRules(schema, d.Body, nil); len(errs) > 0 {
			t.Errorf("%s: %v", d.Name, errs)
		}
	}
}

// manifest.json lists exactly the documents, each under the SHA-256 of its
// text (go generate ./operations rewrites it).
func TestManifestListsEveryDocument(t *testing.T) {
	b, err := os.ReadFile("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Format     string `json:"format"`
		Version    int    `json:"version"`
		Operations []struct {
			ID, Name, Type, Body string
		} `json:"operations"`
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.Format != "apollo-persisted-query-manifest" || manifest.Version != 1 {
		t.Errorf("format %q version %d", manifest.Format, manifest.Version)
	}
	docs := operations.All()
	if len(manifest.Operations) != len(docs) {
		t.Fatalf("manifest lists %d operations, the directory holds %d: run go generate ./operations", len(manifest.Operations), len(docs))
	}
	for i, d := range docs {
		m := manifest.Operations[i]
		if m.Name != d.Name || m.Body != d.Body || m.ID != d.ID || m.ID != operations.ID(m.Body) || m.Type != d.Type {
			t.Errorf("manifest entry %d (%s) is stale: run go generate ./operations", i, m.Name)
		}
	}
	if d, ok := operations.Get("MyCaseload"); !ok || d.Type != "query" || len(d.ID) != 64 {
		t.Errorf("Get(MyCaseload) = %+v, %v", d, ok)
	}
}
