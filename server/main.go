// Command server runs the Caseload GraphQL API: on the embedded SQLite
// database by default (go run ./server -demo), or on PostgreSQL when
// DATABASE_URL is a postgres:// URL.
package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/database"
	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/observe/prom"
	"github.com/caseload/caseload/internal/sqlcount"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal starts the drain; the default handling is then
		// restored, so that a second one (Ctrl-C again) stops at once.
		<-ctx.Done()
		stop()
	}()
	err := dispatch(ctx, os.Args[1:], osCLI())
	stop() // not deferred: os.Exit below would skip it
	switch {
	case errors.Is(err, flag.ErrHelp):
		// The flag package has printed the usage.
	case err != nil:
		fmt.Fprintln(os.Stderr, "caseload:", err)
		os.Exit(1)
	}
}

// run serves the API: `caseload [serve] [flags]`.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := ParseConfig(args, getenv)
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Logger: newLogger(cfg.LogFormat, stdout), Now: utcNow}
	m.Logger.Info("starting caseload", "version", versionString())
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	if b := bootstrapFromEnv(getenv); b != nil {
		created, err := b.Apply(ctx, m.DB.Ent)
		if err != nil {
			return fmt.Errorf("the first practice and admin of the CASELOAD_BOOTSTRAP_* variables: %w", err)
		}
		if created {
			m.Logger.Info("first practice and admin created")
		}
	}
	if cfg.Demo {
		if err := m.SeedDemo(ctx, stdout); err != nil {
			return err
		}
	}
	if err := m.WarnIfNoAdmin(ctx); err != nil {
		return err
	}
	return m.ListenAndServe(ctx)
}

// Main is the running server: its configuration, database and handler.
// End-to-end tests build one around a test database.
type Main struct {
	Config *Config
	Logger *slog.Logger
	Now    func() time.Time
	DB     *database.DB
	Issuer *auth.Issuer
	// Sessions issue and rotate refresh tokens; Throttle limits failed sign-ins.
	Sessions *auth.Sessions
	Throttle *auth.LoginThrottle
	// TOTP seals and checks the second factor's secrets, with a key derived
	// from the JWT secret.
	TOTP *auth.TOTP
	// Metrics are served on the admin listener (admin.go); made on first use.
	Metrics *prom.Metrics
	// TracerProvider makes the spans of requests, operations and SQL
	// statements (tracing.go); nil when tracing is off. Tests set their own.
	TracerProvider trace.TracerProvider
	stopTracing    func(context.Context) error

	// Migrations is what Open's migration did (empty before Open, and with
	// Config.Migrate off).
	Migrations database.Migrations

	// draining is set when shutdown begins: /readyz answers 503 from then on.
	draining atomic.Bool
	// adminSeen remembers that an admin exists, once one does (setup.go).
	adminSeen atomic.Bool
}

// Open connects to the database, migrates it (unless Config.Migrate is
// off) and prepares the token issuer.
func (m *Main) Open(ctx context.Context) (err error) {
	if err := m.openTracing(ctx); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = m.closeTracing()
		}
	}()
	db, err := database.Open(ctx, m.Config.DatabaseURL, database.Options{StatementTimeout: m.Config.StatementTimeout, WrapDriver: sqlcount.Wrap,
		TracerProvider: m.TracerProvider, IOTimeout: ioTimeout(m.Config.StatementTimeout)})
	if err != nil {
		return err
	}
	m.DB = db
	if err := m.migrate(ctx); err != nil {
		db.Close()
		return err
	}
	// The facts of clients that have no row yet (the migration that adds
	// the table, a new version of the computation): one replica at a time.
	n, skipped, err := db.Facts.RebuildStale(ctx, db.Ent, db.SQL)
	if err != nil {
		db.Close()
		return fmt.Errorf("rebuilding the facts projection: %w", err)
	}
	if n > 0 || skipped {
		m.Logger.Info("facts projection", "rebuilt", n, "skipped", skipped)
	}
	return m.openIssuer()
}

// ioTimeout is how long a read or write of a PostgreSQL connection may
// wait (database.Options.IOTimeout): a second past the statement timeout,
// after which the server itself has ended any statement, so that a longer
// silence is a database that is gone. No statement timeout, no bound.
func ioTimeout(statement time.Duration) time.Duration {
	if statement <= 0 {
		return 0
	}
	return statement + time.Second
}

