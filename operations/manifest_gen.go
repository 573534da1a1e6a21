//go:build ignore

// manifest_gen.go writes manifest.json, the trusted documents, in the
// persisted query manifest format that Apollo's and other clients read:
// {"format": "apollo-persisted-query-manifest", "version": 1,
// "operations": [{"id", "name", "type", "body"}]}.
package main

import (
	"encoding/json"
	"log"
	"os"

	"github.com/caseload/caseload/operations"
)

type entry struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Body string `json:"body"`
}

func main() {
	manifest := struct {
		Format     string  `json:"format"`
		Version    int     `json:"version"`
		Operations []entry `json:"operations"`
	}{Format: "apollo-persisted-query-manifest", Version: 1}
	for _, d := range operations.All() {
		manifest.Operations = append(manifest.Operations, entry{ID: d.ID, Name: d.Name, Type: d.Type, Body: d.Body})
	}
	b, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("manifest.json", append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}
