package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/groupcommit"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// DeliverWorker sends one activity of a fan-out to one inbox and records
// the outcome in the activity's delivery progress.
type DeliverWorker struct {
	river.WorkerDefaults[jobs.DeliverArgs]
	sender *Sender
	// outcomes are written by group commit: a hundred workers then cost a
	// few transactions instead of a hundred, which matters on SQLite's
	// single writer. It also shortens the time between an inbox accepting
	// an activity and the delivery being recorded as done, which is the
	// window in which a crash makes us send it again.
	outcomes *groupcommit.Committer[newsroom.Delivery, struct{}]
}

// NewDeliverWorker returns the worker of DeliverArgs jobs.
func NewDeliverWorker(s *Sender) *DeliverWorker {
	return &DeliverWorker{sender: s, outcomes: newOutcomes(s.store.UpdateDeliveries)}
}

func newOutcomes(write func(context.Context, []newsroom.Delivery) error) *groupcommit.Committer[newsroom.Delivery, struct{}] {
	return groupcommit.New(func(ctx context.Context, ds []newsroom.Delivery) ([]struct{}, error) {
		if err := write(ctx, ds); err != nil {
			return nil, fmt.Errorf("record %d deliveries: %w", len(ds), err)
		}
		return make([]struct{}, len(ds)), nil
	}, groupcommit.Options{Linger: outcomeLinger, Gather: outcomeGather})
}

// outcomeLinger and outcomeGather let the outcomes' group commit wait a
// little for company. On a processor that signs, answers come one
// signature apart (a millisecond), each after the last write began, so
// without waiting each pays a transaction (begin and commit, about two
// thirds of the write's cost on SQLite) of its own. Waiting keeps answers
// unrecorded a little longer; they stay bounded by maxUnrecorded, which
// outcomeGather stays well under so that a full backlog always ends the
// wait.
const (
	outcomeLinger = 2 * time.Millisecond
	outcomeGather = maxUnrecorded / 2
)

// NextRetry spaces River's own retries, after local failures.
func (w *DeliverWorker) NextRetry(job *river.Job[jobs.DeliverArgs]) time.Time {
	return w.sender.nextRetry(job.Attempt)
}

// Work sends the activity and records the outcome.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[jobs.DeliverArgs]) error {
	args := job.Args
	if args.LegacyRecipient != "" {
		// Queued before Accepts had their own kind: an Accept, which has
		// no progress row, so it is sent and retried as a DirectArgs.
		direct := jobs.DirectArgs{ActivityID: args.ActivityID, Inbox: args.Inbox, Attempt: args.Attempt}
		return w.sender.send(ctx, direct.ActivityID, direct.Inbox, direct.Attempt, directSettler{w.sender, direct}, nil, nil)
	}
	sync, err := w.sender.syncHeaders(ctx, args.ActivityID, []string{args.Inbox})
	if errors.Is(err, newsroom.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("activity %s no longer exists", args.ActivityID))
	}
	if err != nil {
		return err
	}
	return w.sender.send(ctx, args.ActivityID, args.Inbox, args.Attempt, progress{w: w, args: args, rerun: job.Attempt > 1}, nil, sync[args.Inbox])
}

// progress settles a fan-out delivery in the activity's delivery rows.
type progress struct {
	w     *DeliverWorker
	args  jobs.DeliverArgs
	rerun bool // River is running the job again, after a crash
}

// done asks the delivery row, only when River runs the job again: the
// inbox may have had the activity, or its failure recorded with the next
// attempt queued, before the process died.
func (p progress) done(ctx context.Context) (bool, error) {
	if !p.rerun {
		return false, nil
	}
	d, err := p.w.sender.store.DeliveryByInbox(ctx, p.args.ActivityID, p.args.Inbox)
	if errors.Is(err, newsroom.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// An attempt this job makes is recorded with the attempt's number,
	// and a failure's next attempt queued in the same transaction: a row
	// past the job's attempts was settled by the run that died.
	return d.Status == newsroom.DeliveryDelivered || d.Attempts > p.args.Attempt, nil
}

func (p progress) record(ctx context.Context, status newsroom.DeliveryStatus, attempts int, why failure) error {
	_, err := p.w.outcomes.Do(ctx, p.row(status, attempts, why))
	return err
}

// retry records the failed attempt and queues the next in one
// transaction, so that the progress an editor sees and the work queued
// never disagree.
func (p progress) retry(ctx context.Context, attempts int, why failure, at time.Time) error {
	next := p.args
	next.Attempt, next.RetryAt = attempts, at
	row := p.row(newsroom.DeliveryPending, attempts, why)
	row.NextAttempt = at.UTC()
	err := p.w.sender.store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.UpdateDelivery(ctx, row); err != nil {
			return err
		}
		return tx.Enqueue(ctx, next)
	})
	if err != nil {
		return fmt.Errorf("schedule attempt %d of %s to %s: %w", attempts+1, next.ActivityID, next.Inbox, err)
	}
	return nil
}

func (p progress) row(status newsroom.DeliveryStatus, attempts int, why failure) newsroom.Delivery {
	return newsroom.Delivery{ActivityID: p.args.ActivityID, Inbox: p.args.Inbox, Status: status,
		Attempts: attempts, LastError: why.err, Reason: why.reason, UpdatedAt: p.w.sender.now().UTC()}
}
