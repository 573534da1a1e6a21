package ide

import "github.com/caseload/caseload/operations"

// example is one operation preloaded as a GraphiQL tab. GraphiQL titles a
// tab with the operation's name.
type example struct {
	// Title is the human name of the example (for test failures; GraphiQL
	// itself titles the tab by operation name).
	Title string `json:"-"`
	// Query is the GraphQL document. It starts with a comment saying who the
	// tab is for and how to sign in and run it.
	Query string `json:"query"`
	// Variables is the JSON text of the variables editor, or "".
	Variables string `json:"variables,omitempty"`
	// LastYear asks the boot script to set the variables "from" and "to"
	// (Date) to the day a year ago and today, in the browser's time zone,
	// when it creates the tab: a date written here would go stale.
	LastYear bool `json:"lastYear,omitempty"`
}

// examples are the tabs a newcomer sees on first visit: one per kind of
// user, in the order of the README's table. Their documents are the
// screens of package operations (operations/*.graphql), the same ones the
// front ends and the trusted-documents manifest use; every one of them is a
// tab here, and the server's tests run each tab on the demo practice.
var examples = []example{
	tab("Clinician: my caseload", "MyCaseload"),
	tab("Clinician: To-Do list", "MyTodo"),
	tab("Clinician: tomorrow's calendar", "TomorrowsCalendar"),
	withVariables(tab("Clinician: backfill a cancelled slot", "BackfillForSlot"), `{
  "id": "paste an appointment id here"
}`),
	tab("Supervisor: supervisees", "MySupervisees"),
	tab("Admin: caseloads and audit log", "PracticeCaseloads"),
	lastYear(tab("Analyst: metrics by month", "PracticeMetricsByMonth")),
	lastYear(tab("Analyst: metrics by clinician", "PracticeMetricsByClinician")),
}

// tab is the example of an operation of package operations.
func tab(title, operation string) example {
	d, ok := operations.Get(operation)
	if !ok {
		panic("ide: no operation " + operation + " in operations/")
	}
	return example{Title: title, Query: d.Body}
}

func withVariables(e example, variables string) example {
	e.Variables = variables
	return e
}

func lastYear(e example) example {
	e.LastYear = true
	return e
}

// newTabQuery is what a tab opened with "+" starts with.
const newTabQuery = `# A new query. Ctrl-Space completes field names,
# the Docs button on the left shows the schema,
# Ctrl-Enter runs the query.
query Me {
  me {
    email
    role
  }
}
`
