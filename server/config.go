package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/database"
)

// Config is the server's configuration, from flags and the environment
// (flags win). Secrets come only from the environment or the data directory.
type Config struct {
	// Addr is the listen address.
	Addr string
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
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration
}

// Environment variables read by the server.
const (
	envAddr          = "CASELOAD_ADDR"
	envDatabaseURL   = "DATABASE_URL"
	envDemo          = "CASELOAD_DEMO"
	envJWTSecret     = "CASELOAD_JWT_SECRET"
	envTokenTTL      = "CASELOAD_TOKEN_TTL"
	envIntrospection = "CASELOAD_INTROSPECTION"
	envLogFormat     = "CASELOAD_LOG_FORMAT"
)

// DefaultDatabasePath is the embedded SQLite database of a fresh checkout.
const DefaultDatabasePath = "data/caseload.db"

// ParseConfig reads flags from args and the environment from getenv.
func ParseConfig(args []string, getenv func(string) string) (*Config, error) {
	fs := flag.NewFlagSet("caseload", flag.ContinueOnError)
	cfg := &Config{ShutdownTimeout: 15 * time.Second}
	fs.StringVar(&cfg.Addr, "addr", orDefault(getenv(envAddr), "127.0.0.1:8080"), "listen address (env "+envAddr+")")
	fs.StringVar(&cfg.DatabaseURL, "db", orDefault(getenv(envDatabaseURL), DefaultDatabasePath), "postgres:// URL or SQLite file path (env "+envDatabaseURL+")")
	demoDefault, _ := strconv.ParseBool(getenv(envDemo))
	fs.BoolVar(&cfg.Demo, "demo", demoDefault, "seed the demo practice into an empty database (env "+envDemo+")")
	fs.StringVar(&cfg.LogFormat, "log-format", orDefault(getenv(envLogFormat), "text"), "log format: text or json (env "+envLogFormat+")")
	if err := fs.Parse(args); err != nil {
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
	cfg.Introspection = true
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

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
