package main

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/testdb"
)

// Issue 16, finding 15: a password longer than bcrypt's 72 bytes is kept
// whole; one that shares only its first 72 bytes does not sign in.
func TestLongPasswordSignsInWhole(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		head := strings.Repeat("a long passphrase for the clinic ", 3)[:72]
		right, wrong := head+strings.Repeat("r", 28), head+strings.Repeat("w", 28)
		const create = `mutation($in: CreateUserInput!) { createUser(input: $in) { user { id } userErrors { field message code } } }`
		s.mustDo(s.token(f.admin), create, map[string]any{"in": map[string]any{"email": "long@north.example", "password": right, "role": "ANALYST"}})
		if r := s.do("", loginOp, map[string]any{"e": "long@north.example", "p": wrong}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("sign-in with a password sharing the first 72 bytes: %+v, want UNAUTHENTICATED", r.Errors)
		}
		s.clock.Advance(time.Second) // the email's delay after a failure (the sign-in throttle)
		if r := s.do("", loginOp, map[string]any{"e": "long@north.example", "p": right}); len(r.Errors) > 0 {
			t.Errorf("sign-in with the right 100-character password: %+v", r.Errors)
		}
		// The rules: 12 spaces and a common password are refused.
		for _, p := range []string{strings.Repeat(" ", 12), "1qaz2wsx3edc", "Someone.Else@North.example"} {
			wantUserErrors(t, s.do(s.token(f.admin), create, map[string]any{"in": map[string]any{"email": "someone.else@north.example", "password": p, "role": "ANALYST"}}),
				"createUser", "user", "BAD_USER_INPUT input.password")
		}
	})
}

// A hash of the earlier scheme (plain bcrypt) still signs in, and the
// sign-in replaces it with one of the current scheme.
func TestLegacyHashIsReplacedAtSignIn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		legacy := must(bcrypt.GenerateFromPassword([]byte(testPassword), auth.PasswordCost))
		must(f.clinicianUser.Update().SetPasswordHash(string(legacy)).Save(sys()))
		if r := s.do("", loginOp, map[string]any{"e": f.clinicianUser.Email, "p": testPassword}); len(r.Errors) > 0 {
			t.Fatalf("sign-in against a plain bcrypt hash: %+v", r.Errors)
		}
		u := must(s.main.DB.Ent.User.Get(sys(), f.clinicianUser.ID))
		if u.PasswordHash == string(legacy) || auth.NeedsRehash(u.PasswordHash) || !auth.CheckPassword(u.PasswordHash, testPassword) {
			t.Error("the plain bcrypt hash was not replaced at sign-in")
		}
		if r := s.do("", loginOp, map[string]any{"e": f.clinicianUser.Email, "p": testPassword}); len(r.Errors) > 0 {
			t.Errorf("sign-in after the rehash: %+v", r.Errors)
		}
	})
}

const (
	changePasswordOp = `mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) { user { email } userErrors { field message code } } }`
	resetPasswordOp  = `mutation($id: ID!) { resetPassword(input: {userID: $id}) { user { email } resetCode resetCodeExpiresAt userErrors { field message code } } }`
	completeResetOp  = `mutation($e: String!, $c: String!, $n: String!) { completePasswordReset(input: {email: $e, resetCode: $c, newPassword: $n}) { user { email } userErrors { field message code } } }`
	newPassword      = "a brand new passphrase"
)

// changePassword checks the current password and the rules, sets the new
// one, ends the user's other sessions and keeps the caller's; it is audited.
func TestChangePassword(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		web, phone := s.session(f.clinicianUser), s.session(f.clinicianUser)
		colleague := s.session(f.otherUser)

		wantUserErrors(t, s.do(web.access, changePasswordOp, map[string]any{"c": "not the password", "n": "1qaz2wsx3edc"}),
			"changePassword", "user", "BAD_USER_INPUT input.currentPassword", "BAD_USER_INPUT input.newPassword")
		s.clock.Advance(time.Second) // the wrong current password's delay (the sign-in throttle)
		wantUserErrors(t, s.do(web.access, changePasswordOp, map[string]any{"c": testPassword, "n": testPassword}),
			"changePassword", "user", "BAD_USER_INPUT input.newPassword")
		if !s.works(phone.access) || !auth.CheckPassword(must(s.main.DB.Ent.User.Get(sys(), f.clinicianUser.ID)).PasswordHash, testPassword) {
			t.Fatal("a refused change changed the password or ended a session")
		}
		if r := s.do("", changePasswordOp, map[string]any{"c": testPassword, "n": newPassword}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("changePassword without a token: %+v", r.Errors)
		}

		s.mustDo(web.access, changePasswordOp, map[string]any{"c": testPassword, "n": newPassword})
		if !s.works(web.access) {
			t.Error("changePassword ended the caller's session")
		}
		if s.works(phone.access) {
			t.Error("the user's other session works after changePassword")
		}
		if _, r := s.refresh(phone.refresh); r.code() != "UNAUTHENTICATED" {
			t.Errorf("the other session's refresh after changePassword: %+v", r.Errors)
		}
		if !s.works(colleague.access) {
			t.Error("changePassword ended another user's session")
		}
		if r := s.do("", loginOp, map[string]any{"e": f.clinicianUser.Email, "p": testPassword}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("the old password signs in: %+v", r.Errors)
		}
		s.clock.Advance(2 * time.Second) // the email's delay after its second failure in a row (the wrong current password was the first)
		if r := s.do("", loginOp, map[string]any{"e": f.clinicianUser.Email, "p": newPassword}); len(r.Errors) > 0 {
			t.Errorf("the new password does not sign in: %+v", r.Errors)
		}
		wantAudit(t, s, "changePassword", "SUCCESS", 1)
		wantAudit(t, s, "changePassword", "FAILED", 2)
		if strings.Contains(s.logs.String(), newPassword) || strings.Contains(s.logs.String(), testPassword) {
			t.Error("a password is in the log")
		}
	})
}

