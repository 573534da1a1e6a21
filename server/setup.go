package main

import (
	"context"
	"net/http"

	"github.com/caseload/caseload/internal/reqid"
)

// setupAdvice tells an operator how to create the first admin; the server
// logs it at start and the IDE shows it while no admin exists.
const setupAdvice = "No admin exists yet, so nobody can sign in. Create the first practice and its admin with " +
	"`caseload bootstrap` (it asks at a terminal, or reads " + envBootstrapEmail + " and " + envBootstrapPassword +
	"), or set those variables and restart the server."

// needsSetup reports whether no admin exists. Once one does, it is
// remembered: the API deletes no login and changes no role.
func (m *Main) needsSetup(ctx context.Context) (bool, error) {
	if m.adminSeen.Load() {
		return false, nil
	}
	ok, err := hasAdmin(ctx, m.DB.Ent)
	if err != nil {
		return false, err
	}
	if ok {
		m.adminSeen.Store(true)
	}
	return !ok, nil
}

// WarnIfNoAdmin logs how to create the first admin when there is none.
func (m *Main) WarnIfNoAdmin(ctx context.Context) error {
	needed, err := m.needsSetup(ctx)
	if err != nil {
		return err
	}
	if needed {
		m.Logger.WarnContext(ctx, setupAdvice)
	}
	return nil
}

// setupNotice is the notice of the IDE page: the setup advice while no
// admin exists, else none. A failed check shows none (and is logged): the
// page must not depend on the database.
func (m *Main) setupNotice(r *http.Request) string {
	needed, err := m.needsSetup(r.Context())
	if err != nil {
		m.Logger.WarnContext(r.Context(), "checking for an admin", "request_id", reqid.FromContext(r.Context()), "error", err.Error())
		return ""
	}
	if needed {
		return setupAdvice
	}
	return ""
}
