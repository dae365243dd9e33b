package sqlstore

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

// UpdateDelivery sets a zero UpdatedAt to now; ErrNotFound for an unknown pair.
func (q *Queries) UpdateDelivery(ctx context.Context, d newsroom.Delivery) error {
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = q.now()
	}
	err := mustAffect(q.w.Exec(ctx, `
		UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, updated_at = ?
		WHERE activity_id = ? AND inbox = ?`,
		d.Status, d.Attempts, d.LastError, q.time(d.UpdatedAt), d.ActivityID, d.Inbox))
	return q.Wrap(err, "update delivery of %s to %s", d.ActivityID, d.Inbox)
}

func (q *Queries) DeliveryProgress(ctx context.Context, activityID string) (newsroom.DeliveryProgress, error) {
	var p newsroom.DeliveryProgress
	err := q.r.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE status = ?),
			count(*) FILTER (WHERE status = ?), count(*) FILTER (WHERE status = ?)
		FROM deliveries WHERE activity_id = ?`,
		newsroom.DeliveryDelivered, newsroom.DeliveryPending, newsroom.DeliveryFailed, activityID).
		Scan(&p.Total, &p.Delivered, &p.Pending, &p.Failed)
	return p, q.Wrap(err, "delivery progress of %s", activityID)
}

// ListDeliveries lists by inbox; status "" means any, limit 0 no limit.
func (q *Queries) ListDeliveries(ctx context.Context, activityID string, status newsroom.DeliveryStatus, limit int) ([]newsroom.Delivery, error) {
	ds, err := List(ctx, q.r, q.scanDelivery, `
		SELECT activity_id, inbox, status, attempts, last_error, updated_at
		FROM deliveries WHERE activity_id = ? AND (? = '' OR status = ?)
		ORDER BY inbox LIMIT ?`, activityID, status, status, q.limit(limit))
	return ds, q.Wrap(err, "list deliveries of %s", activityID)
}

// DeliveryByInbox returns the delivery of activityID to inbox.
func (q *Queries) DeliveryByInbox(ctx context.Context, activityID, inbox string) (*newsroom.Delivery, error) {
	d, err := q.scanDelivery(q.r.QueryRow(ctx, `
		SELECT activity_id, inbox, status, attempts, last_error, updated_at
		FROM deliveries WHERE activity_id = ? AND inbox = ?`, activityID, inbox))
	if err != nil {
		return nil, q.Wrap(err, "delivery of %s to %s", activityID, inbox)
	}
	return &d, nil
}

func (q *Queries) scanDelivery(row Row) (newsroom.Delivery, error) {
	var d newsroom.Delivery
	err := row.Scan(&d.ActivityID, &d.Inbox, &d.Status, &d.Attempts, &d.LastError, q.at(&d.UpdatedAt))
	return d, err
}
