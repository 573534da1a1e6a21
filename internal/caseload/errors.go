package caseload

import "time"

// MaxSession is the longest session that can be booked. Overlap checks
// rely on it to look only at sessions that start at most this long before.
const MaxSession = 8 * time.Hour

// ConflictError is a change that collides with the practice's data, such
// as a double booking.
type ConflictError struct {
	// Reason is a sentence the caller can act on.
	Reason string
}

func (e *ConflictError) Error() string { return e.Reason }

// PolicyError is a change the practice's policy forbids.
type PolicyError struct {
	// Reason is a sentence the caller can act on.
	Reason string
}

func (e *PolicyError) Error() string { return e.Reason }
