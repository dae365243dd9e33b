package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// deliveryColumns is what every delivery read selects, in scanDelivery's order.
const deliveryColumns = `activity_id, inbox, status, attempts, last_error, reason, next_attempt_at, updated_at`

// UpdateDelivery sets a zero UpdatedAt to now; ErrNotFound for an unknown pair.
func (q *Queries) UpdateDelivery(ctx context.Context, d newsroom.Delivery) error {
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = q.now()
	}
	err := mustAffect(q.w.Exec(ctx, `
		UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, reason = ?, next_attempt_at = ?, updated_at = ?
		WHERE activity_id = ? AND inbox = ?`,
		d.Status, d.Attempts, d.LastError, d.Reason, q.time(d.NextAttempt), q.time(d.UpdatedAt), d.ActivityID, d.Inbox))
	return q.Wrap(err, "update delivery of %s to %s", d.ActivityID, d.Inbox)
}

// DeliveryProgress reads the counts kept with the rows (migration 0015)
// and the deliveries compaction folded away, so that it reads the same
// before and after, and reads two rows at most whatever the fan-out's
// size.
func (q *Queries) DeliveryProgress(ctx context.Context, activityID string) (newsroom.DeliveryProgress, error) {
	var p progressRow
	err := q.r.QueryRow(ctx, `SELECT `+progressColumns+` FROM activities a `+progressJoins("a.id")+`
		WHERE a.id = ?`, activityID).Scan(p.dest()...)
	err = q.Wrap(err, "delivery progress of %s", activityID)
	if errors.Is(err, newsroom.ErrNotFound) {
		return newsroom.DeliveryProgress{}, nil // no activity, nothing delivered
	}
	return p.progress(), err
}

// An activity's delivery progress is read from the counts kept with the
// rows while its fan-out runs and, once compacted, from its summary.
// progressColumns select it from the joins progressJoins makes for the
// activity whose id is idColumn; DeliveryProgress and PostStats both read
// it so.
const progressColumns = `coalesce(c.pending, 0), coalesce(c.retrying, 0),
	coalesce(c.delivered, 0) + coalesce(s.delivered, 0), coalesce(c.failed, 0),
	CASE WHEN s.activity_id IS NULL THEN 0 ELSE 1 END`

func progressJoins(idColumn string) string {
	return `LEFT JOIN delivery_counts c ON c.activity_id = ` + idColumn + `
		LEFT JOIN delivery_summaries s ON s.activity_id = ` + idColumn + ` AND s.compacted_at IS NOT NULL`
}

// progressRow is what progressColumns read.
type progressRow struct {
	pending, retrying, delivered, failed, compacted int
}

func (r *progressRow) dest() []any {
	return []any{&r.pending, &r.retrying, &r.delivered, &r.failed, &r.compacted}
}

func (r progressRow) progress() newsroom.DeliveryProgress {
	return newsroom.DeliveryProgress{Pending: r.pending, Retrying: r.retrying, Delivered: r.delivered, Failed: r.failed,
		Total: r.pending + r.delivered + r.failed, Compacted: r.compacted == 1}
}

// ListDeliveries lists the rows by inbox; status "" means any, limit 0 no
// limit. Once compacted, delivered rows are counted, not listed.
func (q *Queries) ListDeliveries(ctx context.Context, activityID string, status newsroom.DeliveryStatus, limit int) ([]newsroom.Delivery, error) {
	ds, err := List(ctx, q.r, q.scanDelivery, `
		SELECT `+deliveryColumns+`
		FROM deliveries WHERE activity_id = ? AND (? = '' OR status = ?)
		ORDER BY inbox LIMIT ?`, activityID, status, status, q.limit(limit))
	return ds, q.Wrap(err, "list deliveries of %s", activityID)
}

// ListDeliveryTrouble lists the deliveries that failed for good, then
// those failing and waiting for their next attempt, the latest failure
// first within each.
func (q *Queries) ListDeliveryTrouble(ctx context.Context, activityID string, limit int) ([]newsroom.Delivery, error) {
	// Two ranges of the (activity_id, status, attempts) index. Written
	// with OR, SQLite read every row of the activity instead: 100,000
	// during a large fan-out, for every view of its delivery page.
	ds, err := List(ctx, q.r, q.scanDelivery, `
		SELECT `+deliveryColumns+` FROM (
			SELECT `+deliveryColumns+`, 1 AS given_up FROM deliveries
			WHERE activity_id = ? AND status = ?
			UNION ALL
			SELECT `+deliveryColumns+`, 0 FROM deliveries
			WHERE activity_id = ? AND status = ? AND attempts > 0
		) AS trouble
		ORDER BY given_up DESC, updated_at DESC, inbox LIMIT ?`,
		activityID, newsroom.DeliveryFailed, activityID, newsroom.DeliveryPending, q.limit(limit))
	return ds, q.Wrap(err, "failing deliveries of %s", activityID)
}

