package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/practice"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
)

// Bootstrap is the first practice and admin of a new production database,
// from CASELOAD_BOOTSTRAP_* variables or `caseload bootstrap`. Once an admin
// exists it does nothing.
type Bootstrap struct {
	Practice, TimeZone, AdminEmail, AdminPassword string
}

// Environment variables of the bootstrap.
const (
	envBootstrapPractice = "CASELOAD_BOOTSTRAP_PRACTICE"
	envBootstrapTimeZone = "CASELOAD_BOOTSTRAP_TIME_ZONE"
	envBootstrapEmail    = "CASELOAD_BOOTSTRAP_ADMIN_EMAIL"
	envBootstrapPassword = "CASELOAD_BOOTSTRAP_ADMIN_PASSWORD"
)

// Defaults of the bootstrap's practice.
const (
	defaultPracticeName = "My Practice"
	defaultTimeZone     = "America/New_York"
)

// errAdminExists refuses a second bootstrap.
var errAdminExists = errors.New("an admin already exists: sign in as an admin and add logins with the createUser mutation")

func bootstrapFromEnv(getenv func(string) string) *Bootstrap {
	if getenv(envBootstrapEmail) == "" {
		return nil
	}
	return &Bootstrap{
		Practice:      orDefault(getenv(envBootstrapPractice), defaultPracticeName),
		TimeZone:      orDefault(getenv(envBootstrapTimeZone), defaultTimeZone),
		AdminEmail:    normalizeEmail(getenv(envBootstrapEmail)),
		AdminPassword: getenv(envBootstrapPassword),
	}
}

func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks the values as the data layer and sign-in will, before
// anything is written.
func (b *Bootstrap) Validate() error {
	if err := practice.NameValidator(b.Practice); err != nil {
		return fmt.Errorf("practice name: %w", err)
	}
	if err := practice.TimeZoneValidator(b.TimeZone); err != nil {
		return fmt.Errorf("time zone %q is not an IANA time zone such as America/New_York: %w", b.TimeZone, err)
	}
	if err := user.EmailValidator(b.AdminEmail); err != nil {
		return fmt.Errorf("admin email: %w", err)
	}
	if err := auth.ValidatePassword(b.AdminPassword, b.AdminEmail); err != nil {
		return fmt.Errorf("admin password: %w", err)
	}
	return nil
}

// hasAdmin reports whether any practice has an admin.
func hasAdmin(ctx context.Context, db *ent.Client) (bool, error) {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	ok, err := db.User.Query().Where(user.RoleEQ(user.RoleADMIN)).Exist(ctx)
	if err != nil {
		return false, fmt.Errorf("looking for an admin: %w", err)
	}
	return ok, nil
}

// Apply creates the practice and its admin, in one transaction, unless an
// admin exists or the admin's email already has a login. It reports whether
// it created them.
func (b *Bootstrap) Apply(ctx context.Context, db *ent.Client) (bool, error) {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	if admin, err := hasAdmin(ctx, db); err != nil || admin {
		return false, err
	}
	exists, err := db.User.Query().Where(user.Email(b.AdminEmail)).Exist(ctx)
	if err != nil || exists {
		return false, err
	}
	if err := b.Validate(); err != nil {
		return false, err
	}
	hash, err := auth.HashPassword(b.AdminPassword)
	if err != nil {
		return false, err
	}
	tx, err := db.Tx(ctx)
	if err != nil {
		return false, err
	}
	p, err := tx.Practice.Create().SetName(b.Practice).SetTimeZone(b.TimeZone).Save(ctx)
	if err == nil {
		err = tx.User.Create().SetPracticeID(p.ID).SetEmail(b.AdminEmail).SetPasswordHash(hash).SetRole(user.RoleADMIN).Exec(ctx)
	}
	if err != nil {
		_ = tx.Rollback()
		if ent.IsConstraintError(err) {
			return false, nil // another replica created the same admin first
		}
		return false, fmt.Errorf("bootstrapping the first practice: %w", err)
	}
	return true, tx.Commit()
}

