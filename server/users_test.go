package main

import (
	"net/http"
	"slices"
	"testing"

	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/testdb"
)

func TestAdminsManageLogins(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin := s.token(f.admin)
		const create = `mutation($in: CreateUserInput!) { createUser(input: $in) { user { id email role active clinician { name } } userErrors { field message code } } }`
		const setActive = `mutation($id: ID!, $a: Boolean!) { setUserActive(input: {userID: $id, active: $a}) { user { active } userErrors { field message code } } }`
		c := must(s.main.DB.Ent.Clinician.Create().SetPracticeID(f.practice.ID).SetName("New Hire").Save(sys()))
		users := func() int { return must(s.main.DB.Ent.User.Query().Count(sys())) }
		before := users()

		for _, tc := range []struct {
			name string
			in   map[string]any
			want string
		}{
			{"short password", map[string]any{"email": "a@north.example", "password": "short", "role": "ANALYST"}, "BAD_USER_INPUT input.password"},
			{"clinician without profile", map[string]any{"email": "a@north.example", "password": testPassword, "role": "CLINICIAN"}, "BAD_USER_INPUT input.clinicianID"},
			{"analyst with profile", map[string]any{"email": "a@north.example", "password": testPassword, "role": "ANALYST", "clinicianID": scalar.EncodeID(c.ID)}, "BAD_USER_INPUT input.clinicianID"},
			{"email taken", map[string]any{"email": "Admin@North.example", "password": testPassword, "role": "ANALYST"}, "CONFLICT input.email"},
			{"profile has a login", map[string]any{"email": "a@north.example", "password": testPassword, "role": "CLINICIAN", "clinicianID": scalar.EncodeID(f.clinician.ID)}, "CONFLICT input.clinicianID"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantUserErrors(t, s.do(admin, create, map[string]any{"in": tc.in}), "createUser", "user", tc.want)
			})
		}
		wantUserErrors(t, s.do(s.token(f.clinicianUser), create, map[string]any{"in": map[string]any{"email": "x@north.example", "password": testPassword, "role": "ADMIN"}}),
			"createUser", "user", "NOT_FOUND null")
		wantRows(t, "logins after the refusals", users(), before)

		data := s.mustDo(admin, create, map[string]any{"in": map[string]any{"email": "New.Hire@North.example", "password": testPassword, "role": "CLINICIAN", "clinicianID": scalar.EncodeID(c.ID)}})
		u := data["createUser"].(map[string]any)["user"].(map[string]any)
		if u["email"] != "new.hire@north.example" || u["clinician"].(map[string]any)["name"] != "New Hire" || u["active"] != true {
			t.Errorf("created user = %v", u)
		}
		login := s.mustDo("", `mutation { login(input: {email: "new.hire@north.example", password: "`+testPassword+`"}) { token userErrors { code } } }`, nil)
		token := login["login"].(map[string]any)["token"].(string)
		s.mustDo(token, `{ me { email } }`, nil)

		data = s.mustDo(admin, setActive, map[string]any{"id": u["id"], "a": false})
		if got := data["setUserActive"].(map[string]any)["user"].(map[string]any)["active"]; got != false {
			t.Errorf("setUserActive(false): active %v", got)
		}
		if r := s.do(token, `{ me { email } }`, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("deactivated user's token: %d, want 401", r.Status)
		}
		wantUserErrors(t, s.do(admin, setActive, map[string]any{"id": scalar.EncodeID(f.admin.ID), "a": false}), "setUserActive", "user", "POLICY_VIOLATION input.active")
		// The refusal is audited against the user the input named.
		ev, err := s.main.DB.Ent.AuditEvent.Query().Where(auditevent.Action("setUserActive"), auditevent.OutcomeEQ(auditevent.OutcomeFAILED)).Only(sys())
		if err != nil || ev.Detail != "POLICY_VIOLATION" || ev.EntityID == nil || *ev.EntityID != f.admin.ID {
			t.Errorf("audit of the refused setUserActive: %+v (%v), want FAILED POLICY_VIOLATION on user %d", ev, err, f.admin.ID)
		}
		wantUserErrors(t, s.do(admin, setActive, map[string]any{"id": scalar.EncodeID(1 << 30), "a": true}), "setUserActive", "user", "NOT_FOUND input.userID")
		wantUserErrors(t, s.do(s.token(f.clinicianUser), setActive, map[string]any{"id": u["id"], "a": true}), "setUserActive", "user", "NOT_FOUND input.userID")
		if must(s.main.DB.Ent.User.Get(sys(), f.admin.ID)).Active != true {
			t.Error("the admin deactivated their own login")
		}
		if must(s.main.DB.Ent.User.Query().Where(user.Email("new.hire@north.example")).Only(sys())).Active {
			t.Error("a clinician reactivated a login")
		}
	})
}

// createUser reports every invalid field of its input at once, and writes
// nothing.
func TestCreateUserReportsEveryInvalidField(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		users := func() int { return must(s.main.DB.Ent.User.Query().Count(sys())) }
		before := users()
		r := s.do(s.token(f.admin), `mutation($in: CreateUserInput!) { createUser(input: $in) { user { id } userErrors { field message code } } }`,
			map[string]any{"in": map[string]any{"email": "not an email", "password": "short", "role": "CLINICIAN", "clinicianID": scalar.EncodeID(1 << 30)}})
		wantUserErrors(t, r, "createUser", "user", "BAD_USER_INPUT input.email", "BAD_USER_INPUT input.password", "NOT_FOUND input.clinicianID")
		var messages []string
		for _, ue := range r.userErrors("createUser") {
			messages = append(messages, ue.Message)
		}
		want := []string{"email: must be an email address such as name@example.org", "password: password must have at least 12 characters", "not found"}
		if !slices.Equal(messages, want) {
			t.Errorf("messages %q, want %q", messages, want)
		}
		wantRows(t, "logins after the refused createUser", users(), before)
	})
}
