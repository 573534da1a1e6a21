package workflow_test

import (
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/workflow"
)

func TestRecordAttendance(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		started := testNow.Add(-time.Hour)
		t.Run("attended, late, then a no-show after all", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCreateSession(t, c, cp, started, appointment.StatusSCHEDULED)
			ctx := c.as(c.clinician)
			late := 12
			if _, err := c.svc.RecordAttendance(ctx, workflow.RecordAttendanceInput{AppointmentID: a.ID, Outcome: workflow.OutcomeAttended, MinutesLate: &late}); err != nil {
				t.Fatal(err)
			}
			got := mustReload(t, c, a.ID)
			if got.Status != appointment.StatusATTENDED || got.MinutesLate == nil || *got.MinutesLate != 12 {
				t.Fatalf("recorded %s, %v minutes late; want ATTENDED, 12", got.Status, got.MinutesLate)
			}
			if _, err := c.svc.RecordAttendance(ctx, workflow.RecordAttendanceInput{AppointmentID: a.ID, Outcome: workflow.OutcomeNoShow}); err != nil {
				t.Fatal(err)
			}
			got = mustReload(t, c, a.ID)
			if got.Status != appointment.StatusNO_SHOW || got.MinutesLate != nil {
				t.Errorf("recorded %s, %v minutes late; want NO_SHOW, none", got.Status, got.MinutesLate)
			}
		})
		refusals := []struct {
			name        string
			start       time.Time
			canceled    bool
			outcome     workflow.AttendanceOutcome
			minutesLate int // -1: none
			code        caseload.Code
			field       string
		}{
			{"a session that has not started", testNow.Add(time.Hour), false, workflow.OutcomeAttended, -1, caseload.CodePolicyViolation, "appointmentID"},
			{"a cancelled session", started, true, workflow.OutcomeNoShow, -1, caseload.CodePolicyViolation, "appointmentID"},
			{"late for the whole session", started, false, workflow.OutcomeAttended, 50, caseload.CodeBadUserInput, "minutesLate"},
			{"a no-show late", started, false, workflow.OutcomeNoShow, 5, caseload.CodeBadUserInput, "minutesLate"},
		}
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
				a := mustCreateSession(t, c, cp, tc.start, appointment.StatusSCHEDULED)
				if tc.canceled {
					mustCancel(t, c, a, appointment.CanceledByCLINICIAN, time.Hour)
				}
				var late *int
				if tc.minutesLate >= 0 {
					late = &tc.minutesLate
				}
				_, err := c.svc.RecordAttendance(c.as(c.clinician), workflow.RecordAttendanceInput{AppointmentID: a.ID, Outcome: tc.outcome, MinutesLate: late})
				wantRefusal(t, err, tc.code, tc.field)
				if got := mustReload(t, c, a.ID); got.Status != a.Status && !tc.canceled {
					t.Errorf("status %s after a refusal, want %s", got.Status, a.Status)
				}
			})
		}
		t.Run("every refusal at once", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCreateSession(t, c, cp, testNow.Add(time.Hour), appointment.StatusSCHEDULED)
			late := 5
			_, err := c.svc.RecordAttendance(c.as(c.clinician), workflow.RecordAttendanceInput{AppointmentID: a.ID, Outcome: workflow.OutcomeNoShow, MinutesLate: &late})
			wantRefusals(t, err, "POLICY_VIOLATION appointmentID", "BAD_USER_INPUT minutesLate")
			late = -1
			_, err = c.svc.RecordAttendance(c.as(c.clinician), workflow.RecordAttendanceInput{AppointmentID: -1, Outcome: workflow.OutcomeAttended, MinutesLate: &late})
			wantRefusals(t, err, "NOT_FOUND appointmentID", "BAD_USER_INPUT minutesLate")
			if got := mustReload(t, c, a.ID); got.Status != appointment.StatusSCHEDULED {
				t.Errorf("status %s after refusals, want SCHEDULED", got.Status)
			}
		})
	})
}

func TestExcuseStrike(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		yesterday := testLocal(2026, 3, 9, 10, 0)
		cases := []struct {
			name   string
			strike func(tb testing.TB, c *testCase, a *ent.Appointment)
			reason string
			code   caseload.Code // "": excused
			field  string
		}{
			{"a no-show", func(tb testing.TB, c *testCase, a *ent.Appointment) {
				c.tx.Appointment.UpdateOne(a).SetStatus(appointment.StatusNO_SHOW).ExecX(c.allow)
			}, " hospital ", "", ""},
			{"a late cancellation", func(tb testing.TB, c *testCase, a *ent.Appointment) {
				mustCancel(tb, c, a, appointment.CanceledByCLIENT, 2*time.Hour)
			}, "hospital", "", ""},
			{"a cancellation in time", func(tb testing.TB, c *testCase, a *ent.Appointment) {
				mustCancel(tb, c, a, appointment.CanceledByCLIENT, 48*time.Hour)
			}, "hospital", caseload.CodePolicyViolation, "appointmentID"},
			{"an attended session", func(tb testing.TB, c *testCase, a *ent.Appointment) {
				c.tx.Appointment.UpdateOne(a).SetStatus(appointment.StatusATTENDED).SetMinutesLate(0).ExecX(c.allow)
			}, "hospital", caseload.CodePolicyViolation, "appointmentID"},
			{"a strike already excused", func(tb testing.TB, c *testCase, a *ent.Appointment) {
				c.tx.Appointment.UpdateOne(a).SetStatus(appointment.StatusNO_SHOW).SetExcused(true).SetExcuseReason("flu").ExecX(c.allow)
			}, "hospital", caseload.CodePolicyViolation, "appointmentID"},
			{"a blank reason", func(tb testing.TB, c *testCase, a *ent.Appointment) {
				c.tx.Appointment.UpdateOne(a).SetStatus(appointment.StatusNO_SHOW).ExecX(c.allow)
			}, "  ", caseload.CodeBadUserInput, "reason"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
				a := mustCreateSession(t, c, cp, yesterday, appointment.StatusSCHEDULED)
				tc.strike(t, c, a)
				_, err := c.svc.ExcuseStrike(c.as(c.clinician), workflow.ExcuseStrikeInput{AppointmentID: a.ID, Reason: tc.reason})
				if tc.code != "" {
					wantRefusal(t, err, tc.code, tc.field)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got := mustReload(t, c, a.ID)
				if !got.Excused || got.ExcuseReason == nil || *got.ExcuseReason != "hospital" {
					t.Errorf("excused %v for %v, want excused for %q", got.Excused, got.ExcuseReason, "hospital")
				}
			})
		}
		t.Run("a blank reason for a session that is not a strike", func(t *testing.T) {
			c := begin(t, db, dialectName)
			cp := mustCreateClient(t, c, "Ann", clientprofile.StatusACTIVE)
			a := mustCreateSession(t, c, cp, yesterday, appointment.StatusSCHEDULED)
			c.tx.Appointment.UpdateOne(a).SetStatus(appointment.StatusATTENDED).SetMinutesLate(0).ExecX(c.allow)
			_, err := c.svc.ExcuseStrike(c.as(c.clinician), workflow.ExcuseStrikeInput{AppointmentID: a.ID, Reason: " "})
			wantRefusals(t, err, "BAD_USER_INPUT reason", "POLICY_VIOLATION appointmentID")
			if got := mustReload(t, c, a.ID); got.Excused {
				t.Error("excused by a refused call")
			}
		})
	})
}
