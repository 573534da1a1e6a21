package ide

// example is one operation preloaded as a GraphiQL tab. GraphiQL titles a
// tab with the operation's name.
type example struct {
	// Title is the human name of the example (shown in the comment at the
	// top of the query; GraphiQL itself titles the tab by operation name).
	Title string `json:"-"`
	// Query is the GraphQL document, starting with a comment for newcomers.
	Query string `json:"query"`
	// Variables is the JSON text of the variables editor, or "".
	Variables string `json:"variables,omitempty"`
}

// examples are the tabs a newcomer sees on first visit. Every query is
// validated against the schema by the package tests, so keep them to fields
// that exist in schema.graphqls and graph/ent.graphqls.
var examples = []example{
	{
		Title: "My clients",
		Query: `# My clients: who you are, and the first 20 clients
# you may see, with their clinician, caregivers and
# last five appointments. Sign in with the bar above
# first (or put a token under Headers), then press
# the run button.
query MyClients {
  me {
    email
    role
  }
  clients(first: 20, orderBy: {field: LAST_NAME, direction: ASC}) {
    totalCount
    edges {
      node {
        id
        firstName
        lastName
        status
        sessionFrequency
        clinician {
          name
        }
        caregivers {
          name
          relationship
          isPrimary
        }
        appointments(last: 5, orderBy: {field: STARTS_AT, direction: ASC}) {
          edges {
            node {
              startsAt
              status
              kind
            }
          }
        }
      }
    }
  }
}
`,
	},
	{
		Title: "Clinicians",
		Query: `# Clinicians: the practice's clinicians, their open
# weekly slots and the size of their caseload.
query Clinicians {
  clinicians(first: 10) {
    edges {
      node {
        id
        name
        credentials
        weeklySlots
        acceptingNewClients
        clients(first: 5) {
          totalCount
        }
      }
    }
  }
}
`,
	},
	{
		Title: "Upcoming appointments",
		Query: `# Upcoming appointments: the first 20 appointments
# from $from on (set it under Variables below).
query Upcoming($from: DateTime!) {
  appointments(
    first: 20
    where: {startsAtGTE: $from}
    orderBy: {field: STARTS_AT, direction: ASC}
  ) {
    edges {
      node {
        startsAt
        endsAt
        status
        client {
          firstName
          lastName
        }
        clinician {
          name
        }
      }
    }
  }
}
`,
		Variables: `{
  "from": "2026-01-01T00:00:00Z"
}`,
	},
	{
		Title: "Documents",
		Query: `# Documents: up to 10 DRAFT clinical documents
# (drafts can still be changed; SIGNED ones cannot).
query Documents {
  documents(first: 10, where: {status: DRAFT}) {
    edges {
      node {
        kind
        status
        version
        createdAt
        client {
          firstName
          lastName
        }
      }
    }
  }
}
`,
	},
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
