package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/practice"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/database"
)

// testCLI is a cli over an environment map and buffers; stdin and the
// passwords are what a person would type.
func testCLI(env map[string]string, stdin string, passwords ...string) (*cli, *bytes.Buffer) {
	out := &bytes.Buffer{}
	return &cli{
		getenv: func(k string) string { return env[k] },
		stdin:  strings.NewReader(stdin),
		stdout: out,
		stderr: out,
		readPassword: func() (string, error) {
			if len(passwords) == 0 {
				return "", errors.New("no more passwords typed")
			}
			p := passwords[0]
			passwords = passwords[1:]
			return p, nil
		},
	}, out
}

// runCommand runs `caseload args...` and returns its error and output.
func runCommand(t *testing.T, c *cli, out *bytes.Buffer, args ...string) (string, error) {
	t.Helper()
	out.Reset()
	err := dispatch(context.Background(), args, c)
	return out.String(), err
}

func TestHelpVersionAndUnknownCommands(t *testing.T) {
	c, out := testCLI(nil, "")
	help, err := runCommand(t, c, out, "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"serve", "migrate", "bootstrap", "backup", "version", "docs/deploy.md"} {
		if !strings.Contains(help, name) {
			t.Errorf("help does not mention %s:\n%s", name, help)
		}
	}
	printed, err := runCommand(t, c, out, "version")
	if err != nil || !strings.HasPrefix(printed, "caseload ") || !strings.Contains(printed, "go1.") {
		t.Errorf("version printed %q, %v; want caseload <version> (go1...)", printed, err)
	}
	if _, err := runCommand(t, c, out, "version", "extra"); err == nil {
		t.Error("version with an argument: no error")
	}
	printed, err = runCommand(t, c, out, "frobnicate")
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) || !strings.Contains(printed, "caseload migrate") {
		t.Errorf("unknown command: %v, printed %q; want an error and the usage", err, printed)
	}
	if _, err := runCommand(t, c, out, "migrate", "-db", filepath.Join(t.TempDir(), "x.db"), "stray"); err == nil || !strings.Contains(err.Error(), `unexpected argument "stray"`) {
		t.Errorf("a stray argument: %v", err)
	}
	if _, err := runCommand(t, c, out, "serve", "-addr", "127.0.0.1:0", "stray"); err == nil || !strings.Contains(err.Error(), `unexpected argument "stray"`) {
		t.Errorf("a stray argument to serve: %v", err)
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v1.2.3"
	if got := versionString(); !strings.HasPrefix(got, "v1.2.3 (go") {
		t.Errorf("stamped version: %q", got)
	}
}

func TestMigrateAndDrainConfig(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		env     map[string]string
		migrate bool
		drain   time.Duration
		err     string
	}{
		{migrate: true, drain: DefaultDrainDelay},
		{args: []string{"-migrate=false"}, migrate: false, drain: DefaultDrainDelay},
		{args: []string{"-drain-delay", "0"}, migrate: true},
		{args: []string{"-shutdown-timeout", "0"}, err: "shutdown timeout must be more than 0"},
		{env: map[string]string{envShutdownTimeout: "soon"}, err: envShutdownTimeout + " must be a duration"},
		{args: []string{"-request-timeout", "-1s"}, err: "request timeout must be between 0 (none) and 10m0s"},
		{env: map[string]string{envMigrate: "false", envDrainDelay: "5s"}, migrate: false, drain: 5 * time.Second},
		{args: []string{"-migrate=true", "-drain-delay", "1s"}, env: map[string]string{envMigrate: "false"}, migrate: true, drain: time.Second},
		{env: map[string]string{envMigrate: "maybe"}, err: envMigrate + " must be true or false"},
		{env: map[string]string{envDrainDelay: "soon"}, err: envDrainDelay + " must be a duration"},
		{args: []string{"-drain-delay", "10m"}, err: "drain delay must be between 0 and 5m0s"},
	} {
		env := map[string]string{envJWTSecret: strings.Repeat("s", 32)}
		for k, v := range tc.env {
			env[k] = v
		}
		cfg, err := ParseConfig(tc.args, func(k string) string { return env[k] })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v %v: error %v, want %q", tc.args, tc.env, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v %v: %v", tc.args, tc.env, err)
			continue
		}
		if cfg.Migrate != tc.migrate || cfg.DrainDelay != tc.drain {
			t.Errorf("%v %v: migrate %v, drain delay %v; want %v, %v", tc.args, tc.env, cfg.Migrate, cfg.DrainDelay, tc.migrate, tc.drain)
		}
	}
	// The timeouts: their defaults, the environment, and flags over it.
	env := map[string]string{envJWTSecret: strings.Repeat("s", 32), envShutdownTimeout: "30s", envRequestTimeout: "3s"}
	cfg, err := ParseConfig(nil, func(k string) string { return env[k] })
	if err != nil || cfg.ShutdownTimeout != 30*time.Second || cfg.RequestTimeout != 3*time.Second {
		t.Errorf("from the environment: %v, shutdown %v, request %v", err, cfg.ShutdownTimeout, cfg.RequestTimeout)
	}
	cfg, err = ParseConfig([]string{"-shutdown-timeout", "1m", "-request-timeout", "0"}, func(k string) string { return env[k] })
	if err != nil || cfg.ShutdownTimeout != time.Minute || cfg.RequestTimeout != 0 {
		t.Errorf("from flags: %v, shutdown %v, request %v", err, cfg.ShutdownTimeout, cfg.RequestTimeout)
	}
	cfg, err = ParseConfig(nil, func(k string) string { return map[string]string{envJWTSecret: strings.Repeat("s", 32)}[k] })
	if err != nil || cfg.ShutdownTimeout != DefaultShutdownTimeout || cfg.RequestTimeout != DefaultRequestTimeout {
		t.Errorf("defaults: %v, shutdown %v, request %v", err, cfg.ShutdownTimeout, cfg.RequestTimeout)
	}
}

