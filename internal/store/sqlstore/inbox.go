package sqlstore

import (
	"context"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// RecordInboxActivity keys an activity by its actor and its id: another
// actor of the same server may send the same id, and must not find its
// activity taken for a replay of the first one's.
func (q *Queries) RecordInboxActivity(ctx context.Context, a newsroom.InboxActivity) (bool, error) {
	if a.ReceivedAt.IsZero() {
		a.ReceivedAt = q.now()
	}
	n, err := q.w.Exec(ctx, `
		INSERT INTO inbox_activities (id, actor_id, type, org_id, raw, received_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (actor_id, id) DO NOTHING`,
		a.ID, a.ActorID, a.Type, NullID(a.OrgID), a.Raw, q.time(a.ReceivedAt))
	if err != nil {
		return false, q.Wrap(err, "record inbox activity %s of %s", a.ID, a.ActorID)
	}
	return n == 1, nil
}

func (q *Queries) InboxActivityByID(ctx context.Context, id, actorID string) (*newsroom.InboxActivity, error) {
	var a newsroom.InboxActivity
	err := q.r.QueryRow(ctx, `
		SELECT id, actor_id, type, coalesce(org_id, 0), raw, received_at
		FROM inbox_activities WHERE actor_id = ? AND id = ?`, actorID, id).
		Scan(&a.ID, &a.ActorID, &a.Type, &a.OrgID, &a.Raw, q.at(&a.ReceivedAt))
	if err != nil {
		return nil, q.Wrap(err, "inbox activity %s of %s", id, actorID)
	}
	return &a, nil
}

// PruneInboxActivities deletes at most limit activities received before
// the given time, oldest first, and returns how many: a short statement
// that the caller repeats, so that the single writer is never held long.
// Rows are named by their whole key: an id alone may also be another
// actor's activity, received later.
func (q *Queries) PruneInboxActivities(ctx context.Context, before time.Time, limit int) (int64, error) {
	n, err := q.w.Exec(ctx, `
		DELETE FROM inbox_activities WHERE (actor_id, id) IN (
			SELECT actor_id, id FROM inbox_activities WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
		q.time(before), q.limit(limit))
	return n, q.Wrap(err, "prune inbox activities before %s", before)
}
