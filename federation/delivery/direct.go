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

// DirectWorker sends one activity to one inbox: the Accept of a Follow or
// the Reject of a removed follower. Such an activity belongs to no
// fan-out: there is no progress to record, and no row to tell whether a
// run cut by a crash had sent it, so such a run sends it again, with the
// same id.
type DirectWorker struct {
	river.WorkerDefaults[jobs.DirectArgs]
	sender *Sender
}

// NewDirectWorker returns the worker of DirectArgs jobs.
func NewDirectWorker(s *Sender) *DirectWorker { return &DirectWorker{sender: s} }

// NextRetry spaces River's own retries, after local failures.
func (w *DirectWorker) NextRetry(job *river.Job[jobs.DirectArgs]) time.Time {
	return w.sender.nextRetry(job.Attempt)
}

// Work sends the activity.
func (w *DirectWorker) Work(ctx context.Context, job *river.Job[jobs.DirectArgs]) error {
	a := job.Args
	return w.sender.send(ctx, a.ActivityID, a.Inbox, a.Attempt, directSettler{w.sender, a}, nil, nil)
}

// directSettler settles a direct delivery: only a retry leaves a trace.
type directSettler struct {
	sender *Sender
	args   jobs.DirectArgs
}

func (directSettler) done(context.Context) (bool, error) { return false, nil }

func (directSettler) record(context.Context, newsroom.DeliveryStatus, int, failure) error { return nil }

func (a directSettler) retry(ctx context.Context, attempts int, _ failure, at time.Time) error {
	next := a.args
	next.Attempt, next.RetryAt = attempts, at
	if err := a.sender.store.InTx(ctx, func(tx store.Tx) error { return tx.Enqueue(ctx, next) }); err != nil {
		return fmt.Errorf("schedule attempt %d of %s to %s: %w", attempts+1, next.ActivityID, next.Inbox, err)
	}
	return nil
}
