package auth

import (
	"errors"

	"golang.org/x/crypto/bcrypt"
)

// PasswordCost is the bcrypt cost for new password hashes.
const PasswordCost = 12

// MinPasswordLength is the shortest password accepted for a new login.
const MinPasswordLength = 12

// ErrWeakPassword is returned for a password shorter than MinPasswordLength.
var ErrWeakPassword = errors.New("password must have at least 12 characters")

// HashPassword returns the bcrypt hash of password.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLength {
		return "", ErrWeakPassword
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	return string(h), err
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// dummyHash is compared against when an email is unknown, so that an unknown
// email and a wrong password take about the same time.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("caseload-timing-equaliser"), PasswordCost)

// EqualiseTiming spends the time of one password check.
func EqualiseTiming(password string) {
	_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
}
