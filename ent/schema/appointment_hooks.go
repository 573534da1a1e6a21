package schema

import (
	"context"
	"time"

	"entgo.io/ent"

	gen "github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/hook"
	"github.com/caseload/caseload/ent/predicate"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/caseload"
)

// Hooks of the Appointment: nobody is ever double-booked. The check runs in
// the writing transaction. On SQLite every write transaction holds the
// database's write lock from its start, so check and write cannot
// interleave; on PostgreSQL exclusion constraints (see internal/database)
// back it under concurrency, and this check gives the friendly message.
func (Appointment) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.AppointmentFunc(func(ctx context.Context, m *gen.AppointmentMutation) (ent.Value, error) {
				// Instants are stored in UTC: SQLite compares them as text.
				if v, ok := m.StartsAt(); ok {
					m.SetStartsAt(v.UTC())
				}
				if v, ok := m.EndsAt(); ok {
					m.SetEndsAt(v.UTC())
				}
				if err := checkDoubleBooking(ctx, m); err != nil {
					return nil, err
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate|ent.OpUpdateOne),
	}
}

func checkDoubleBooking(ctx context.Context, m *gen.AppointmentMutation) error {
	var (
		id                int
		practice, cl, cli int
		start, end        time.Time
		status            appointment.Status
		err               error
	)
	old := func(get func(context.Context) (int, error), cur func() (int, bool)) int {
		if v, ok := cur(); ok {
			return v
		}
		v, e := get(ctx)
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	if m.Op().Is(ent.OpUpdateOne) {
		id, _ = m.ID()
		if _, ok := m.StartsAt(); !ok {
			if _, ok := m.EndsAt(); !ok {
				if _, ok := m.ClinicianID(); !ok {
					if s, ok := m.Status(); !ok || s == appointment.StatusCANCELED {
						return nil // nothing that could create an overlap
					}
				}
			}
		}
		practice, err = m.OldPracticeID(ctx)
		cl = old(m.OldClientID, m.ClientID)
		cli = old(m.OldClinicianID, m.ClinicianID)
		if v, ok := m.StartsAt(); ok {
			start = v
		} else if start, err = m.OldStartsAt(ctx); err != nil {
			return err
		}
		if v, ok := m.EndsAt(); ok {
			end = v
		} else if end, err = m.OldEndsAt(ctx); err != nil {
			return err
		}
		if v, ok := m.Status(); ok {
			status = v
		} else if status, err = m.OldStatus(ctx); err != nil {
			return err
		}
	} else {
		practice, _ = m.PracticeID()
		cl, _ = m.ClientID()
		cli, _ = m.ClinicianID()
		start, _ = m.StartsAt()
		end, _ = m.EndsAt()
		status = appointment.DefaultStatus
		if v, ok := m.Status(); ok {
			status = v
		}
	}
	if err != nil {
		return err
	}
	if status == appointment.StatusCANCELED {
		return nil
	}
	if end.Sub(start) > caseload.MaxSession {
		return caseload.PolicyViolation("a session lasts at most %v", caseload.MaxSession)
	}
	// Other clinicians' sessions count for the client's double booking:
	// look past the caller's caseload, inside the practice. Each query is a
	// short range scan of the (clinician|client, starts_at) index: a session
	// that overlaps starts less than MaxSession before this one ends.
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	overlapping := func(p ...predicate.Appointment) (bool, error) {
		q := m.Client().Appointment.Query().Where(p...).Where(
			appointment.PracticeID(practice),
			appointment.StartsAtGT(start.Add(-caseload.MaxSession)),
			appointment.StartsAtLT(end),
			appointment.EndsAtGT(start),
			appointment.StatusNEQ(appointment.StatusCANCELED),
		)
		if id != 0 {
			q.Where(appointment.IDNEQ(id))
		}
		return q.Exist(sys)
	}
	if clash, err := overlapping(appointment.ClinicianID(cli)); err != nil || clash {
		if clash {
			return caseload.Conflict("the clinician already has a session at that time")
		}
		return err
	}
	if clash, err := overlapping(appointment.ClientID(cl)); err != nil || clash {
		if clash {
			return caseload.Conflict("the client already has a session at that time")
		}
		return err
	}
	return nil
}
