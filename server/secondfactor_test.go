package main

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/internal/testdb"
)

const (
	loginSFOp   = `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token refreshToken user { email } secondFactor { challenge expiresAt enrolmentRequired } userErrors { field message code } } }`
	verifySFOp  = `mutation($ch: String!, $c: String, $r: String) { verifySecondFactor(input: {challenge: $ch, code: $c, recoveryCode: $r}) { token refreshToken user { email twoFactorEnabled } recoveryCodesLeft userErrors { field message code } } }`
	startSFOp   = `mutation($ch: String, $p: String) { startSecondFactorEnrolment(input: {challenge: $ch, password: $p}) { secret otpauthURL userErrors { field message code } } }`
	confirmSFOp = `mutation($ch: String, $c: String!) { confirmSecondFactorEnrolment(input: {challenge: $ch, code: $c}) { token refreshToken user { email twoFactorEnabled } recoveryCodes userErrors { field message code } } }`
	disableSFOp = `mutation($p: String!, $c: String!) { disableSecondFactor(input: {password: $p, code: $c}) { user { twoFactorEnabled } userErrors { field message code } } }`
	resetSFOp   = `mutation($id: ID!) { resetSecondFactor(input: {userID: $id}) { user { twoFactorEnabled } userErrors { field message code } } }`
	regenSFOp   = `mutation($c: String!) { regenerateRecoveryCodes(input: {code: $c}) { recoveryCodes userErrors { field message code } } }`
	requireSFOp = `mutation($r: [UserRole!]!) { setTwoFactorRequirement(input: {roles: $r}) { practice { twoFactorRequiredRoles } userErrors { field message code } } }`
)

// withPassword is what a signed-in start of an enrolment sends: the
// current password, asked again.
var withPassword = map[string]any{"p": testPassword}

// codeAt is the authenticator app's code of secret at the server's clock.
func (s *apiServer) codeAt(secret string) string {
	s.t.Helper()
	return must(totp.GenerateCodeCustom(secret, s.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}))
}

// nextStep moves the clock to the next 30-second step of the codes (a
// code is accepted once).
func (s *apiServer) nextStep() { s.clock.Advance(30 * time.Second) }

// challenge signs in with the right password and returns the second step's
// challenge, failing when login returned tokens instead.
func (s *apiServer) challenge(u *ent.User) (challenge string, enrol bool) {
	s.t.Helper()
	r := s.do("", loginSFOp, map[string]any{"e": u.Email, "p": testPassword})
	p, _ := r.Data["login"].(map[string]any)
	sf, _ := p["secondFactor"].(map[string]any)
	if len(r.Errors) > 0 || sf == nil || p["token"] != nil || p["refreshToken"] != nil || p["user"] != nil {
		s.t.Fatalf("login of %s: %+v %v, want a challenge and no tokens", u.Email, r.Errors, r.Data)
	}
	return sf["challenge"].(string), sf["enrolmentRequired"].(bool)
}

// enrolSignedIn sets up the second factor of a signed-in user through the
// API and returns its secret and recovery codes.
func (s *apiServer) enrolSignedIn(access string) (secret string, recovery []string) {
	s.t.Helper()
	started := s.mustDo(access, startSFOp, withPassword)["startSecondFactorEnrolment"].(map[string]any)
	secret = started["secret"].(string)
	if url := started["otpauthURL"].(string); !strings.HasPrefix(url, "otpauth://totp/Caseload:") || !strings.Contains(url, secret) {
		s.t.Errorf("otpauthURL %q", url)
	}
	confirmed := s.mustDo(access, confirmSFOp, map[string]any{"c": s.codeAt(secret)})["confirmSecondFactorEnrolment"].(map[string]any)
	for _, c := range confirmed["recoveryCodes"].([]any) {
		recovery = append(recovery, c.(string))
	}
	if confirmed["token"] != nil || confirmed["user"].(map[string]any)["twoFactorEnabled"] != true {
		s.t.Errorf("confirmation of a signed-in user: %v", confirmed)
	}
	s.nextStep()
	return secret, recovery
}

