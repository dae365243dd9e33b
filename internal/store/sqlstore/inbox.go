package sqlstore

import (
	"context"

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
