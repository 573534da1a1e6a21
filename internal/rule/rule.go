// Package rule holds the privacy rules of the data layer. Every query and
// mutation of ent passes through them, so node(id), nodes, connections,
// nested edges, filters and mutations are all confined by one mechanism:
// the caller's practice first, then the caller's role and caseload.
//
// Code that must act without a signed-in user (start-up, demo data, login)
// says so explicitly with privacy.DecisionContext(ctx, privacy.Allow).
package rule

import (
	"context"

	"entgo.io/ent/entql"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/predicate"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/viewer"
)

// DenyIfNoViewer denies every operation of a request without a signed-in user.
func DenyIfNoViewer() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx) == nil {
			return privacy.Denyf("no viewer on the context")
		}
		return privacy.Skip
	})
}

// FilterPractice confines queries, updates and deletes to the viewer's practice.
func FilterPractice() privacy.QueryMutationRule {
	type practiceFilter interface {
		WherePracticeID(entql.IntP)
	}
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v == nil || v.PracticeID == 0 {
			return privacy.Denyf("viewer has no practice")
		}
		pf, ok := f.(practiceFilter)
		if !ok {
			return privacy.Denyf("filter %T has no practice", f)
		}
		pf.WherePracticeID(entql.IntEQ(v.PracticeID))
		return privacy.Skip
	})
}

// FilterOwnPractice confines the Practice entity to the viewer's own.
func FilterOwnPractice() privacy.QueryMutationRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v == nil || v.PracticeID == 0 {
			return privacy.Denyf("viewer has no practice")
		}
		pf, ok := f.(interface{ WhereID(entql.IntP) })
		if !ok {
			return privacy.Denyf("filter %T has no id", f)
		}
		pf.WhereID(entql.IntEQ(v.PracticeID))
		return privacy.Skip
	})
}

// AllowIfAdmin allows an operation of a practice admin (after the practice
// filter has confined it).
func AllowIfAdmin() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx).IsAdmin() {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// AllowIfWholePracticeReader allows a read by a role that reads the whole
// practice (admins and analysts).
func AllowIfWholePracticeReader() privacy.QueryRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx).SeesWholePractice() {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// AllowIfStaff allows any signed-in member of the practice (after the
// practice filter): used for the staff directory of clinicians and users.
func AllowIfStaff() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx) != nil {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// AlwaysDeny denies what no rule before it allowed.
func AlwaysDeny() privacy.QueryMutationRule {
	return privacy.AlwaysDenyRule()
}

// readable returns a predicate on clients the viewer may read, or false when
// the viewer reads no caseload.
func readableClients(v *viewer.Viewer) (predicate.ClientProfile, bool) {
	ids := v.ReadableClinicianIDs()
	if len(ids) == 0 {
		return nil, false
	}
	return clientprofile.And(clientprofile.PracticeID(v.PracticeID), clientprofile.ClinicianIDIn(ids...)), true
}

func writableClients(v *viewer.Viewer) (predicate.ClientProfile, bool) {
	ids := v.WritableClinicianIDs()
	if len(ids) == 0 {
		return nil, false
	}
	return clientprofile.And(clientprofile.PracticeID(v.PracticeID), clientprofile.ClinicianIDIn(ids...)), true
}

// FilterCaseloadClients confines reads of clients to the caseloads the viewer
// may read (own, plus supervisees' for a supervisor).
func FilterCaseloadClients() privacy.QueryRule {
	type clinicianFilter interface {
		WhereClinicianID(entql.IntP)
	}
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		ids := v.ReadableClinicianIDs()
		cf, ok := f.(clinicianFilter)
		if len(ids) == 0 || !ok {
			return privacy.Denyf("viewer reads no caseload")
		}
		cf.WhereClinicianID(intIn(ids...))
		return privacy.Allow
	})
}

// clientChildFilter is the filter of every record that hangs off a client
// (caregivers, episodes, appointments, documents, contacts).
type clientChildFilter interface {
	WhereHasClientWith(...predicate.ClientProfile)
}

// FilterCaseloadRecords confines reads of what hangs off a client to the
// clients of the caseloads the viewer may read.
func FilterCaseloadRecords() privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		p, ok := readableClients(v)
		cf, isChild := f.(clientChildFilter)
		if !ok || !isChild {
			return privacy.Denyf("viewer reads no caseload")
		}
		cf.WhereHasClientWith(p)
		return privacy.Allow
	})
}

