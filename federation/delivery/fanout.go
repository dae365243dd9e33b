package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/foreground"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// FanoutBatch is how many deliveries one transaction queues, a multiple
// of BatchSize. Batches keep each transaction short (SQLite has one
// writer, shared with the inbox and the editor), and let a fan-out
// interrupted by a crash resume where it stopped.
const FanoutBatch = 1000

// FanoutBatchShared is FanoutBatch for a database whose processes share
// the processors with newsroom's: an editor's page waits for the
// transaction under way (see SetForeground), 30–150 ms for 1,000 rows on
// PostgreSQL during a fan-out on two busy processors. SQLite keeps
// FanoutBatch: with 200 its fan-out of 100,000 took some 5 % longer,
// and its pages answered no faster (docs/benchmarks.md).
const FanoutBatchShared = 200

// FanoutStore is what the fan-out reads and writes.
type FanoutStore interface {
	// InTx writes delivery rows and their jobs in one transaction.
	InTx(ctx context.Context, fn func(tx store.Tx) error) error
	ActivityByID(ctx context.Context, id string) (*newsroom.Activity, error)
	// DeliveryInboxes gives the distinct inboxes of an organisation's
	// followers, shared inboxes preferred, blocked and unavailable domains
	// left out.
	DeliveryInboxes(ctx context.Context, orgID int64) ([]string, error)
	ListDeliveries(ctx context.Context, activityID string, status newsroom.DeliveryStatus, limit int) ([]newsroom.Delivery, error)
	DeliveryProgress(ctx context.Context, activityID string) (newsroom.DeliveryProgress, error)
	// IsDomainBlocked tells whether host, or a domain above it, is
	// blocked.
	IsDomainBlocked(ctx context.Context, host string) (bool, error)
	// FanoutDone records that every inbox has its delivery queued, after
	// which the deliveries may be compacted.
	FanoutDone(ctx context.Context, activityID string) error
}

// FanoutWorker turns one activity into one delivery per follower inbox.
type FanoutWorker struct {
	river.WorkerDefaults[jobs.FanoutArgs]
	store FanoutStore
	log   *slog.Logger
	batch int
	// foreground is waited for before each transaction; nil for none.
	foreground *foreground.Gate
}

// NewFanoutWorker returns the worker of FanoutArgs jobs.
func NewFanoutWorker(s FanoutStore, log *slog.Logger) *FanoutWorker {
	return &FanoutWorker{store: s, log: log, batch: FanoutBatch}
}

// SetBatch sets how many deliveries one transaction queues, a multiple
// of BatchSize; FanoutBatch unless called.
func (w *FanoutWorker) SetBatch(n int) { w.batch = n }

// SetForeground makes each of the fan-out's transactions wait, boundedly,
// while g has a request under way: queuing 100,000 deliveries is
// seconds of the database's time, which an editor's page would otherwise
// wait behind. Call it before the first job.
func (w *FanoutWorker) SetForeground(g *foreground.Gate) { w.foreground = g }

// Work queues the deliveries the activity does not have yet. A delivery
// row and its job are committed together, so an inbox with a row already
// has its job: a fan-out run again after a crash only queues the rest.
func (w *FanoutWorker) Work(ctx context.Context, job *river.Job[jobs.FanoutArgs]) error {
	id := job.Args.ActivityID
	act, err := w.store.ActivityByID(ctx, id)
	if errors.Is(err, newsroom.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("activity %s no longer exists", id))
	}
	if err != nil {
		return err
	}
	// A fan-out River runs again after it finished (a crash before its
	// completion was recorded) may find its delivered rows compacted away:
	// they must not read as inboxes still to queue.
	if p, err := w.store.DeliveryProgress(ctx, id); err != nil || p.Compacted {
		return err
	}
	inboxes, err := w.store.DeliveryInboxes(ctx, act.OrgID)
	if err != nil {
		return err
	}
	mentioned, err := w.unblocked(ctx, job.Args.Mentioned)
	if err != nil {
		return err
	}
	inboxes = withMentioned(inboxes, mentioned)
	todo := inboxes
	if job.Attempt > 1 {
		// Only a run after a crash can find rows queued already: the
		// first run of the job reads none, which at 100,000 followers
		// is as many rows in memory spared.
		if todo, err = w.notQueued(ctx, id, inboxes); err != nil {
			return err
		}
	}
	todo = interleaveByHost(todo)
	for start := 0; start < len(todo); start += w.batch {
		end := min(start+w.batch, len(todo))
		if err := w.foreground.Wait(ctx); err != nil {
			return err
		}
		if err := w.enqueue(ctx, id, todo[start:end]); err != nil {
			return err
		}
	}
	if err := w.store.FanoutDone(ctx, id); err != nil {
		return err
	}
	w.log.Info("fan-out queued", "activity", id, "type", act.Type,
		"inboxes", len(inboxes), "queued", len(todo), "already", len(inboxes)-len(todo))
	return nil
}

