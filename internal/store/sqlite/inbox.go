package sqlite

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

func (q *queries) RecordInboxActivity(ctx context.Context, a newsroom.InboxActivity) (bool, error) {
	if a.ReceivedAt.IsZero() {
		a.ReceivedAt = q.now()
	}
	n, err := affected(q.w.ExecContext(ctx, `
		INSERT INTO inbox_activities (id, actor_id, type, org_id, raw, received_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		a.ID, a.ActorID, a.Type, nullID(a.OrgID), a.Raw, micros(a.ReceivedAt)))
	if err != nil {
		return false, wrapErr(err, "record inbox activity %s", a.ID)
	}
	return n == 1, nil
}

func (q *queries) InboxActivityByID(ctx context.Context, id string) (*newsroom.InboxActivity, error) {
	var a newsroom.InboxActivity
	err := q.r.QueryRowContext(ctx, `
		SELECT id, actor_id, type, coalesce(org_id, 0), raw, received_at
		FROM inbox_activities WHERE id = ?`, id).
		Scan(&a.ID, &a.ActorID, &a.Type, &a.OrgID, &a.Raw, at(&a.ReceivedAt))
	if err != nil {
		return nil, wrapErr(err, "inbox activity %s", id)
	}
	return &a, nil
}
