package caseload

import "time"

// MaxSession is the longest session that can be booked. Overlap checks
// rely on it to look only at sessions that start at most this long before.
const MaxSession = 8 * time.Hour

// CheckSessionTimes refuses a session whose start or end is outside the
// range of instants (naming startsAt or endsAt), or that ends before it
// starts or lasts longer than MaxSession (naming endsAt).
func CheckSessionTimes(start, end time.Time) error {
	var c Collector
	if e := CheckInstant("startsAt", start); e != nil {
		c.Refuse(e)
	}
	if e := CheckInstant("endsAt", end); e != nil {
		c.Refuse(e)
	}
	if err := c.Err(); err != nil {
		return err
	}
	if !end.After(start) {
		return Invalid("endsAt", "must be after startsAt")
	}
	if end.Sub(start) > MaxSession {
		return Invalid("endsAt", "a session lasts at most %v", MaxSession)
	}
	return nil
}
