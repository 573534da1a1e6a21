// Package ent holds the generated data layer. Its schemas are in ent/schema;
// everything else here is generated: run `go generate ./ent` after changing a
// schema or graph/schema. Both generators run from the repository root,
// where gqlgen.yml is, so that entgql sees the scalars declared there; then
// graph/schema/print.go prints the whole API into schema.graphqls.
package ent

//go:generate sh -c "cd .. && go run -mod=mod ./ent/entc.go && go tool gqlgen generate && go run ./graph/schema/print.go"
