package schema

import (
	"context"
	"fmt"

	"entgo.io/ent"

	gen "github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/clinician"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/internal/viewer"
)

// referenceExists answers whether the record a foreign key names exists in
// the practice, looking past the caller's read scope (a write's own policy
// decides whether the caller may point at it).
var referenceExists = map[string]func(ctx context.Context, c *gen.Client, id, practice int) (bool, error){
	"client_id": func(ctx context.Context, c *gen.Client, id, practice int) (bool, error) {
		return c.ClientProfile.Query().Where(clientprofile.ID(id), clientprofile.PracticeID(practice)).Exist(ctx)
	},
	"clinician_id":  clinicianExists,
	"supervisor_id": clinicianExists,
	"appointment_id": func(ctx context.Context, c *gen.Client, id, practice int) (bool, error) {
		return c.Appointment.Query().Where(appointment.ID(id), appointment.PracticeID(practice)).Exist(ctx)
	},
	"filled_from_id": func(ctx context.Context, c *gen.Client, id, practice int) (bool, error) {
		return c.Appointment.Query().Where(appointment.ID(id), appointment.PracticeID(practice)).Exist(ctx)
	},
	"contact_id": func(ctx context.Context, c *gen.Client, id, practice int) (bool, error) {
		return c.Contact.Query().Where(contact.ID(id), contact.PracticeID(practice)).Exist(ctx)
	},
	"amends_id": func(ctx context.Context, c *gen.Client, id, practice int) (bool, error) {
		return c.Document.Query().Where(document.ID(id), document.PracticeID(practice)).Exist(ctx)
	},
	"episode_id": func(ctx context.Context, c *gen.Client, id, practice int) (bool, error) {
		return c.Episode.Query().Where(episode.ID(id), episode.PracticeID(practice)).Exist(ctx)
	},
	"user_id":   userExists,
	"author_id": userExists,
}

func clinicianExists(ctx context.Context, c *gen.Client, id, practice int) (bool, error) {
	return c.Clinician.Query().Where(clinician.ID(id), clinician.PracticeID(practice)).Exist(ctx)
}

func userExists(ctx context.Context, c *gen.Client, id, practice int) (bool, error) {
	return c.User.Query().Where(user.ID(id), user.PracticeID(practice)).Exist(ctx)
}

// skipReferenceCheck are the types written only by the server itself.
var skipReferenceCheck = map[string]bool{
	"AuditEvent": true, "IdempotencyRecord": true, "RefreshToken": true, "LoginThrottle": true,
}

// SameTenantReferences refuses a write by a signed-in user whose foreign keys
// name a record of another practice, or none: the answer is the same as for
// a missing id (NOT_FOUND), so another practice cannot be probed. Row
// filters confine what a write changes; this confines what it points at.
func SameTenantReferences() ent.Hook {
	type mutation interface {
		ent.Mutation
		Client() *gen.Client
	}
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v := viewer.FromContext(ctx)
			tm, ok := m.(mutation)
			if v == nil || !ok || skipReferenceCheck[m.Type()] || m.Op().Is(ent.OpDelete|ent.OpDeleteOne) {
				return next.Mutate(ctx, m)
			}
			sys := privacy.DecisionContext(ctx, privacy.Allow)
			for _, name := range m.Fields() {
				exists := referenceExists[name]
				if exists == nil {
					continue
				}
				value, _ := m.Field(name)
				id, isInt := value.(int)
				if !isInt {
					continue
				}
				ok, err := exists(sys, tm.Client(), id, v.PracticeID)
				if err != nil {
					return nil, err
				}
				if !ok {
					return nil, fmt.Errorf("%s.%s: %w", m.Type(), name, privacy.Deny)
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}
