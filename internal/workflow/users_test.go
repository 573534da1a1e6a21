package workflow_test

import (
	"strings"
	"testing"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/refreshtoken"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/workflow"
)

func TestCreateUser(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("an admin adds a clinician's login", func(t *testing.T) {
			c := begin(t, db, dialectName)
			profile := mustCreateClinician(t, c, "Dr Bo Hire")
			got, err := c.svc.CreateUser(c.as(c.admin), workflow.NewUser{
				Email: "  New.Hire@North.example ", Password: testPassword, Role: user.RoleCLINICIAN, ClinicianID: &profile,
			})
			if err != nil {
				t.Fatal(err)
			}
			u := c.tx.User.GetX(c.allow, got.ID)
			if u.Email != "new.hire@north.example" || u.Role != user.RoleCLINICIAN || !u.Active || u.PracticeID != c.practice {
				t.Errorf("user %s %s active %v in practice %d, want new.hire@north.example CLINICIAN active in %d", u.Email, u.Role, u.Active, u.PracticeID, c.practice)
			}
			if u.PasswordHash == testPassword || !auth.CheckPassword(u.PasswordHash, testPassword) {
				t.Error("the stored hash does not check the password")
			}
			if cl := c.tx.Clinician.GetX(c.allow, profile); cl.UserID == nil || *cl.UserID != u.ID {
				t.Errorf("the profile's login is %v, want %d", cl.UserID, u.ID)
			}
		})
		refusals := []struct {
			name      string
			email     string
			password  string
			role      user.Role
			clinician func(tb testing.TB, c *testCase) *int
			code      caseload.Code
			field     string
			message   string
		}{
			{"a short password", "a@north.example", "short", user.RoleANALYST, nil,
				caseload.CodeBadUserInput, "password", "password must have at least 12 characters"},
			{"a clinician without a profile", "a@north.example", testPassword, user.RoleCLINICIAN, nil,
				caseload.CodeBadUserInput, "clinicianID", "a CLINICIAN login needs a clinician profile"},
			{"an analyst with a profile", "a@north.example", testPassword, user.RoleANALYST, func(tb testing.TB, c *testCase) *int {
				id := mustCreateClinician(tb, c, "Dr Bo")
				return &id
			}, caseload.CodeBadUserInput, "clinicianID", "only CLINICIAN and SUPERVISOR logins"},
			{"a profile that is not there", "a@north.example", testPassword, user.RoleSUPERVISOR, func(testing.TB, *testCase) *int {
				id := 1 << 30
				return &id
			}, caseload.CodeNotFound, "clinicianID", "not found"},
			{"a profile that has a login", "a@north.example", testPassword, user.RoleCLINICIAN, func(tb testing.TB, c *testCase) *int {
				c.tx.User.UpdateOneID(c.clinician.UserID).SetClinicianID(c.clinicianID).ExecX(c.allow)
				return &c.clinicianID
			}, caseload.CodeConflict, "clinicianID", "the clinician already has a login"},
			{"an email taken", "Admin@North.example", testPassword, user.RoleANALYST, nil,
				caseload.CodeConflict, "email", "a login with this email already exists"},
			{"an email that is not one", "not-an-email", testPassword, user.RoleANALYST, nil,
				caseload.CodeBadUserInput, "email", "email: "},
		}
		for _, tc := range refusals {
			t.Run("refused: "+tc.name, func(t *testing.T) {
				c := begin(t, db, dialectName)
				in := workflow.NewUser{Email: tc.email, Password: tc.password, Role: tc.role}
				if tc.clinician != nil {
					in.ClinicianID = tc.clinician(t, c)
				}
				_, err := c.svc.CreateUser(c.as(c.admin), in)
				wantRefusal(t, err, tc.code, tc.field, tc.message)
				if n := c.tx.User.Query().CountX(c.allow); n != 2 {
					t.Errorf("%d logins after a refusal, want the 2 of the fixture", n)
				}
			})
		}
		t.Run("refused: every invalid field at once", func(t *testing.T) {
			c := begin(t, db, dialectName)
			missing := 1 << 30
			_, err := c.svc.CreateUser(c.as(c.admin), workflow.NewUser{
				Email: "admin at north.example", Password: "short", Role: user.RoleCLINICIAN, ClinicianID: &missing,
			})
			var got []string
			for _, e := range caseload.Refusals(err) {
				got = append(got, string(e.Code)+" "+e.Field)
			}
			want := []string{"BAD_USER_INPUT email", "BAD_USER_INPUT password", "NOT_FOUND clinicianID"}
			if strings.Join(got, ", ") != strings.Join(want, ", ") {
				t.Errorf("refusals %v (%v), want %v", got, err, want)
			}
			if n := c.tx.User.Query().CountX(c.allow); n != 2 {
				t.Errorf("%d logins after a refusal, want the 2 of the fixture", n)
			}
		})
		t.Run("refused: a clinician adding a login", func(t *testing.T) {
			c := begin(t, db, dialectName)
			_, err := c.svc.CreateUser(c.as(c.clinician), workflow.NewUser{Email: "x@north.example", Password: testPassword, Role: user.RoleADMIN})
			wantRefusal(t, err, caseload.CodeNotFound, "", "not found")
			if c.tx.User.Query().Where(user.Email("x@north.example")).ExistX(c.allow) {
				t.Error("the refused login was written")
			}
		})
	})
}

