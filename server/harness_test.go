package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"go.opentelemetry.io/otel/trace"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/sqlcount"
	"github.com/caseload/caseload/internal/testdb"
)

// testNow is the fixed clock of the API tests.
var testNow = time.Date(2026, time.March, 10, 15, 0, 0, 0, time.UTC)

// testPassword is the password of every fixture user.
const testPassword = "correct horse battery"

var (
	hashOnce sync.Once
	hashed   string
)

// passwordHash hashes testPassword once per test binary: bcrypt is slow on purpose.
func passwordHash(tb testing.TB) string {
	hashOnce.Do(func() {
		h, err := auth.HashPassword(testPassword)
		if err != nil {
			tb.Fatal(err)
		}
		hashed = h
	})
	return hashed
}

// apiServer is the real HTTP handler over a real, migrated database.
type apiServer struct {
	t       testing.TB
	main    *Main
	handler http.Handler
	sql     *testdb.Counter
	logs    *bytes.Buffer
	// clock is the server's clock, at testNow until a test moves it.
	clock *testClock
}

// testClock is a clock that tests move by hand, or that follows the wall
// clock once FollowWall is called.
type testClock struct {
	mu   sync.Mutex
	now  time.Time
	wall bool
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wall {
		return time.Now()
	}
	return c.now
}

// FollowWall makes the clock the wall clock from now on: for a test with a
// browser, which checks token expiry times against its own clock.
func (c *testClock) FollowWall() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = true
}

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newAPIServer builds the server on a fresh database of the dialect; each
// configure func may change its configuration first.
func newAPIServer(t testing.TB, dialectName string, configure ...func(*Config)) *apiServer {
	t.Helper()
	return newTracedAPIServer(t, dialectName, nil, configure...)
}

// newTracedAPIServer is newAPIServer whose requests, operations and SQL
// statements make spans with tp (none when nil), as Main.Open arranges.
func newTracedAPIServer(t testing.TB, dialectName string, tp trace.TracerProvider, configure ...func(*Config)) *apiServer {
	t.Helper()
	var counter *testdb.Counter
	db := testdb.Open(t, dialectName, testdb.Options{TracerProvider: tp, WrapDriver: func(d dialect.Driver) dialect.Driver {
		counter = testdb.NewCounter(d)
		return sqlcount.Wrap(counter) // as Main.Open does: per-request counts
	}})
	s := serverOn(t, db, counter, configure...)
	if tp != nil {
		s.main.TracerProvider = tp
		s.handler = s.main.Handler()
	}
	return s
}

// serverOn builds the server over an open database (counter, if not nil,
// counts its statements).
func serverOn(t testing.TB, db *database.DB, counter *testdb.Counter, configure ...func(*Config)) *apiServer {
	t.Helper()
	logs := &bytes.Buffer{}
	clock := &testClock{now: testNow}
	m := &Main{
		Config: &Config{
			JWTSecret:     []byte("test-secret-test-secret-test-secret!"),
			TokenTTL:      time.Hour,
			Introspection: true,
		},
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil)),
		Now:    clock.Now,
		DB:     db,
	}
	for _, c := range configure {
		c(m.Config)
	}
	if err := m.openIssuer(); err != nil {
		t.Fatal(err)
	}
	return &apiServer{t: t, main: m, handler: m.Handler(), sql: counter, logs: logs, clock: clock}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// gqlResponse is a GraphQL response as a client sees it.