// notQueued returns the inboxes that have no delivery of activityID yet.
func (w *FanoutWorker) notQueued(ctx context.Context, activityID string, inboxes []string) ([]string, error) {
	queued, err := w.store.ListDeliveries(ctx, activityID, "", 0)
	if err != nil {
		return nil, err
	}
	done := make(map[string]bool, len(queued))
	for _, d := range queued {
		done[d.Inbox] = true
	}
	todo := make([]string, 0, len(inboxes))
	for _, inbox := range inboxes {
		if !done[inbox] {
			todo = append(todo, inbox)
		}
	}
	return todo, nil
}

// enqueue adds a pending delivery of activityID to each inbox and a
// DeliverBatchArgs job per BatchSize inboxes, in one transaction, so that the progress an
// editor sees and the work queued never disagree, whatever moment the
// process dies at.
func (w *FanoutWorker) enqueue(ctx context.Context, activityID string, inboxes []string) error {
	params := make([]river.InsertManyParams, 0, (len(inboxes)+BatchSize-1)/BatchSize)
	for start := 0; start < len(inboxes); start += BatchSize {
		batch := inboxes[start:min(start+BatchSize, len(inboxes))]
		params = append(params, river.InsertManyParams{Args: jobs.DeliverBatchArgs{ActivityID: activityID, Inboxes: batch}})
	}
	err := w.store.InTx(ctx, func(tx store.Tx) error {
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

// interleaveByHost orders inboxes so that one server's come one after
// another's, round-robin, instead of all together: jobs run in the order
// they were queued, and a server whose inboxes are queued side by side
// would get as many requests at once as there are workers, each on a new
// connection, while the others wait. Spread out, each server sees one
// request at a time, on a connection kept alive from the previous one.
func interleaveByHost(inboxes []string) []string {
	var hosts []string
	byHost := make(map[string][]string)
	for _, inbox := range inboxes {
		h := hostOf(inbox)
		if _, ok := byHost[h]; !ok {
			hosts = append(hosts, h)
		}
		byHost[h] = append(byHost[h], inbox)
	}
	if len(hosts) == len(inboxes) {
		return inboxes
	}
	out := make([]string, 0, len(inboxes))
	for len(hosts) > 0 {
		left := hosts[:0]
		for _, h := range hosts {
			list := byHost[h]
			out = append(out, list[0])
			if byHost[h] = list[1:]; len(list) > 1 {
				left = append(left, h)
			}
		}
		hosts = left
	}
	return out
}

// withMentioned adds to the followers' inboxes those of the accounts the
// post mentions, except the ones already there: a mentioned account on a
// server where the organisation has followers shares their shared inbox,
// which gets the activity once.
// unblocked leaves out the inboxes on blocked domains. The followers'
// inboxes are filtered by their query; the mentioned ones come from the
// post, resolved before the block may have been made.
func (w *FanoutWorker) unblocked(ctx context.Context, inboxes []string) ([]string, error) {
	out := make([]string, 0, len(inboxes))
	for _, inbox := range inboxes {
		u, err := url.Parse(inbox)
		if err != nil {
			continue
		}
		blocked, err := w.store.IsDomainBlocked(ctx, u.Hostname())
		if err != nil {
			return nil, fmt.Errorf("mentioned inbox %s: %w", inbox, err)
		}
		if !blocked {
			out = append(out, inbox)
		}
	}
	return out, nil
}

func withMentioned(inboxes, mentioned []string) []string {
	for _, m := range mentioned {
		if !slices.Contains(inboxes, m) {
			inboxes = append(inboxes, m)
		}
	}
	return inboxes
}
