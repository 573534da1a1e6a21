package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/caseload/caseload/internal/testdb"
)

// faultProxy stands between the server and a real PostgreSQL: it forwards
// bytes both ways until it is taken down (its listener closed, so that a
// new connection is refused, and every open one cut) or frozen (bytes are
// accepted and held, nothing is forwarded: a hung host, a partition).
type faultProxy struct {
	t      *testing.T
	addr   string
	target string

	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
	frozen chan struct{} // closed while the proxy forwards
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	thawed := make(chan struct{})
	close(thawed)
	p := &faultProxy{t: t, addr: ln.Addr().String(), target: target, conns: map[net.Conn]bool{}, frozen: thawed}
	p.serve(ln)
	t.Cleanup(func() { p.down() })
	return p
}

func (p *faultProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *faultProxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	go p.pipe(up, c)
	p.pipe(c, up)
}

func (p *faultProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			thawed := p.frozen
			p.mu.Unlock()
			<-thawed
			if _, werr := dst.Write(buf[:n]); werr != nil {
				err = werr
			}
		}
		if err != nil {
			break
		}
	}
	src.Close()
	dst.Close()
}

// down refuses new connections and cuts the open ones.
func (p *faultProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

// up listens again, on the same address.
func (p *faultProxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy back up: %v", err)
	}
	p.serve(ln)
}

func (p *faultProxy) freeze() {
	p.mu.Lock()
	p.frozen = make(chan struct{})
	p.mu.Unlock()
}

func (p *faultProxy) thaw() {
	p.mu.Lock()
	close(p.frozen)
	p.mu.Unlock()
}

// proxiedServer starts the server as Main.Open does, on a fresh PostgreSQL
// schema reached through a faultProxy.
func proxiedServer(t *testing.T, configure func(*Config)) (*apiServer, *faultProxy) {
	dsn := testdb.DSN(t, dialect.Postgres) // skips without PostgreSQL
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := newFaultProxy(t, u.Host)
	u.Host = p.addr
	clock := &testClock{now: testNow}
	logs := &bytes.Buffer{}
	cfg := &Config{DatabaseURL: u.String(), Migrate: true, JWTSecret: []byte(strings.Repeat("f", 32)), TokenTTL: time.Hour,
		StatementTimeout: DefaultStatementTimeout, RequestTimeout: DefaultRequestTimeout}
	configure(cfg)
	m := &Main{Config: cfg, Logger: newLogger("text", &lockedWriter{w: logs}), Now: clock.Now}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return &apiServer{t: t, main: m, handler: m.Handler(), logs: logs, clock: clock}, p
}

// answer is a response as a client sees it, with how long it took.
type answer struct {
	status     int
	retryAfter string
	code       string
	took       time.Duration
}

func (s *apiServer) timed(token, query string) answer {
	start := time.Now()
	body := fmt.Sprintf(`{"query":%q}`, query)
	rec := s.post(token, strings.NewReader(body), int64(len(body)), nil)
	a := answer{status: rec.Code, retryAfter: rec.Header().Get("Retry-After"), took: time.Since(start)}
	r := decode(s.t, rec)
	a.code = r.code()
	return a
}

func (s *apiServer) readyz() answer {
	start := time.Now()
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	return answer{status: rec.Code, took: time.Since(start)}
}

// eventually retries fn until it reports true (the pool reconnects).
func eventually(t *testing.T, what string, fn func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if fn() {
			return
		}
	}
	t.Fatalf("%s: never", what)
}

// TestDatabaseDownAnswersUnavailable: with PostgreSQL unreachable, a
// signed-in request answers 503 UNAVAILABLE with Retry-After (never 401
// UNAUTHENTICATED, which would sign the user out), /readyz answers 503 in
// time, and once the database is back everything answers again.
func TestDatabaseDownAnswersUnavailable(t *testing.T) {
	s, p := proxiedServer(t, func(*Config) {})
	f := s.seedPractice("North", "north.example")
	tok := s.token(f.clinicianUser)
	const me = `{ me { id } }`
	const create = `mutation { createClient(input: {firstName: "Down", lastName: "Time", status: WAITLIST}) { client { id } userErrors { code } } }`
	if a := s.timed(tok, me); a.status != http.StatusOK || a.code != "" {
		t.Fatalf("before: %+v", a)
	}

	p.down()
	for _, q := range []string{me, create} {
		a := s.timed(tok, q)
		if a.status != http.StatusServiceUnavailable || a.code != "UNAVAILABLE" || a.retryAfter == "" {
			t.Errorf("%s while the database is down: %+v, want 503 UNAVAILABLE with Retry-After", q, a)
		}
	}
	// Without a token the request reaches the resolvers: the same answer.
	if a := s.timed("", `mutation { login(input: {email: "admin@north.example", password: "x"}) { userErrors { code } } }`); a.status != http.StatusServiceUnavailable || a.code != "UNAVAILABLE" {
		t.Errorf("login while the database is down: %+v", a)
	}
	if a := s.readyz(); a.status != http.StatusServiceUnavailable || a.took > 2*time.Second {
		t.Errorf("/readyz while the database is down: %+v", a)
	}
	if strings.Contains(s.logs.String(), "code=UNAUTHENTICATED") {
		t.Errorf("a request was refused as unauthenticated:\n%s", s.logs.String())
	}

	p.up()
	eventually(t, "answering again after the database is back", func() bool {
		return s.timed(tok, me).status == http.StatusOK && s.readyz().status == http.StatusOK
	})
	if a := s.timed(tok, create); a.status != http.StatusOK || a.code != "" {
		t.Errorf("a write after recovery: %+v", a)
	}
}

