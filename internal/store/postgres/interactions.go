package postgres

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

// AddInteraction also returns false when the actor already made this kind
// of reaction to the post under another activity id.
func (q *queries) AddInteraction(ctx context.Context, i newsroom.Interaction) (bool, error) {
	if i.CreatedAt.IsZero() {
		i.CreatedAt = q.now()
	}
	n, err := affected(q.db.Exec(ctx, `
		INSERT INTO interactions (activity_id, kind, post_id, actor_id, created_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`,
		i.ActivityID, i.Kind, i.PostID, i.ActorID, tstz(i.CreatedAt)))
	if err != nil {
		return false, wrapErr(err, "add %s %s", i.Kind, i.ActivityID)
	}
	return n == 1, nil
}

// RemoveInteraction is idempotent; another actor's activity is left alone.
func (q *queries) RemoveInteraction(ctx context.Context, activityID, actorID string) error {
	_, err := q.db.Exec(ctx,
		`DELETE FROM interactions WHERE activity_id = $1 AND actor_id = $2`, activityID, actorID)
	return wrapErr(err, "remove interaction %s", activityID)
}

// RemoveInteractionByObject is idempotent.
func (q *queries) RemoveInteractionByObject(ctx context.Context, kind newsroom.InteractionKind, postID, actorID string) error {
	_, err := q.db.Exec(ctx, `
		DELETE FROM interactions WHERE kind = $1 AND post_id = $2 AND actor_id = $3`,
		kind, postID, actorID)
	return wrapErr(err, "remove %s of post %s", kind, postID)
}

func (q *queries) CountInteractions(ctx context.Context, postID string) (likes, announces int, err error) {
	err = q.db.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE kind = $1), count(*) FILTER (WHERE kind = $2)
		FROM interactions WHERE post_id = $3`,
		newsroom.InteractionLike, newsroom.InteractionAnnounce, postID).Scan(&likes, &announces)
	return likes, announces, wrapErr(err, "count interactions of post %s", postID)
}
