package delivery

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// BatchSize is how many inboxes one delivery job serves. River's cost
// per job (insert, fetch, completion: about a tenth of a millisecond on
// SQLite) is then paid once for them all. A job lasts until its inboxes
// have answered, or only wait for answers (see handOffAfter), and a
// hundred run at once: small batches keep that short, so that a job is
// done well within its time even when the processors are busy signing for
// all the others.
const BatchSize = 20

// hostWait is how long a batch's delivery waits for its server to take
// one more of our deliveries (its first answered, or one of those in
// flight): a moment's wait on a server answering quickly saves queuing
// its inbox again. Longer, the inbox goes into a new batch, queued
// busyDelay later, so that a slow or dead server holds no job while its
// inboxes wait their turn.
const hostWait = time.Second

// busyDelay is how long the inboxes of servers busy with our deliveries
// wait before their batch runs again.
const busyDelay = time.Second

// A batch's deliveries may outlive its job. Once a job has run for
// handOffAfter and every inbox it still has was sent and waits for its
// server's answer, the job queues a follow-up batch of those inboxes and
// ends, and their requests go on in the background: a job is one of a
// hundred workers, and a server that takes seconds to answer, or never
// answers, must not hold one while other servers' inboxes wait for it.
// The follow-up runs once those requests cannot be under way any more
// (the client's timeout, then the longest an outcome takes to write): it
// finds them recorded and does nothing, unless the process died
// meanwhile, in which case it sends what has no outcome, as a job run
// again after a crash does.
const (
	handOffAfter = 2 * time.Second
	// maxHandedOff bounds the requests under way past their job: past it
	// jobs wait for theirs, and River's workers bound the rest.
	maxHandedOff = 4096
)

// DeliverBatchWorker sends one activity of a fan-out to each inbox of a
// batch at once, each as a DeliverWorker would on its own: the same
// signature, the same outcome recorded by the same group commit, the same
// retry queued for an inbox that failed. The job ends when every inbox
// sent has its outcome recorded, or once those left wait on their
// servers, handed to a follow-up (see handOffAfter); until then a crash
// runs it again, and an inbox whose outcome is recorded is then left
// alone.
type DeliverBatchWorker struct {
	river.WorkerDefaults[jobs.DeliverBatchArgs]
	w *DeliverWorker
	// handedOff counts the deliveries under way past their job.
	handedOff atomic.Int64
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
	id, inboxes := job.Args.ActivityID, job.Args.Inboxes
	headers, err := b.w.sender.syncHeaders(ctx, id, inboxes)
	if errors.Is(err, newsroom.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("activity %s no longer exists", id))
	}
	if err != nil {
		return err
	}
	start := b.w.sender.now()
	// The deliveries' context ends with the job's until they are handed
	// off.
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	unlink := context.AfterFunc(ctx, cancel)
	if ctx.Err() != nil {
		cancel() // AfterFunc's own call would come in a goroutine, maybe after a signature
	}
	rerun := job.Attempt > 1 || job.Args.FollowUp
	watches := make([]watch, len(inboxes))
	type result struct {
		inbox string
		err   error
	}
	results := make(chan result, len(inboxes))
	var wg sync.WaitGroup
	for i, inbox := range inboxes {
		wg.Go(func() {
			args := jobs.DeliverArgs{ActivityID: id, Inbox: inbox}
			err := b.w.sender.send(dctx, id, inbox, 0, progress{w: b.w, args: args, rerun: rerun}, &watches[i], headers[inbox])
			// Done once the result is in the channel: an inbox seen done
			// has its result there to read.
			results <- result{inbox, err}
			watches[i].set(stageDone)
		})
	}
	go func() {
		wg.Wait()
		cancel()
	}()

	tick := time.NewTicker(handOffAfter / 8)
	defer tick.Stop()
	var (
		errs []error
		busy []string
	)
	left := len(inboxes)
	take := func(r result) {
		left--
		switch {
		case errors.Is(r.err, transport.ErrHostBusy):
			busy = append(busy, r.inbox)
		case r.err != nil:
			errs = append(errs, r.err)
		}
	}
	for left > 0 {
		select {
		case r := <-results:
			take(r)
			continue
		case <-tick.C:
		}
		if b.w.sender.now().Sub(start) < handOffAfter || len(errs) > 0 {
			continue
		}
		sent, ok := waitingForAnswers(inboxes, watches)
		if !ok {
			continue
		}
		// Every inbox seen done has its result in the channel.
		for drained := false; !drained; {
			select {
			case r := <-results:
				take(r)
			default:
				drained = true
			}
		}
		if len(errs) > 0 || len(sent) == 0 {
			continue
		}
		if b.handOff(ctx, id, sent, busy, &wg, unlink) {
			return nil
		}
	}
	if len(errs) > 0 {
		// The run again sends the busy inboxes too: their rows say
		// nothing was attempted.
		return errors.Join(errs...)
	}
	return b.queue(ctx, b.busyBatch(id, busy))
}

// busyBatch is the batch of the inboxes whose servers were busy, queued
// busyDelay later.
func (b *DeliverBatchWorker) busyBatch(activityID string, busy []string) jobs.DeliverBatchArgs {
	return jobs.DeliverBatchArgs{ActivityID: activityID, Inboxes: busy, At: b.w.sender.now().Add(busyDelay)}
}

// queue enqueues, in one transaction, the batches a job leaves to
// others; a batch without inboxes is left out.
func (b *DeliverBatchWorker) queue(ctx context.Context, batches ...jobs.DeliverBatchArgs) error {
	n := 0
	err := b.w.sender.store.InTx(ctx, func(tx store.Tx) error {
		for _, batch := range batches {
			if len(batch.Inboxes) == 0 {
				continue
			}
			n += len(batch.Inboxes)
			if err := tx.Enqueue(ctx, batch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("queue %d deliveries of %s again: %w", n, batches[0].ActivityID, err)
	}
	return nil
}

// waitingForAnswers lists the inboxes sent and waiting for their answers,
// and reports whether those are all the job still has.
func waitingForAnswers(inboxes []string, watches []watch) ([]string, bool) {
	var sent []string
	for i := range watches {
		switch watches[i].stage.Load() {
		case stageOurs:
			return nil, false // processors, slots and the database are what River's workers bound
		case stageWire:
			sent = append(sent, inboxes[i])
		}
	}
	return sent, true
}

// handOff ends the job early, its inboxes sent and waiting for their
// answers: it queues their follow-up, and the busy inboxes' batch, and
// lets their requests go on without the job. It reports whether it did.
func (b *DeliverBatchWorker) handOff(ctx context.Context, activityID string, sent, busy []string, wg *sync.WaitGroup, unlink func() bool) bool {
	if b.handedOff.Load()+int64(len(sent)) > maxHandedOff {
		return false
	}
	s := b.w.sender
	followUp := jobs.DeliverBatchArgs{ActivityID: activityID, Inboxes: sent, FollowUp: true,
		At: s.now().Add(s.client.Timeout() + settleTimeout + 5*time.Second)}
	if err := b.queue(ctx, followUp, b.busyBatch(activityID, busy)); err != nil {
		s.log.Warn("hand off deliveries waiting for their answers", "activity", activityID, "inboxes", len(sent), "err", err)
		return false // the job waits for them itself
	}
	if !unlink() {
		// The job's context ended meanwhile: the requests run to their
		// answers all the same, and the follow-up finds them recorded.
		return true
	}
	b.handedOff.Add(int64(len(sent)))
	go func() {
		wg.Wait()
		b.handedOff.Add(-int64(len(sent)))
	}()
	return true
}