// TestFrozenDatabaseIsBounded: when PostgreSQL stops answering (bytes go
// in, nothing comes back), a request answers 503 UNAVAILABLE within its
// timeout instead of hanging for the whole freeze, /readyz answers within
// its two seconds, and after the thaw the server answers again.
func TestFrozenDatabaseIsBounded(t *testing.T) {
	const requestTimeout = 2 * time.Second
	s, p := proxiedServer(t, func(c *Config) {
		c.RequestTimeout = requestTimeout
		c.StatementTimeout = time.Second
	})
	f := s.seedPractice("North", "north.example")
	tok := s.token(f.clinicianUser)
	const me = `{ me { id } }`
	if a := s.timed(tok, me); a.status != http.StatusOK {
		t.Fatalf("before: %+v", a)
	}

	p.freeze()
	thawed := false
	defer func() {
		if !thawed {
			p.thaw()
		}
	}()
	var wg sync.WaitGroup
	answers := make([]answer, 4)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = s.timed(tok, me)
		}()
	}
	ready := s.readyz()
	wg.Wait()
	for i, a := range answers {
		if a.status != http.StatusServiceUnavailable || a.code != "UNAVAILABLE" || a.retryAfter == "" {
			t.Errorf("request %d while frozen: %+v, want 503 UNAVAILABLE with Retry-After", i, a)
		}
		if a.took > requestTimeout+2*time.Second {
			t.Errorf("request %d took %v while frozen, want about its %v timeout", i, a.took, requestTimeout)
		}
	}
	if ready.status != http.StatusServiceUnavailable || ready.took > 2*time.Second {
		t.Errorf("/readyz while frozen: %+v, want 503 within 2s", ready)
	}

	p.thaw()
	thawed = true
	eventually(t, "answering again after the thaw", func() bool {
		return s.timed(tok, me).status == http.StatusOK && s.readyz().status == http.StatusOK
	})
}

// TestConcurrentBookingsOfOneClient books one client 30 times at once for
// the same hour, ten times over. PostgreSQL's exclusion constraints see
// each other's uncommitted rows and may pick a deadlock's loser (40P01):
// that booking is run again, and then meets the one that committed. Each
// hour gets exactly one booking; every other answers CONFLICT, never
// INTERNAL.
func TestConcurrentBookingsOfOneClient(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann := f.ownClients[0]
		const rounds, perHour = 10, 30
		codes := make([]string, rounds*perHour)
		for r := 0; r < rounds; r++ {
			start := testNow.AddDate(0, 0, 2).Add(time.Duration(r) * time.Hour)
			var wg sync.WaitGroup
			for i := 0; i < perHour; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					codes[r*perHour+i] = s.do(tok, schedule, slotInput(ann.ID, start)).code()
				}(i)
			}
			wg.Wait()
		}
		count := map[string]int{}
		for _, c := range codes {
			count[c]++
		}
		t.Logf("answers %v; mutations run again: %d", count, strings.Count(s.logs.String(), "running it again"))
		if count[""] != rounds || count["CONFLICT"] != rounds*(perHour-1) {
			t.Errorf("answers %v, want %d bookings and %d CONFLICT", count, rounds, rounds*(perHour-1))
		}
	})
}

// TestDeadlockedBookingRunsAgain makes PostgreSQL pick a booking as a
// deadlock's loser: another transaction locks the client's row (the
// booking's foreign key waits for it) and then inserts a session that
// collides with the booking's own (its exclusion constraint waits for the
// booking). The booking's backend, with the shorter deadlock_timeout,
// finds the deadlock and is given up (40P01); the mutation runs again once
// the other transaction has rolled back, and lands: not INTERNAL.
func TestDeadlockedBookingRunsAgain(t *testing.T) {
	s := newAPIServer(t, dialect.Postgres)
	f := s.seedPractice("North", "north.example")
	tok := s.token(f.clinicianUser)
	ann, ben := f.ownClients[0], f.ownClients[1]
	start := testNow.AddDate(0, 0, 3)
	ctx := context.Background()

	other, err := s.main.DB.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Rollback() }()
	var otherPID int
	if err := other.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&otherPID); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ExecContext(ctx, "SET LOCAL deadlock_timeout = '20s'"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ExecContext(ctx, "SELECT id FROM clients WHERE id = $1 FOR UPDATE", ann.ID); err != nil {
		t.Fatal(err)
	}

	booked := make(chan *gqlResponse, 1)
	go func() { booked <- s.do(tok, schedule, slotInput(ann.ID, start)) }()
	eventually(t, "the booking waits for the client's row", func() bool {
		var n int
		err := s.main.DB.SQL.QueryRowContext(ctx, "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", otherPID).Scan(&n)
		return err == nil && n > 0
	})
	if _, err := other.ExecContext(ctx, `INSERT INTO appointments (created_at, updated_at, starts_at, ends_at, practice_id, client_id, clinician_id)
		VALUES (now(), now(), $1, $2, $3, $4, $5)`, start, start.Add(50*time.Minute), f.practice.ID, ben.ID, f.clinician.ID); err != nil {
		t.Fatalf("the colliding insert: %v", err)
	}
	if err := other.Rollback(); err != nil {
		t.Fatal(err)
	}
	var r *gqlResponse
	select {
	case r = <-booked:
	case <-time.After(30 * time.Second):
		t.Fatal("the booking never answered")
	}
	if r.code() != "" || r.Status != http.StatusOK {
		t.Fatalf("the deadlocked booking answered %d %s: %+v\n%s", r.Status, r.code(), r.Errors, s.logs.String())
	}
	if !strings.Contains(s.logs.String(), "running it again") {
		t.Errorf("the booking was not run again:\n%s", s.logs.String())
	}
}