// A signed-in user enrols; from then on login asks for a code, which works
// once; a recovery code works once; the secret and codes stay out of the
// log and the audit.
func TestSecondFactorEnrolAndSignIn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		web, phone := s.session(f.clinicianUser), s.session(f.clinicianUser)

		// Signed in, the password is asked again: an access token alone
		// cannot put another authenticator on the login. A wrong one
		// counts against the sign-in throttle.
		wantUserErrors(t, s.do(web.access, startSFOp, nil), "startSecondFactorEnrolment", "secret", "BAD_USER_INPUT input.password")
		wantUserErrors(t, s.do(web.access, startSFOp, map[string]any{"p": "not the password"}), "startSecondFactorEnrolment", "secret", "BAD_USER_INPUT input.password")
		if r := s.do(web.access, startSFOp, withPassword); r.code() != "RATE_LIMITED" {
			t.Errorf("the right password within the delay after a wrong one: %+v %v", r.Errors, r.Data)
		}
		if u := must(s.main.DB.Ent.User.Get(sys(), f.clinicianUser.ID)); u.TotpSecret != nil {
			t.Fatal("a refused start kept a secret")
		}
		s.clock.Advance(time.Second)

		started := s.mustDo(web.access, startSFOp, withPassword)["startSecondFactorEnrolment"].(map[string]any)
		secret := started["secret"].(string)
		wantUserErrors(t, s.do(web.access, confirmSFOp, map[string]any{"c": "000000"}), "confirmSecondFactorEnrolment", "user", "BAD_USER_INPUT input.code")
		if u := must(s.main.DB.Ent.User.Get(sys(), f.clinicianUser.ID)); u.TotpEnabledAt != nil {
			t.Fatal("a wrong first code confirmed the enrolment")
		}
		s.clock.Advance(2 * time.Second) // the email's delay after its second failure (the wrong password above)
		confirmed := s.mustDo(web.access, confirmSFOp, map[string]any{"c": s.codeAt(secret)})["confirmSecondFactorEnrolment"].(map[string]any)
		recovery := confirmed["recoveryCodes"].([]any)
		if len(recovery) != 10 || confirmed["user"].(map[string]any)["twoFactorEnabled"] != true {
			t.Fatalf("confirmation: %v", confirmed)
		}
		if !s.works(web.access) || s.works(phone.access) {
			t.Error("enrolling must keep the caller's session and end the others (opened without the factor)")
		}
		wantUserErrors(t, s.do(web.access, startSFOp, withPassword), "startSecondFactorEnrolment", "secret", "CONFLICT null")

		// The code of the confirmation's step is used: not accepted again.
		challenge, enrol := s.challenge(f.clinicianUser)
		if enrol {
			t.Error("an enrolled login's challenge asks for enrolment")
		}
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "c": s.codeAt(secret)}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("a replayed code: %+v %v", r.Errors, r.Data)
		}
		s.nextStep()
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "c": s.codeAt(secret), "r": recovery[0]}); r.code() != "BAD_USER_INPUT" {
			t.Errorf("a code and a recovery code: %+v %v", r.Errors, r.Data)
		}
		data := s.mustDo("", verifySFOp, map[string]any{"ch": challenge, "c": s.codeAt(secret)})["verifySecondFactor"].(map[string]any)
		if !s.works(data["token"].(string)) || data["recoveryCodesLeft"] != float64(10) {
			t.Errorf("verified sign-in: %v", data)
		}
		s.nextStep()
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "c": s.codeAt(secret)}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("a challenge used twice: %+v", r.Errors)
		}

		// A recovery code signs in once, in any case and with spaces.
		challenge, _ = s.challenge(f.clinicianUser)
		typed := strings.ToUpper(strings.ReplaceAll(recovery[3].(string), "-", " "))
		data = s.mustDo("", verifySFOp, map[string]any{"ch": challenge, "r": typed})["verifySecondFactor"].(map[string]any)
		if data["token"] == nil || data["recoveryCodesLeft"] != float64(9) {
			t.Errorf("sign-in with a recovery code: %v", data)
		}
		challenge, _ = s.challenge(f.clinicianUser)
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "r": recovery[3]}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("a recovery code used twice: %+v", r.Errors)
		}
		used := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action("verifySecondFactor"), auditevent.DetailContains("recovery code was used")).All(sys()))
		if len(used) != 1 || !strings.Contains(used[0].Detail, "9 left") || used[0].EntityID == nil || *used[0].EntityID != f.clinicianUser.ID {
			t.Errorf("recovery code events %+v, want one saying 9 are left", used)
		}

		// New recovery codes need a current code; the old ones stop working.
		s.clock.Advance(time.Minute) // past the delay of the failure above
		wantUserErrors(t, s.do(web.access, regenSFOp, map[string]any{"c": "123456"}), "regenerateRecoveryCodes", "recoveryCodes", "BAD_USER_INPUT input.code")
		s.clock.Advance(2 * time.Second)
		fresh := s.mustDo(web.access, regenSFOp, map[string]any{"c": s.codeAt(secret)})["regenerateRecoveryCodes"].(map[string]any)["recoveryCodes"].([]any)
		s.nextStep()
		challenge, _ = s.challenge(f.clinicianUser)
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "r": recovery[5]}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("an old recovery code after regenerating: %+v", r.Errors)
		}
		s.clock.Advance(5 * time.Second)
		s.mustDo("", verifySFOp, map[string]any{"ch": challenge, "r": fresh[0]})

		// Turning it off takes the password and a code; login then gives tokens.
		s.clock.Advance(5 * time.Second)
		wantUserErrors(t, s.do(web.access, disableSFOp, map[string]any{"p": "not the password", "c": "000000"}),
			"disableSecondFactor", "user", "BAD_USER_INPUT input.password", "BAD_USER_INPUT input.code")
		s.clock.Advance(5 * time.Second)
		off := s.mustDo(web.access, disableSFOp, map[string]any{"p": testPassword, "c": s.codeAt(secret)})["disableSecondFactor"].(map[string]any)
		if off["user"].(map[string]any)["twoFactorEnabled"] != false {
			t.Errorf("disabled: %v", off)
		}
		if p := s.mustDo("", loginSFOp, map[string]any{"e": f.clinicianUser.Email, "p": testPassword})["login"].(map[string]any); p["token"] == nil || p["secondFactor"] != nil {
			t.Errorf("login without a second factor: %v", p)
		}

		for _, leak := range append([]string{secret}, recoveryStrings(recovery)...) {
			if strings.Contains(s.logs.String(), leak) {
				t.Errorf("the log holds %q", leak)
			}
			if n := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.DetailContains(leak)).Count(sys())); n > 0 {
				t.Errorf("the audit holds %q", leak)
			}
		}
	})
}

