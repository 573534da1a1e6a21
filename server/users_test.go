package main

import (
	"net/http"
	"testing"

	"github.com/caseload/caseload/graph/scalar"
	"github.com/caseload/caseload/internal/testdb"
)

func TestAdminsManageLogins(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		admin := s.token(f.admin)
		const create = `mutation($in: CreateUserInput!) { createUser(input: $in) { id email role active clinician { name } } }`
		c := must(s.main.DB.Ent.Clinician.Create().SetPracticeID(f.practice.ID).SetName("New Hire").Save(sys()))

		for _, tc := range []struct {
			name  string
			in    map[string]any
			code  string
			field string
		}{
			{"short password", map[string]any{"email": "a@north.example", "password": "short", "role": "ANALYST"}, "BAD_USER_INPUT", "password"},
			{"clinician without profile", map[string]any{"email": "a@north.example", "password": testPassword, "role": "CLINICIAN"}, "BAD_USER_INPUT", "clinicianID"},
			{"analyst with profile", map[string]any{"email": "a@north.example", "password": testPassword, "role": "ANALYST", "clinicianID": scalar.EncodeID(c.ID)}, "BAD_USER_INPUT", "clinicianID"},
			{"email taken", map[string]any{"email": "Admin@North.example", "password": testPassword, "role": "ANALYST"}, "CONFLICT", ""},
			{"profile has a login", map[string]any{"email": "a@north.example", "password": testPassword, "role": "CLINICIAN", "clinicianID": scalar.EncodeID(f.clinician.ID)}, "CONFLICT", ""},
		} {
			r := s.do(admin, create, map[string]any{"in": tc.in})
			if r.code() != tc.code || (tc.field != "" && r.Errors[0].Extensions["field"] != tc.field) {
				t.Errorf("%s: %+v, want %s %s", tc.name, r.Errors, tc.code, tc.field)
			}
		}
		if r := s.do(s.token(f.clinicianUser), create, map[string]any{"in": map[string]any{"email": "x@north.example", "password": testPassword, "role": "ADMIN"}}); r.code() != "NOT_FOUND" {
			t.Errorf("a clinician creating an admin: %+v, want NOT_FOUND", r.Errors)
		}

		data := s.mustDo(admin, create, map[string]any{"in": map[string]any{"email": "New.Hire@North.example", "password": testPassword, "role": "CLINICIAN", "clinicianID": scalar.EncodeID(c.ID)}})
		u := data["createUser"].(map[string]any)
		if u["email"] != "new.hire@north.example" || u["clinician"].(map[string]any)["name"] != "New Hire" || u["active"] != true {
			t.Errorf("created user = %v", u)
		}
		login := s.mustDo("", `mutation { login(email: "new.hire@north.example", password: "`+testPassword+`") { token } }`, nil)
		token := login["login"].(map[string]any)["token"].(string)
		s.mustDo(token, `{ me { email } }`, nil)

		s.mustDo(admin, `mutation($id: ID!) { setUserActive(id: $id, active: false) { active } }`, map[string]any{"id": u["id"]})
		if r := s.do(token, `{ me { email } }`, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("deactivated user's token: %d, want 401", r.Status)
		}
		if r := s.do(admin, `mutation($id: ID!) { setUserActive(id: $id, active: false) { active } }`, map[string]any{"id": scalar.EncodeID(f.admin.ID)}); r.code() != "POLICY_VIOLATION" {
			t.Errorf("admin deactivating themselves: %+v, want POLICY_VIOLATION", r.Errors)
		}
	})
}