// sqliteTables lists the tables of a SQLite database.
func sqliteTables(t *testing.T, path string) []string {
	t.Helper()
	db, err := database.Open(context.Background(), path, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return tableNames(t, db)
}

func TestMigrateCommandAndStartWithoutMigrating(t *testing.T) {
	dir := t.TempDir()
	c, out := testCLI(nil, "")

	// -migrate=false: the server changes no schema, and refuses to start
	// on one that lacks this release's migrations, saying what to run.
	unmigrated := filepath.Join(dir, "unmigrated.db")
	openUnmigrating := func(path string) error {
		m := &Main{Config: &Config{DatabaseURL: path, JWTSecret: []byte(strings.Repeat("s", 32)), TokenTTL: time.Hour}, Logger: discardLogger(), Now: utcNow}
		err := m.Open(context.Background())
		if err == nil {
			m.Close()
		}
		return err
	}
	if err := openUnmigrating(unmigrated); err == nil || !strings.Contains(err.Error(), "caseload migrate") {
		t.Errorf("Open with Migrate off on an empty database: %v, want a refusal naming caseload migrate", err)
	}
	if tables := sqliteTables(t, unmigrated); len(tables) > 1 { // the history table at most
		t.Errorf("Open with Migrate off created tables: %v", tables)
	}

	path := filepath.Join(dir, "caseload.db")
	printed, err := runCommand(t, c, out, "migrate", "-db", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(printed, "migrating SQLite "+path) || !strings.Contains(printed, "applied ") || !strings.Contains(printed, "the schema is current at ") {
		t.Errorf("migrate printed %q", printed)
	}
	if err := openUnmigrating(path); err != nil {
		t.Errorf("Open with Migrate off after caseload migrate: %v", err)
	}
	tables := sqliteTables(t, path)
	for _, want := range []string{"practices", "users", "clients", "appointments", "audit_events"} {
		if !strings.Contains(" "+strings.Join(tables, " ")+" ", " "+want+" ") {
			t.Errorf("after migrate, no table %s among %v", want, tables)
		}
	}
	// Again: nothing to do, no error.
	if _, err := runCommand(t, c, out, "migrate", "-db", path); err != nil {
		t.Errorf("second migrate: %v", err)
	}
	// DATABASE_URL names the database when -db does not.
	envPath := filepath.Join(dir, "from-env.db")
	c.getenv = func(k string) string { return map[string]string{envDatabaseURL: envPath}[k] }
	if _, err := runCommand(t, c, out, "migrate"); err != nil {
		t.Fatal(err)
	}
	if len(sqliteTables(t, envPath)) == 0 {
		t.Error("migrate did not use DATABASE_URL")
	}
	if printed := describeDatabase("postgres://caseload:s3cret@db.example:5432/caseload"); strings.Contains(printed, "s3cret") {
		t.Errorf("a database is described with its password: %s", printed)
	}
}

func TestBootstrapCommand(t *testing.T) {
	const password = "a long enough password"
	t.Run("from the environment", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "caseload.db")
		env := map[string]string{envBootstrapEmail: " Admin@Example.org ", envBootstrapPassword: "short", envBootstrapPractice: "Lakeside Therapy", envBootstrapTimeZone: "Europe/Berlin"}
		c, out := testCLI(env, "")
		if _, err := runCommand(t, c, out, "bootstrap", "-db", path); err == nil || !strings.Contains(err.Error(), "at least 12 characters") {
			t.Errorf("a short password: %v", err)
		}
		env[envBootstrapTimeZone] = "Europe/Atlantis"
		env[envBootstrapPassword] = password
		if _, err := runCommand(t, c, out, "bootstrap", "-db", path); err == nil || !strings.Contains(err.Error(), "not an IANA time zone") {
			t.Errorf("a made-up time zone: %v", err)
		}
		env[envBootstrapTimeZone] = "Europe/Berlin"
		printed, err := runCommand(t, c, out, "bootstrap", "-db", path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(printed, password) || strings.Contains(strings.ToLower(printed), "admin@example.org") {
			t.Errorf("bootstrap printed the password or the email: %q", printed)
		}
		checkBootstrapped(t, path, "Lakeside Therapy", "Europe/Berlin", "admin@example.org", password)
		// Once an admin exists: refused, whatever the email.
		env[envBootstrapEmail] = "second@example.org"
		if _, err := runCommand(t, c, out, "bootstrap", "-db", path); !errors.Is(err, errAdminExists) {
			t.Errorf("a second bootstrap: %v, want %v", err, errAdminExists)
		}
	})
	t.Run("at a terminal", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "caseload.db")
		typed := "Lakeside Therapy\nMars/Olympus_Mons\nAmerica/Chicago\nnot an email\nAdmin@Example.org\n"
		c, out := testCLI(nil, typed, "short", password, "another long password", password, password)
		if _, err := runCommand(t, c, out, "bootstrap", "-db", path); err == nil || !strings.Contains(err.Error(), "run caseload bootstrap at a terminal") {
			t.Fatalf("no terminal and no variables: %v", err)
		}
		c.interactive = true
		printed, err := runCommand(t, c, out, "bootstrap", "-db", path)
		if err != nil {
			t.Fatalf("%v\n%s", err, printed)
		}
		for _, want := range []string{"Practice name [My Practice]: ", `"Mars/Olympus_Mons" is not an IANA time zone`, "Admin email: ", "at least 12 characters", "the passwords differ", "Created the practice"} {
			if !strings.Contains(printed, want) {
				t.Errorf("the dialogue lacks %q:\n%s", want, printed)
			}
		}
		if strings.Contains(printed, password) {
			t.Error("the password was echoed")
		}
		checkBootstrapped(t, path, "Lakeside Therapy", "America/Chicago", "admin@example.org", password)
	})
	t.Run("at a terminal, giving up", func(t *testing.T) {
		c, out := testCLI(nil, "\n\nnope\nnope\nnope\n")
		c.interactive = true
		_, err := runCommand(t, c, out, "bootstrap", "-db", filepath.Join(t.TempDir(), "caseload.db"))
		if err == nil || !strings.Contains(err.Error(), "no valid admin email after 3 attempts") {
			t.Errorf("three bad emails: %v", err)
		}
	})
}

