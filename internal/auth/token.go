// Package auth turns credentials into signed tokens and tokens into a viewer.
// It fails closed: a request with a bad token is refused, and a request
// without one carries no viewer, so the data layer denies it everything.
package auth

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/caseload/caseload/internal/viewer"
)

// Defaults of the token issuer.
const (
	DefaultIssuer   = "caseload"
	DefaultAudience = "caseload-api"
	DefaultTTL      = 12 * time.Hour
	// MinSecretLength is the shortest HS256 secret accepted (256 bits).
	MinSecretLength = 32
	// accessTokenType marks access tokens, so no other token can be used as one.
	accessTokenType = "access"
)

// ErrInvalidToken is returned for any token that must not be accepted; the
// reason is deliberately not told to the caller.
var ErrInvalidToken = errors.New("invalid or expired token")

// Issuer signs and verifies access tokens with HS256.
type Issuer struct {
	secret   []byte
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
}

// NewIssuer returns an issuer with the given secret (at least 32 bytes).
func NewIssuer(secret []byte, ttl time.Duration, now func() time.Time) (*Issuer, error) {
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("token secret must have at least %d bytes, got %d", MinSecretLength, len(secret))
	}
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Issuer{secret: secret, issuer: DefaultIssuer, audience: DefaultAudience, ttl: ttl, now: now}, nil
}

// Claims are what an access token asserts.
type Claims struct {
	jwt.RegisteredClaims
	// PracticeID is the tenant of the user.
	PracticeID int `json:"pid"`
	// Role is the user's role when the token was issued.
	Role viewer.Role `json:"role"`
	// TokenType is always "access" for access tokens.
	TokenType string `json:"typ"`
}

// UserID returns the user the token was issued to.
func (c *Claims) UserID() (int, error) {
	return strconv.Atoi(c.Subject)
}

// Issue signs an access token for a user.
func (i *Issuer) Issue(userID, practiceID int, role viewer.Role) (string, time.Time, error) {
	now := i.now()
	exp := now.Add(i.ttl)
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.issuer,
			Subject:   strconv.Itoa(userID),
			Audience:  jwt.ClaimStrings{i.audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
		},
		PracticeID: practiceID,
		Role:       role,
		TokenType:  accessTokenType,
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(i.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("signing token: %w", err)
	}
	return token, exp, nil
}

// Verify checks a token's signature (HS256 only: the algorithm is pinned by
// the server, never taken from the header), issuer, audience, expiry,
// not-before and type, and returns its claims.
func (i *Issuer) Verify(token string) (*Claims, error) {
	var claims Claims
	_, err := jwt.ParseWithClaims(token, &claims,
		func(*jwt.Token) (any, error) { return i.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(i.issuer),
		jwt.WithAudience(i.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(i.now),
	)
	if err != nil {
		return nil, ErrInvalidToken
	}
	if claims.TokenType != accessTokenType || !claims.Role.Valid() || claims.PracticeID <= 0 || claims.NotBefore == nil {
		return nil, ErrInvalidToken
	}
	if _, err := claims.UserID(); err != nil {
		return nil, ErrInvalidToken
	}
	return &claims, nil
}