func recoveryStrings(codes []any) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c.(string)
	}
	return out
}

// A wrong code counts against the sign-in throttle (the email's growing
// delay at the address) and is a DENIED event of the login, as a wrong
// password.
func TestWrongSecondFactorIsThrottledAndAudited(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		secret, _ := s.enrolSignedIn(s.token(f.clinicianUser))
		challenge, _ := s.challenge(f.clinicianUser)
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "c": "999999"}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("a wrong code: %+v", r.Errors)
		}
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "c": s.codeAt(secret)}); r.code() != "RATE_LIMITED" {
			t.Errorf("the right code within the delay after a wrong one: %+v", r.Errors)
		}
		s.clock.Advance(time.Second)
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "c": "999998"}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("a second wrong code: %+v", r.Errors)
		}
		s.clock.Advance(time.Second)
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "c": s.codeAt(secret)}); r.code() != "RATE_LIMITED" {
			t.Errorf("the delay did not double after the second wrong code: %+v", r.Errors)
		}
		// A new login does not reset the count: the password is not the
		// second factor.
		s.clock.Advance(time.Second)
		challenge, _ = s.challenge(f.clinicianUser)
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "c": "999997"}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("a third wrong code: %+v", r.Errors)
		}
		s.clock.Advance(3 * time.Second)
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "c": s.codeAt(secret)}); r.code() != "RATE_LIMITED" {
			t.Errorf("a password between wrong codes reset the delay: %+v", r.Errors)
		}
		s.clock.Advance(2 * time.Second)
		s.mustDo("", verifySFOp, map[string]any{"ch": challenge, "c": s.codeAt(secret)})

		denied := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action("verifySecondFactor"), auditevent.OutcomeEQ(auditevent.OutcomeDENIED)).All(sys()))
		if len(denied) != 3 {
			t.Errorf("%d DENIED verifySecondFactor events, want 3", len(denied))
		}
		for _, e := range denied {
			if e.PracticeID != f.practice.ID || e.EntityID == nil || *e.EntityID != f.clinicianUser.ID || strings.Contains(e.Detail, "99999") {
				t.Errorf("event %+v: want the login as entity and no code", e)
			}
		}
	})
}

