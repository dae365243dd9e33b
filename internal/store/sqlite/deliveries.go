package sqlite

import (
	"context"
	"errors"

	"github.com/soga/newsroom/internal/newsroom"
)

func (q *queries) CreateDeliveries(ctx context.Context, activityID string, inboxes []string) error {
	t := q.now()
	err := q.withTx(ctx, func(q *queries) error {
		for _, inbox := range inboxes {
			if _, err := q.w.ExecContext(ctx, `
				INSERT INTO deliveries (activity_id, inbox, status, updated_at)
				VALUES (?, ?, ?, ?)
				ON CONFLICT (activity_id, inbox) DO NOTHING`,
				activityID, inbox, newsroom.DeliveryPending, micros(t)); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapErr(err, "create deliveries of %s", activityID)
}

// UpdateDelivery sets a zero UpdatedAt to now; ErrNotFound for an unknown pair.
func (q *queries) UpdateDelivery(ctx context.Context, d newsroom.Delivery) error {
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = q.now()
	}
	err := mustAffect(q.w.ExecContext(ctx, `
		UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, updated_at = ?
		WHERE activity_id = ? AND inbox = ?`,
		d.Status, d.Attempts, d.LastError, micros(d.UpdatedAt), d.ActivityID, d.Inbox))
	return wrapErr(err, "update delivery of %s to %s", d.ActivityID, d.Inbox)
}

// UpdateDeliveries runs one prepared UPDATE per row in one transaction:
// on SQLite a statement costs no round trip.
func (q *queries) UpdateDeliveries(ctx context.Context, ds []newsroom.Delivery) error {
	err := q.withTx(ctx, func(q *queries) error {
		for _, d := range ds {
			if err := q.UpdateDelivery(ctx, d); err != nil && !errors.Is(err, newsroom.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	return wrapErr(err, "update %d deliveries", len(ds))
}

func (q *queries) DeliveryProgress(ctx context.Context, activityID string) (newsroom.DeliveryProgress, error) {
	var p newsroom.DeliveryProgress
	err := q.r.QueryRowContext(ctx, `
		SELECT count(*), count(*) FILTER (WHERE status = ?),
			count(*) FILTER (WHERE status = ?), count(*) FILTER (WHERE status = ?)
		FROM deliveries WHERE activity_id = ?`,
		newsroom.DeliveryDelivered, newsroom.DeliveryPending, newsroom.DeliveryFailed, activityID).
		Scan(&p.Total, &p.Delivered, &p.Pending, &p.Failed)
	return p, wrapErr(err, "delivery progress of %s", activityID)
}

// ListDeliveries lists by inbox; status "" means any, limit 0 no limit.
func (q *queries) ListDeliveries(ctx context.Context, activityID string, status newsroom.DeliveryStatus, limit int) ([]newsroom.Delivery, error) {
	ds, err := list(ctx, q.r, scanDelivery, `
		SELECT activity_id, inbox, status, attempts, last_error, updated_at
		FROM deliveries WHERE activity_id = ? AND (? = '' OR status = ?)
		ORDER BY inbox LIMIT ?`, activityID, status, status, sqlLimit(limit))
	return ds, wrapErr(err, "list deliveries of %s", activityID)
}

// DeliveryByInbox returns the delivery of activityID to inbox.
func (q *queries) DeliveryByInbox(ctx context.Context, activityID, inbox string) (*newsroom.Delivery, error) {
	d, err := scanDelivery(q.r.QueryRowContext(ctx, `
		SELECT activity_id, inbox, status, attempts, last_error, updated_at
		FROM deliveries WHERE activity_id = ? AND inbox = ?`, activityID, inbox))
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
