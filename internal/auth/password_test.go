package auth

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// Issue 16, finding 15: bcrypt reads only 72 bytes; two long passwords that
// share them must not both match.
func TestLongPasswordsAreNotTruncated(t *testing.T) {
	head := strings.Repeat("correct horse battery staple ", 3)[:72]
	a, b := head+strings.Repeat("a", 28), head+strings.Repeat("b", 28)
	hash, err := HashPassword(a)
	if err != nil {
		t.Fatalf("HashPassword of 100 characters: %v", err)
	}
	if !CheckPassword(hash, a) {
		t.Error("the 100-character password does not match its own hash")
	}
	if CheckPassword(hash, b) || CheckPassword(hash, head) {
		t.Error("a password sharing the first 72 bytes matched")
	}
	if NeedsRehash(hash) {
		t.Error("a fresh hash needs rehashing")
	}
	// Test binaries elsewhere lower the cost; this one runs at the
	// production cost, and a new hash carries it.
	if cost, err := bcrypt.Cost([]byte(strings.TrimPrefix(hash, prehashPrefix))); err != nil || cost != 12 {
		t.Errorf("a new hash has bcrypt cost %d (%v), want 12", cost, err)
	}
}

// Hashes of the release before the pre-hash (plain bcrypt) still verify,
// and are marked for rehashing.
func TestLegacyHashStillVerifies(t *testing.T) {
	legacy, err := bcrypt.GenerateFromPassword([]byte("an older password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(string(legacy), "an older password") || CheckPassword(string(legacy), "an older passwore") {
		t.Error("a plain bcrypt hash is not checked as before")
	}
	if !NeedsRehash(string(legacy)) {
		t.Error("a plain bcrypt hash is not marked for rehashing")
	}
	h, err := Rehash("an older password")
	if err != nil || !strings.HasPrefix(h, prehashPrefix) || !CheckPassword(h, "an older password") {
		t.Errorf("Rehash = %q, %v", h, err)
	}
	low, _ := bcrypt.GenerateFromPassword(prehash("x"), bcrypt.MinCost)
	if !NeedsRehash(prehashPrefix + string(low)) {
		t.Error("a hash of a lower cost is not marked for rehashing")
	}
}

func TestValidatePassword(t *testing.T) {
	for _, c := range []struct {
		password, email string
		want            error // nil: accepted
	}{
		{"twelve chars", "", nil},
		{"eleven char", "", errTooShort},
		{strings.Repeat(" ", 12), "", errBlank},
		{"\t \n " + strings.Repeat("\u00a0", 10), "", errBlank},
		{strings.Repeat("x", 256), "", errRepeated},
		{strings.Repeat("xy", 129), "", errTooLong},
		{strings.Repeat("é", 11) + "e", "", nil},        // 12 runes, 23 bytes
		{strings.Repeat("e\u0301", 6), "", errTooShort}, // 12 code points, 6 after NFC
		{"abcabcabcabc", "", errRepeated},
		// Real entries of the blocklist, in any case.
		{"1qaz2wsx3edc", "", errCommon},
		{"QWERTY123456", "", errCommon},
		{"LeaveMeAlone", "", errCommon},
		{"margaret.hamilton", "margaret.hamilton@practice.example", errIsEmail},
		{"Margaret.Hamilton@Practice.example", "margaret.hamilton@practice.example", errIsEmail},
		{"margaret.hamilton", "", nil},
		{"pass\xffword12345", "", errNotUTF8},
	} {
		err := ValidatePassword(c.password, c.email)
		if !errors.Is(err, c.want) || (c.want != nil && !errors.Is(err, ErrWeakPassword)) {
			t.Errorf("ValidatePassword(%q, %q) = %v, want %v", c.password, c.email, err, c.want)
		}
	}
	if _, err := HashPassword(strings.Repeat(" ", 12)); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("HashPassword of 12 spaces = %v", err)
	}
	if len(common) < 250 {
		t.Errorf("the blocklist has %d entries", len(common))
	}
	for p := range common {
		if len([]rune(p)) < MinPasswordLength || p != strings.ToLower(p) {
			t.Errorf("blocklist entry %q could not pass the other rules or is not lower case", p)
		}
	}
}
