package fakepractice

import "time"

// Stats say what a writer wrote.
type Stats struct {
	PracticeID int
	// Tables in the order they were written.
	Tables []TableCount
	// Logins are the users' emails and roles (all share Password).
	Logins []Login
	// Planning and Writing are the time spent making the practice up and writing it.
	Planning, Writing time.Duration
}

// TableCount is the number of rows written into one table.
type TableCount struct {
	Table string
	Rows  int
	// Took is the time spent writing the table.
	Took time.Duration
}

// Rows returns the rows written into a table.
func (s Stats) Rows(table string) int {
	for _, t := range s.Tables {
		if t.Table == table {
			return t.Rows
		}
	}
	return 0
}

// tableTimer records each table written and the time it took.
type tableTimer struct {
	stats *Stats
	last  time.Time
}

func (t *tableTimer) done(table string, rows int) {
	now := time.Now()
	if t.last.IsZero() {
		t.last = now
	}
	t.stats.Tables = append(t.stats.Tables, TableCount{Table: table, Rows: rows, Took: now.Sub(t.last)})
	t.last = now
}