// An admin requires a second factor of a role: its users must enrol at
// sign-in, with a challenge that allows nothing else, once, for 5 minutes,
// and cannot turn it off.
func TestRequiredRoleForcesEnrolment(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin := s.token(f.admin)
		if ue := s.do(s.token(f.supervisor), requireSFOp, map[string]any{"r": []string{"CLINICIAN"}}).userErrors("setTwoFactorRequirement"); len(ue) != 1 || ue[0].Code != "FORBIDDEN" {
			t.Errorf("a supervisor sets the requirement: %+v", ue)
		}
		set := s.mustDo(admin, requireSFOp, map[string]any{"r": []string{"CLINICIAN", "SUPERVISOR", "CLINICIAN"}})
		if roles := set["setTwoFactorRequirement"].(map[string]any)["practice"].(map[string]any)["twoFactorRequiredRoles"].([]any); len(roles) != 2 || roles[0] != "CLINICIAN" {
			t.Errorf("required roles %v", roles)
		}
		wantAudit(t, s, "setTwoFactorRequirement", "SUCCESS", 1)

		challenge, enrol := s.challenge(f.clinicianUser)
		if !enrol {
			t.Fatal("a required role's login without a factor is not asked to enrol")
		}
		if r := s.do("", verifySFOp, map[string]any{"ch": challenge, "c": "123456"}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("verify with an enrolment challenge: %+v", r.Errors)
		}
		if s.works(challenge) {
			t.Error("a challenge works as an access token")
		}
		if _, r := s.refresh(challenge); r.code() != "UNAUTHENTICATED" {
			t.Errorf("a challenge as a refresh token: %+v", r.Errors)
		}
		started := s.mustDo("", startSFOp, map[string]any{"ch": challenge})["startSecondFactorEnrolment"].(map[string]any)
		secret := started["secret"].(string)
		done := s.mustDo("", confirmSFOp, map[string]any{"ch": challenge, "c": s.codeAt(secret)})["confirmSecondFactorEnrolment"].(map[string]any)
		if done["token"] == nil || !s.works(done["token"].(string)) || len(done["recoveryCodes"].([]any)) != 10 {
			t.Fatalf("enrolment at sign-in: %v", done)
		}
		wantAudit(t, s, "confirmSecondFactorEnrolment", "SUCCESS", 2) // the sign-in step's and the API's
		s.nextStep()
		if r := s.do("", confirmSFOp, map[string]any{"ch": challenge, "c": s.codeAt(secret)}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("the enrolment challenge used twice: %+v", r.Errors)
		}
		if r := s.do("", startSFOp, map[string]any{"ch": challenge}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("start with a used challenge: %+v", r.Errors)
		}
		// Required: it cannot be turned off.
		wantUserErrors(t, s.do(done["token"].(string), disableSFOp, map[string]any{"p": testPassword, "c": s.codeAt(secret)}),
			"disableSecondFactor", "user", "POLICY_VIOLATION null")

		// A challenge expires after 5 minutes.
		late, _ := s.challenge(f.supervisor)
		s.clock.Advance(5*time.Minute + time.Second)
		if r := s.do("", startSFOp, map[string]any{"ch": late}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("an expired challenge: %+v", r.Errors)
		}
		// Roles not required sign in with the password alone.
		if p := s.mustDo("", loginSFOp, map[string]any{"e": f.analyst.Email, "p": testPassword})["login"].(map[string]any); p["token"] == nil {
			t.Errorf("an analyst's login: %v", p)
		}
	})
}

