package main

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

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