func TestSetUserActive(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		t.Run("deactivating ends every session, reactivating starts none", func(t *testing.T) {
			c := begin(t, db, dialectName)
			clin := c.tx.User.GetX(c.allow, c.clinician.UserID)
			for range 2 {
				if _, err := c.sessions.Start(c.allow, c.tx, clin); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.sessions.Start(c.allow, c.tx, c.tx.User.GetX(c.allow, c.admin.UserID)); err != nil {
				t.Fatal(err)
			}
			ctx := c.as(c.admin)
			if _, err := c.svc.SetUserActive(ctx, clin.ID, false); err != nil {
				t.Fatal(err)
			}
			if c.tx.User.GetX(c.allow, clin.ID).Active {
				t.Error("the user is still active")
			}
			tokensOf := func(userID int) []*ent.RefreshToken {
				return c.tx.RefreshToken.Query().Where(refreshtoken.UserID(userID)).AllX(c.allow)
			}
			rows := tokensOf(clin.ID)
			for _, rt := range rows {
				if rt.RevokedAt == nil || !rt.RevokedAt.Equal(testNow) {
					t.Errorf("a session of the deactivated user revoked at %v, want %v", rt.RevokedAt, testNow)
				}
			}
			if len(rows) != 2 {
				t.Errorf("%d refresh tokens, want the 2 sessions'", len(rows))
			}
			if rt := tokensOf(c.admin.UserID); len(rt) != 1 || rt[0].RevokedAt != nil {
				t.Error("the admin's session was ended")
			}
			if _, err := c.svc.SetUserActive(ctx, clin.ID, true); err != nil {
				t.Fatal(err)
			}
			if !c.tx.User.GetX(c.allow, clin.ID).Active {
				t.Error("the user was not reactivated")
			}
			if n := c.tx.RefreshToken.Query().Where(refreshtoken.UserID(clin.ID), refreshtoken.RevokedAtIsNil()).CountX(c.allow); n != 0 {
				t.Errorf("%d sessions live again after reactivation, want none", n)
			}
		})
		t.Run("refused: an admin deactivating themselves", func(t *testing.T) {
			c := begin(t, db, dialectName)
			_, err := c.svc.SetUserActive(c.as(c.admin), c.admin.UserID, false)
			wantRefusal(t, err, caseload.CodePolicyViolation, "active", "you cannot deactivate your own login")
			if !c.tx.User.GetX(c.allow, c.admin.UserID).Active {
				t.Error("the admin was deactivated")
			}
		})
		t.Run("refused: a user who is not there", func(t *testing.T) {
			c := begin(t, db, dialectName)
			_, err := c.svc.SetUserActive(c.as(c.admin), 1<<30, false)
			wantRefusal(t, err, caseload.CodeNotFound, "userID", "not found")
		})
		t.Run("refused: a clinician deactivating a login", func(t *testing.T) {
			c := begin(t, db, dialectName)
			_, err := c.svc.SetUserActive(c.as(c.clinician), c.admin.UserID, false)
			wantRefusal(t, err, caseload.CodeNotFound, "userID", "not found")
			if !c.tx.User.GetX(c.allow, c.admin.UserID).Active {
				t.Error("the admin was deactivated")
			}
		})
	})
}

func TestUnlockUser(t *testing.T) {
	testRun(t, func(t *testing.T, db *ent.Client, dialectName string) {
		// lock fails the clinician's sign-in until the email is locked.
		lock := func(tb testing.TB, c *testCase) auth.Attempt {
			tb.Helper()
			attempt := c.throttle.Attempt("ada@north.example", "")
			for range testLimits.AccountFailures {
				if _, err := c.throttle.Fail(c.allow, c.tx, attempt, testNow); err != nil {
					tb.Fatal(err)
				}
			}
			if wait, _, err := c.throttle.Wait(c.allow, c.tx, attempt, testNow); err != nil || wait != auth.DefaultLockout {
				tb.Fatalf("the fixture's lock: wait %v (%v), want %v", wait, err, auth.DefaultLockout)
			}
			return attempt
		}
		t.Run("an admin lifts the lock", func(t *testing.T) {
			c := begin(t, db, dialectName)
			attempt := lock(t, c)
			got, err := c.svc.UnlockUser(c.as(c.admin), c.clinician.UserID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Email != "ada@north.example" {
				t.Errorf("unlocked %s, want ada@north.example", got.Email)
			}
			if wait, _, err := c.throttle.Wait(c.allow, c.tx, attempt, testNow); err != nil || wait != 0 {
				t.Errorf("after the unlock: wait %v (%v), want none", wait, err)
			}
			if n := c.tx.LoginThrottle.Query().CountX(c.allow); n != 0 {
				t.Errorf("%d throttle rows after the unlock, want none", n)
			}
		})
		t.Run("refused: a user who is not there", func(t *testing.T) {
			c := begin(t, db, dialectName)
			_, err := c.svc.UnlockUser(c.as(c.admin), 1<<30)
			wantRefusal(t, err, caseload.CodeNotFound, "userID", "not found")
		})
		t.Run("refused: a clinician lifting the lock", func(t *testing.T) {
			c := begin(t, db, dialectName)
			attempt := lock(t, c)
			_, err := c.svc.UnlockUser(c.as(c.clinician), c.clinician.UserID)
			wantRefusal(t, err, caseload.CodeNotFound, "userID", "not found")
			if wait, _, _ := c.throttle.Wait(c.allow, c.tx, attempt, testNow); wait != auth.DefaultLockout {
				t.Errorf("after a refused unlock: wait %v, want the lock's %v", wait, auth.DefaultLockout)
			}
		})
	})
}
