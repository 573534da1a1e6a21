// Package screens holds the GraphQL operations of the screens whose cost is
// measured: the benchmark (cmd/caseload-bench) drives them and the server's
// tests hold their statement counts, so both measure the same query.
package screens

// Dashboard is a clinician's dashboard: caseload health, the To-Do list, the
// calendar of $day (tomorrow when null) with backfill candidates, and the
// first $first clients (100 unless given) by last name with every derived
// field, their next appointment and primary caregiver.
const Dashboard = `query Dashboard($first: Int = 100, $day: Date) {
  me { clinician {
    caseloadHealth { activeClients weeklySlots expectedWeeklySessions utilization recommendedMin recommendedMax status newClientsToRequest explanation }
    todo { kind dueAt overdue explanation documentKind closeBy client { id firstName } appointment { id startsAt } document { id } contact { id } }
    calendar(date: $day) { appointment { id startsAt isLateCancel countsAsStrike reminderDue noteStatus noteOverdue }
      noShowRisk { score recordedSessions noShows lateCancels confirmed explanation }
      treatmentPlanReviewDue caregiver { name }
      backfillCandidates { client { id firstName } nextAppointmentAt waitDays strikeCount daysSinceSeen } }
  } }
  clients(first: $first, orderBy: {field: LAST_NAME, direction: ASC}) {
    totalCount
    edges { node {
      id firstName lastName
      strikeCount daysSinceSeen daysSinceContact lastSeenAt lastContactAt
      nextAppointment { id startsAt reminderDue isLateCancel countsAsStrike noteStatus noteOverdue }
      backfillEligible backfillEligibility { eligible reasons }
      recurringEligibility { eligible consecutiveOnTime needed shouldRevoke reason }
      terminationRecommendation { action reason closeBy explanation }
      treatmentPlanReviewDueOn isMinor
      primaryCaregiver { name phone }
      paperworkDue { documentKind status dueAt overdue explanation document { id } appointment { id } contact { id } }
    } }
  }
}`
