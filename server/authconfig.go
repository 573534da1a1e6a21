package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/caseload/caseload/internal/auth"
)

// Environment variables of sign-in: tokens, keys, login limits and the
// client address.
const (
	envRefreshTokenTTL        = "CASELOAD_REFRESH_TOKEN_TTL"
	envJWTPrivateKey          = "CASELOAD_JWT_PRIVATE_KEY"
	envJWTPrivateKeyFile      = "CASELOAD_JWT_PRIVATE_KEY_FILE"
	envJWTPreviousKey         = "CASELOAD_JWT_PREVIOUS_PUBLIC_KEY"
	envJWTPreviousKeyFile     = "CASELOAD_JWT_PREVIOUS_PUBLIC_KEY_FILE"
	envTrustProxy             = "CASELOAD_TRUST_PROXY"
	envLoginMaxFailures       = "CASELOAD_LOGIN_MAX_FAILURES"
	envLoginMaxAddressFailure = "CASELOAD_LOGIN_MAX_ADDRESS_FAILURES"
	envLoginLockout           = "CASELOAD_LOGIN_LOCKOUT"
)

// authFlags defines the flags of sign-in, with their defaults from the environment.
func (cfg *Config) authFlags(fs *flag.FlagSet, getenv func(string) string) error {
	trust := false
	if s := getenv(envTrustProxy); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%s must be true or false, got %q", envTrustProxy, s)
		}
		trust = b
	}
	fs.BoolVar(&cfg.TrustProxy, "trust-proxy", trust, "take the client address from the last X-Forwarded-For entry; only behind a proxy that sets it (env "+envTrustProxy+")")
	return nil
}

// parseAuth reads the sign-in settings of the environment.
func (cfg *Config) parseAuth(getenv func(string) string) error {
	var err error
	if cfg.RefreshTokenTTL, err = durationEnv(getenv, envRefreshTokenTTL, auth.DefaultRefreshTTL, time.Hour, 90*24*time.Hour); err != nil {
		return err
	}
	if cfg.LoginLimits.Lockout, err = durationEnv(getenv, envLoginLockout, auth.DefaultLockout, time.Minute, 24*time.Hour); err != nil {
		return err
	}
	if cfg.LoginLimits.AccountFailures, err = countEnv(getenv, envLoginMaxFailures, auth.DefaultAccountFailures); err != nil {
		return err
	}
	if cfg.LoginLimits.AddressFailures, err = countEnv(getenv, envLoginMaxAddressFailure, auth.DefaultAddressFailures); err != nil {
		return err
	}
	private, err := pemSetting(getenv, envJWTPrivateKey, envJWTPrivateKeyFile)
	if err != nil {
		return err
	}
	previous, err := pemSetting(getenv, envJWTPreviousKey, envJWTPreviousKeyFile)
	if err != nil {
		return err
	}
	if private != nil {
		if cfg.SigningKey, err = auth.ParsePrivateKeyPEM(private); err != nil {
			return fmt.Errorf("%s: %w", envJWTPrivateKey, err)
		}
	}
	if previous != nil {
		if cfg.SigningKey == nil {
			return fmt.Errorf("%s needs a current key in %s", envJWTPreviousKey, envJWTPrivateKey)
		}
		if cfg.PreviousPublicKey, err = auth.ParsePublicKeyPEM(previous); err != nil {
			return fmt.Errorf("%s: %w", envJWTPreviousKey, err)
		}
	}
	return nil
}

// pemSetting reads a PEM setting given inline in env or as a file named by fileEnv.
func pemSetting(getenv func(string) string, env, fileEnv string) ([]byte, error) {
	inline, path := getenv(env), getenv(fileEnv)
	switch {
	case inline != "" && path != "":
		return nil, fmt.Errorf("set %s or %s, not both", env, fileEnv)
	case inline != "":
		return []byte(inline), nil
	case path != "":
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fileEnv, err)
		}
		return b, nil
	}
	return nil, nil
}

func durationEnv(getenv func(string) string, env string, def, least, most time.Duration) (time.Duration, error) {
	s := getenv(env)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < least || d > most {
		return 0, fmt.Errorf("%s must be a duration between %s and %s, got %q", env, strings.TrimSuffix(strings.TrimSuffix(least.String(), "0s"), "0m"), strings.TrimSuffix(strings.TrimSuffix(most.String(), "0s"), "0m"), s)
	}
	return d, nil
}

func countEnv(getenv func(string) string, env string, def int) (int, error) {
	s := getenv(env)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		return 0, fmt.Errorf("%s must be a whole number between 1 and 1000, got %q", env, s)
	}
	return n, nil
}
