package delivery

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// AcceptWorker sends the Accept of a Follow to the follower's inbox. An
// Accept belongs to no fan-out: there is no progress to record, and no row
// to tell whether a run cut by a crash had sent it, so such a run sends it
// again, with the same id.
type AcceptWorker struct {
	river.WorkerDefaults[jobs.AcceptArgs]
	sender *Sender
}

// NewAcceptWorker returns the worker of AcceptArgs jobs.
func NewAcceptWorker(s *Sender) *AcceptWorker { return &AcceptWorker{sender: s} }

// NextRetry spaces River's own retries, after local failures.
func (w *AcceptWorker) NextRetry(job *river.Job[jobs.AcceptArgs]) time.Time {
	return w.sender.nextRetry(job.Attempt)
}

// Work sends the Accept.
func (w *AcceptWorker) Work(ctx context.Context, job *river.Job[jobs.AcceptArgs]) error {
	a := job.Args
	return w.sender.send(ctx, a.ActivityID, a.Inbox, a.Attempt, acceptSettler{w.sender, a})
}

// acceptSettler settles an Accept: only a retry leaves a trace.
type acceptSettler struct {
	sender *Sender
	args   jobs.AcceptArgs
}

func (acceptSettler) done(context.Context) (bool, error) { return false, nil }

func (acceptSettler) record(context.Context, newsroom.DeliveryStatus, int, string) error { return nil }

func (a acceptSettler) retry(ctx context.Context, attempts int, _ string, at time.Time) error {
	next := a.args
	next.Attempt, next.RetryAt = attempts, at
	if err := a.sender.store.InTx(ctx, func(tx store.Tx) error { return tx.Enqueue(ctx, next) }); err != nil {
		return fmt.Errorf("schedule attempt %d of %s to %s: %w", attempts+1, next.ActivityID, next.Inbox, err)
	}
	return nil
}
