package rule

import (
	"context"
	"fmt"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/viewer"
)

// SetPractice puts every created row in the viewer's practice, and refuses
// a row of another practice. Rows created without a viewer (start-up, demo
// data) must name their practice themselves.
func SetPractice() ent.Hook {
	type practiceMutation interface {
		PracticeID() (int, bool)
		SetPracticeID(int)
	}
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !m.Op().Is(ent.OpCreate) {
				return next.Mutate(ctx, m)
			}
			pm, ok := m.(practiceMutation)
			if !ok {
				return nil, fmt.Errorf("mutation %T has no practice", m)
			}
			v := viewer.FromContext(ctx)
			id, set := pm.PracticeID()
			switch {
			case v != nil && !set:
				pm.SetPracticeID(v.PracticeID)
			case v != nil && id != v.PracticeID:
				return nil, fmt.Errorf("%s of practice %d created by a viewer of practice %d: %w", m.Type(), id, v.PracticeID, errCrossPractice)
			case v == nil && !set:
				return nil, fmt.Errorf("%s created without a practice", m.Type())
			}
			return next.Mutate(ctx, m)
		})
	}
}

var errCrossPractice = fmt.Errorf("cross-practice write")

// AppendOnly refuses every change but a create: the audit log is never
// edited or deleted, whoever asks.
func AppendOnly() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !m.Op().Is(ent.OpCreate) {
				return nil, fmt.Errorf("%s is append-only: %w", m.Type(), errAppendOnly)
			}
			return next.Mutate(ctx, m)
		})
	}
}

var errAppendOnly = fmt.Errorf("records cannot be changed or deleted")
