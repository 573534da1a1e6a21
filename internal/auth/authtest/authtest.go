// Package authtest holds what test binaries that sign users in share.
package authtest

import (
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/caseload/caseload/internal/auth"
)

// Main runs a test binary's tests with the bcrypt cost lowered. At the
// production cost one password check takes a quarter second, several under
// the race detector, and the server and workflow tests sign in, fail and
// change passwords thousands of times. Hashing, checking, rehashing and
// timing equalisation all follow auth.PasswordCost, so they are tested as
// they run, only cheaper; the production cost itself is tested in
// internal/auth. Call it from TestMain.
func Main(m *testing.M) {
	auth.PasswordCost = bcrypt.MinCost
	os.Exit(m.Run())
}
