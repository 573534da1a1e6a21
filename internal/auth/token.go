// Package auth turns credentials into signed tokens and tokens into a viewer.
// It fails closed: a request with a bad token is refused, and a request
// without one carries no viewer, so the data layer denies it everything.
//
// Tokens follow RFC 8725: the server pins the algorithm (HS256 by default,
// EdDSA when an Ed25519 key is configured) and never takes it from the
// header; issuer, audience, expiry, issued-at, not-before and an explicit
// token type are all required. Access tokens are short-lived and name their
// session (sid); sessions are renewed with single-use refresh tokens
// (sessions.go) and can be revoked at once.
package auth

import (
	"crypto/ed25519"
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
	// DefaultTTL is how long an access token is accepted: short, because a
	// refresh token renews it and a revoked session's tokens must not live long.
	DefaultTTL = 15 * time.Minute
	// MinSecretLength is the shortest HS256 secret accepted (256 bits).
	MinSecretLength = 32
	// accessTokenType marks access tokens in the typ claim, so no other token can be used as one.
	accessTokenType = "access"
	// AccessTokenHeaderType is the typ header of access tokens (RFC 9068),
	// the explicit typing of RFC 8725 section 3.11.
	AccessTokenHeaderType = "at+jwt"
)

// ErrInvalidToken is returned for any token that must not be accepted; the
// reason is deliberately not told to the caller.
var ErrInvalidToken = errors.New("invalid or expired token")

// Keys are what access tokens are signed and verified with. With no
// Ed25519 key they are HS256 with Secret; with one they are EdDSA, carry the
// key's id (kid) in their header, and HS256 tokens are refused.
type Keys struct {
	// Secret is the HS256 key (at least 32 bytes), used when Signing is nil.
	Secret []byte
	// Signing is the Ed25519 key new tokens are signed with.
	Signing ed25519.PrivateKey
	// Previous are public keys whose tokens are still accepted: the keys
	// before a rotation, until the tokens they signed have expired.
	Previous []ed25519.PublicKey
}

// Issuer signs and verifies access tokens.
type Issuer struct {
	method   jwt.SigningMethod
	signKey  any
	keyID    string
	verify   map[string]any // verification keys by kid ("" for HS256)
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
}

// NewIssuer returns an issuer of access tokens that live ttl (DefaultTTL when 0).
func NewIssuer(keys Keys, ttl time.Duration, now func() time.Time) (*Issuer, error) {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	i := &Issuer{issuer: DefaultIssuer, audience: DefaultAudience, ttl: ttl, now: now, verify: map[string]any{}}
	if keys.Signing == nil {
		if len(keys.Previous) > 0 {
			return nil, errors.New("previous Ed25519 public keys need a current Ed25519 signing key")
		}
		if len(keys.Secret) < MinSecretLength {
			return nil, fmt.Errorf("token secret must have at least %d bytes, got %d", MinSecretLength, len(keys.Secret))
		}
		i.method, i.signKey = jwt.SigningMethodHS256, keys.Secret
		i.verify[""] = keys.Secret
		return i, nil
	}
	if len(keys.Signing) != ed25519.PrivateKeySize {
		return nil, errors.New("the Ed25519 signing key is malformed")
	}
	public := keys.Signing.Public().(ed25519.PublicKey)
	i.method, i.signKey, i.keyID = jwt.SigningMethodEdDSA, keys.Signing, KeyID(public)
	i.verify[i.keyID] = public
	for _, p := range keys.Previous {
		if len(p) != ed25519.PublicKeySize {
			return nil, errors.New("a previous Ed25519 public key is malformed")
		}
		i.verify[KeyID(p)] = p
	}
	return i, nil
}

// Algorithm is the one signing algorithm tokens are issued and accepted with.
func (i *Issuer) Algorithm() string { return i.method.Alg() }

// TTL is how long an access token lives.
func (i *Issuer) TTL() time.Duration { return i.ttl }

// Claims are what an access token asserts.
type Claims struct {
	jwt.RegisteredClaims
	// PracticeID is the tenant of the user.
	PracticeID int `json:"pid"`
	// Role is the user's role when the token was issued.
	Role viewer.Role `json:"role"`
	// TokenType is always "access" for access tokens.
	TokenType string `json:"typ"`
	// Session is the sign-in session (refresh-token family) the token
	// belongs to; revoking the session revokes the token.
	Session string `json:"sid"`
}

// UserID returns the user the token was issued to.
func (c *Claims) UserID() (int, error) {
	return strconv.Atoi(c.Subject)
}

// Issue signs an access token for a user's session.
func (i *Issuer) Issue(userID, practiceID int, role viewer.Role, session string) (string, time.Time, error) {
	if session == "" {
		return "", time.Time{}, errors.New("an access token needs a session")
	}
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
		Session:    session,
	}
	t := jwt.NewWithClaims(i.method, claims)
	t.Header["typ"] = AccessTokenHeaderType
	if i.keyID != "" {
		t.Header["kid"] = i.keyID
	}
	token, err := t.SignedString(i.signKey)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("signing token: %w", err)
	}
	return token, exp, nil
}

// Verify checks a token's signature with the pinned algorithm and a known
// key id, its type (header and claim), issuer, audience, expiry, issued-at,
// not-before and session, and returns its claims.
func (i *Issuer) Verify(token string) (*Claims, error) {
	var claims Claims
	_, err := jwt.ParseWithClaims(token, &claims, i.key,
		jwt.WithValidMethods([]string{i.method.Alg()}),
		jwt.WithIssuer(i.issuer),
		jwt.WithAudience(i.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(i.now),
	)
	if err != nil {
		return nil, ErrInvalidToken
	}
	if claims.TokenType != accessTokenType || claims.Session == "" || !claims.Role.Valid() ||
		claims.PracticeID <= 0 || claims.NotBefore == nil || claims.IssuedAt == nil {
		return nil, ErrInvalidToken
	}
	if _, err := claims.UserID(); err != nil {
		return nil, ErrInvalidToken
	}
	return &claims, nil
}

// key picks the verification key of a token by its kid; an unknown kid, or
// a token not typed as an access token, gets none.
func (i *Issuer) key(t *jwt.Token) (any, error) {
	if typ, _ := t.Header["typ"].(string); typ != AccessTokenHeaderType {
		return nil, ErrInvalidToken
	}
	kid, _ := t.Header["kid"].(string)
	key, ok := i.verify[kid]
	if !ok {
		return nil, ErrInvalidToken
	}
	return key, nil
}
