package workflow_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/workflow"
)

// mustCreateEarner creates an ACTIVE client who attended the last three
// Tuesdays at 16:30 on time: the default policy's streak for a series.
func mustCreateEarner(tb testing.TB, c *testCase) *ent.ClientProfile {
	tb.Helper()
	cp := mustCreateClient(tb, c, "Ann", clientprofile.StatusACTIVE)
	for _, start := range []time.Time{testLocal(2026, 2, 17, 16, 30), testLocal(2026, 2, 24, 16, 30), testLocal(2026, 3, 3, 16, 30)} {
		a := mustCreateSession(tb, c, cp, start, appointment.StatusATTENDED)
		if err := c.tx.Appointment.UpdateOne(a).SetMinutesLate(0).Exec(c.allow); err != nil {
			tb.Fatal(err)
		}
	}
	return cp
}

func TestCreateRecurringSeries(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		biweekly := workflow.CreateRecurringSeriesInput{Weekday: time.Tuesday, Time: "16:30", Frequency: workflow.Biweekly, Count: 3}
		t.Run("an earned series is booked on the clinic's clock", func(t *testing.T) {
			c := begin(t, db, dialectName)
			in := biweekly
			in.ClientID = mustCreateEarner(t, c).ID
			got, err := c.svc.CreateRecurringSeries(c.as(c.clinician), in)
			if err != nil {
				t.Fatal(err)
			}
			// Tomorrow is Wednesday 11 March: the first Tuesday after it is the 17th.
			want := []time.Time{testLocal(2026, 3, 17, 16, 30), testLocal(2026, 3, 31, 16, 30), testLocal(2026, 4, 14, 16, 30)}
			if len(got.Appointments) != len(want) {
				t.Fatalf("booked %d sessions, want %d", len(got.Appointments), len(want))
			}
			for i, a := range got.Appointments {
				a = mustReload(t, c, a.ID)
				if !a.StartsAt.Equal(want[i]) || a.EndsAt.Sub(a.StartsAt) != 50*time.Minute || a.SeriesID == nil || *a.SeriesID != got.SeriesID {
					t.Errorf("session %d: %v for %v in series %v, want %v for 50m in %s", i, a.StartsAt, a.EndsAt.Sub(a.StartsAt), a.SeriesID, want[i], got.SeriesID)
				}
			}
			if !got.Client.RecurringPrivilege {
				t.Error("the client does not hold the privilege")
			}
		})
		t.Run("a series is not earned without the streak", func(t *testing.T) {
			c := begin(t, db, dialectName)
			in := biweekly
			in.ClientID = mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE).ID
			_, err := c.svc.CreateRecurringSeries(c.as(c.clinician), in)
			wantRefusal(t, err, caseload.CodePolicyViolation, "clientID", "not earned yet: No sessions yet")
		})
		t.Run("a collision books nothing", func(t *testing.T) {
			c := begin(t, db, dialectName)
			in := biweekly
			cp := mustCreateEarner(t, c)
			in.ClientID = cp.ID
			other := mustCreateClient(t, c, "Bea", clientprofile.StatusACTIVE)
			mustCreateSession(t, c, other, testLocal(2026, 3, 31, 17, 0), appointment.StatusSCHEDULED)
			_, err := c.svc.CreateRecurringSeries(c.as(c.clinician), in)
			wantRefusal(t, err, caseload.CodeConflict, "", "the session on Tue 31 Mar 2026 16:30 collides")
		})
		refusals := []struct {
			name  string
			edit  func(*workflow.CreateRecurringSeriesInput)
			field string
		}{
			{"a time that is no time", func(in *workflow.CreateRecurringSeriesInput) { in.Time = "25:00" }, "time"},
			{"no sessions", func(in *workflow.CreateRecurringSeriesInput) { in.Count = 0 }, "count"},
			{"ten-minute sessions", func(in *workflow.CreateRecurringSeriesInput) { ten := 10; in.DurationMinutes = &ten }, "durationMinutes"},
		}
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				in := biweekly
				in.ClientID = mustCreateEarner(t, c).ID
				tc.edit(&in)
				_, err := c.svc.CreateRecurringSeries(c.as(c.clinician), in)
				wantRefusal(t, err, caseload.CodeBadUserInput, tc.field)
			})
		}
		t.Run("every invalid field and the rule at once, nothing booked", func(t *testing.T) {
			c := begin(t, db, dialectName)
			in := biweekly
			in.ClientID = mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE).ID
			in.Time, in.Count = "25:00", 60
			ten := 10
			in.DurationMinutes = &ten
			_, err := c.svc.CreateRecurringSeries(c.as(c.clinician), in)
			want := []string{"BAD_USER_INPUT time", "BAD_USER_INPUT count", "BAD_USER_INPUT durationMinutes", "POLICY_VIOLATION clientID"}
			if got := refusalsOnFields(err); !slices.Equal(got, want) {
				t.Errorf("refusals %v, want %v", got, want)
			}
			if n := c.tx.Appointment.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d sessions after a refusal, want none", n)
			}
		})
		t.Run("a first session in the past", func(t *testing.T) {
			c := begin(t, db, dialectName)
			in := biweekly
			in.ClientID = mustCreateEarner(t, c).ID
			past := testNow.AddDate(0, 0, -14)
			in.StartsOn = &past
			_, err := c.svc.CreateRecurringSeries(c.as(c.clinician), in)
			wantRefusal(t, err, caseload.CodeBadUserInput, "startsOn")
		})
	})
}

func TestRevokeRecurring(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("the series' future sessions are cancelled by the practice", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateEarner(t, c)
			ctx := c.as(c.clinician)
			series, err := c.svc.CreateRecurringSeries(ctx, workflow.CreateRecurringSeriesInput{
				ClientID: cp.ID, Weekday: time.Thursday, Time: "09:00", Frequency: workflow.Weekly, Count: 2,
			})
			if err != nil {
				t.Fatal(err)
			}
			reason := " moving away "
			got, err := c.svc.RevokeRecurring(ctx, workflow.RevokeRecurringInput{ClientID: cp.ID, Reason: &reason})
			if err != nil {
				t.Fatal(err)
			}
			if got.Client.RecurringPrivilege || len(got.Canceled) != 2 {
				t.Fatalf("privilege %v, %d cancelled; want none and 2", got.Client.RecurringPrivilege, len(got.Canceled))
			}
			for _, a := range series.Appointments {
				a = mustReload(t, c, a.ID)
				if a.Status != appointment.StatusCANCELED || *a.CanceledBy != appointment.CanceledByPRACTICE || *a.CancelReason != "recurring series revoked: moving away" {
					t.Errorf("session %v: %s by %v for %q, want CANCELED by PRACTICE for the reason", a.StartsAt, a.Status, *a.CanceledBy, *a.CancelReason)
				}
			}
		})
		t.Run("a client without a series has none to revoke", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			_, err := c.svc.RevokeRecurring(c.as(c.clinician), workflow.RevokeRecurringInput{ClientID: cp.ID})
			wantRefusal(t, err, caseload.CodePolicyViolation, "clientID")
		})
		t.Run("a reason too long for the record", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			cp = c.tx.ClientProfile.UpdateOne(cp).SetRecurringPrivilege(true).SaveX(c.allow)
			long := strings.Repeat("x", 480)
			_, err := c.svc.RevokeRecurring(c.as(c.clinician), workflow.RevokeRecurringInput{ClientID: cp.ID, Reason: &long})
			wantRefusal(t, err, caseload.CodeBadUserInput, "reason")
		})
	})
}
