package fakepractice

// scenario is the part a client plays: each one makes a rule of SPEC.md
// visible on some clinician's screen.
type scenario int

const (
	scRegular           scenario = iota
	scStruckOut                  // 3+ strikes in the open episode: close for STRIKES
	scTwoStrikes                 // exactly 2 strikes: one more closes the case
	scExcused                    // 2 strikes plus a no-show the clinician excused
	scInactive                   // not seen or heard from for 30+ days: close as INACTIVE
	scWarn                       // not seen for 30+ days but called recently: send a closure warning
	scWarningExpired             // warned, close-by date passed, nothing booked
	scWait                       // warned, close-by date still ahead
	scBackfillCovering           // wants an earlier slot; windows cover the freed slot
	scBackfillElsewhere          // wants an earlier slot; windows on other days only
	scBackfillAnyTime            // wants an earlier slot at any time
	scMinor                      // minor with a primary caregiver
	scMinorNoCaregiver           // minor with no caregiver on file
	scMinorNoPrimary             // minor whose only caregiver is not the primary one
	scRecurring                  // holds a recurring series, attends on time
	scRecurringCancels           // holds a series, last 2 sessions cancelled by the client
	scRecurringLate              // holds a series, last 3 sessions late
	scEarned                     // 4 on-time sessions in a row, no series yet
	scNeverSeen                  // intake booked, never seen
	scReviewOverdue              // last treatment plan or review over 3 months old
	scReturner                   // closed once, came back: a second episode
	scNewPlanDraft               // new client, treatment plan in draft, not due yet
	scPlanOverdue                // opened 5+ weeks ago, no treatment plan
	scCanceler                   // cancelled the next business day's session with notice
	scLapse                      // the notes of the last sessions: one missing, one in draft, both overdue
)

// truncated reports whether the scenario's history stops weeks ago with nothing booked.
func (s scenario) truncated() bool {
	return s == scInactive || s == scWarn || s == scWarningExpired || s == scWait
}

// tailSensitive reports whether the scenario depends on the last few sessions,
// which must then all be recorded.
func (s scenario) tailSensitive() bool {
	return s == scRecurring || s == scRecurringCancels || s == scRecurringLate || s == scEarned
}

// free reports whether nothing in the scenario depends on the last sessions
// being recorded, so that a recent one may still wait for its attendance.
func (s scenario) free() bool {
	return !s.tailSensitive() && !s.truncated() && s != scCanceler && s != scNeverSeen
}

func (s scenario) minor() bool {
	return s == scMinor || s == scMinorNoCaregiver || s == scMinorNoPrimary
}

func (s scenario) series() bool {
	return s == scRecurring || s == scRecurringCancels || s == scRecurringLate
}

func (s scenario) backfill() bool {
	return s == scBackfillCovering || s == scBackfillElsewhere || s == scBackfillAnyTime
}
