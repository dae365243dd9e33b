package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// Deliveries writes delivery rows and the jobs that carry them out in one
// transaction, so that the progress an editor sees and the work queued
// never disagree, whatever moment the process dies at.
type Deliveries struct {
	Store store.Store
}

// Queue adds a pending delivery of activityID to each inbox and one job
// per inbox on the delivery queue.
func (d Deliveries) Queue(ctx context.Context, activityID string, inboxes []string) error {
	if len(inboxes) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(inboxes))
	for i, inbox := range inboxes {
		// No River uniqueness here: it triples the cost of an insert on
		// SQLite, and the fan-out already leaves out inboxes with a row,
		// which was committed with its job.
		params[i] = river.InsertManyParams{Args: DeliverArgs{ActivityID: activityID, Inbox: inbox},
			InsertOpts: &river.InsertOpts{Queue: QueueDeliver}}
	}
	err := d.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateDeliveries(ctx, activityID, inboxes); err != nil {
			return err
		}
		return tx.EnqueueMany(ctx, params)
	})
	if err != nil {
		return fmt.Errorf("queue %d deliveries of %s: %w", len(inboxes), activityID, err)
	}
	return nil
}

// Retry records a failed attempt (when rec is not nil: deliveries to one
// actor, such as an Accept, have no row) and queues the next attempt on
// the retry queue at the given time. Retries have their own queue and
// workers, so a backlog of them to dead servers never delays a new post.
func (d Deliveries) Retry(ctx context.Context, rec *newsroom.Delivery, next DeliverArgs, at time.Time) error {
	err := d.Store.InTx(ctx, func(tx store.Tx) error {
		if rec != nil {
			if err := tx.UpdateDelivery(ctx, *rec); err != nil {
				return err
			}
		}
		// Unique by arguments (activity, inbox, attempt): a delivery job
		// run again after a crash does not queue its next attempt twice.
		return tx.Enqueue(ctx, next, &river.InsertOpts{Queue: QueueRetry, ScheduledAt: at,
			UniqueOpts: river.UniqueOpts{ByArgs: true}})
	})
	if err != nil {
		return fmt.Errorf("schedule attempt %d of %s to %s: %w", next.Attempt+1, next.ActivityID, next.Inbox, err)
	}
	return nil
}

// Record writes the outcomes of several deliveries in one transaction. A
// row that does not exist (its activity was deleted since) is skipped
// rather than failing the others.
func (d Deliveries) Record(ctx context.Context, outcomes []newsroom.Delivery) error {
	if err := d.Store.UpdateDeliveries(ctx, outcomes); err != nil {
		return fmt.Errorf("record %d deliveries: %w", len(outcomes), err)
	}
	return nil
}
