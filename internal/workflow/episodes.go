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
