//go:build ignore

// print.go writes schema.graphqls at the repository root: the whole API,
// the hand-written areas of graph/schema and the generated
// graph/ent.graphqls, printed as one document for the front ends. It runs
// from the repository root after gqlgen (see ent/generate.go).
package main

import (
	"bytes"
	"log"
	"os"
	"path/filepath"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

func main() {
	paths, err := filepath.Glob("graph/schema/*.graphqls")
	if err != nil {
		log.Fatal(err)
	}
	paths = append(paths, "graph/ent.graphqls")
	var sources []*ast.Source
	for _, path := range paths {
		body, err := os.ReadFile(path)
		if err != nil {
			log.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: path, Input: string(body)})
	}
	schema, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		log.Fatalf("loading the schema: %v", err)
	}
	var out bytes.Buffer
	out.WriteString("# The Caseload GraphQL API, printed by go generate from graph/schema/*.graphqls\n" +
		"# and graph/ent.graphqls: read it, do not edit it.\n\n")
	formatter.NewFormatter(&out, formatter.WithIndent("  ")).FormatSchema(schema)
	if err := os.WriteFile("schema.graphqls", out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
