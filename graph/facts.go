package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/facts"
	"github.com/caseload/caseload/internal/viewer"
)

// withFacts gives each operation its store of facts, primed with what the
// operation will show.
func withFacts(db *ent.Client, dialectName string, now func() time.Time) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		f := facts.New(db, dialectName, now)
		primeFacts(ctx, f)
		return next(facts.NewContext(ctx, f))
	}
}

// caseloadFields are the fields whose figures come from a whole caseload.
var caseloadFields = map[string]bool{"caseloadHealth": true, "todo": true, "calendar": true, "myTodo": true, "myCalendar": true}

// primeFacts tells the operation's store what the operation will show
// before anything is loaded (see facts.Store.Prime): the viewer's own
// caseload when a query asks for caseload figures, and the days of its
// calendars.
func primeFacts(ctx context.Context, f *facts.Store) {
	v := viewer.FromContext(ctx)
	if v == nil || !graphql.HasOperationContext(ctx) {
		return
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return
	}
	own := 0
	var days []time.Time
	walkFields(oc.Operation.SelectionSet, map[string]bool{}, func(fd *ast.Field) bool {
		if caseloadFields[fd.Name] && v.ClinicianID != 0 {
			own = v.ClinicianID
		}
		if fd.Name == "calendar" || fd.Name == "myCalendar" {
			days = append(days, calendarDay(fd.ArgumentMap(oc.Variables)["date"]))
		}
		return true
	})
	f.Prime(own, days)
}

// calendarDay is the day a calendar field asks for: the date, or the zero
// time for the default (tomorrow), or for a date that does not parse (the
// field reports that itself).
func calendarDay(arg any) time.Time {
	s, _ := arg.(string)
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}
	}
	return d
}
