package sqlite

import (
	"context"
	"errors"
	"slices"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/sqlstore"
)

// queries are the shared queries and SQLite's own way with batches: one
// transaction of short statements, which on SQLite cost no round trip.
type queries struct {
	sqlstore.Queries
}

// CreateDeliveries writes a fan-out's rows with one multi-row INSERT per
// chunk: a statement's execution costs more than the row it writes
// (binding, stepping, resetting through database/sql and the driver), and
// a fan-out writes thousands of rows at once.
func (q *queries) CreateDeliveries(ctx context.Context, activityID string, inboxes []string) error {
	t := micros(q.Now())
	err := q.WithTx(ctx, func(q *sqlstore.Queries) error {
		args := make([]any, 0, 4*min(len(inboxes), inboxRowsPerStatement))
		for chunk := range slices.Chunk(inboxes, inboxRowsPerStatement) {
			args = args[:0]
			for _, inbox := range chunk {
				args = append(args, activityID, inbox, newsroom.DeliveryPending, t)
			}
			if _, err := q.Writer().Exec(ctx, `
				INSERT INTO deliveries (activity_id, inbox, status, updated_at)
				VALUES `+sqlstore.Values(len(chunk), 4)+`
				ON CONFLICT (activity_id, inbox) DO NOTHING`, args...); err != nil {
				return err
			}
		}
		return nil
	})
	return q.Wrap(err, "create deliveries of %s", activityID)
}

// UpdateDeliveries runs one prepared UPDATE per row in one transaction.
func (q *queries) UpdateDeliveries(ctx context.Context, ds []newsroom.Delivery) error {
	err := q.WithTx(ctx, func(q *sqlstore.Queries) error {
		for _, d := range ds {
			if err := q.UpdateDelivery(ctx, d); err != nil && !errors.Is(err, newsroom.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	return q.Wrap(err, "update %d deliveries", len(ds))
}

// inboxRowsPerStatement keeps a statement's parameters well under
// SQLite's limit of 32,766.
const inboxRowsPerStatement = 500

// RecordInboxActivities writes a batch with one multi-row INSERT per table
// and one commit: modernc.org/sqlite parses every statement anew, and
// every commit writes the WAL, so both are paid once per batch rather than
// once per Like.
func (q *queries) RecordInboxActivities(ctx context.Context, records []newsroom.InboxRecord) ([]bool, error) {
	first := store.UniqueRecords(records)
	isNew := make(map[store.ActivityKey]bool, len(first))
	err := q.WithTx(ctx, func(q *sqlstore.Queries) error {
		for chunk := range slices.Chunk(first, inboxRowsPerStatement) {
			if err := recordInboxChunk(ctx, q, chunk, isNew); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, q.Wrap(err, "record %d inbox activities", len(first))
	}
	return store.Fresh(records, isNew), nil
}

func recordInboxChunk(ctx context.Context, q *sqlstore.Queries, chunk []newsroom.InboxRecord, isNew map[store.ActivityKey]bool) error {
	args := make([]any, 0, 6*len(chunk))
	for _, r := range chunk {
		a := r.Activity
		if a.ReceivedAt.IsZero() {
			a.ReceivedAt = q.Now()
		}
		args = append(args, a.ID, a.ActorID, a.Type, sqlstore.NullID(a.OrgID), a.Raw, micros(a.ReceivedAt))
	}
	rows, err := q.Writer().Query(ctx, `INSERT INTO inbox_activities (id, actor_id, type, org_id, raw, received_at) VALUES `+
		sqlstore.Values(len(chunk), 6)+` ON CONFLICT (actor_id, id) DO NOTHING RETURNING actor_id, id`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k store.ActivityKey
		if err := rows.Scan(&k.ActorID, &k.ID); err != nil {
			rows.Close()
			return err
		}
		isNew[k] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	args = args[:0]
	for _, r := range chunk {
		in := r.Interaction
		if in == nil || !isNew[store.KeyOf(r.Activity)] {
			continue
		}
		created := in.CreatedAt
		if created.IsZero() {
			created = r.Activity.ReceivedAt
		}
		if created.IsZero() {
			created = q.Now()
		}
		args = append(args, r.Activity.ID, in.Kind, in.PostID, r.Activity.ActorID, micros(created))
	}
	if len(args) == 0 {
		return nil
	}
	_, err = q.Writer().Exec(ctx, `INSERT INTO interactions (activity_id, kind, post_id, actor_id, created_at) VALUES `+
		sqlstore.Values(len(args)/5, 5)+` ON CONFLICT DO NOTHING`, args...)
	return err
}