// DeliveryByInbox returns the delivery of activityID to inbox. After
// compaction an inbox without a row was delivered: only delivered rows
// are folded away, and a crashed delivery run again must read that.
func (q *Queries) DeliveryByInbox(ctx context.Context, activityID, inbox string) (*newsroom.Delivery, error) {
	d, err := q.scanDelivery(q.r.QueryRow(ctx, `
		SELECT `+deliveryColumns+`
		FROM deliveries WHERE activity_id = ? AND inbox = ?`, activityID, inbox))
	if err == nil {
		return &d, nil
	}
	if errors.Is(q.d.Err(err), newsroom.ErrNotFound) {
		var at time.Time
		if q.r.QueryRow(ctx, `
			SELECT compacted_at FROM delivery_summaries
			WHERE activity_id = ? AND compacted_at IS NOT NULL`, activityID).Scan(q.at(&at)) == nil {
			return &newsroom.Delivery{ActivityID: activityID, Inbox: inbox, Status: newsroom.DeliveryDelivered, UpdatedAt: at}, nil
		}
	}
	return nil, q.Wrap(err, "delivery of %s to %s", activityID, inbox)
}

// FanoutDone records that every inbox of the activity has its delivery
// queued: until then, its deliveries being all settled does not mean its
// fan-out is over. Recording it twice keeps the first.
func (q *Queries) FanoutDone(ctx context.Context, activityID string) error {
	_, err := q.w.Exec(ctx, `
		INSERT INTO delivery_summaries (activity_id, fanned_out_at) VALUES (?, ?)
		ON CONFLICT (activity_id) DO NOTHING`, activityID, q.time(q.now()))
	return q.Wrap(err, "fan-out of %s done", activityID)
}

// CompactableDeliveries lists activities whose fan-out is over (every
// inbox queued, none pending) and that still have delivered rows.
func (q *Queries) CompactableDeliveries(ctx context.Context, limit int) ([]string, error) {
	ids, err := List(ctx, q.r, scanString, `
		SELECT s.activity_id FROM delivery_summaries AS s
		WHERE EXISTS (SELECT 1 FROM deliveries AS d WHERE d.activity_id = s.activity_id AND d.status = ?)
		  AND NOT EXISTS (SELECT 1 FROM deliveries AS d WHERE d.activity_id = s.activity_id AND d.status = ?)
		ORDER BY s.activity_id LIMIT ?`,
		newsroom.DeliveryDelivered, newsroom.DeliveryPending, q.limit(limit))
	return ids, q.Wrap(err, "compactable deliveries")
}

// CompactDeliveries folds the delivered rows of a finished fan-out into
// its count, and returns how many it folded: 0 when the fan-out is not
// over (a delivery is pending, or not every inbox is queued yet), or
// another compaction got there first. The summary row is updated first,
// which on PostgreSQL locks it, so two compactions of one activity take
// turns; each adds exactly the rows its own DELETE removed, so a late
// outcome or a second run never counts a delivery twice.
func (q *Queries) CompactDeliveries(ctx context.Context, activityID string) (int64, error) {
	var n int64
	err := q.WithTx(ctx, func(q *Queries) error {
		now := q.time(q.now())
		marked, err := q.w.Exec(ctx, `
			UPDATE delivery_summaries SET compacted_at = ?
			WHERE activity_id = ?
			  AND NOT EXISTS (SELECT 1 FROM deliveries WHERE activity_id = ? AND status = ?)`,
			now, activityID, activityID, newsroom.DeliveryPending)
		if err != nil || marked == 0 {
			return err
		}
		if n, err = q.w.Exec(ctx, `DELETE FROM deliveries WHERE activity_id = ? AND status = ?`,
			activityID, newsroom.DeliveryDelivered); err != nil || n == 0 {
			return err
		}
		_, err = q.w.Exec(ctx, `UPDATE delivery_summaries SET delivered = delivered + ? WHERE activity_id = ?`, n, activityID)
		return err
	})
	return n, q.Wrap(err, "compact deliveries of %s", activityID)
}

func (q *Queries) scanDelivery(row Row) (newsroom.Delivery, error) {
	var d newsroom.Delivery
	err := row.Scan(&d.ActivityID, &d.Inbox, &d.Status, &d.Attempts, &d.LastError, &d.Reason,
		q.at(&d.NextAttempt), q.at(&d.UpdatedAt))
	return d, err
}
