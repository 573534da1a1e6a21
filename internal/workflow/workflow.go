// Package workflow holds every change to a caseload: scheduling, attendance,
// reminders, closure and return, recurring series, backfill, intake and
// assignment, documents, users, sign-in sessions and the policy, one file
// per workflow.
//
// Each workflow is a method of Service that runs inside the transaction of
// the mutation that calls it: it writes through ent.FromContext(ctx), never
// the root client, so that a failure half way leaves nothing written. Reads
// and writes go through ent, whose privacy rules (internal/rule) confine
// them to the viewer's practice and caseloads. The pure checks are
// functions of internal/caseload; refusals are *caseload.Error values with
// the code the API answers with. Nothing here knows about GraphQL: the
// inputs are this package's own types, which gqlgen.yml binds the GraphQL
// inputs to.
package workflow

import (
	"context"
	"log/slog"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/auth"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/observe"
)

// Facts is what the workflows read of the rules: the practice's rules at
// the operation's clock and the histories they are computed from. The
// operation's store of facts (internal/facts) provides it.
type Facts interface {
	// Rules returns the practice's rules at the operation's clock.
	Rules(ctx context.Context) (caseload.Rules, error)
	// History returns a client's history, NOT_FOUND if the viewer may not
	// read the client.
	History(ctx context.Context, clientID int) (*caseload.History, error)
	// Health is the clinician's caseload measured against their slots
	// (rule 9); NOT_FOUND if the viewer may not read the whole caseload.
	Health(ctx context.Context, c *ent.Clinician) (caseload.Health, error)
}

// Service runs the workflows.
type Service struct {
	db       *ent.Client
	facts    func(context.Context) Facts
	sessions *auth.Sessions
	throttle *auth.LoginThrottle
	totp     *auth.TOTP
	signIns  observe.SignIns
	now      func() time.Time
	log      *slog.Logger
}

// Options is what New needs.
type Options struct {
	// DB is the root ent client, for what runs outside a mutation's
	// transaction (the sign-in throttle, revoking a reused session).
	DB *ent.Client
	// Facts returns the operation's store of facts.
	Facts func(context.Context) Facts
	// Sessions issue, rotate and revoke refresh tokens.
	Sessions *auth.Sessions
	// Throttle limits failed sign-ins.
	Throttle *auth.LoginThrottle
	// TOTP seals and checks the second factor's secrets.
	TOTP *auth.TOTP
	// SignIns is told of failed sign-ins and of the throttle's locks (the
	// server's metrics); nil tells nobody.
	SignIns observe.SignIns
	// Now is the clock; tests fix it.
	Now func() time.Time
	// Logger receives what an operator needs (never client data).
	Logger *slog.Logger
}

// New returns the workflows' service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = func() time.Time { return time.Now().UTC() }
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Service{db: o.DB, facts: o.Facts, sessions: o.Sessions, throttle: o.Throttle, totp: o.TOTP, signIns: o.SignIns, now: o.Now, log: o.Logger}
}

// tx is the client of the mutation's transaction; outside one (a read) the
// root client.
func (s *Service) tx(ctx context.Context) *ent.Client {
	if tx := ent.FromContext(ctx); tx != nil {
		return tx
	}
	return s.db
}
