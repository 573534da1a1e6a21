package graph

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
)

// The early password check reads login's credentials from its input
// however the operation passes them: written in it, as variables inside the
// input, or as the input's variable.
func TestLoginCredentials(t *testing.T) {
	s := NewSchema(Options{}).Schema()
	creds := map[string]any{"email": "a@x.test", "password": "pw"}
	for _, c := range []struct {
		name, op    string
		vars        map[string]any
		email, pass string
	}{
		{"written in", `mutation { login(input: {email: "a@x.test", password: "pw"}) { token } }`, nil, "a@x.test", "pw"},
		{"variables inside", `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }`,
			map[string]any{"e": "a@x.test", "p": "pw"}, "a@x.test", "pw"},
		{"the input's variable", `mutation($in: LoginInput!) { signIn: login(input: $in) { token } }`, map[string]any{"in": creds}, "a@x.test", "pw"},
		{"in a fragment", `mutation($in: LoginInput!) { ...F } fragment F on Mutation { login(input: $in) { token } }`, map[string]any{"in": creds}, "a@x.test", "pw"},
		{"no login", `mutation($in: RefreshTokenInput!) { refreshToken(input: $in) { token } }`, map[string]any{"in": map[string]any{"refreshToken": "r"}}, "", ""},
	} {
		doc, errs := gqlparser.LoadQueryWithRules(s, c.op, nil)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", c.name, errs)
		}
		oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: c.vars}
		if email, pass := loginCredentials(oc); email != c.email || pass != c.pass {
			t.Errorf("%s: credentials %q %q, want %q %q", c.name, email, pass, c.email, c.pass)
		}
	}
}
