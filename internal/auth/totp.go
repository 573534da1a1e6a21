package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The second factor: a time-based one-time password (RFC 6238) from an
// authenticator app, or one of the login's recovery codes. The codes are
// the apps' common denominator: SHA-1, six digits, a new one every 30
// seconds; a code of the step before or after is accepted too (clocks of
// phones drift), and no step is accepted twice, so a code seen over a
// shoulder or in a log cannot be replayed.
const (
	TOTPPeriod = 30
	TOTPDigits = otp.DigitsSix
	// TOTPSkew is how many steps before and after the current one count.
	TOTPSkew = 1
	// RecoveryCodes is how many recovery codes a login gets.
	RecoveryCodes = 10
)

// ErrTOTPKey is returned when the key that seals the TOTP secrets is not
// 32 bytes.
var ErrTOTPKey = errors.New("the key of the second factor must be 32 bytes")

// ErrNoTOTP is returned by the methods of a nil *TOTP: a server set up
// without the second factor's key.
var ErrNoTOTP = errors.New("the second factor is not set up on this server")

// TOTP seals and checks the second factor's secrets. Secrets are stored
// sealed (AES-256-GCM, the login's id as additional data, so a sealed
// secret copied to another login does not open): a copy of the database
// alone does not give anyone the codes.
type TOTP struct {
	// Issuer names the service in the authenticator app ("Caseload").
	Issuer string
	aead   cipher.AEAD
}

// NewTOTP returns the second factor's helper with the sealing key.
func NewTOTP(issuer string, key []byte) (*TOTP, error) {
	if len(key) != 32 {
		return nil, ErrTOTPKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &TOTP{Issuer: issuer, aead: aead}, nil
}

// TOTPKeyFromSecret derives the sealing key from the server's token secret
// (HKDF-like: an HMAC with a fixed label), for a server with no key of its
// own. Changing that secret then makes every enrolled login enrol again.
func TOTPKeyFromSecret(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("caseload totp secret sealing v1"))
	return m.Sum(nil)
}

// Enrolment is a new secret to show a user once: as a QR code of URL, or
// typed in from Secret.
type Enrolment struct {
	// Secret is the base32 secret, for typing into the app.
	Secret string
	// URL is the otpauth:// URI the app reads from a QR code.
	URL string
	// Sealed is the secret as stored.
	Sealed string
}

// Enrol makes a new secret for the login userID, named account (its email)
// in the app.
func (t *TOTP) Enrol(userID int, account string) (Enrolment, error) {
	if t == nil {
		return Enrolment{}, ErrNoTOTP
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: t.Issuer, AccountName: account, Period: TOTPPeriod, SecretSize: 20,
		Digits: TOTPDigits, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return Enrolment{}, err
	}
	sealed, err := t.seal(userID, key.Secret())
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL(), Sealed: sealed}, nil
}

// Step is the number of the 30-second step of instant now.
func Step(now time.Time) int64 { return now.Unix() / TOTPPeriod }

// Check verifies code against the login's sealed secret at now. It
// returns the step the code belongs to, which the caller stores and passes
// as lastStep next time: a code of that step or an earlier one is refused.
func (t *TOTP) Check(userID int, sealed, code string, now time.Time, lastStep int64) (step int64, ok bool, err error) {
	if t == nil {
		return 0, false, ErrNoTOTP
	}
	secret, err := t.open(userID, sealed)
	if err != nil {
		return 0, false, err
	}
	code = strings.TrimSpace(code)
	if len(code) != TOTPDigits.Length() {
		return 0, false, nil
	}
	opts := totp.ValidateOpts{Period: TOTPPeriod, Digits: TOTPDigits, Algorithm: otp.AlgorithmSHA1}
	current := Step(now)
	matched := int64(-1)
	// Every candidate is computed and compared in constant time, so the
	// time taken does not say which step (if any) matched.
	for s := current - TOTPSkew; s <= current+TOTPSkew; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*TOTPPeriod, 0).UTC(), opts)
		if err != nil {
			return 0, false, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && matched < 0 {
			matched = s
		}
	}
	if matched < 0 || matched <= lastStep {
		return 0, false, nil
	}
	return matched, true, nil
}

// seal encrypts a secret for the login userID.
func (t *TOTP) seal(userID int, secret string) (string, error) {
	nonce := make([]byte, t.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := t.aead.Seal(nonce, nonce, []byte(secret), aad(userID))
	return "v1:" + base64.RawStdEncoding.EncodeToString(out), nil
}

// open decrypts a sealed secret of the login userID.
func (t *TOTP) open(userID int, sealed string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, "v1:")
	if !ok {
		return "", errors.New("unknown sealing of the second factor's secret")
	}
	b, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(b) < t.aead.NonceSize() {
		return "", errors.New("malformed sealed secret")
	}
	plain, err := t.aead.Open(nil, b[:t.aead.NonceSize()], b[t.aead.NonceSize():], aad(userID))
	if err != nil {
		return "", errors.New("the second factor's secret does not open with this key (was the key changed?)")
	}
	return string(plain), nil
}

func aad(userID int) []byte { return fmt.Appendf(nil, "caseload user %d", userID) }

// recoveryAlphabet is base32 without the letters people misread (Crockford's).
var recoveryEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewRecoveryCodes returns RecoveryCodes codes to show the user once, and
// their hashes to store. Each code is 80 random bits, written as four
// groups of four characters ("7k2m-q9xd-...").
func NewRecoveryCodes() (codes, hashes []string, err error) {
	for range RecoveryCodes {
		var b [10]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, nil, err
		}
		s := recoveryEncoding.EncodeToString(b[:]) // 16 characters
		code := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes, nil
}

// HashRecoveryCode is the stored form of a recovery code: SHA-256 of the
// code without separators, in lower case. 80 random bits need no slow hash.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte(normalizeRecoveryCode(code)))
	return base64.RawStdEncoding.EncodeToString(sum[:])
}

// MatchRecoveryCode returns the index in hashes of code, or -1. Every hash
// is compared, in constant time.
func MatchRecoveryCode(hashes []string, code string) int {
	h := []byte(HashRecoveryCode(code))
	found := -1
	for i, want := range hashes {
		if subtle.ConstantTimeCompare([]byte(want), h) == 1 && found < 0 {
			found = i
		}
	}
	return found
}

// normalizeRecoveryCode drops dashes and white space and folds case, and
// reads the letters people confuse with digits as those digits.
func normalizeRecoveryCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		if unicode.IsSpace(r) {
			continue // a pasted code's line break, a tab, a space
		}
		switch r {
		case '-':
			continue
		case 'o':
			r = '0'
		case 'i', 'l':
			r = '1'
		}
		b.WriteRune(r)
	}
	return b.String()
}
