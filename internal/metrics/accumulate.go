package metrics

import (
	"math"
	"sort"
	"sync"
	"time"
)

// Adding up the rows of the families' statements into the groups of a
// report, and the figures of a group from its counts.

// groupKey is a group as the queries return it: the bucket index and the
// grouped dimensions' values.
type groupKey struct {
	bucket    int
	clinician int
	modality  string
	frequency string
}

// counts are what the queries return for a group, before rates.
type counts struct {
	clients int

	booked, attended, outcomes, noShows, clientCancels, lateCancels, backfilled int

	opened, retained, retentionBase int

	closed, earlyDropOuts int
	byReason              map[string]int
	closedMedian          *float64
	closedP75             *float64

	expectedWeekly float64
	hasCaseload    bool

	notesDue, notesOnTime, notesWithinGoal int
	noteMedian                             *float64

	outreachMinutes int
}

type accumulator struct {
	// mu guards groups and the counts in it: the families are read
	// concurrently on PostgreSQL (see Compute).
	mu     sync.Mutex
	groups map[groupKey]*counts
}

func newAccumulator() *accumulator { return &accumulator{groups: map[groupKey]*counts{}} }

func (a *accumulator) at(k groupKey) *counts {
	c := a.groups[k]
	if c == nil {
		c = &counts{byReason: map[string]int{}}
		a.groups[k] = c
	}
	return c
}

func (a *accumulator) report(q *query, slots map[int]int) *Report {
	rep := &Report{
		From: civil(q.req.From), To: civil(q.req.To), GroupBy: q.dims, MinimumGroupClients: MinGroupClients,
	}
	months := map[int]time.Time{}
	for _, b := range q.buckets {
		months[b.index] = b.month
	}
	total := 0
	for _, n := range slots {
		total += n
	}
	for k, c := range a.groups {
		g := &Group{Key: Key{Month: months[k.bucket], ClinicianID: k.clinician, Modality: k.modality, Frequency: k.frequency}}
		if k.bucket < 0 || !q.has(Month) {
			g.Month = time.Time{}
		}
		var weekly *int
		switch {
		case q.has(Modality) || q.has(Frequency):
			if k.bucket < 0 {
				weekly = &total
			}
		case q.has(Clinician) && k.bucket >= 0:
			if n, ok := slots[k.clinician]; ok {
				weekly = &n
			}
		default:
			weekly = &total
		}
		g.fill(c, weekly)
		if k.bucket < 0 {
			rep.Total = g
		} else {
			rep.Groups = append(rep.Groups, g)
		}
	}
	if rep.Total == nil {
		// No data at all in the range: a total of nothing, suppressed.
		rep.Total = &Group{}
		rep.Total.fill(&counts{}, nil)
	}
	sort.Slice(rep.Groups, func(i, j int) bool {
		a, b := rep.Groups[i].Key, rep.Groups[j].Key
		switch {
		case !a.Month.Equal(b.Month):
			return a.Month.Before(b.Month)
		case a.ClinicianID != b.ClinicianID:
			return a.ClinicianID < b.ClinicianID
		case a.Modality != b.Modality:
			return a.Modality < b.Modality
		}
		return a.Frequency < b.Frequency
	})
	return rep
}

func (g *Group) fill(c *counts, weeklySlots *int) {
	if c.clients < MinGroupClients {
		g.Suppressed = true
		return
	}
	f := &g.Figures
	f.Clients = ptr(c.clients)
	f.SessionsBooked = ptr(c.booked)
	f.SessionsAttended = ptr(c.attended)
	f.NoShowRate = ratio(c.noShows, c.outcomes)
	f.LateCancelRate = ratio(c.lateCancels, c.outcomes)
	f.ClientCancelRate = ratio(c.clientCancels, c.outcomes)
	f.LateCanceledSlots = ptr(c.lateCancels)
	f.BackfilledSlots = ptr(c.backfilled)
	f.BackfillRate = ratio(c.backfilled, c.lateCancels)
	f.EpisodesOpened = ptr(c.opened)
	f.EpisodesClosed = ptr(c.closed)
	f.ClosedByReason = []ReasonCount{}
	for _, r := range closeReasons {
		if n := c.byReason[r]; n > 0 {
			f.ClosedByReason = append(f.ClosedByReason, ReasonCount{Reason: r, Count: n})
		}
	}
	f.SessionsPerClosedEpisodeMedian = c.closedMedian
	f.SessionsPerClosedEpisodeP75 = c.closedP75
	f.EarlyDropOutRate = ratio(c.earlyDropOuts, c.closed)
	f.RetentionRate = ratio(c.retained, c.retentionBase)
	if c.hasCaseload {
		f.ExpectedWeeklySessions = ptr(round(c.expectedWeekly, 3))
	}
	if weeklySlots != nil {
		f.WeeklySlots = ptr(*weeklySlots)
		if f.ExpectedWeeklySessions != nil && *weeklySlots > 0 {
			f.CaseloadUtilization = ptr(round(c.expectedWeekly/float64(*weeklySlots), 4))
		}
	}
	f.NoteMinutesMedian = c.noteMedian
	f.NotesOnTimeRate = ratio(c.notesOnTime, c.notesDue)
	f.NotesWithinGoalRate = ratio(c.notesWithinGoal, c.notesDue)
	f.BillableOutreachMinutes = ptr(c.outreachMinutes)
}

// closeReasons are the episode close reasons in the order they are listed.
var closeReasons = []string{"INACTIVE", "STRIKES", "GOALS_MET", "CLIENT_REQUEST", "TRANSFERRED", "OTHER"}

func ptr[T any](v T) *T { return &v }

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	return ptr(round(float64(n)/float64(d), 4))
}

func round(v float64, places int) float64 {
	p := math.Pow10(places)
	return math.Round(v*p) / p
}
