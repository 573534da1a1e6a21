package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/database"
)

// Config is the server's configuration, from flags and the environment
// (flags win). Secrets come only from the environment or the data directory.
type Config struct {
	// Addr is the listen address.
	Addr string
	// AdminAddr is the admin listener's address (/metrics), apart from Addr
	// so that it need not be public; "" serves no admin listener.
	AdminAddr string
	// Pprof serves the Go runtime's profiles at /debug/pprof/ on the admin
	// listener (admin.go); off by default, refused without an admin address.
	Pprof bool
	// DatabaseURL is a postgres:// URL or the path of the SQLite file.
	DatabaseURL string
	// Demo seeds the demo practice into an empty database.
	Demo bool
	// JWTSecret signs access tokens.
	JWTSecret []byte
	// TokenTTL is how long an access token is accepted.
	TokenTTL time.Duration
	// Introspection lets clients (the IDE) read the schema.
	Introspection bool
	// LogFormat is "text" or "json".
	LogFormat string
	// ShutdownTimeout bounds the graceful shutdown: how long requests in
	// flight, after the drain delay, may take to finish.
	ShutdownTimeout time.Duration
	// RequestTimeout bounds each request's context (0: none): what waits
	// on the database gives up then and answers UNAVAILABLE.
	RequestTimeout time.Duration
	// MaxDepth, MaxAliases, MaxRootFields and MaxComplexity bound the shape
	// of a GraphQL operation (see graph.DepthLimit and its siblings).
	MaxDepth, MaxAliases, MaxRootFields, MaxComplexity int
	// MaxTokens bounds the GraphQL parser: the tokens of one document.
	MaxTokens int
	// StatementTimeout is PostgreSQL's statement_timeout on every
	// connection (0: none). SQLite has no such setting.
	StatementTimeout time.Duration
	// CORSOrigins are the browser origins (scheme://host[:port]) allowed to
	// call the API from another site; none by default.
	CORSOrigins []string
	// RefreshTokenTTL is how long a refresh token is accepted (authconfig.go).
	RefreshTokenTTL time.Duration
	// SigningKey, when set, signs access tokens with EdDSA instead of HS256.
	SigningKey ed25519.PrivateKey
	// PreviousPublicKey, when set, still verifies tokens signed before a key rotation.
	PreviousPublicKey ed25519.PublicKey
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// LoginLimits bound failed sign-ins per email and per address.
	LoginLimits auth.LoginLimits
	// ExposeStatementCount returns each request's SQL statement count in
	// the X-SQL-Statements response header (for the benchmark); the count
	// is always in the request's log line.
	ExposeStatementCount bool
	// TracesEndpoint is the OTLP/HTTP URL spans are exported to; "" turns
	// tracing off (tracing.go, from OpenTelemetry's environment variables).
	TracesEndpoint string
	// Migrate applies the schema migrations at start; operators who run
	// `caseload migrate` separately turn it off on the replicas.
	Migrate bool
	// DrainDelay is how long the server answers /readyz with 503 after
	// shutdown begins, still serving, before it closes its listener: the
	// time a load balancer needs to notice and stop sending requests.
	DrainDelay time.Duration
	// TrustedDocumentsOnly runs only the documents of operations/ (their
	// text, or the SHA-256 of it): for a server the shipped apps alone call.
	TrustedDocumentsOnly bool
	// AuditRetention is how long audit events are kept (retention.Forever:
	// always); the server prunes older ones daily (retention.go).
	AuditRetention time.Duration
}

