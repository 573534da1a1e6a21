package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/caseload/caseload/operations"
)

// CodeUntrustedDocument refuses, on a server that runs only trusted
// documents, an operation that is not one of them.
const CodeUntrustedDocument = "UNTRUSTED_DOCUMENT"

// TrustedDocuments serves the screens' documents of package operations by
// their id (the SHA-256 of their text, listed in operations/manifest.json):
// a request whose extensions.persistedQuery.sha256Hash names one needs no
// query text, on every replica, without Automatic Persisted Queries' first
// round trip. With Only, it refuses every other document, so that a
// server the phone apps alone call runs nothing but what they ship with.
type TrustedDocuments struct {
	Only bool
	byID map[string]string
}

// NewTrustedDocuments indexes the documents of package operations.
func NewTrustedDocuments(only bool) *TrustedDocuments {
	t := &TrustedDocuments{Only: only, byID: map[string]string{}}
	for _, d := range operations.All() {
		t.byID[d.ID] = d.Body
	}
	return t
}

var (
	_ graphql.HandlerExtension          = (*TrustedDocuments)(nil)
	_ graphql.OperationParameterMutator = (*TrustedDocuments)(nil)
)

// ExtensionName implements graphql.HandlerExtension.
func (*TrustedDocuments) ExtensionName() string { return "TrustedDocuments" }

// Validate implements graphql.HandlerExtension.
func (*TrustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters fills in the text of a trusted document named
// by its hash, and, with Only, refuses any other.
func (t *TrustedDocuments) MutateOperationParameters(_ context.Context, params *graphql.RawParams) *gqlerror.Error {
	hash := persistedQueryHash(params.Extensions)
	if params.Query == "" && hash != "" {
		if body, ok := t.byID[hash]; ok {
			params.Query = body
			return nil
		}
	}
	if !t.Only {
		return nil // Automatic Persisted Queries take it from here
	}
	if params.Query == "" {
		return untrusted("no trusted document has the hash the request names")
	}
	if _, ok := t.byID[operations.ID(params.Query)]; !ok {
		return untrusted("this server runs only the trusted documents of operations/manifest.json; send one of them, or its sha256Hash")
	}
	return nil
}

func untrusted(message string) *gqlerror.Error {
	return &gqlerror.Error{Message: message, Extensions: map[string]any{"code": CodeUntrustedDocument}}
}

// persistedQueryHash returns extensions.persistedQuery.sha256Hash, or "".
func persistedQueryHash(extensions map[string]any) string {
	pq, _ := extensions["persistedQuery"].(map[string]any)
	hash, _ := pq["sha256Hash"].(string)
	return hash
}
