package workflow

import (
	"context"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/ent/predicate"
)

// OpenEpisode returns the client's open episode, or nil.
func OpenEpisode(ctx context.Context, tx *ent.Client, clientID int) (*ent.Episode, error) {
	ep, err := tx.Episode.Query().
		Where(episode.ClientID(clientID), episode.ClosedAtIsNil()).
		Order(ent.Desc(episode.FieldOpenedAt)).
		First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return ep, err
}

// episodeAt returns the id of the client's episode whose span
// [opened_at, closed_at) contains t, or nil when t is before the first
// episode or between a closing and the next opening (SPEC rule 1: a
// session belongs to the episode of its start, however late it was
// entered; one outside every stretch of care belongs to none). The rules
// (caseload.Episode.Contains) draw the same line.
func episodeAt(ctx context.Context, tx *ent.Client, clientID int, t time.Time) (*int, error) {
	ep, err := tx.Episode.Query().
		Where(
			episode.ClientID(clientID),
			episode.OpenedAtLTE(t),
			episode.Or(episode.ClosedAtIsNil(), episode.ClosedAtGT(t)),
		).
		Order(ent.Desc(episode.FieldOpenedAt)).
		First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &ep.ID, nil
}

// filedAt is the clinical time by which a session is filed in an episode
// (caseload.Appointment.FiledAt): its start, or when it was cancelled if
// that was before the start.
func filedAt(start time.Time, status appointment.Status, canceledAt *time.Time) time.Time {
	if status == appointment.StatusCANCELED && canceledAt != nil && canceledAt.Before(start) {
		return *canceledAt
	}
	return start
}

// bookInEpisode saves a new session in the client's episode whose span
// contains its clinical time (see episodeAt, filedAt): a session an admin
// back-enters after the case was reopened, dated before the reopening, is
// filed in the closed episode, not the open one.
func bookInEpisode(ctx context.Context, tx *ent.Client, create *ent.AppointmentCreate, clientID int) (*ent.Appointment, error) {
	m := create.Mutation()
	start, _ := m.StartsAt()
	status, ok := m.Status()
	if !ok {
		status = appointment.DefaultStatus
	}
	var canceledAt *time.Time
	if v, ok := m.CanceledAt(); ok {
		canceledAt = &v
	}
	ep, err := episodeAt(ctx, tx, clientID, filedAt(start, status, canceledAt))
	if err != nil {
		return nil, err
	}
	create.SetNillableEpisodeID(ep)
	return create.Save(ctx)
}

// refile files a session that changes (a reschedule, an admin's
// correction) in the episode of its clinical time once changed: a is the
// session as it was, update the change.
func refile(ctx context.Context, tx *ent.Client, a *ent.Appointment, update *ent.AppointmentUpdateOne) error {
	m := update.Mutation()
	start, status, canceledAt := a.StartsAt, a.Status, a.CanceledAt
	if v, ok := m.StartsAt(); ok {
		start = v
	}
	if v, ok := m.Status(); ok {
		status = v
	}
	if v, ok := m.CanceledAt(); ok {
		canceledAt = &v
	} else if m.CanceledAtCleared() {
		canceledAt = nil
	}
	ep, err := episodeAt(ctx, tx, a.ClientID, filedAt(start, status, canceledAt))
	if err != nil {
		return err
	}
	if ep == nil {
		update.ClearEpisodeID()
	} else {
		update.SetEpisodeID(*ep)
	}
	return nil
}

// cancelledBefore matches the sessions cancelled before t: one that starts
// at or after t is filed by its cancellation, before t (filedAt).
func cancelledBefore(t time.Time) predicate.Appointment {
	return appointment.And(appointment.StatusEQ(appointment.StatusCANCELED), appointment.CanceledAtLT(t))
}

// unfileAfterClosing takes the sessions of a closing episode whose clinical
// time is at or after its closing out of it: they are in no episode now
// (the closing cancels the booked ones), and the next opening files them
// again. A late cancel made before the closing stays: it was a strike of
// this episode.
func unfileAfterClosing(ctx context.Context, tx *ent.Client, episodeID int, closedAt time.Time) error {
	return tx.Appointment.Update().
		Where(appointment.EpisodeID(episodeID), appointment.StartsAtGTE(closedAt), appointment.Not(cancelledBefore(closedAt))).
		ClearEpisodeID().
		Exec(ctx)
}

// fileAfterOpening files in a new episode the client's sessions whose
// clinical time is at or after its opening (the episode is open, so its
// span has no end).
func fileAfterOpening(ctx context.Context, tx *ent.Client, clientID, episodeID int, openedAt time.Time) error {
	return tx.Appointment.Update().
		Where(appointment.ClientID(clientID), appointment.StartsAtGTE(openedAt), appointment.Not(cancelledBefore(openedAt))).
		SetEpisodeID(episodeID).
		Exec(ctx)
}