// Environment variables read by the server.
const (
	envAddr          = "CASELOAD_ADDR"
	envAdminAddr     = "CASELOAD_ADMIN_ADDR"
	envPprof         = "CASELOAD_PPROF"
	envDatabaseURL   = "DATABASE_URL"
	envDemo          = "CASELOAD_DEMO"
	envJWTSecret     = "CASELOAD_JWT_SECRET"
	envTokenTTL      = "CASELOAD_TOKEN_TTL"
	envIntrospection = "CASELOAD_INTROSPECTION"
	envLogFormat     = "CASELOAD_LOG_FORMAT"

	envMaxDepth         = "CASELOAD_MAX_DEPTH"
	envMaxAliases       = "CASELOAD_MAX_ALIASES"
	envMaxRootFields    = "CASELOAD_MAX_ROOT_FIELDS"
	envMaxComplexity    = "CASELOAD_MAX_COMPLEXITY"
	envMaxTokens        = "CASELOAD_MAX_TOKENS"
	envStatementTimeout = "CASELOAD_STATEMENT_TIMEOUT"
	envCORSOrigins      = "CASELOAD_CORS_ORIGINS"

	envExposeStatementCount = "CASELOAD_EXPOSE_STATEMENT_COUNT"
	envMigrate              = "CASELOAD_MIGRATE"
	envTrustedDocumentsOnly = "CASELOAD_TRUSTED_DOCUMENTS_ONLY"
	envDrainDelay           = "CASELOAD_DRAIN_DELAY"
	envShutdownTimeout      = "CASELOAD_SHUTDOWN_TIMEOUT"
	envRequestTimeout       = "CASELOAD_REQUEST_TIMEOUT"
)

// Defaults of the timeouts of a request and of a shutdown.
const (
	// DefaultDrainDelay is the default of CASELOAD_DRAIN_DELAY: a load
	// balancer polling /readyz every few seconds notices within it.
	DefaultDrainDelay = 5 * time.Second
	// DefaultShutdownTimeout is the default of CASELOAD_SHUTDOWN_TIMEOUT.
	DefaultShutdownTimeout = 15 * time.Second
	// DefaultRequestTimeout is the default of CASELOAD_REQUEST_TIMEOUT.
	DefaultRequestTimeout = 10 * time.Second
	// maxTimeout bounds the timeouts and the drain delay.
	maxTimeout = 10 * time.Minute
)

// MaxDrainDelay bounds CASELOAD_DRAIN_DELAY: a longer wait would outlast
// any sensible stop timeout of a service manager.
const MaxDrainDelay = 5 * time.Minute

// DefaultStatementTimeout is the default of CASELOAD_STATEMENT_TIMEOUT.
const DefaultStatementTimeout = 5 * time.Second

// DefaultDatabasePath is the embedded SQLite database of a fresh checkout.
const DefaultDatabasePath = "data/caseload.db"

// ParseConfig reads flags from args and the environment from getenv.
func ParseConfig(args []string, getenv func(string) string) (*Config, error) {
	fs := flag.NewFlagSet("caseload", flag.ContinueOnError)
	cfg := &Config{}
	fs.StringVar(&cfg.Addr, "addr", orDefault(getenv(envAddr), "127.0.0.1:8080"), "listen address (env "+envAddr+")")
	fs.StringVar(&cfg.AdminAddr, "admin-addr", orDefault(getenv(envAdminAddr), DefaultAdminAddr), "admin listen address serving /metrics; off: none (env "+envAdminAddr+")")
	if err := pprofFlag(fs, getenv, &cfg.Pprof); err != nil {
		return nil, err
	}
	databaseFlag(fs, getenv, &cfg.DatabaseURL)
	demoDefault, _ := strconv.ParseBool(getenv(envDemo))
	fs.BoolVar(&cfg.Demo, "demo", demoDefault, "seed the demo practice into an empty database (env "+envDemo+")")
	fs.StringVar(&cfg.LogFormat, "log-format", orDefault(getenv(envLogFormat), "text"), "log format: text or json (env "+envLogFormat+")")
	origins, err := cfg.limitFlags(fs, getenv)
	if err != nil {
		return nil, err
	}
	if err := cfg.authFlags(fs, getenv); err != nil {
		return nil, err
	}
	expose := false
	if s := getenv(envExposeStatementCount); s != "" {
		if expose, err = strconv.ParseBool(s); err != nil {
			return nil, fmt.Errorf("%s must be true or false, got %q", envExposeStatementCount, s)
		}
	}
	fs.BoolVar(&cfg.ExposeStatementCount, "expose-statement-count", expose, "return each request's SQL statement count in the X-SQL-Statements header (env "+envExposeStatementCount+")")
	if err := cfg.operationFlags(fs, getenv); err != nil {
		return nil, err
	}
	if err := retentionFlag(fs, getenv, &cfg.AuditRetention); err != nil {
		return nil, err
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (caseload help lists the commands)", fs.Arg(0))
	}
	if cfg.DrainDelay < 0 || cfg.DrainDelay > MaxDrainDelay {
		return nil, fmt.Errorf("drain delay must be between 0 and %v, got %v", MaxDrainDelay, cfg.DrainDelay)
	}
	if cfg.ShutdownTimeout <= 0 || cfg.ShutdownTimeout > maxTimeout {
		return nil, fmt.Errorf("shutdown timeout must be more than 0 and at most %v, got %v", maxTimeout, cfg.ShutdownTimeout)
	}
	if cfg.RequestTimeout < 0 || cfg.RequestTimeout > maxTimeout {
		return nil, fmt.Errorf("request timeout must be between 0 (none) and %v, got %v", maxTimeout, cfg.RequestTimeout)
	}
	if err := cfg.checkLimits(*origins); err != nil {
		return nil, err
	}
	if err := cfg.checkAdminAddr(); err != nil {
		return nil, err
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		return nil, fmt.Errorf("log format must be text or json, got %q", cfg.LogFormat)
	}
	cfg.TokenTTL = auth.DefaultTTL
	if s := getenv(envTokenTTL); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < time.Minute || d > 7*24*time.Hour {
			return nil, fmt.Errorf("%s must be a duration between 1m and 168h, got %q", envTokenTTL, s)
		}
		cfg.TokenTTL = d
	}
	// The schema is not for everyone to read: introspection (and the field
	// suggestions of error messages) are off unless asked for, except on
	// the demo, whose IDE is its front door.
	cfg.Introspection = cfg.Demo
	if s := getenv(envIntrospection); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%s must be true or false, got %q", envIntrospection, s)
		}
		cfg.Introspection = b
	}
	secret, err := jwtSecret(cfg.DatabaseURL, getenv(envJWTSecret))
	if err != nil {
		return nil, err
	}
	cfg.JWTSecret = secret
	if err := cfg.parseAuth(getenv); err != nil {
		return nil, err
	}
	if cfg.TracesEndpoint, err = tracesEndpoint(getenv); err != nil {
		return nil, err
	}
	return cfg, nil
}

