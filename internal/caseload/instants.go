package caseload

import "time"

// The range of every instant and date the practice records: a session, a
// date of birth, a contact, a deadline. Outside it a value is a typing
// mistake, and a dangerous one: SQLite stores a year after 9999 as text
// its driver cannot read back (a session in year 10000 broke every list
// that held it), and PostgreSQL stores it but the API would write it as a
// date its own parser refuses.
var (
	// EarliestInstant is the first instant accepted: 1900-01-01 UTC.
	EarliestInstant = time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)
	// LatestInstant is the first instant refused: 2200-01-01 UTC.
	LatestInstant = time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC)
)

// InstantInRange reports whether t is within [EarliestInstant, LatestInstant).
func InstantInRange(t time.Time) bool {
	return !t.Before(EarliestInstant) && t.Before(LatestInstant)
}

// CheckInstant refuses t, as BAD_USER_INPUT on field, unless it is within
// [EarliestInstant, LatestInstant); nil when it is.
func CheckInstant(field string, t time.Time) *Error {
	if InstantInRange(t) {
		return nil
	}
	return Invalid(field, "%s", InstantRangeMessage)
}

// InstantRangeMessage says which instants are accepted.
const InstantRangeMessage = "must be from 1900-01-01 to 2199-12-31 (UTC)"
