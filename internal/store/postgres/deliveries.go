package postgres

import (
	"context"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

func (q *queries) CreateDeliveries(ctx context.Context, activityID string, inboxes []string) error {
	_, err := q.db.Exec(ctx, `
		INSERT INTO deliveries (activity_id, inbox, status, updated_at)
		SELECT $1, inbox, $2, $3 FROM unnest($4::text[]) AS inbox
		ON CONFLICT (activity_id, inbox) DO NOTHING`,
		activityID, newsroom.DeliveryPending, q.now(), inboxes)
	return wrapErr(err, "create deliveries of %s", activityID)
}

// UpdateDelivery sets a zero UpdatedAt to now; ErrNotFound for an unknown pair.
func (q *queries) UpdateDelivery(ctx context.Context, d newsroom.Delivery) error {
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = q.now()
	}
	err := mustAffect(q.db.Exec(ctx, `
		UPDATE deliveries SET status = $1, attempts = $2, last_error = $3, updated_at = $4
		WHERE activity_id = $5 AND inbox = $6`,
		d.Status, d.Attempts, d.LastError, tstz(d.UpdatedAt), d.ActivityID, d.Inbox))
	return wrapErr(err, "update delivery of %s to %s", d.ActivityID, d.Inbox)
}

// UpdateDeliveries is one statement: delivery outcomes are recorded by
// group commit, and one round trip per batch instead of one per row keeps
// short the window in which a crash sends a delivery twice.
func (q *queries) UpdateDeliveries(ctx context.Context, ds []newsroom.Delivery) error {
	n := len(ds)
	acts, inboxes, statuses, errs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	attempts := make([]int32, n)
	updated := make([]time.Time, n)
	for i, d := range ds {
		if d.UpdatedAt.IsZero() {
			d.UpdatedAt = q.now()
		}
		acts[i], inboxes[i], statuses[i], errs[i] = d.ActivityID, d.Inbox, string(d.Status), d.LastError
		attempts[i], updated[i] = int32(d.Attempts), d.UpdatedAt.UTC()
	}
	_, err := q.db.Exec(ctx, `
		UPDATE deliveries AS d
		SET status = u.status, attempts = u.attempts, last_error = u.last_error, updated_at = u.updated_at
		FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::timestamptz[])
			AS u(activity_id, inbox, status, attempts, last_error, updated_at)
		WHERE d.activity_id = u.activity_id AND d.inbox = u.inbox`,
		acts, inboxes, statuses, attempts, errs, updated)
	return wrapErr(err, "update %d deliveries", n)
}

func (q *queries) DeliveryProgress(ctx context.Context, activityID string) (newsroom.DeliveryProgress, error) {
	var p newsroom.DeliveryProgress
	err := q.db.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE status = $1),
			count(*) FILTER (WHERE status = $2), count(*) FILTER (WHERE status = $3)
		FROM deliveries WHERE activity_id = $4`,
		newsroom.DeliveryDelivered, newsroom.DeliveryPending, newsroom.DeliveryFailed, activityID).
		Scan(&p.Total, &p.Delivered, &p.Pending, &p.Failed)
	return p, wrapErr(err, "delivery progress of %s", activityID)
}

// ListDeliveries lists by inbox; status "" means any, limit 0 no limit.
func (q *queries) ListDeliveries(ctx context.Context, activityID string, status newsroom.DeliveryStatus, limit int) ([]newsroom.Delivery, error) {
	ds, err := list(ctx, q.db, scanDelivery, `
		SELECT activity_id, inbox, status, attempts, last_error, updated_at
		FROM deliveries WHERE activity_id = $1 AND ($2 = '' OR status = $2)
		ORDER BY inbox LIMIT $3`, activityID, status, pgLimit(limit))
	return ds, wrapErr(err, "list deliveries of %s", activityID)
}

// DeliveryByInbox returns the delivery of activityID to inbox.
func (q *queries) DeliveryByInbox(ctx context.Context, activityID, inbox string) (*newsroom.Delivery, error) {
	d, err := scanDelivery(q.db.QueryRow(ctx, `
		SELECT activity_id, inbox, status, attempts, last_error, updated_at
		FROM deliveries WHERE activity_id = $1 AND inbox = $2`, activityID, inbox))
	if err != nil {
		return nil, wrapErr(err, "delivery of %s to %s", activityID, inbox)
	}
	return &d, nil
}

func scanDelivery(row scanner) (newsroom.Delivery, error) {
	var d newsroom.Delivery
	err := row.Scan(&d.ActivityID, &d.Inbox, &d.Status, &d.Attempts, &d.LastError, at(&d.UpdatedAt))
	return d, err
}
