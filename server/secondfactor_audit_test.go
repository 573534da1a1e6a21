package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/caseload/caseload/internal/testdb"
)

// The practice's second-factor requirement is audited with the roles
// before and after (role names: no text of anybody's), under the API's
// name of the field; a login's factor changes are audited by name only,
// never with the sealed secret, the recovery codes' hashes or the
// challenge's hash.
func TestSecondFactorChangesInTheAudit(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin := s.token(f.admin)
		steps := []struct {
			roles    []string
			old, new string
		}{
			{[]string{"SUPERVISOR", "CLINICIAN"}, `null`, `["CLINICIAN","SUPERVISOR"]`},
			{[]string{"ADMIN"}, `["CLINICIAN","SUPERVISOR"]`, `["ADMIN"]`},
			{[]string{}, `["ADMIN"]`, `[]`},
		}
		for _, step := range steps {
			s.mustDo(admin, requireSFOp, map[string]any{"r": step.roles})
			want := fmt.Sprintf(`{"changes":[{"type":"Practice","id":%d,"field":"twoFactorRequiredRoles","old":%s,"new":%s}]}`, f.practice.ID, step.old, step.new)
			if ev := s.lastEvent("setTwoFactorRequirement"); ev.Detail != want {
				t.Errorf("requirement %v: detail %s, want %s", step.roles, ev.Detail, want)
			}
		}

		s.enrolSignedIn(s.token(f.clinicianUser))
		s.challenge(f.clinicianUser) // a pending challenge, which the reset clears
		u := must(s.main.DB.Ent.User.Get(sys(), f.clinicianUser.ID))
		s.mustDo(admin, resetSFOp, map[string]any{"id": encodeID(f.clinicianUser.ID)})
		ev := s.lastEvent("resetSecondFactor")
		for _, field := range []string{"totpSecret", "recoveryCodeHashes", "signInChallengeHash"} {
			if !strings.Contains(ev.Detail, `"field":"`+field+`","changed":true`) {
				t.Errorf("reset detail %s: want %s named without its value", ev.Detail, field)
			}
		}
		for _, secret := range append([]string{*u.TotpSecret, *u.SignInChallengeHash}, u.RecoveryCodeHashes...) {
			if strings.Contains(ev.Detail, secret) {
				t.Errorf("reset detail %s holds %q", ev.Detail, secret)
			}
		}
	})
}