// checkBootstrapped checks the one practice and its admin, who can sign in.
func checkBootstrapped(t *testing.T, path, name, zone, email, password string) {
	t.Helper()
	db, err := database.Open(context.Background(), path, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ps := db.Ent.Practice.Query().Order(practice.ByID()).AllX(sys())
	if len(ps) != 1 || ps[0].Name != name || ps[0].TimeZone != zone {
		t.Fatalf("practices %v, want one named %q in %s", ps, name, zone)
	}
	u, err := db.Ent.User.Query().Where(user.Email(email)).Only(sys())
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != user.RoleADMIN || u.PracticeID != ps[0].ID || !u.Active || !auth.CheckPassword(u.PasswordHash, password) {
		t.Errorf("admin %+v: want an active ADMIN of the practice with the password", u)
	}
}

// startServer runs the real command (`caseload args...`) on a free port until
// the test ends, and returns its base URL, its output and a stop function
// that cancels it (as SIGTERM does) and waits for it to return.
func startServer(t *testing.T, args []string, env map[string]string) (base string, out *lockedWriter, stop func() error) {
	t.Helper()
	addr := freeAddr(t)
	if !slices.Contains(args, "-admin-addr") {
		args = append([]string{"-admin-addr", "off"}, args...) // tests run at once: no fixed port
	}
	if !slices.Contains(args, "-drain-delay") {
		args = append([]string{"-drain-delay", "0"}, args...) // stop at once unless the test drains
	}
	ctx, cancel := context.WithCancel(context.Background())
	out = &lockedWriter{w: &bytes.Buffer{}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", addr}, args...), func(k string) string { return env[k] }, out)
	}()
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(time.Minute):
				result = errors.New("server did not shut down within a minute")
			}
		})
		return result
	}
	t.Cleanup(func() { _ = stop() })
	base = "http://" + addr
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, out, stop
			}
		}
		select {
		case err := <-done:
			t.Fatalf("server stopped before it was ready: %v\n%s", err, out.w.(*bytes.Buffer).String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("server not ready within 2 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// output is what the server has written so far.
func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.(*bytes.Buffer).String()
}

func TestBackupCommandRefusals(t *testing.T) {
	dir := t.TempDir()
	c, out := testCLI(nil, "")
	printed, err := runCommand(t, c, out, "backup", "-db", "postgres://caseload@db.example/caseload", "-o", filepath.Join(dir, "x"))
	if err == nil || !strings.Contains(err.Error(), "pg_dump --format=custom") || !strings.Contains(err.Error(), "docs/deploy.md") {
		t.Errorf("backup of PostgreSQL: %v %s; want the pg_dump advice", err, printed)
	}
	if _, err := runCommand(t, c, out, "backup", "-db", filepath.Join(dir, "missing.db"), "-o", filepath.Join(dir, "x")); err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Errorf("backup of a missing database: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup created the missing database: %v", err)
	}
	if _, err := runCommand(t, c, out, "backup", "-db", filepath.Join(dir, "missing.db")); err == nil || !strings.Contains(err.Error(), "-o FILE") {
		t.Errorf("backup without -o: %v", err)
	}
}
