package main

import (
	"context"
	"testing"
	"time"

	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/testdb"
)

// TestWriteOperations runs each write of the benchmark as it does on a
// small practice: scheduleAppointment books, cancelAppointment cancels the
// sessions booked for it beforehand, recordAttendance records recorded
// sessions again as they were. None is refused, and the data says so.
func TestWriteOperations(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialectName string) {
		ctx := context.Background()
		now := time.Date(2025, 3, 12, 15, 0, 0, 0, time.UTC)
		db, a := servePractice(t, dialectName, fakepractice.Size{Clinicians: 2, ActiveClientsPerClinician: 10, ClosedClients: 4, WaitlistClients: 1, Years: 1}, now)
		zone, err := time.LoadLocation(fakepractice.TimeZone())
		if err != nil {
			t.Fatal(err)
		}
		f, err := loadFixtures(ctx, a, now, zone, 2)
		if err != nil {
			t.Fatal(err)
		}
		var clinicianID int64
		if err := db.SQL.QueryRowContext(ctx, dialectSQL("SELECT c.id FROM clinicians c JOIN users u ON u.id = c.user_id WHERE u.email = $1", dialectName), benchClinician).Scan(&clinicianID); err != nil {
			t.Fatal(err)
		}
		if f.recorded, err = recordedSessions(ctx, db, clinicianID, now, 500); err != nil {
			t.Fatal(err)
		}
		statuses := func() map[string]int {
			rows, err := db.SQL.QueryContext(ctx, dialectSQL("SELECT status, COUNT(*) FROM appointments WHERE clinician_id = $1 GROUP BY status", dialectName), clinicianID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string]int{}
			for rows.Next() {
				var s string
				var n int
				if err := rows.Scan(&s, &n); err != nil {
					t.Fatal(err)
				}
				out[s] = n
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		}
		before := statuses()
		index := 0
		for _, op := range writeOperations(a, f) {
			if op.prepare != nil {
				if err := op.prepare(ctx, index, 3); err != nil {
					t.Fatal(err)
				}
				index += 3
			}
			for range 3 {
				if _, err := op.send(ctx, index); err != nil {
					t.Fatalf("%s: %v", op.name, err)
				}
				index++
			}
		}
		after := statuses()
		// 3 booked and 3 more booked and cancelled; attendance as it was.
		if after["SCHEDULED"]+after["CONFIRMED"] != before["SCHEDULED"]+before["CONFIRMED"]+3 || after["CANCELED"] != before["CANCELED"]+3 ||
			after["ATTENDED"] != before["ATTENDED"] || after["NO_SHOW"] != before["NO_SHOW"] {
			t.Errorf("statuses before %v, after %v", before, after)
		}
		if _, ok := f.booked.take(); ok {
			t.Error("cancelAppointment left a booked session of its own")
		}
	})
}