// An admin clears a user's second factor (a lost phone), which signs the
// user out everywhere; nobody else can, and another practice's admin
// learns nothing.
func TestAdminResetsSecondFactor(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		g := s.seedPractice("South", "south.example")
		web := s.session(f.clinicianUser)
		s.enrolSignedIn(web.access)
		id := encodeID(f.clinicianUser.ID)
		wantUserErrors(t, s.do(s.token(g.admin), resetSFOp, map[string]any{"id": id}), "resetSecondFactor", "user", "NOT_FOUND input.userID")
		wantUserErrors(t, s.do(s.token(f.supervisor), resetSFOp, map[string]any{"id": id}), "resetSecondFactor", "user", "NOT_FOUND input.userID")
		if u := must(s.main.DB.Ent.User.Get(sys(), f.clinicianUser.ID)); u.TotpEnabledAt == nil || !s.works(web.access) {
			t.Fatal("a refused reset changed the login")
		}
		r := s.mustDo(s.token(f.admin), resetSFOp, map[string]any{"id": id})["resetSecondFactor"].(map[string]any)
		if r["user"].(map[string]any)["twoFactorEnabled"] != false {
			t.Errorf("reset: %v", r)
		}
		if s.works(web.access) {
			t.Error("the user's session survives the reset")
		}
		u := must(s.main.DB.Ent.User.Get(sys(), f.clinicianUser.ID))
		if u.TotpSecret != nil || len(u.RecoveryCodeHashes) != 0 {
			t.Error("the reset left the secret or the recovery codes")
		}
		if p := s.mustDo("", loginSFOp, map[string]any{"e": f.clinicianUser.Email, "p": testPassword})["login"].(map[string]any); p["token"] == nil {
			t.Errorf("login after the reset: %v", p)
		}
		events := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action("resetSecondFactor")).All(sys()))
		var success int
		for _, e := range events {
			if e.Outcome == auditevent.OutcomeSUCCESS && e.PracticeID == f.practice.ID && e.EntityID != nil && *e.EntityID == f.clinicianUser.ID && e.ActorID != nil && *e.ActorID == f.admin.ID {
				success++
			}
		}
		if success != 1 {
			t.Errorf("reset events %+v, want one SUCCESS by the admin on the user", events)
		}
	})
}

// Issue 16's account protections: a wrong current password in
// changePassword counts against the sign-in throttle.
func TestChangePasswordIsThrottled(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		web := s.session(f.clinicianUser)
		wantUserErrors(t, s.do(web.access, changePasswordOp, map[string]any{"c": "not the password", "n": newPassword}),
			"changePassword", "user", "BAD_USER_INPUT input.currentPassword")
		if r := s.do(web.access, changePasswordOp, map[string]any{"c": testPassword, "n": newPassword}); r.code() != "RATE_LIMITED" {
			t.Errorf("changePassword within the delay after a wrong password: %+v %v", r.Errors, r.Data)
		}
		if r := s.do("", loginOp, map[string]any{"e": f.clinicianUser.Email, "p": testPassword}); r.code() != "RATE_LIMITED" {
			t.Errorf("login within the delay after changePassword's wrong password: %+v", r.Errors)
		}
		s.clock.Advance(time.Second)
		s.mustDo(web.access, changePasswordOp, map[string]any{"c": testPassword, "n": newPassword})
	})
}
