package sqlstore

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

// AddInteraction returns false when the actor's activity was counted
// before, or the actor already made this kind of reaction to the post
// under another activity id. An activity is the actor's and its id
// together, as in inbox_activities.
func (q *Queries) AddInteraction(ctx context.Context, i newsroom.Interaction) (bool, error) {
	if i.CreatedAt.IsZero() {
		i.CreatedAt = q.now()
	}
	n, err := q.w.Exec(ctx, `
		INSERT INTO interactions (activity_id, kind, post_id, actor_id, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		i.ActivityID, i.Kind, i.PostID, i.ActorID, q.time(i.CreatedAt))
	if err != nil {
		return false, q.Wrap(err, "add %s %s", i.Kind, i.ActivityID)
	}
	return n == 1, nil
}

// RemoveInteraction is idempotent; another actor's activity is left alone.
func (q *Queries) RemoveInteraction(ctx context.Context, activityID, actorID string) error {
	_, err := q.w.Exec(ctx,
		`DELETE FROM interactions WHERE activity_id = ? AND actor_id = ?`, activityID, actorID)
	return q.Wrap(err, "remove interaction %s", activityID)
}

// RemoveInteractionByObject is idempotent.
func (q *Queries) RemoveInteractionByObject(ctx context.Context, kind newsroom.InteractionKind, postID, actorID string) error {
	_, err := q.w.Exec(ctx, `
		DELETE FROM interactions WHERE kind = ? AND post_id = ? AND actor_id = ?`,
		kind, postID, actorID)
	return q.Wrap(err, "remove %s of post %s", kind, postID)
}

func (q *Queries) CountInteractions(ctx context.Context, postID string) (likes, announces int, err error) {
	err = q.r.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE kind = ?), count(*) FILTER (WHERE kind = ?)
		FROM interactions WHERE post_id = ?`,
		newsroom.InteractionLike, newsroom.InteractionAnnounce, postID).Scan(&likes, &announces)
	return likes, announces, q.Wrap(err, "count interactions of post %s", postID)
}