// migrate applies the pending migrations and says what it did; with
// Config.Migrate off it only checks that none is pending, so that a replica
// started before `caseload migrate` was run stops at once, saying so,
// instead of failing on the first request that needs the new schema.
func (m *Main) migrate(ctx context.Context) error {
	if !m.Config.Migrate {
		pending, err := m.DB.PendingMigrations(ctx)
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			return fmt.Errorf("the database lacks %d migrations of this release (%s): run `caseload migrate` first, or start without -migrate=false",
				len(pending), strings.Join(pending, ", "))
		}
		m.Logger.Info("database ready", "dialect", m.DB.Dialect, "migrated", false)
		return nil
	}
	done, err := m.DB.ApplyMigrations(ctx)
	if err != nil {
		return err
	}
	m.Migrations = done
	if done.Newer != "" {
		m.Logger.Warn("the database was migrated by a newer release; running on it", "database_version", done.Newer)
	}
	if done.Baselined != "" {
		m.Logger.Info("database of an earlier release recorded at the first migration", "version", done.Baselined)
	}
	m.Logger.Info("database ready", "dialect", m.DB.Dialect, "version", done.Current, "applied", strings.Join(done.Applied, ","))
	return nil
}

// openIssuer prepares the token issuer, the sessions, the sign-in
// throttle (whose keys are HMACs with the JWT secret) and the second
// factor (whose secrets are sealed with a key derived from it).
func (m *Main) openIssuer() error {
	keys := auth.Keys{Secret: m.Config.JWTSecret, Signing: m.Config.SigningKey}
	if m.Config.PreviousPublicKey != nil {
		keys.Previous = []ed25519.PublicKey{m.Config.PreviousPublicKey}
	}
	issuer, err := auth.NewIssuer(keys, m.Config.TokenTTL, m.Now)
	if err != nil {
		return err
	}
	m.Issuer = issuer
	m.Sessions = auth.NewSessions(issuer, m.Config.RefreshTokenTTL)
	m.Throttle = auth.NewLoginThrottle(m.Config.JWTSecret, m.Config.LoginLimits)
	m.TOTP, err = auth.NewTOTP("Caseload", auth.TOTPKeyFromSecret(m.Config.JWTSecret))
	return err
}

// Close flushes the traces and releases the database.
func (m *Main) Close() error {
	err := m.closeTracing()
	if m.DB == nil {
		return err
	}
	return errors.Join(err, m.DB.Close())
}

// SeedDemo creates the demo practice in an empty database and prints how to
// sign in to it.
func (m *Main) SeedDemo(ctx context.Context, w io.Writer) error {
	res, err := fakepractice.Seed(ctx, m.DB.Ent, fakepractice.Options{Size: fakepractice.Demo, Now: m.Now()})
	if err != nil {
		return fmt.Errorf("seeding demo data: %w", err)
	}
	if res != nil {
		m.Logger.Info("demo practice created", "clients", res.Rows("clients"), "appointments", res.Rows("appointments"),
			"documents", res.Rows("documents"), "contacts", res.Rows("contacts"))
	}
	fmt.Fprintf(w, "\nDemo logins (password %q):\n", fakepractice.Password)
	for _, u := range fakepractice.DemoLogins {
		fmt.Fprintf(w, "  %-26s %s\n", u.Email, u.Role)
	}
	fmt.Fprintf(w, "Open http://%s/ and sign in.\n\n", m.Config.Addr)
	return nil
}

// ListenAndServe serves until ctx is cancelled, then shuts down gracefully.
func (m *Main) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           m.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	admin, err := m.listenAdmin()
	if err != nil {
		ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	pruneCtx, stopPruning := context.WithCancel(ctx)
	defer stopPruning()
	m.startPruner(pruneCtx)
	m.Logger.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		admin.close()
		return err
	case err := <-admin.errc:
		_ = srv.Close()
		return fmt.Errorf("admin listener: %w", err)
	case <-ctx.Done():
	}
	// Unready first: a load balancer polling /readyz stops sending new
	// requests while this process still serves those that arrive meanwhile.
	m.draining.Store(true)
	srv.SetKeepAlivesEnabled(false) // clients reconnect, through the balancer, elsewhere
	if d := m.Config.DrainDelay; d > 0 {
		m.Logger.Info("draining: /readyz answers 503", "drain_delay", d)
		select {
		case <-time.After(d):
		case err := <-errc:
			return err
		}
	}
	m.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	defer admin.shutdown(shutdownCtx)
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// utcNow is the server's clock: instants are handled in UTC (see scalar.UnmarshalDateTime).
func utcNow() time.Time { return time.Now().UTC() }