type gqlResponse struct {
	Status     int
	Data       map[string]any `json:"data"`
	Extensions map[string]any `json:"extensions"`
	Errors     []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// code returns the extensions.code of the first error; without errors,
// the code of the first userError of a payload (root fields in name
// order), or "".
func (r *gqlResponse) code() string {
	if len(r.Errors) == 0 {
		if refusals := r.refusals(); len(refusals) > 0 {
			return refusals[0].Code
		}
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// message returns the message of the first error, else of the first
// userError, or "".
func (r *gqlResponse) message() string {
	if len(r.Errors) > 0 {
		return r.Errors[0].Message
	}
	if refusals := r.refusals(); len(refusals) > 0 {
		return refusals[0].Message
	}
	return ""
}

// field returns the field the first refusal names: extensions.field of
// the first error, else the path of the first userError joined with dots
// ("input.email"), or "".
func (r *gqlResponse) field() string {
	if len(r.Errors) > 0 {
		f, _ := r.Errors[0].Extensions["field"].(string)
		return f
	}
	if refusals := r.refusals(); len(refusals) > 0 {
		return strings.Join(refusals[0].Field, ".")
	}
	return ""
}

// userError is a refusal a mutation's payload reports.
type userError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code"`
}

// userErrors returns the userErrors of the payload of root field (by its
// alias), nil when it has none or is no payload.
func (r *gqlResponse) userErrors(field string) []userError {
	payload, _ := r.Data[field].(map[string]any)
	list, _ := payload["userErrors"].([]any)
	if len(list) == 0 {
		return nil
	}
	b, _ := json.Marshal(list)
	var out []userError
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// refusals returns the userErrors of every payload of the response, root
// fields in name order.
func (r *gqlResponse) refusals() []userError {
	var out []userError
	for _, field := range slices.Sorted(maps.Keys(r.Data)) {
		out = append(out, r.userErrors(field)...)
	}
	return out
}

// do posts a GraphQL operation with the token (none when empty).
func (s *apiServer) do(token, query string, vars map[string]any) *gqlResponse {
	s.t.Helper()
	return s.doWith(token, map[string]any{"query": query, "variables": vars}, nil)
}

// doWith posts a request body of its own with extra headers.
func (s *apiServer) doWith(token string, request map[string]any, headers map[string]string) *gqlResponse {
	s.t.Helper()
	body, _ := json.Marshal(request)
	return decode(s.t, s.post(token, bytes.NewReader(body), int64(len(body)), headers))
}

// post sends a raw request body to /graphql.
func (s *apiServer) post(token string, body io.Reader, contentLength int64, headers map[string]string) *httptest.ResponseRecorder {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", body)
	req.ContentLength = contentLength
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

func decode(t testing.TB, rec *httptest.ResponseRecorder) *gqlResponse {
	t.Helper()
	r := &gqlResponse{Status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), r); err != nil {
		t.Fatalf("response is not JSON (%d): %s", rec.Code, rec.Body.String())
	}
	return r
}

// mustDo is do that fails the test on any error.
func (s *apiServer) mustDo(token, query string, vars map[string]any) map[string]any {
	s.t.Helper()
	r := s.do(token, query, vars)
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		s.t.Fatalf("unexpected errors (%d): %+v\n%s", r.Status, r.Errors, s.logs.String())
	}
	if refusals := r.refusals(); len(refusals) > 0 {
		s.t.Fatalf("unexpected userErrors: %+v", refusals)
	}
	return r.Data
}

// token starts a session for a fixture user and returns its access token.
func (s *apiServer) token(u *ent.User) string {
	s.t.Helper()
	pair, err := s.main.Sessions.Start(sys(), s.main.DB.Ent, u)
	if err != nil {
		s.t.Fatal(err)
	}
	return pair.AccessToken
}

// sys is a context that bypasses the privacy rules, for fixtures and checks.
func sys() context.Context {
	return privacy.DecisionContext(context.Background(), privacy.Allow)
}

// practiceFixture is a practice with one user of each role and clients.
type practiceFixture struct {
	practice                                             *ent.Practice
	admin, clinicianUser, otherUser, supervisor, analyst *ent.User
	clinician, other, supervisorProfile                  *ent.Clinician
	ownClients, otherClients                             []*ent.ClientProfile
}

// seedPractice creates a practice: admin; clinician (supervised by the
// supervisor) and other clinician with logins; analyst; and clients of
// clinician and other, each ACTIVE with an open episode and one appointment.
func (s *apiServer) seedPractice(name, emailDomain string) *practiceFixture {
	s.t.Helper()
	ctx := sys()
	c := s.main.DB.Ent
	f := &practiceFixture{}
	f.practice = must(c.Practice.Create().SetName(name).SetTimeZone("America/New_York").Save(ctx))
	newUser := func(local string, role user.Role) *ent.User {
		return must(c.User.Create().SetPracticeID(f.practice.ID).SetEmail(local + "@" + emailDomain).
			SetPasswordHash(passwordHash(s.t)).SetRole(role).Save(ctx))
	}
	f.admin = newUser("admin", user.RoleADMIN)
	f.clinicianUser = newUser("clinician", user.RoleCLINICIAN)
	f.otherUser = newUser("other", user.RoleCLINICIAN)
	f.supervisor = newUser("supervisor", user.RoleSUPERVISOR)
	f.analyst = newUser("analyst", user.RoleANALYST)
	f.supervisorProfile = must(c.Clinician.Create().SetPracticeID(f.practice.ID).SetName("Dr Sup").SetUserID(f.supervisor.ID).Save(ctx))
	f.clinician = must(c.Clinician.Create().SetPracticeID(f.practice.ID).SetName("Cli Nician").SetUserID(f.clinicianUser.ID).SetSupervisorID(f.supervisorProfile.ID).Save(ctx))
	f.other = must(c.Clinician.Create().SetPracticeID(f.practice.ID).SetName("Oth Er").SetUserID(f.otherUser.ID).Save(ctx))
	slot := 0
	newClient := func(cl *ent.Clinician, first string) *ent.ClientProfile {
		client := must(c.ClientProfile.Create().SetPracticeID(f.practice.ID).SetFirstName(first).SetLastName("Fixture").
			SetClinicianID(cl.ID).SetStatus(clientprofile.StatusACTIVE).Save(ctx))
		ep := must(c.Episode.Create().SetPracticeID(f.practice.ID).SetClientID(client.ID).SetClinicianID(cl.ID).SetOpenedAt(testNow.AddDate(0, -2, 0)).Save(ctx))
		slot++ // one session per hour: nobody is double-booked
		start := testNow.AddDate(0, 0, -7).Add(time.Duration(slot) * time.Hour)
		must(c.Appointment.Create().SetPracticeID(f.practice.ID).SetClientID(client.ID).SetClinicianID(cl.ID).SetEpisodeID(ep.ID).
			SetStartsAt(start).SetEndsAt(start.Add(50 * time.Minute)).Save(ctx))
		return client
	}
	for _, n := range []string{"Ann", "Ben", "Cy"} {
		f.ownClients = append(f.ownClients, newClient(f.clinician, n))
	}
	for _, n := range []string{"Dee", "Eve"} {
		f.otherClients = append(f.otherClients, newClient(f.other, n))
	}
	return f
}

// must returns v, and panics (failing the test with a stack) on a fixture error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// encodeID is the opaque global ID of a record.
func encodeID(id int) string { return scalar.EncodeID(id) }

// decodeForTest turns a global ID from a response back into a database id.
func decodeForTest(v any) (int, error) { return scalar.DecodeID(v.(string)) }
