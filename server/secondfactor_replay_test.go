package main

import (
	"testing"

	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/internal/testdb"
)

// A response that carries a secret shown once (the second factor's secret
// and recovery codes, a sign-in's challenge and tokens) is never kept for
// an idempotent replay: the same request with the same key is run again,
// as one without a key, and answers as the state now is; the first answer's
// secret is stored nowhere. A client that lost such a response starts over
// (a new enrolment, new recovery codes, a new sign-in).
func TestSecretResponsesAreNotReplayed(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		web := s.session(f.clinicianUser)
		twice := func(key, query string, vars map[string]any) (first, retry *gqlResponse) {
			t.Helper()
			request := map[string]any{"query": query, "variables": vars}
			headers := map[string]string{graph.IdempotencyKeyHeader: key}
			first = s.doWith(web.access, request, headers)
			retry = s.doWith(web.access, request, headers)
			if retry.Extensions["idempotentReplay"] != nil {
				t.Errorf("%s: the retry was answered from a stored response: %v", key, retry.Data)
			}
			if n := must(s.main.DB.Ent.IdempotencyRecord.Query().Count(sys())); n != 0 {
				t.Errorf("%s: %d idempotency records kept, want none", key, n)
			}
			return first, retry
		}
		payload := func(r *gqlResponse, field string) map[string]any {
			t.Helper()
			if len(r.Errors) > 0 {
				t.Fatalf("%s: %+v", field, r.Errors)
			}
			return r.Data[field].(map[string]any)
		}

		// Before any factor, from a second device's session: a retried login
		// signs in again, a retried refresh presents a used refresh token
		// (which ends that session, as without a key).
		first, retry := twice("password", loginSFOp, map[string]any{"e": f.clinicianUser.Email, "p": testPassword})
		refresh := payload(first, "login")["refreshToken"].(string)
		if again := payload(retry, "login")["refreshToken"]; again == refresh || again == nil {
			t.Errorf("the retried login answered %v, want a new session", again)
		}
		first, retry = twice("refresh", refreshOp, map[string]any{"t": refresh})
		if next := payload(first, "refreshToken")["refreshToken"]; next == nil {
			t.Fatalf("refresh: %v", first.Data)
		}
		if retry.code() != "UNAUTHENTICATED" || retry.Data["refreshToken"] != nil {
			t.Errorf("the retried refresh: %+v %v, want the used refresh token refused", retry.Errors, retry.Data)
		}

		// A retried start makes a new secret, which replaces the first.
		first, retry = twice("enrol-start", startSFOp, withPassword)
		secret := payload(first, "startSecondFactorEnrolment")["secret"].(string)
		again := payload(retry, "startSecondFactorEnrolment")["secret"].(string)
		if again == secret {
			t.Error("the retried start answered the first secret")
		}
		// A retried confirmation finds the factor on: CONFLICT, no codes.
		first, retry = twice("enrol-confirm", confirmSFOp, map[string]any{"c": s.codeAt(again)})
		recovery := payload(first, "confirmSecondFactorEnrolment")["recoveryCodes"].([]any)
		if len(recovery) != 10 {
			t.Fatalf("confirmation: %v", first.Data)
		}
		wantUserErrors(t, retry, "confirmSecondFactorEnrolment", "user", "CONFLICT null")
		if codes := payload(retry, "confirmSecondFactorEnrolment")["recoveryCodes"]; codes != nil {
			t.Errorf("the retried confirmation answered recovery codes %v", codes)
		}
		// A retried regeneration finds its code used: no codes.
		s.nextStep()
		first, retry = twice("regenerate", regenSFOp, map[string]any{"c": s.codeAt(again)})
		if codes := payload(first, "regenerateRecoveryCodes")["recoveryCodes"].([]any); len(codes) != 10 {
			t.Fatalf("regeneration: %v", first.Data)
		}
		wantUserErrors(t, retry, "regenerateRecoveryCodes", "recoveryCodes", "BAD_USER_INPUT input.code")

		// Sign-in steps sent with the token of a session already open (a
		// second device) and a key: each runs again.
		s.nextStep()
		first, retry = twice("sign-in", loginSFOp, map[string]any{"e": f.clinicianUser.Email, "p": testPassword})
		challenge := payload(first, "login")["secondFactor"].(map[string]any)["challenge"].(string)
		newer := payload(retry, "login")["secondFactor"].(map[string]any)["challenge"].(string)
		if newer == challenge {
			t.Error("the retried login answered the first challenge")
		}
		first, retry = twice("verify", verifySFOp, map[string]any{"ch": newer, "c": s.codeAt(again)})
		if token, _ := payload(first, "verifySecondFactor")["token"].(string); !s.works(token) {
			t.Fatalf("verification: %v", first.Data)
		}
		if retry.code() != "UNAUTHENTICATED" || retry.Data["verifySecondFactor"] != nil {
			t.Errorf("the retried verification: %+v %v, want the used challenge refused", retry.Errors, retry.Data)
		}
	})
}
