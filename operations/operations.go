// Package operations holds the GraphQL documents of the screens the front
// ends show (a clinician's caseload, To-Do list and calendar, backfill,
// supervisees, the practice's caseloads and audit log, the analysts'
// metrics), one operation per .graphql file. They are the front ends'
// starting point and the API's promise: the IDE opens them as its example
// tabs, the tests run each on the demo practice, the TypeScript client
// (clients/typescript) generates its types from them, and manifest.json
// lists them as trusted documents, by the SHA-256 of their text, for a
// server that accepts only those (a phone app then sends just the hash).
//
// After changing a file run `go generate ./operations` to rewrite
// manifest.json; CI fails when it is stale.
package operations

//go:generate go run manifest_gen.go

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
)

//go:embed *.graphql
var files embed.FS

// Document is one operation as a client sends it.
type Document struct {
	// Name is the operation's name, which is also its file's name.
	Name string
	// Type is "query", "mutation" or "subscription".
	Type string
	// Body is the document's text, comments included: what a client sends.
	Body string
	// ID is the hex SHA-256 of Body: the trusted document's id, and the
	// hash of Automatic Persisted Queries.
	ID string
}

var operationLine = regexp.MustCompile(`(?m)^(query|mutation|subscription) (\w+)`)

// All returns every document, by name.
func All() []Document {
	names, err := fs.Glob(files, "*.graphql")
	if err != nil {
		panic(err) // the pattern is constant
	}
	sort.Strings(names)
	out := make([]Document, 0, len(names))
	for _, name := range names {
		b, err := files.ReadFile(name)
		if err != nil {
			panic(err) // embedded
		}
		d, err := parse(strings.TrimSuffix(name, ".graphql"), string(b))
		if err != nil {
			panic(err) // the package's test reads every file
		}
		out = append(out, d)
	}
	return out
}

// Get returns the document of an operation name.
func Get(name string) (Document, bool) {
	for _, d := range All() {
		if d.Name == name {
			return d, true
		}
	}
	return Document{}, false
}

// ID returns the trusted-document id of a text: its hex SHA-256.
func ID(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// parse checks that a file holds one operation named as the file.
func parse(file, body string) (Document, error) {
	ops := operationLine.FindAllStringSubmatch(body, -1)
	if len(ops) != 1 {
		return Document{}, fmt.Errorf("operations: %s.graphql holds %d operations, want one", file, len(ops))
	}
	if ops[0][2] != file {
		return Document{}, fmt.Errorf("operations: %s.graphql holds operation %s: name the file after it", file, ops[0][2])
	}
	return Document{Name: file, Type: ops[0][1], Body: body, ID: ID(body)}, nil
}
