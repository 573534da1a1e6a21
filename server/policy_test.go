package main

import (
	"slices"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/testdb"
)

func TestPolicyIsReadByAllAndChangedByAdmins(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		const read = `{ practice { timeZone policy { inactivityDays strikeLimit treatmentPlanReviewMonths caseloadMinMultiple attendanceWindowDays } } }`
		data := s.mustDo(s.token(f.clinicianUser), read, nil)
		pol := data["practice"].(map[string]any)["policy"].(map[string]any)
		def := caseload.DefaultPolicy()
		if pol["inactivityDays"] != float64(def.InactivityDays) || pol["strikeLimit"] != float64(def.StrikeLimit) || pol["caseloadMinMultiple"] != def.CaseloadMinMultiple {
			t.Errorf("policy = %v, want the defaults", pol)
		}

		const update = `mutation($in: UpdatePolicyInput!) { updatePolicy(input: $in) { practice { policy { strikeLimit treatmentPlanReviewMonths inactivityDays } } userErrors { field message code } } }`
		for _, c := range []struct {
			name  string
			in    map[string]any
			field string
		}{
			{"review every 2 months", map[string]any{"treatmentPlanReviewMonths": 2}, "treatmentPlanReviewMonths"},
			{"review every 7 months", map[string]any{"treatmentPlanReviewMonths": 7}, "treatmentPlanReviewMonths"},
			{"no strikes allowed", map[string]any{"strikeLimit": 0}, "strikeLimit"},
			{"max below min", map[string]any{"caseloadMinMultiple": 1.5, "caseloadMaxMultiple": 1.4}, "caseloadMaxMultiple"},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantUserErrors(t, s.do(s.token(f.admin), update, map[string]any{"in": c.in}), "updatePolicy", "practice", "BAD_USER_INPUT input."+c.field)
			})
		}
		wantUserErrors(t, s.do(s.token(f.clinicianUser), update, map[string]any{"in": map[string]any{"strikeLimit": 5}}), "updatePolicy", "practice", "FORBIDDEN null")
		if stored := must(s.main.DB.Ent.Practice.Get(sys(), f.practice.ID)).Policy; stored != def {
			t.Errorf("policy after the refusals = %+v, want the defaults", stored)
		}
		data = s.mustDo(s.token(f.admin), update, map[string]any{"in": map[string]any{"strikeLimit": 4, "treatmentPlanReviewMonths": 6}})
		got := data["updatePolicy"].(map[string]any)["practice"].(map[string]any)["policy"].(map[string]any)
		if got["strikeLimit"] != float64(4) || got["treatmentPlanReviewMonths"] != float64(6) || got["inactivityDays"] != float64(def.InactivityDays) {
			t.Errorf("updated policy = %v, want strikeLimit 4, review 6 months, the rest unchanged", got)
		}
		stored := must(s.main.DB.Ent.Practice.Get(sys(), f.practice.ID))
		if stored.Policy.StrikeLimit != 4 {
			t.Errorf("stored strike limit %d, want 4", stored.Policy.StrikeLimit)
		}
	})
}

// TestRulesFollowThePolicy checks that the API reads thresholds from the
// practice's policy: lowering the strike limit turns a client's
// recommendation to CLOSE.
func TestRulesFollowThePolicy(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		// One no-show for the first client, who was seen 3 days ago and is booked.
		c := s.main.DB.Ent
		a := must(c.Appointment.Query().All(sys()))
		for _, appt := range a {
			if appt.ClientID == f.ownClients[0].ID {
				must(appt.Update().SetStatus("NO_SHOW").Save(sys()))
			}
		}
		for _, days := range []int{-3, 4} {
			start := testNow.AddDate(0, 0, days)
			status := "ATTENDED"
			if days > 0 {
				status = "SCHEDULED"
			}
			must(c.Appointment.Create().SetPracticeID(f.practice.ID).SetClientID(f.ownClients[0].ID).SetClinicianID(f.clinician.ID).
				SetStartsAt(start).SetEndsAt(start.Add(50 * time.Minute)).SetStatus(appointment.Status(status)).Save(sys()))
		}
		const q = `query($id: ID!) { node(id: $id) { ... on Client { strikeCount terminationRecommendation { action reason } } } }`
		id := map[string]any{"id": encodeID(f.ownClients[0].ID)}
		clinician := s.token(f.clinicianUser)
		node := s.mustDo(clinician, q, id)["node"].(map[string]any)
		if node["strikeCount"] != float64(1) || node["terminationRecommendation"].(map[string]any)["action"] != "NONE" {
			t.Fatalf("with the default limit: %v", node)
		}
		s.mustDo(s.token(f.admin), `mutation { updatePolicy(input: {strikeLimit: 1}) { practice { id } userErrors { field message code } } }`, nil)
		node = s.mustDo(clinician, q, id)["node"].(map[string]any)
		rec := node["terminationRecommendation"].(map[string]any)
		if rec["action"] != "CLOSE" || rec["reason"] != "STRIKES" {
			t.Errorf("with strike limit 1: %v, want CLOSE STRIKES", rec)
		}
	})
}

// updatePolicy reports every setting out of range at once, each on its
// field, and changes nothing, not even the settings that were valid.
func TestUpdatePolicyReportsEverySettingOutOfRange(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		r := s.do(s.token(f.admin), `mutation($in: UpdatePolicyInput!) { updatePolicy(input: $in) { practice { id } userErrors { field message code } } }`,
			map[string]any{"in": map[string]any{
				"strikeLimit": 4, "closureWarningGraceDays": 0, "treatmentPlanReviewMonths": 7, "attendanceWindowDays": 3, "caseloadMinMultiple": -1.0,
			}})
		wantUserErrors(t, r, "updatePolicy", "practice",
			"BAD_USER_INPUT input.closureWarningGraceDays", "BAD_USER_INPUT input.treatmentPlanReviewMonths",
			"BAD_USER_INPUT input.attendanceWindowDays", "BAD_USER_INPUT input.caseloadMinMultiple")
		var messages []string
		for _, ue := range r.userErrors("updatePolicy") {
			messages = append(messages, ue.Message)
		}
		want := []string{
			"closureWarningGraceDays: must be between 1 and 90, got 0",
			"treatmentPlanReviewMonths: must be between 3 and 6, got 7",
			"attendanceWindowDays: must be between 7 and 365, got 3",
			"caseloadMinMultiple: must be above 0 and at most 5, got -1",
		}
		if !slices.Equal(messages, want) {
			t.Errorf("messages %q, want %q", messages, want)
		}
		if stored := must(s.main.DB.Ent.Practice.Get(sys(), f.practice.ID)).Policy; stored != caseload.DefaultPolicy() {
			t.Errorf("policy after the refused update = %+v, want the defaults (the valid strikeLimit unchanged too)", stored)
		}
	})
}