// jwtSecret returns the token secret: from the environment when set (it must
// be, on PostgreSQL, where replicas have to share it); on the embedded
// database, a random secret generated once and kept beside it, mode 0600.
func jwtSecret(databaseURL, fromEnv string) ([]byte, error) {
	if fromEnv != "" {
		if len(fromEnv) < auth.MinSecretLength {
			return nil, fmt.Errorf("%s must have at least %d characters", envJWTSecret, auth.MinSecretLength)
		}
		return []byte(fromEnv), nil
	}
	if database.IsPostgres(databaseURL) {
		return nil, errors.New(envJWTSecret + " must be set when running on PostgreSQL (every replica needs the same secret)")
	}
	path := filepath.Join(filepath.Dir(databaseURL), "jwt-secret")
	if b, err := os.ReadFile(path); err == nil {
		secret := strings.TrimSpace(string(b))
		if len(secret) < auth.MinSecretLength {
			return nil, fmt.Errorf("%s is too short: delete it to generate a new one", path)
		}
		return []byte(secret), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading token secret: %w", err)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(b[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("writing token secret: %w", err)
	}
	return []byte(secret), nil
}

// databaseFlag defines -db, the database of the server and of every command.
func databaseFlag(fs *flag.FlagSet, getenv func(string) string, dst *string) {
	fs.StringVar(dst, "db", orDefault(getenv(envDatabaseURL), DefaultDatabasePath), "postgres:// URL or SQLite file path (env "+envDatabaseURL+")")
}

// operationFlags defines the flags of migration at start, of draining and
// of the trusted documents.
func (cfg *Config) operationFlags(fs *flag.FlagSet, getenv func(string) string) error {
	migrate, err := envBool(getenv, envMigrate, true)
	if err != nil {
		return err
	}
	fs.BoolVar(&cfg.Migrate, "migrate", migrate, "apply the schema migrations at start; false when `caseload migrate` runs them separately (env "+envMigrate+")")
	drain, err := envDuration(getenv, envDrainDelay, DefaultDrainDelay)
	if err != nil {
		return err
	}
	shutdown, err := envDuration(getenv, envShutdownTimeout, DefaultShutdownTimeout)
	if err != nil {
		return err
	}
	request, err := envDuration(getenv, envRequestTimeout, DefaultRequestTimeout)
	if err != nil {
		return err
	}
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", shutdown, "after the drain delay, how long requests in flight may take to finish before the server stops anyway (env "+envShutdownTimeout+")")
	fs.DurationVar(&cfg.RequestTimeout, "request-timeout", request, "a request waiting on the database longer answers 503 UNAVAILABLE; 0: never (env "+envRequestTimeout+")")
	trusted, err := envBool(getenv, envTrustedDocumentsOnly, false)
	if err != nil {
		return err
	}
	fs.BoolVar(&cfg.TrustedDocumentsOnly, "trusted-documents-only", trusted, "run only the documents of operations/manifest.json, sent whole or by their sha256Hash (env "+envTrustedDocumentsOnly+")")
	fs.DurationVar(&cfg.DrainDelay, "drain-delay", drain, "after SIGTERM, answer /readyz with 503 and keep serving this long before closing the listener, so that a load balancer stops sending requests first; a second SIGINT or SIGTERM stops at once (env "+envDrainDelay+")")
	return nil
}

