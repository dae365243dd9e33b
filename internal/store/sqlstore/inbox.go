package sqlstore

import (
	"context"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

func (q *Queries) RecordInboxActivity(ctx context.Context, a newsroom.InboxActivity) (bool, error) {
	if a.ReceivedAt.IsZero() {
		a.ReceivedAt = q.now()
	}
	n, err := q.w.Exec(ctx, `
		INSERT INTO inbox_activities (id, actor_id, type, org_id, raw, received_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		a.ID, a.ActorID, a.Type, NullID(a.OrgID), a.Raw, q.time(a.ReceivedAt))
	if err != nil {
		return false, q.Wrap(err, "record inbox activity %s", a.ID)
	}
	return n == 1, nil
}

func (q *Queries) InboxActivityByID(ctx context.Context, id string) (*newsroom.InboxActivity, error) {
	var a newsroom.InboxActivity
	err := q.r.QueryRow(ctx, `
		SELECT id, actor_id, type, coalesce(org_id, 0), raw, received_at
		FROM inbox_activities WHERE id = ?`, id).
		Scan(&a.ID, &a.ActorID, &a.Type, &a.OrgID, &a.Raw, q.at(&a.ReceivedAt))
	if err != nil {
		return nil, q.Wrap(err, "inbox activity %s", id)
	}
	return &a, nil
}

// PruneInboxActivities deletes at most limit activities received before
// the given time, oldest first, and returns how many: a short statement
// that the caller repeats, so that the single writer is never held long.
func (q *Queries) PruneInboxActivities(ctx context.Context, before time.Time, limit int) (int64, error) {
	n, err := q.w.Exec(ctx, `
		DELETE FROM inbox_activities WHERE id IN (
			SELECT id FROM inbox_activities WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
		q.time(before), q.limit(limit))
	return n, q.Wrap(err, "prune inbox activities before %s", before)
}
