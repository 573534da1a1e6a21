package metrics

import (
	"testing"
	"time"
)

// Months are the practice's: they start at local midnight, whatever the
// offset, and the range is clipped to its first and last local day.
func TestBucketsFollowLocalMidnightsAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	now := time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC)
	bs, err := buckets(Request{Location: ny, From: day(2026, 2, 15), To: day(2026, 11, 5), Now: now}, true)
	if err != nil {
		t.Fatal(err)
	}
	utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		i      int
		month  time.Time
		lo, hi time.Time
		upTo   time.Time
	}{
		{0, day(2026, 2, 1), utc(2026, 2, 15, 5), utc(2026, 3, 1, 5), utc(2026, 3, 1, 5)}, // from the 15th (EST)
		{1, day(2026, 3, 1), utc(2026, 3, 1, 5), utc(2026, 4, 1, 4), utc(2026, 4, 1, 4)},  // DST starts 8 March: an hour short
		{2, day(2026, 4, 1), utc(2026, 4, 1, 4), utc(2026, 5, 1, 4), now},                 // measured up to now
		{9, day(2026, 11, 1), utc(2026, 11, 1, 4), utc(2026, 11, 6, 5), now},              // DST ends 1 November; to the 5th, included
	} {
		b := bs[tc.i+1] // bs[0] is the total
		if b.index != tc.i || !b.month.Equal(tc.month) || !b.lo.Equal(tc.lo) || !b.hi.Equal(tc.hi) || !b.upTo.Equal(tc.upTo) {
			t.Errorf("bucket %d = %+v; want month %v [%v, %v) up to %v", tc.i, b, tc.month, tc.lo, tc.hi, tc.upTo)
		}
	}
	if len(bs) != 11 || bs[0].index != -1 || !bs[0].lo.Equal(utc(2026, 2, 15, 5)) || !bs[0].hi.Equal(utc(2026, 11, 6, 5)) {
		t.Errorf("%d buckets, total %+v; want 10 months and the whole range", len(bs), bs[0])
	}
	if got := bs[2].hi.Sub(bs[2].lo); got != 31*24*time.Hour-time.Hour {
		t.Errorf("March is %v long, want 31 days less the hour DST takes", got)
	}
}
