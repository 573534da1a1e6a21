package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/clinician"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/refreshtoken"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/observe"
	"github.com/caseload/caseload/internal/viewer"
)

// Authenticator puts the viewer of a bearer token on the request context.
type Authenticator struct {
	Issuer *Issuer
	DB     *ent.Client
}

// Middleware authenticates requests. Without an Authorization header the
// request goes on with no viewer (only login and introspection will answer);
// with a header that does not hold a valid token of an active user it is
// refused with 401 UNAUTHENTICATED. Resolvers of the request may set its
// Retry-After header (SetRetryAfter). The viewer's ids, or the refusal's
// code, go to the request's record (internal/observe) for its log line.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(withResponseHeader(r.Context(), w.Header()))
		header := r.Header.Get("Authorization")
		if header == "" {
			next.ServeHTTP(w, r)
			return
		}
		token, ok := strings.CutPrefix(header, "Bearer ")
		if !ok {
			token, ok = strings.CutPrefix(header, "bearer ")
		}
		record := observe.FromContext(r.Context())
		if !ok || token == "" {
			record.SetCodes(codeUnauthenticated)
			writeUnauthenticated(w, "Authorization header must be \"Bearer <token>\"")
			return
		}
		v, u, err := a.viewerFromToken(r.Context(), strings.TrimSpace(token))
		if database.Unavailable(err) {
			// The token may be fine: the database could not say. A 401
			// would sign the user out; 503 asks the app to try again.
			record.SetCodes(string(caseload.CodeUnavailable))
			WriteUnavailable(w)
			return
		}
		if err != nil {
			record.SetCodes(codeUnauthenticated)
			writeUnauthenticated(w, ErrInvalidToken.Error())
			return
		}
		record.SetViewer(v.UserID, v.PracticeID)
		ctx := context.WithValue(viewer.NewContext(r.Context(), v), userKey{}, u)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ViewerFromToken verifies token and loads the viewer it stands for. The
// user's role and active flag, and whether the token's session is still
// open, are read from the database on every request, so a deactivated user,
// a changed role, a logout or a revoked session takes effect at once.
func (a *Authenticator) ViewerFromToken(ctx context.Context, token string) (*viewer.Viewer, error) {
	v, _, err := a.viewerFromToken(ctx, token)
	return v, err
}

func (a *Authenticator) viewerFromToken(ctx context.Context, token string) (*viewer.Viewer, *ent.User, error) {
	claims, err := a.Issuer.Verify(token)
	if err != nil {
		return nil, nil, err
	}
	uid, _ := claims.UserID()
	return loadViewer(ctx, a.DB, uid, claims.PracticeID, claims.Session)
}

type userKey struct{}

// SignedInUser returns the user the request's token stands for, as the
// authentication middleware read it (with its clinician profile, if any),
// or nil. The API's me answers with it rather than reading the user again.
func SignedInUser(ctx context.Context) *ent.User {
	u, _ := ctx.Value(userKey{}).(*ent.User)
	return u
}

// LoadViewer builds the viewer of an active user of a practice signed in
// with a session that is not revoked. The session is checked inside the
// user's query (a subquery), so it costs no statement of its own.
func LoadViewer(ctx context.Context, db *ent.Client, userID, practiceID int, session string) (*viewer.Viewer, error) {
	v, _, err := loadViewer(ctx, db, userID, practiceID, session)
	return v, err
}

func loadViewer(ctx context.Context, db *ent.Client, userID, practiceID int, session string) (*viewer.Viewer, *ent.User, error) {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	u, err := db.User.Query().
		Where(
			user.ID(userID), user.PracticeID(practiceID), user.Active(true),
			user.HasRefreshTokensWith(refreshtoken.Family(session), refreshtoken.RevokedAtIsNil()),
		).
		WithClinician().
		Only(ctx)
	if err != nil {
		if database.Unavailable(err) {
			return nil, nil, fmt.Errorf("loading the signed-in user: %w", err)
		}
		return nil, nil, ErrInvalidToken
	}
	v := &viewer.Viewer{PracticeID: u.PracticeID, UserID: u.ID, Role: viewer.Role(u.Role), Session: session}
	if c := u.Edges.Clinician; c != nil {
		v.ClinicianID = c.ID
		if v.Role == viewer.Supervisor {
			ids, err := db.Clinician.Query().Where(clinician.SupervisorID(c.ID), clinician.PracticeID(practiceID)).IDs(ctx)
			if err != nil {
				return nil, nil, err
			}
			v.SuperviseeIDs = ids
		}
	}
	return v, u, nil
}

// WriteUnavailable answers 503 UNAVAILABLE with Retry-After: the database
// cannot be reached, and the request may be sent again later.
func WriteUnavailable(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", strconv.Itoa(caseload.RetryAfterUnavailable))
	w.WriteHeader(http.StatusServiceUnavailable)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{
			"message":    UnavailableMessage,
			"extensions": map[string]any{"code": string(caseload.CodeUnavailable), "retryAfter": caseload.RetryAfterUnavailable},
		}},
	})
}

// UnavailableMessage is the message of an UNAVAILABLE error.
const UnavailableMessage = "the database is unavailable or did not answer in time: try again shortly"

// codeUnauthenticated is the extensions.code of a refused token.
const codeUnauthenticated = "UNAUTHENTICATED"

func writeUnauthenticated(w http.ResponseWriter, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("WWW-Authenticate", `Bearer realm="caseload"`)
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{
			"message":    message,
			"extensions": map[string]any{"code": codeUnauthenticated},
		}},
	})
}
