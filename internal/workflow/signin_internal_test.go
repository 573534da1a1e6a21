package workflow

import (
	"context"
	"testing"

	"github.com/caseload/caseload/internal/auth"
)

// The comparison made before the transaction is used only for the same
// email, password and hash; anything else is compared again.
func TestEarlyPasswordCheck(t *testing.T) {
	hash, err := auth.HashPassword("right password")
	if err != nil {
		t.Fatal(err)
	}
	other, err := auth.HashPassword("another password")
	if err != nil {
		t.Fatal(err)
	}
	// A deliberately wrong early verdict shows when it is trusted.
	pc := &passwordCheck{email: "a@x.test", password: "right password", hash: hash, ok: false}
	ctx := context.WithValue(context.Background(), passwordCheckKey{}, pc)

	if got := earlyCheck(ctx, "a@x.test", "right password"); got != pc {
		t.Fatalf("earlyCheck for the same request = %v, want the stored check", got)
	}
	if earlyCheck(ctx, "b@x.test", "right password") != nil || earlyCheck(ctx, "a@x.test", "wrong") != nil {
		t.Error("earlyCheck answered for another email or password")
	}
	if earlyCheck(context.Background(), "a@x.test", "right password") != nil {
		t.Error("earlyCheck answered without a check")
	}
	if pc.valid(hash, "right password") {
		t.Error("valid ignored the early verdict for the hash it was made against")
	}
	// The password changed in between: compared again, against the new hash.
	if pc.valid(other, "right password") || !pc.valid(other, "another password") {
		t.Error("valid trusted a verdict made against another hash")
	}
	// No early check, or one for an email without a login: compared now.
	var none *passwordCheck
	if !none.valid(hash, "right password") || none.valid(hash, "wrong") {
		t.Error("valid without an early check does not compare")
	}
	if !(&passwordCheck{email: "a@x.test"}).valid(hash, "right password") {
		t.Error("valid after an early check that found no login does not compare")
	}
}
