package delivery

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

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

// A batch's deliveries may outlive its job. Once a job has run for
// handOffAfter and every inbox it still has waits on its server (for the
// server's gate, or for an answer) rather than on us, the job queues a
// follow-up batch of those inboxes and ends, and their deliveries go on
// in the background: a job is a worker of a queue of a hundred, and
// a server that takes seconds to answer, or never answers, must not hold
// one while other servers' inboxes wait for a worker. The follow-up runs
// once they cannot be under way any more (their deadline, then a
// request's and an outcome's longest time): it finds them recorded and
// does nothing, unless the process died meanwhile, in which case it
// sends what has no outcome, as a job run again after a crash does.
const (
	handOffAfter = 2 * time.Second
	// inboxTime bounds a batch's deliveries, from the job's start to the
	// signature: waiting for the server's gate, a processor, a slot.
	inboxTime = 90 * time.Second
	// maxHandedOff bounds the deliveries under way in the background:
	// past it, jobs wait for theirs, and River's workers bound the rest.
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
	deadline := start.Add(inboxTime)
	// The deliveries' context ends with the job's until they are handed
	// off, then at their deadline only.
	dctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	unlink := context.AfterFunc(ctx, cancel)
	if ctx.Err() != nil {
		cancel() // AfterFunc's own call would come in a goroutine, maybe after a signature
	}
	rerun := job.Attempt > 1 || job.Args.FollowUp
	watches := make([]watch, len(inboxes))
	results := make(chan error, len(inboxes))
	var wg sync.WaitGroup
	for i, inbox := range inboxes {
		wg.Go(func() {
			args := jobs.DeliverArgs{ActivityID: id, Inbox: inbox}
			err := b.w.sender.send(dctx, id, inbox, 0, progress{w: b.w, args: args, rerun: rerun}, &watches[i], headers[inbox])
			watches[i].set(stageDone)
			results <- err
		})
	}
	go func() {
		wg.Wait()
		cancel()
	}()

	tick := time.NewTicker(handOffAfter / 8)
	defer tick.Stop()
	var errs []error
	for left := len(inboxes); left > 0; {
		select {
		case err := <-results:
			left--
			if err != nil {
				errs = append(errs, err)
			}
			continue
		case <-tick.C:
		}
		if b.w.sender.now().Sub(start) < handOffAfter || len(errs) > 0 {
			continue
		}
		if handed, err := b.handOff(ctx, job, watches, &wg, deadline, unlink); err != nil || handed {
			return err
		}
	}
	// The run again sends only what has no outcome.
	return errors.Join(errs...)
}

// handOff ends the job early when every inbox it still has waits on its
// server: it queues their follow-up and lets their deliveries go on
// without the job. It reports whether it did.
func (b *DeliverBatchWorker) handOff(ctx context.Context, job *river.Job[jobs.DeliverBatchArgs], watches []watch, wg *sync.WaitGroup, deadline time.Time, unlink func() bool) (bool, error) {
	var left []string
	for i := range watches {
		switch watches[i].stage.Load() {
		case stageOurs:
			return false, nil // still ours: processors and the database are what River's workers bound
		case stageServer:
			left = append(left, job.Args.Inboxes[i])
		}
	}
	if len(left) == 0 || b.handedOff.Load()+int64(len(left)) > maxHandedOff {
		return false, nil
	}
	s := b.w.sender
	// After the deadline nothing more is signed; a request signed before
	// it ends within the client's timeout, and its outcome is written
	// within settleTimeout.
	at := deadline.Add(s.client.Timeout() + settleTimeout + 5*time.Second)
	followUp := jobs.DeliverBatchArgs{ActivityID: job.Args.ActivityID, Inboxes: left, FollowUp: true, At: at}
	if err := s.store.InTx(ctx, func(tx store.Tx) error { return tx.Enqueue(ctx, followUp) }); err != nil {
		s.log.Warn("hand off deliveries waiting on their servers", "activity", job.Args.ActivityID, "inboxes", len(left), "err", err)
		return false, nil // the job waits for them itself
	}
	if !unlink() {
		// The job's context ended meanwhile and took theirs with it:
		// the follow-up sends what they could not.
		return true, nil
	}
	b.handedOff.Add(int64(len(left)))
	go func() {
		wg.Wait()
		b.handedOff.Add(-int64(len(left)))
	}()
	return true, nil
}
