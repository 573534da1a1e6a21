package graph

import (
	"cmp"
	"context"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/caseload"
)

// deniedRead is a root field of a query refused for access, and the id it
// asked for (0 when its arguments name none).
type deniedRead struct {
	root, code string
	id         int
}

// deniedReads lists the refused root fields of a query, one per id probed:
// node(id:) its id, nodes(ids:) the ids at the refused positions, another
// field the IDs among its arguments.
func deniedReads(ctx context.Context, rsp *graphql.Response) []deniedRead {
	var oc *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		oc = graphql.GetOperationContext(ctx)
	}
	seen := map[deniedRead]bool{}
	var out []deniedRead
	add := func(d deniedRead) {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	for _, e := range rsp.Errors {
		code, _ := e.Extensions["code"].(string)
		if !deniedCodes[caseload.Code(code)] {
			continue
		}
		root := ""
		if len(e.Path) > 0 {
			if k, ok := e.Path[0].(ast.PathName); ok {
				root = string(k)
			}
		}
		args := rootArgs(oc, root)
		var ids []int
		list, _ := args["ids"].([]any)
		switch {
		case list != nil && len(e.Path) > 1:
			if i, ok := e.Path[1].(ast.PathIndex); ok && int(i) < len(list) {
				ids = idsOf(list[i])
			}
		case list != nil:
			ids = idsOf(list)
		default:
			names := make([]string, 0, len(args))
			for name := range args {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				if name == "id" || strings.HasSuffix(name, "ID") {
					ids = append(ids, idsOf(args[name])...)
				}
			}
		}
		if len(ids) == 0 {
			add(deniedRead{root: root, code: code})
		}
		for _, id := range ids {
			add(deniedRead{root: root, code: code, id: id})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].root != out[j].root {
			return out[i].root < out[j].root
		}
		return out[i].id < out[j].id
	})
	return out
}

// rootArgs returns the arguments of the operation's root field of alias.
func rootArgs(oc *graphql.OperationContext, alias string) map[string]any {
	if oc == nil || oc.Operation == nil || alias == "" {
		return nil
	}
	var find func(set ast.SelectionSet) map[string]any
	find = func(set ast.SelectionSet) map[string]any {
		for _, sel := range set {
			var args map[string]any
			switch sel := sel.(type) {
			case *ast.Field:
				if cmp.Or(sel.Alias, sel.Name) == alias {
					return sel.ArgumentMap(oc.Variables)
				}
			case *ast.InlineFragment:
				args = find(sel.SelectionSet)
			case *ast.FragmentSpread:
				if sel.Definition != nil {
					args = find(sel.Definition.SelectionSet)
				}
			}
			if args != nil {
				return args
			}
		}
		return nil
	}
	return find(oc.Operation.SelectionSet)
}

// idsOf decodes the global IDs in v (an ID or a list of them); a value that
// is not one is left out.
func idsOf(v any) []int {
	switch x := v.(type) {
	case string:
		if id, err := scalar.DecodeID(x); err == nil {
			return []int{id}
		}
	case []any:
		var out []int
		for _, e := range x {
			out = append(out, idsOf(e)...)
		}
		return out
	}
	return nil
}
