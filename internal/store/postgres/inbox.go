package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
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

// RecordInboxActivities is one statement, so one round trip and one commit
// for a whole batch: the inbox's group commit sends the Likes and boosts
// of concurrent requests here together.
func (q *queries) RecordInboxActivities(ctx context.Context, records []newsroom.InboxRecord) ([]bool, error) {
	first := store.UniqueRecords(records)
	n := len(first)
	var (
		ids, actors, types, kinds, posts = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		orgs                             = make([]*int64, n)
		raws                             = make([][]byte, n)
		received, created                = make([]time.Time, n), make([]time.Time, n)
	)
	for i, r := range first {
		a := r.Activity
		if a.ReceivedAt.IsZero() {
			a.ReceivedAt = q.now()
		}
		ids[i], actors[i], types[i], raws[i], received[i] = a.ID, a.ActorID, a.Type, a.Raw, a.ReceivedAt.UTC()
		if a.OrgID != 0 {
			orgs[i] = &a.OrgID
		}
		created[i] = received[i]
		if in := r.Interaction; in != nil {
			kinds[i], posts[i] = string(in.Kind), in.PostID
			if !in.CreatedAt.IsZero() {
				created[i] = in.CreatedAt.UTC()
			}
		}
	}
	rows, err := q.db.Query(ctx, `
		WITH input AS (
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bytea[],
				$6::timestamptz[], $7::text[], $8::text[], $9::timestamptz[])
				AS t(id, actor_id, type, org_id, raw, received_at, kind, post_id, created_at)
		), recorded AS (
			INSERT INTO inbox_activities (id, actor_id, type, org_id, raw, received_at)
			SELECT id, actor_id, type, org_id, raw, received_at FROM input
			ON CONFLICT (id) DO NOTHING
			RETURNING id
		), counted AS (
			INSERT INTO interactions (activity_id, kind, post_id, actor_id, created_at)
			SELECT i.id, i.kind, i.post_id, i.actor_id, i.created_at
			FROM input i JOIN recorded r ON r.id = i.id
			WHERE i.kind <> ''
			ON CONFLICT DO NOTHING
		)
		SELECT id FROM recorded`,
		ids, actors, types, orgs, raws, received, kinds, posts, created)
	if err != nil {
		return nil, wrapErr(err, "record %d inbox activities", n)
	}
	recorded, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrapErr(err, "record %d inbox activities", n)
	}
	isNew := make(map[string]bool, len(recorded))
	for _, id := range recorded {
		isNew[id] = true
	}
	return store.Fresh(records, isNew), nil
}
