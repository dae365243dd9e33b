package postgres

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

func (q *queries) RecordInboxActivity(ctx context.Context, a newsroom.InboxActivity) (bool, error) {
	if a.ReceivedAt.IsZero() {
		a.ReceivedAt = q.now()
	}
	n, err := affected(q.db.Exec(ctx, `
		INSERT INTO inbox_activities (id, actor_id, type, org_id, raw, received_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO NOTHING`,
		a.ID, a.ActorID, a.Type, nullID(a.OrgID), a.Raw, tstz(a.ReceivedAt)))
	if err != nil {
		return false, wrapErr(err, "record inbox activity %s", a.ID)
	}
	return n == 1, nil
}

func (q *queries) InboxActivityByID(ctx context.Context, id string) (*newsroom.InboxActivity, error) {
	var a newsroom.InboxActivity
	err := q.db.QueryRow(ctx, `
		SELECT id, actor_id, type, coalesce(org_id, 0), raw, received_at
		FROM inbox_activities WHERE id = $1`, id).
		Scan(&a.ID, &a.ActorID, &a.Type, &a.OrgID, &a.Raw, at(&a.ReceivedAt))
	if err != nil {
		return nil, wrapErr(err, "inbox activity %s", id)
	}
	return &a, nil
}
