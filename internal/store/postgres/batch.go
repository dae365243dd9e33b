package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/sqlstore"
)

// queries are the shared queries and PostgreSQL's own batch statements,
// which pass whole arrays to unnest: one round trip however many rows.
type queries struct {
	sqlstore.Queries
	db executor
}

func newQueries(db executor, begin func(context.Context, func(sqlstore.Executor) error) error) queries {
	e := sqlstore.Executor(shared{db})
	return queries{Queries: sqlstore.New(dialect, e, e, sqlstore.Now, begin), db: db}
}

func (q *queries) CreateDeliveries(ctx context.Context, activityID string, inboxes []string) error {
	_, err := q.db.Exec(ctx, `
		INSERT INTO deliveries (activity_id, inbox, status, updated_at)
		SELECT $1, inbox, $2, $3 FROM unnest($4::text[]) AS inbox
		ON CONFLICT (activity_id, inbox) DO NOTHING`,
		activityID, newsroom.DeliveryPending, q.Now(), inboxes)
	return q.Wrap(err, "create deliveries of %s", activityID)
}

// UpdateDeliveries is one statement: delivery outcomes are recorded by
// group commit, and one round trip per batch instead of one per row keeps
// short the window in which a crash sends a delivery twice.
func (q *queries) UpdateDeliveries(ctx context.Context, ds []newsroom.Delivery) error {
	n := len(ds)
	acts, inboxes, statuses, errs, reasons := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	attempts := make([]int32, n)
	updated := make([]time.Time, n)
	next := make([]*time.Time, n)
	for i, d := range ds {
		if d.UpdatedAt.IsZero() {
			d.UpdatedAt = q.Now()
		}
		acts[i], inboxes[i], statuses[i], errs[i], reasons[i] = d.ActivityID, d.Inbox, string(d.Status), d.LastError, d.Reason
		attempts[i], updated[i] = int32(d.Attempts), d.UpdatedAt.UTC()
		if !d.NextAttempt.IsZero() {
			at := d.NextAttempt.UTC()
			next[i] = &at
		}
	}
	_, err := q.db.Exec(ctx, `
		UPDATE deliveries AS d
		SET status = u.status, attempts = u.attempts, last_error = u.last_error, reason = u.reason,
			next_attempt_at = u.next_attempt_at, updated_at = u.updated_at
		FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[])
			AS u(activity_id, inbox, status, attempts, last_error, reason, next_attempt_at, updated_at)
		WHERE d.activity_id = u.activity_id AND d.inbox = u.inbox`,
		acts, inboxes, statuses, attempts, errs, reasons, next, updated)
	return q.Wrap(err, "update %d deliveries", n)
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
			a.ReceivedAt = q.Now()
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
			ON CONFLICT (actor_id, id) DO NOTHING
			RETURNING actor_id, id
		), counted AS (
			INSERT INTO interactions (activity_id, kind, post_id, actor_id, created_at)
			SELECT i.id, i.kind, i.post_id, i.actor_id, i.created_at
			FROM input i JOIN recorded r ON r.actor_id = i.actor_id AND r.id = i.id
			WHERE i.kind <> ''
			ON CONFLICT DO NOTHING
		)
		SELECT actor_id, id FROM recorded`,
		ids, actors, types, orgs, raws, received, kinds, posts, created)
	if err != nil {
		return nil, q.Wrap(err, "record %d inbox activities", n)
	}
	recorded, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.ActivityKey, error) {
		var k store.ActivityKey
		err := row.Scan(&k.ActorID, &k.ID)
		return k, err
	})
	if err != nil {
		return nil, q.Wrap(err, "record %d inbox activities", n)
	}
	isNew := make(map[store.ActivityKey]bool, len(recorded))
	for _, k := range recorded {
		isNew[k] = true
	}
	return store.Fresh(records, isNew), nil
}
