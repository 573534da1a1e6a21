// Package viewer says who is asking: the practice (tenant), the user, their
// role and, for clinicians and supervisors, which caseloads they may read and
// write. It is put on the request context by the auth middleware and read by
// the privacy rules of the data layer. It imports only the standard library.
package viewer

import (
	"context"
	"slices"
)

// Role is what a user may do in their practice (SPEC.md "Access").
type Role string

// The roles of SPEC.md.
const (
	Admin      Role = "ADMIN"
	Clinician  Role = "CLINICIAN"
	Supervisor Role = "SUPERVISOR"
	Analyst    Role = "ANALYST"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case Admin, Clinician, Supervisor, Analyst:
		return true
	}
	return false
}

// Viewer is the signed-in user a request acts for.
type Viewer struct {
	// PracticeID is the tenant every read and write is confined to.
	PracticeID int
	// UserID is the signed-in user.
	UserID int
	// Role decides the scope of reads and writes.
	Role Role
	// ClinicianID is the user's clinician profile (0 when the user has none).
	ClinicianID int
	// SuperviseeIDs are the clinicians this user supervises (read-only scope).
	SuperviseeIDs []int
	// Session is the sign-in session the request's token belongs to
	// (logout ends it).
	Session string
}

// IsAdmin reports whether the viewer administers the practice.
func (v *Viewer) IsAdmin() bool { return v != nil && v.Role == Admin }

// SeesWholePractice reports whether the viewer reads every record of the
// practice (admins, and analysts whose identifying fields are withheld elsewhere).
func (v *Viewer) SeesWholePractice() bool {
	return v != nil && (v.Role == Admin || v.Role == Analyst)
}

// ReadableClinicianIDs are the caseloads the viewer may read: their own and,
// for a supervisor, those of their supervisees.
func (v *Viewer) ReadableClinicianIDs() []int {
	if v == nil || v.ClinicianID == 0 {
		return nil
	}
	ids := append([]int{v.ClinicianID}, v.SuperviseeIDs...)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// WritableClinicianIDs are the caseloads the viewer may change: only their own.
func (v *Viewer) WritableClinicianIDs() []int {
	if v == nil || v.ClinicianID == 0 || (v.Role != Clinician && v.Role != Supervisor) {
		return nil
	}
	return []int{v.ClinicianID}
}

type ctxKey struct{}

// NewContext returns a copy of ctx that carries v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// FromContext returns the viewer on ctx, or nil when there is none. Callers
// must treat nil as "nobody": there is no default user.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(ctxKey{}).(*Viewer)
	return v
}
