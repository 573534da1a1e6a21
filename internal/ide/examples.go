package ide

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
// user, in the order of the README's table. Every query is validated against
// the schema by the package tests, so keep them to fields that exist in
// schema.graphqls (the whole API, printed by go generate).
var examples = []example{
	{
		Title: "Clinician: my caseload",
		Query: `# For clinicians: your caseload at a glance.
# Sign in above as clinician@demo.example (password
# caseload-demo), then press the run button (or
# Ctrl-Enter). Shows your caseload health, then your
# active clients with strikes, days since seen, what
# to do about the case, whether they can take a freed
# slot, their next session and caregivers.
query MyCaseload {
  me {
    email
    clinician {
      name
      weeklySlots
      caseloadHealth {
        activeClients
        expectedWeeklySessions
        recommendedMin
        recommendedMax
        status
        newClientsToRequest
        explanation
      }
    }
  }
  clients(
    first: 20
    where: {status: ACTIVE}
    orderBy: {field: LAST_NAME, direction: ASC}
  ) {
    totalCount
    edges {
      node {
        id
        firstName
        lastName
        sessionFrequency
        strikeCount
        daysSinceSeen
        daysSinceContact
        terminationRecommendation {
          action
          reason
          closeBy
          explanation
        }
        backfillEligible
        nextAppointment {
          startsAt
          kind
          status
        }
        caregivers {
          name
          relationship
          isPrimary
        }
      }
    }
  }
}
`,
	},
	{
		Title: "Clinician: To-Do list",
		Query: `# For clinicians: your To-Do list, by due time
# (paperwork, reminders, attendance to record,
# warnings, closures, caregivers, series to revoke).
# Sign in above as clinician@demo.example (password
# caseload-demo), then press the run button.
query MyTodo {
  myTodo {
    kind
    dueAt
    overdue
    documentKind
    closeBy
    explanation
    client {
      id
      firstName
      lastName
    }
    appointment {
      id
      startsAt
    }
  }
}
`,
	},
	{
		Title: "Clinician: tomorrow's calendar",
		Query: `# For clinicians: tomorrow's sessions (in the
# practice's time zone; pass date: "YYYY-MM-DD" for
# another day), each with its no-show risk, a review
# to prepare, the caregiver to include, and whom to
# call if it falls through. Sign in above as
# clinician@demo.example (password caseload-demo),
# then press the run button.
query TomorrowsCalendar {
  myCalendar {
    appointment {
      id
      startsAt
      endsAt
      kind
      status
      client {
        firstName
        lastName
      }
    }
    noShowRisk {
      score
      explanation
    }
    treatmentPlanReviewDue
    caregiver {
      name
      relationship
      phone
    }
    backfillCandidates {
      client {
        firstName
        lastName
      }
      nextAppointmentAt
      waitDays
      strikeCount
    }
  }
}
`,
	},
	{
		Title: "Clinician: backfill a cancelled slot",
		Query: `# For clinicians: whom to call for a cancelled or
# freed session, best first. Sign in above as
# clinician@demo.example (password caseload-demo),
# run the TomorrowsCalendar or MyTodo tab, copy the
# id of a session into "id" under Variables below,
# then press the run button.
query BackfillForSlot($id: ID!) {
  backfillCandidates(appointmentId: $id, first: 10) {
    client {
      id
      firstName
      lastName
    }
    nextAppointmentAt
    waitDays
    strikeCount
    daysSinceSeen
  }
}
`,
		Variables: `{
  "id": "paste an appointment id here"
}`,
	},
	{
		Title: "Supervisor: supervisees",
		Query: `# For supervisors: the caseloads and overdue
# paperwork of the clinicians you supervise
# (read-only). Sign in above as
# supervisor@demo.example (password caseload-demo),
# then press the run button.
query MySupervisees {
  me {
    clinician {
      name
      supervisees {
        name
        caseloadHealth {
          activeClients
          status
          explanation
        }
        todo {
          kind
          dueAt
          overdue
          documentKind
        }
      }
    }
  }
}
`,
	},
	{
		Title: "Admin: caseloads and audit log",
		Query: `# For admins and intake: every clinician's caseload
# health, and the latest entries of the audit log.
# Sign in above as admin@demo.example (password
# caseload-demo), then press the run button.
query PracticeCaseloads {
  clinicians(first: 20, orderBy: {field: NAME, direction: ASC}) {
    edges {
      node {
        name
        credentials
        weeklySlots
        acceptingNewClients
        supervisor {
          name
        }
        caseloadHealth {
          activeClients
          expectedWeeklySessions
          utilization
          recommendedMin
          recommendedMax
          status
          newClientsToRequest
          explanation
        }
      }
    }
  }
  auditEvents(first: 20, orderBy: {field: OCCURRED_AT, direction: DESC}) {
    edges {
      node {
        occurredAt
        action
        outcome
        actorRole
        entityType
        detail
      }
    }
  }
}
`,
	},
	{
		Title: "Analyst: metrics by month",
		Query: `# For analysts: the practice's figures month by
# month, with no patient-identifying data (a group of
# too few clients is suppressed). Sign in above as
# analyst@demo.example (password caseload-demo), then
# press the run button. The IDE set "from" and "to"
# under Variables to the last year when it opened
# this tab.
query PracticeMetricsByMonth($from: Date!, $to: Date!) {
  practiceMetrics(from: $from, to: $to, groupBy: [MONTH]) {
    minimumGroupClients
    groups { month suppressed clients sessionsBooked sessionsAttended noShowRate lateCancelRate backfillRate retentionRate caseloadUtilization noteMinutesMedian notesOnTimeRate billableOutreachMinutes }
    total { clients sessionsBooked noShowRate retentionRate }
  }
}
`,
		LastYear: true,
	},
	{
		Title: "Analyst: metrics by clinician",
		Query: `# For analysts: the same figures per clinician.
# Sign in above as analyst@demo.example (password
# caseload-demo), then press the run button. The IDE
# set "from" and "to" under Variables to the last
# year when it opened this tab.
query PracticeMetricsByClinician($from: Date!, $to: Date!) {
  practiceMetrics(from: $from, to: $to, groupBy: [CLINICIAN]) {
    minimumGroupClients
    groups {
      clinician {
        name
      }
      suppressed
      clients
      sessionsBooked
      sessionsAttended
      noShowRate
      lateCancelRate
      backfillRate
      retentionRate
      weeklySlots
      caseloadUtilization
      noteMinutesMedian
      notesOnTimeRate
      billableOutreachMinutes
    }
    total {
      clients
      sessionsBooked
      noShowRate
      retentionRate
    }
  }
}
`,
		LastYear: true,
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