// checkedMutation is what the caseload write rules need of a mutation.
type checkedMutation interface {
	ent.Mutation
	Client() *ent.Client
}

// AllowCaseloadWrites lets a clinician or supervisor change the records of
// their own caseload, and only those: updates and deletes are filtered to
// their clients, and a create or update that points at a client (or a
// clinician) outside their caseload is denied.
func AllowCaseloadWrites() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		v := viewer.FromContext(ctx)
		own := v.WritableClinicianIDs()
		if len(own) == 0 {
			return privacy.Denyf("viewer writes no caseload")
		}
		if cm, ok := m.(interface{ ClinicianID() (int, bool) }); ok {
			if id, set := cm.ClinicianID(); set && id != v.ClinicianID {
				return privacy.Denyf("clinician %d is not the viewer", id)
			}
		}
		if cm, ok := m.(interface{ ClientID() (int, bool) }); ok {
			if id, set := cm.ClientID(); set {
				if err := requireWritableClient(ctx, m, v, id); err != nil {
					return err
				}
			}
		}
		if m.Op().Is(ent.OpCreate) {
			if _, isClient := m.(*ent.ClientProfileMutation); isClient {
				if cm := m.(*ent.ClientProfileMutation); !clinicianSet(cm) {
					return privacy.Denyf("a clinician may only add clients to their own caseload")
				}
			}
			return privacy.Allow
		}
		return filterOwnCaseload.EvalMutation(ctx, m)
	})
}

// filterOwnCaseload confines an update or delete to the viewer's own caseload.
var filterOwnCaseload = privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
	type clinicianFilter interface {
		WhereClinicianID(entql.IntP)
	}
	v := viewer.FromContext(ctx)
	switch f := f.(type) {
	case clientChildFilter:
		p, ok := writableClients(v)
		if !ok {
			return privacy.Denyf("viewer writes no caseload")
		}
		f.WhereHasClientWith(p)
	case clinicianFilter:
		f.WhereClinicianID(intIn(v.WritableClinicianIDs()...))
	default:
		return privacy.Denyf("no caseload filter for %T", f)
	}
	return privacy.Allow
})

// intIn matches any of ids (entql has no IN for ints).
func intIn(ids ...int) entql.IntP {
	switch len(ids) {
	case 0:
		return entql.IntEQ(0) // ids start at 1: matches nothing
	case 1:
		return entql.IntEQ(ids[0])
	}
	ps := make([]entql.IntP, len(ids))
	for i, id := range ids {
		ps[i] = entql.IntEQ(id)
	}
	return entql.IntOr(ps[0], ps[1], ps[2:]...)
}

func clinicianSet(m *ent.ClientProfileMutation) bool {
	_, ok := m.ClinicianID()
	return ok
}

func requireWritableClient(ctx context.Context, m ent.Mutation, v *viewer.Viewer, clientID int) error {
	cm, ok := m.(checkedMutation)
	if !ok {
		return privacy.Denyf("mutation %T cannot check its client", m)
	}
	p, _ := writableClients(v)
	exists, err := cm.Client().ClientProfile.Query().
		Where(clientprofile.ID(clientID), p).
		Exist(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return privacy.Denyf("checking client: %v", err)
	}
	if !exists {
		return privacy.Denyf("client %d is not on the viewer's caseload", clientID)
	}
	return nil
}

// AllowSelfUpdate lets a clinician change their own clinician profile.
func AllowSelfUpdate() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		v := viewer.FromContext(ctx)
		cm, ok := m.(*ent.ClinicianMutation)
		if !ok || v == nil || v.ClinicianID == 0 || !m.Op().Is(ent.OpUpdateOne) {
			return privacy.Skip
		}
		if id, exists := cm.ID(); exists && id == v.ClinicianID {
			if _, changing := cm.SupervisorID(); changing || cm.SupervisorCleared() {
				return privacy.Denyf("only an admin assigns supervisors")
			}
			if _, changing := cm.UserID(); changing || cm.UserCleared() {
				return privacy.Denyf("only an admin links logins")
			}
			return privacy.Allow
		}
		return privacy.Skip
	})
}