// envBool reads a true/false variable, def when it is unset.
func envBool(getenv func(string) string, name string, def bool) (bool, error) {
	s := getenv(name)
	if s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, got %q", name, s)
	}
	return b, nil
}

// envDuration reads a duration variable, def when it is unset.
func envDuration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	s := getenv(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s must be a duration such as 5s, got %q", name, s)
	}
	return d, nil
}

// limitFlags defines the flags of the request limits, CORS and the
// statement timeout, with their defaults from the environment.
func (cfg *Config) limitFlags(fs *flag.FlagSet, getenv func(string) string) (origins *string, err error) {
	for _, l := range []struct {
		dst       *int
		flag, env string
		def       int
		usage     string
	}{
		{&cfg.MaxDepth, "max-depth", envMaxDepth, graph.DefaultMaxDepth, "most levels of fields an operation may nest"},
		{&cfg.MaxAliases, "max-aliases", envMaxAliases, graph.DefaultMaxAliases, "most aliased fields in an operation"},
		{&cfg.MaxRootFields, "max-root-fields", envMaxRootFields, graph.DefaultMaxRootFields, "most root fields in an operation"},
		{&cfg.MaxComplexity, "max-complexity", envMaxComplexity, graph.DefaultMaxComplexity, "highest cost of an operation (a paged field costs its page size times its selections)"},
		{&cfg.MaxTokens, "max-tokens", envMaxTokens, graph.DefaultMaxTokens, "most tokens in a GraphQL document"},
	} {
		def := l.def
		if s := getenv(l.env); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("%s must be a whole number, got %q", l.env, s)
			}
			def = n
		}
		fs.IntVar(l.dst, l.flag, def, l.usage+" (env "+l.env+")")
	}
	timeout, err := envDuration(getenv, envStatementTimeout, DefaultStatementTimeout)
	if err != nil {
		return nil, err
	}
	fs.DurationVar(&cfg.StatementTimeout, "statement-timeout", timeout, "PostgreSQL cancels a statement running longer; 0: never (env "+envStatementTimeout+")")
	origins = fs.String("cors-origins", getenv(envCORSOrigins), "comma-separated browser origins allowed to call the API, such as https://app.example.com (env "+envCORSOrigins+")")
	return origins, nil
}

// checkLimits validates the values of limitFlags.
func (cfg *Config) checkLimits(origins string) error {
	for _, l := range []struct {
		name string
		n    int
	}{{"max depth", cfg.MaxDepth}, {"max aliases", cfg.MaxAliases}, {"max root fields", cfg.MaxRootFields}, {"max complexity", cfg.MaxComplexity}, {"max tokens", cfg.MaxTokens}} {
		if l.n < 1 {
			return fmt.Errorf("%s must be at least 1, got %d", l.name, l.n)
		}
	}
	if cfg.StatementTimeout < 0 || cfg.StatementTimeout > 10*time.Minute {
		return fmt.Errorf("statement timeout must be between 0 (none) and 10m, got %v", cfg.StatementTimeout)
	}
	var err error
	cfg.CORSOrigins, err = parseOrigins(origins)
	return err
}

// parseOrigins reads a comma-separated list of origins, each
// scheme://host[:port] as a browser sends it in the Origin header.
func parseOrigins(list string) ([]string, error) {
	var origins []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%s: %q is not an origin such as https://app.example.com (no wildcard, path or query)", envCORSOrigins, o)
		}
		origins = append(origins, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return origins, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
