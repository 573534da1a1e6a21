package schema

import (
	"context"

	"entgo.io/ent"

	gen "github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/hook"
)

// Hooks of the Document: a SIGNED document never changes, whatever code
// asks. Updates only ever match drafts (signing itself is a change of a
// draft), and documents are never deleted.
func (Document) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.DocumentFunc(func(ctx context.Context, m *gen.DocumentMutation) (ent.Value, error) {
				m.Where(document.StatusEQ(document.StatusDRAFT))
				return next.Mutate(ctx, m)
			})
		}, ent.OpUpdate|ent.OpUpdateOne),
		hook.Reject(ent.OpDelete | ent.OpDeleteOne),
	}
}