// An admin issues a one-time reset code; the user sets a new password with
// it, once, within a day; every session of the user ends.
func TestAdminIssuedPasswordReset(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		g := s.seedPractice("South", "south.example")
		admin := s.token(f.admin)
		id := scalar.EncodeID(f.clinicianUser.ID)
		open := s.session(f.clinicianUser)

		wantUserErrors(t, s.do(s.token(f.otherUser), resetPasswordOp, map[string]any{"id": id}), "resetPassword", "user", "NOT_FOUND input.userID")
		wantUserErrors(t, s.do(s.token(g.admin), resetPasswordOp, map[string]any{"id": id}), "resetPassword", "user", "NOT_FOUND input.userID")

		// With an idempotency key the response (the code) is not kept.
		r := s.doWith(admin, map[string]any{"query": resetPasswordOp, "variables": map[string]any{"id": id}}, map[string]string{"Idempotency-Key": "reset-1"})
		if len(r.Errors) > 0 {
			t.Fatalf("resetPassword: %+v", r.Errors)
		}
		p := r.Data["resetPassword"].(map[string]any)
		code := p["resetCode"].(string)
		if len(code) < 40 || p["resetCodeExpiresAt"] == nil {
			t.Fatalf("reset code of %d characters, expires %v", len(code), p["resetCodeExpiresAt"])
		}
		u := must(s.main.DB.Ent.User.Get(sys(), f.clinicianUser.ID))
		if u.PasswordResetHash == nil || *u.PasswordResetHash == code || !auth.CheckPassword(u.PasswordHash, testPassword) {
			t.Error("the code is not stored hashed, or issuing it changed the password")
		}
		if n := must(s.main.DB.Ent.IdempotencyRecord.Query().Count(sys())); n != 0 {
			t.Errorf("%d idempotency records kept for resetPassword, want none", n)
		}
		if !s.works(open.access) {
			t.Error("issuing a reset code ended the user's session")
		}

		complete := func(email, code, password string) *gqlResponse {
			return s.do("", completeResetOp, map[string]any{"e": email, "c": code, "n": password})
		}
		wantUserErrors(t, complete(f.clinicianUser.Email, code+"x", newPassword), "completePasswordReset", "user", "BAD_USER_INPUT input.resetCode")
		wantUserErrors(t, complete(f.otherUser.Email, code, newPassword), "completePasswordReset", "user", "BAD_USER_INPUT input.resetCode")
		wantUserErrors(t, complete("nobody@north.example", code, newPassword), "completePasswordReset", "user", "BAD_USER_INPUT input.resetCode")
		wantUserErrors(t, complete(f.clinicianUser.Email, code, strings.Repeat(" ", 12)), "completePasswordReset", "user", "BAD_USER_INPUT input.newPassword")

		data := s.mustDo("", completeResetOp, map[string]any{"e": strings.ToUpper(f.clinicianUser.Email), "c": code, "n": newPassword})
		if toJSON(data["completePasswordReset"]) != `{"user":{"email":"`+f.clinicianUser.Email+`"},"userErrors":[]}` {
			t.Errorf("completePasswordReset = %s", toJSON(data["completePasswordReset"]))
		}
		if s.works(open.access) {
			t.Error("a session of the user works after the reset")
		}
		if r := s.do("", loginOp, map[string]any{"e": f.clinicianUser.Email, "p": newPassword}); len(r.Errors) > 0 {
			t.Errorf("the new password does not sign in: %+v", r.Errors)
		}
		// Once only.
		wantUserErrors(t, complete(f.clinicianUser.Email, code, "yet another passphrase"), "completePasswordReset", "user", "BAD_USER_INPUT input.resetCode")

		// A code expires after a day.
		p = s.mustDo(admin, resetPasswordOp, map[string]any{"id": id})["resetPassword"].(map[string]any)
		s.clock.Advance(24*time.Hour + time.Second)
		wantUserErrors(t, complete(f.clinicianUser.Email, p["resetCode"].(string), "yet another passphrase"), "completePasswordReset", "user", "BAD_USER_INPUT input.resetCode")

		wantAudit(t, s, "resetPassword", "SUCCESS", 2)
		wantAudit(t, s, "completePasswordReset", "SUCCESS", 1)
		if strings.Contains(s.logs.String(), code) {
			t.Error("a reset code is in the log")
		}
	})
}

// wantAudit checks the number of audit events of an action and outcome.
func wantAudit(t *testing.T, s *apiServer, action, outcome string, want int) {
	t.Helper()
	n := must(s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action(action), auditevent.OutcomeEQ(auditevent.Outcome(outcome))).Count(sys()))
	if n != want {
		t.Errorf("%d %s audit events of %s, want %d", n, outcome, action, want)
	}
}
