package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/refreshtoken"
	"github.com/caseload/caseload/internal/viewer"
)

// DefaultRefreshTTL is how long a refresh token is accepted. Each refresh
// returns a new one, so a session in use lives on; one left alone this long
// ends.
const DefaultRefreshTTL = 7 * 24 * time.Hour

// Sessions issue access tokens with refresh tokens. A session is a family
// of refresh tokens: login starts one, each refresh uses its token up and
// issues the next, and presenting a used token again revokes the family,
// because one of the two presenters holds a copy. Tokens are opaque random
// strings; only their SHA-256 is stored.
//
// The methods take the client to write with (the mutation's transaction)
// and a context that carries the system's privacy decision: the rows are
// reachable by the sign-in code only.
type Sessions struct {
	issuer     *Issuer
	refreshTTL time.Duration
}

// NewSessions returns sessions whose access tokens issuer signs and whose
// refresh tokens live refreshTTL (DefaultRefreshTTL when 0).
func NewSessions(issuer *Issuer, refreshTTL time.Duration) *Sessions {
	if refreshTTL <= 0 {
		refreshTTL = DefaultRefreshTTL
	}
	return &Sessions{issuer: issuer, refreshTTL: refreshTTL}
}

// Pair is what a sign-in or a refresh hands out.
type Pair struct {
	AccessToken      string
	AccessExpiresAt  time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
}

// ErrRefreshTokenReused is wrapped by the ReusedError of a refresh token
// presented a second time.
var ErrRefreshTokenReused = errors.New("refresh token reused")

// ReusedError names the session of a reused refresh token, which the caller
// revokes with RevokeSession outside the failing mutation's transaction.
type ReusedError struct {
	PracticeID, UserID int
	Session            string
}

func (e *ReusedError) Error() string { return ErrRefreshTokenReused.Error() }

// Unwrap makes errors.Is(err, ErrRefreshTokenReused) hold.
func (e *ReusedError) Unwrap() error { return ErrRefreshTokenReused }

// Start opens a new session for an active user and returns its first pair.
// The user's expired refresh tokens are forgotten on the way.
func (s *Sessions) Start(ctx context.Context, db *ent.Client, u *ent.User) (*Pair, error) {
	now := s.issuer.now().UTC()
	if _, err := db.RefreshToken.Delete().
		Where(refreshtoken.UserID(u.ID), refreshtoken.ExpiresAtLTE(now)).
		Exec(ctx); err != nil {
		return nil, err
	}
	session, err := randomString(16)
	if err != nil {
		return nil, err
	}
	return s.issue(ctx, db, u, session, now)
}

// Rotate exchanges a refresh token for the next pair of its session and
// marks it used. An unknown, expired or revoked token, or one of a user who
// is no longer active, is ErrInvalidToken; a used one is a *ReusedError.
func (s *Sessions) Rotate(ctx context.Context, db *ent.Client, token string) (*Pair, *ent.User, error) {
	now := s.issuer.now().UTC()
	rt, err := db.RefreshToken.Query().
		Where(refreshtoken.TokenHash(hashToken(token))).
		WithUser().
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil, ErrInvalidToken
	}
	if err != nil {
		return nil, nil, err
	}
	reused := &ReusedError{PracticeID: rt.PracticeID, UserID: rt.UserID, Session: rt.Family}
	switch u := rt.Edges.User; {
	case rt.RevokedAt != nil, u == nil, !u.Active, u.PracticeID != rt.PracticeID:
		return nil, nil, ErrInvalidToken
	case rt.UsedAt != nil:
		return nil, nil, reused
	case !now.Before(rt.ExpiresAt):
		return nil, nil, ErrInvalidToken
	}
	// Marking it used only if nobody did first settles a race between two
	// holders of the token: the loser sees a reuse.
	n, err := db.RefreshToken.Update().
		Where(refreshtoken.ID(rt.ID), refreshtoken.UsedAtIsNil(), refreshtoken.RevokedAtIsNil()).
		SetUsedAt(now).
		Save(ctx)
	if err != nil {
		return nil, nil, err
	}
	if n == 0 {
		return nil, nil, reused
	}
	pair, err := s.issue(ctx, db, rt.Edges.User, rt.Family, now)
	if err != nil {
		return nil, nil, err
	}
	return pair, rt.Edges.User, nil
}

func (s *Sessions) issue(ctx context.Context, db *ent.Client, u *ent.User, session string, now time.Time) (*Pair, error) {
	refresh, err := randomString(32)
	if err != nil {
		return nil, err
	}
	p := &Pair{RefreshToken: refresh, RefreshExpiresAt: now.Add(s.refreshTTL)}
	if err := db.RefreshToken.Create().
		SetPracticeID(u.PracticeID).
		SetUserID(u.ID).
		SetFamily(session).
		SetTokenHash(hashToken(refresh)).
		SetCreatedAt(now).
		SetExpiresAt(p.RefreshExpiresAt).
		Exec(ctx); err != nil {
		return nil, err
	}
	p.AccessToken, p.AccessExpiresAt, err = s.issuer.Issue(u.ID, u.PracticeID, viewer.Role(u.Role), session)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// RevokeSession ends a user's session: its refresh tokens and (since the
// viewer is loaded only for a live session) its access tokens stop working.
func RevokeSession(ctx context.Context, db *ent.Client, practiceID, userID int, session string, now time.Time) error {
	return db.RefreshToken.Update().
		Where(
			refreshtoken.PracticeID(practiceID),
			refreshtoken.UserID(userID),
			refreshtoken.Family(session),
			refreshtoken.RevokedAtIsNil(),
		).
		SetRevokedAt(now.UTC()).
		Exec(ctx)
}

// RevokeUser ends every session of a user.
func RevokeUser(ctx context.Context, db *ent.Client, practiceID, userID int, now time.Time) error {
	return db.RefreshToken.Update().
		Where(refreshtoken.PracticeID(practiceID), refreshtoken.UserID(userID), refreshtoken.RevokedAtIsNil()).
		SetRevokedAt(now.UTC()).
		Exec(ctx)
}

// hashToken is the stored form of a refresh token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