// bootstrapCommand is `caseload bootstrap`: it migrates the database and
// creates the first practice and admin, from the environment or by asking
// at a terminal, and refuses once an admin exists.
func bootstrapCommand(ctx context.Context, args []string, c *cli) error {
	db, _, err := openForCommand(ctx, "bootstrap", args, c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if admin, err := hasAdmin(ctx, db.Ent); err != nil {
		return err
	} else if admin {
		return errAdminExists
	}
	b := bootstrapFromEnv(c.getenv)
	if b == nil {
		if !c.interactive {
			return fmt.Errorf("set %s and %s (and optionally %s, %s), or run caseload bootstrap at a terminal to be asked",
				envBootstrapEmail, envBootstrapPassword, envBootstrapPractice, envBootstrapTimeZone)
		}
		if b, err = askBootstrap(c); err != nil {
			return err
		}
	}
	if err := b.Validate(); err != nil {
		return err
	}
	created, err := b.Apply(ctx, db.Ent)
	if err != nil {
		return err
	}
	if !created {
		return errAdminExists
	}
	fmt.Fprintf(c.stdout, "Created the practice %q (%s) and its admin. Start the server and sign in at its IDE (/) or with the login mutation.\n", b.Practice, b.TimeZone)
	return nil
}

// askAttempts is how often a question is asked again after a bad answer.
const askAttempts = 3

// askBootstrap asks at the terminal for the practice and its admin; each
// answer is checked at once and asked again when it is not valid.
func askBootstrap(c *cli) (*Bootstrap, error) {
	in := bufio.NewReader(c.stdin)
	b := &Bootstrap{}
	fmt.Fprintln(c.stdout, "Create the first practice and its admin.")
	var err error
	if b.Practice, err = ask(c, in, "Practice name", defaultPracticeName, practice.NameValidator); err != nil {
		return nil, err
	}
	if b.TimeZone, err = ask(c, in, "IANA time zone", defaultTimeZone, func(s string) error {
		if err := practice.TimeZoneValidator(s); err != nil {
			return fmt.Errorf("%q is not an IANA time zone such as Europe/Berlin", s)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if b.AdminEmail, err = ask(c, in, "Admin email", "", func(s string) error { return user.EmailValidator(normalizeEmail(s)) }); err != nil {
		return nil, err
	}
	b.AdminEmail = normalizeEmail(b.AdminEmail)
	if b.AdminPassword, err = askPassword(c); err != nil {
		return nil, err
	}
	return b, nil
}

// ask asks one question, offering def (if any) for an empty answer.
func ask(c *cli, in *bufio.Reader, question, def string, check func(string) error) (string, error) {
	for range askAttempts {
		if def != "" {
			fmt.Fprintf(c.stdout, "%s [%s]: ", question, def)
		} else {
			fmt.Fprintf(c.stdout, "%s: ", question)
		}
		line, err := in.ReadString('\n')
		if err != nil && (!errors.Is(err, io.EOF) || line == "") {
			return "", fmt.Errorf("reading the %s: %w", strings.ToLower(question), err)
		}
		answer := strings.TrimSpace(line)
		if answer == "" {
			answer = def
		}
		if err := check(answer); err != nil {
			fmt.Fprintf(c.stdout, "  %v\n", err)
			continue
		}
		return answer, nil
	}
	return "", fmt.Errorf("no valid %s after %d attempts", strings.ToLower(question), askAttempts)
}

// askPassword asks for the admin's password twice, without echo.
func askPassword(c *cli) (string, error) {
	for range askAttempts {
		fmt.Fprintf(c.stdout, "Admin password (at least %d characters): ", auth.MinPasswordLength)
		first, err := c.readPassword()
		fmt.Fprintln(c.stdout)
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		if err := auth.ValidatePassword(first, ""); err != nil {
			fmt.Fprintf(c.stdout, "  %v\n", err)
			continue
		}
		fmt.Fprint(c.stdout, "Same password again: ")
		second, err := c.readPassword()
		fmt.Fprintln(c.stdout)
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		if first != second {
			fmt.Fprintln(c.stdout, "  the passwords differ")
			continue
		}
		return first, nil
	}
	return "", fmt.Errorf("no valid password after %d attempts", askAttempts)
}
