package auth

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/unicode/norm"
)

// PasswordCost is the bcrypt cost for new password hashes. A hash of
// another cost is replaced at its next sign-in (NeedsRehash). It is a
// variable only so that test binaries can lower it: at 12 one check takes a
// quarter second, seconds under the race detector, and the tests sign in
// thousands of times. Nothing in the server changes it.
var PasswordCost = 12

// MinPasswordLength is the fewest characters (Unicode code points, after
// NFC normalization) a new password may have.
const MinPasswordLength = 12

// MaxPasswordLength is the most characters a new password may have. Every
// character counts: the password is pre-hashed (see HashPassword), so
// nothing of it is cut off, whatever its length in bytes.
const MaxPasswordLength = 256

// ErrWeakPassword is matched (errors.Is) by every refusal of a new
// password; the error's message says which rule it breaks.
var ErrWeakPassword = errors.New("password refused")

// weakPassword is one refusal of a new password; its message is for the
// user.
type weakPassword string

func (e weakPassword) Error() string        { return string(e) }
func (e weakPassword) Is(target error) bool { return target == ErrWeakPassword }

var (
	errTooShort = weakPassword(fmt.Sprintf("password must have at least %d characters", MinPasswordLength))
	errTooLong  = weakPassword(fmt.Sprintf("password must have at most %d characters", MaxPasswordLength))
	errBlank    = weakPassword("password must not be only spaces")
	errCommon   = weakPassword("password is on the list of commonly used passwords: choose another")
	errRepeated = weakPassword("password must not be one character or a short sequence repeated")
	errIsEmail  = weakPassword("password must not be the email address or its name part")
	errNotUTF8  = weakPassword("password must be valid UTF-8 text")
)

//go:embed blocklist/common.txt
var commonList string

// common holds the blocklist, lower case: commonly used passwords that are
// long enough to pass the length rule (blocklist/common.txt says where
// they come from).
var common = func() map[string]struct{} {
	m := map[string]struct{}{}
	sc := bufio.NewScanner(strings.NewReader(commonList))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			m[line] = struct{}{}
		}
	}
	return m
}()

// IsCommonPassword reports whether password is on the blocklist, ignoring
// case.
func IsCommonPassword(password string) bool {
	_, ok := common[strings.ToLower(norm.NFC.String(password))]
	return ok
}

// ValidatePassword checks a new password against the rules of NIST SP
// 800-63B: 12 to 256 characters (counted after Unicode NFC normalization;
// any character, spaces included, is allowed), not only whitespace, not one
// character or a short sequence repeated, not a commonly used password
// (the embedded blocklist, case ignored), and not the user's email address
// or its part before the @ (email may be ""). No rule asks for character
// classes. The error matches ErrWeakPassword and says which rule failed.
func ValidatePassword(password, email string) error {
	if !utf8.ValidString(password) {
		return errNotUTF8
	}
	p := norm.NFC.String(password)
	switch n := utf8.RuneCountInString(p); {
	case n < MinPasswordLength:
		return errTooShort
	case n > MaxPasswordLength:
		return errTooLong
	}
	if strings.TrimFunc(p, unicode.IsSpace) == "" {
		return errBlank
	}
	if repeated(p) {
		return errRepeated
	}
	if IsCommonPassword(p) {
		return errCommon
	}
	if email = strings.ToLower(strings.TrimSpace(email)); email != "" {
		lower := strings.ToLower(p)
		local, _, _ := strings.Cut(email, "@")
		if lower == email || lower == local {
			return errIsEmail
		}
	}
	return nil
}

// repeated reports whether p is a unit of at most 4 characters repeated
// ("aaaaaaaaaaaa", "abcabcabcabc").
func repeated(p string) bool {
	r := []rune(p)
	for unit := 1; unit <= 4 && unit < len(r); unit++ {
		if len(r)%unit != 0 {
			continue
		}
		same := true
		for i := unit; i < len(r) && same; i++ {
			same = r[i] == r[i-unit]
		}
		if same {
			return true
		}
	}
	return false
}

// prehashPrefix marks a hash of the current scheme: bcrypt of the
// base64-encoded SHA-256 of the NFC-normalized password. bcrypt reads at
// most 72 bytes; the 44 bytes of the digest carry every byte of the
// password. A hash without the prefix is plain bcrypt of the password
// (hashes made before; CheckPassword still accepts them and NeedsRehash
// says to replace them).
const prehashPrefix = "$sha256b64"

func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(norm.NFC.String(password)))
	out := make([]byte, base64.StdEncoding.EncodedLen(len(sum)))
	base64.StdEncoding.Encode(out, sum[:])
	return out
}

// HashPassword checks a new password by ValidatePassword (without an
// email) and returns its hash.
func HashPassword(password string) (string, error) {
	if err := ValidatePassword(password, ""); err != nil {
		return "", err
	}
	return Rehash(password)
}

// Rehash returns the hash of a password the user has already proved
// (CheckPassword), without the rules for new passwords: for replacing a
// hash of an older scheme (NeedsRehash).
func Rehash(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword(prehash(password), PasswordCost)
	if err != nil {
		return "", err
	}
	return prehashPrefix + string(h), nil
}

// CheckPassword reports whether password matches hash, of either scheme.
func CheckPassword(hash, password string) bool {
	if rest, ok := strings.CutPrefix(hash, prehashPrefix); ok {
		return bcrypt.CompareHashAndPassword([]byte(rest), prehash(password)) == nil
	}
	// A plain bcrypt hash of an older release: bcrypt could only ever
	// take the first 72 bytes, so a longer password was never stored.
	if len(password) > 72 {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// NeedsRehash reports whether hash is of an older scheme or cost and
// should be replaced (Rehash) once its password has been checked.
func NeedsRehash(hash string) bool {
	rest, ok := strings.CutPrefix(hash, prehashPrefix)
	if !ok {
		return true
	}
	cost, err := bcrypt.Cost([]byte(rest))
	return err != nil || cost != PasswordCost
}

// dummyHash is compared against when an email is unknown, so that an unknown
// email and a wrong password take about the same time. It is made at first
// use, at the PasswordCost of that time, so that it costs what a real
// user's check costs.
var dummyHash = sync.OnceValue(func() string {
	h, _ := Rehash("caseload-timing-equaliser")
	return h
})

// EqualiseTiming spends the time of one password check.
func EqualiseTiming(password string) {
	_ = CheckPassword(dummyHash(), password)
}
