package delivery

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// BatchSize is how many inboxes one delivery job serves. River's cost
// per job (insert, fetch, completion: about a tenth of a millisecond on
// SQLite) is then paid once for them all. A job lasts until its last
// inbox has answered, and a hundred run at once: small batches keep that
// short, so that a job is done well within its time even when the
// processors are busy signing for all the others.
const BatchSize = 20

// busyDelay is how long the inboxes of servers busy with our deliveries
// wait before their batch runs again.
const busyDelay = time.Second

// DeliverBatchWorker sends one activity of a fan-out to each inbox of a
// batch at once, each as a DeliverWorker would on its own: the same
// signature, the same outcome recorded by the same group commit, the same
// retry queued for an inbox that failed. The job ends when every inbox
// sent has its outcome recorded; until then a crash runs it again, and an
// inbox whose outcome is recorded is then left alone.
//
// An inbox whose server already has all the deliveries in flight it may
// take (or is being probed) is not waited for: it goes into a new batch,
// queued a moment later, so that a slow or dead server holds no job while
// its inboxes wait their turn.
type DeliverBatchWorker struct {
	river.WorkerDefaults[jobs.DeliverBatchArgs]
	w *DeliverWorker
}

// NewDeliverBatchWorker returns the worker of DeliverBatchArgs jobs,
// recording outcomes with w's.
func NewDeliverBatchWorker(w *DeliverWorker) *DeliverBatchWorker { return &DeliverBatchWorker{w: w} }

// NextRetry spaces River's own retries, after local failures.
func (b *DeliverBatchWorker) NextRetry(job *river.Job[jobs.DeliverBatchArgs]) time.Time {
	return b.w.sender.nextRetry(job.Attempt)
}

// Work delivers to every inbox of the batch at once: the servers are
// different, and the signatures queue for the processors in the client.
// A local failure (the database, the job's time running out) of any inbox
// fails the job, which River runs again for the inboxes left.
func (b *DeliverBatchWorker) Work(ctx context.Context, job *river.Job[jobs.DeliverBatchArgs]) error {
	var (
		mu   sync.Mutex
		errs []error
		busy []string
		wg   sync.WaitGroup
	)
	id := job.Args.ActivityID
	sync, err := b.w.sender.syncHeaders(ctx, id, job.Args.Inboxes)
	if errors.Is(err, newsroom.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("activity %s no longer exists", id))
	}
	if err != nil {
		return err
	}
	for _, inbox := range job.Args.Inboxes {
		wg.Go(func() {
			args := jobs.DeliverArgs{ActivityID: id, Inbox: inbox}
			err := b.w.sender.send(ctx, id, inbox, 0, progress{w: b.w, args: args, rerun: job.Attempt > 1}, true, sync[inbox])
			if err == nil {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if errors.Is(err, transport.ErrHostBusy) {
				busy = append(busy, inbox)
				return
			}
			errs = append(errs, err)
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		// The run again sends the busy inboxes too: their rows say
		// nothing was attempted.
		return errors.Join(errs...)
	}
	if len(busy) == 0 {
		return nil
	}
	later := jobs.DeliverBatchArgs{ActivityID: id, Inboxes: busy, At: b.w.sender.now().Add(busyDelay)}
	if err := b.w.sender.store.InTx(ctx, func(tx store.Tx) error { return tx.Enqueue(ctx, later) }); err != nil {
		return fmt.Errorf("queue %d deliveries of %s to busy servers: %w", len(busy), id, err)
	}
	return nil
}
