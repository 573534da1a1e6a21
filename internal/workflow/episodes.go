package workflow

import (
	"context"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/episode"
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

// bookInOpenEpisode saves a new session in the client's open episode, if
// the client has one (a back-entered session of a closed case has none).
func bookInOpenEpisode(ctx context.Context, tx *ent.Client, create *ent.AppointmentCreate, clientID int) (*ent.Appointment, error) {
	ep, err := OpenEpisode(ctx, tx, clientID)
	if err != nil {
		return nil, err
	}
	if ep != nil {
		create.SetEpisodeID(ep.ID)
	}
	return create.Save(ctx)
}
