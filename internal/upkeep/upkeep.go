// Package upkeep keeps the database from piling up: it folds the
// per-inbox delivery rows of finished fan-outs into their counts, and
// prunes what is kept only for a while. Both run as periodic River jobs,
// so that several instances on one database do the work once.
//
// The schedule (River's own cleaner aside, configured in internal/jobs):
//
//   - every --compact-interval (10 minutes): fan-outs whose every inbox
//     is queued and none pending have their delivered rows folded into
//     delivery_summaries; failures stay, with their reason;
//   - every hour: inbox activities received more than InboxRetention ago
//     (7 days) are deleted, and expired sessions and setup tokens.
package upkeep

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/jobs"
)

// InboxRetention is how long a processed inbox activity is kept. Its row
// makes a repeated delivery of the same activity a no-op; Mastodon
// retries a delivery for about two and a half days, so a week leaves a
// wide margin. Past it, a replay still changes nothing where it matters
// (reactions, follows and replies are unique by actor and object) and a
// replayed signature is refused after an hour anyway.
const InboxRetention = 7 * 24 * time.Hour

// PruneInterval is how often PruneArgs runs.
const PruneInterval = time.Hour

// batch bounds one DELETE, so that the single SQLite writer (shared with
// the inbox and deliveries) is never held for long.
const batch = 2000

// compactBatch is how many fan-outs one look for work returns.
const compactBatch = 100

// Store is what upkeep reads and deletes.
type Store interface {
	CompactableDeliveries(ctx context.Context, limit int) ([]string, error)
	CompactDeliveries(ctx context.Context, activityID string) (int64, error)
	PruneInboxActivities(ctx context.Context, before time.Time, limit int) (int64, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	DeleteExpiredSetupTokens(ctx context.Context, now time.Time) (int64, error)
	DeleteExpiredUserTokens(ctx context.Context, now time.Time) (int64, error)
}

// Service does the work; the workers and the command line call it.
type Service struct {
	store Store
	log   *slog.Logger
	now   func() time.Time
}

// New returns the upkeep of s.
func New(s Store, log *slog.Logger) *Service {
	return &Service{store: s, log: log, now: time.Now}
}

// Compacted says what one compaction did.
type Compacted struct {
	Activities int   // fan-outs folded
	Rows       int64 // delivery rows folded into counts
}

// Compact folds every finished fan-out. Each fan-out is its own short
// transaction.
func (s *Service) Compact(ctx context.Context) (Compacted, error) {
	var c Compacted
	for {
		ids, err := s.store.CompactableDeliveries(ctx, compactBatch)
		if err != nil {
			return c, err
		}
		progress := false
		for _, id := range ids {
			n, err := s.store.CompactDeliveries(ctx, id)
			if err != nil {
				return c, err
			}
			if n > 0 {
				c.Activities++
				c.Rows += n
				progress = true
			}
		}
		// A fan-out listed but not folded (a delivery went pending
		// meanwhile) is left for the next run rather than read again.
		if len(ids) < compactBatch || !progress {
			return c, nil
		}
	}
}

// Pruned says what one pruning deleted.
type Pruned struct {
	InboxActivities int64
	Sessions        int64
	SetupTokens     int64
	UserTokens      int64 // invitation and password reset links
}

// Prune deletes what has outlived its use.
func (s *Service) Prune(ctx context.Context) (Pruned, error) {
	var p Pruned
	now := s.now()
	before := now.Add(-InboxRetention)
	for {
		n, err := s.store.PruneInboxActivities(ctx, before, batch)
		if err != nil {
			return p, err
		}
		if p.InboxActivities += n; n < batch {
			break
		}
	}
	var err error
	if p.Sessions, err = s.store.DeleteExpiredSessions(ctx, now); err != nil {
		return p, err
	}
	if p.SetupTokens, err = s.store.DeleteExpiredSetupTokens(ctx, now); err != nil {
		return p, err
	}
	if p.UserTokens, err = s.store.DeleteExpiredUserTokens(ctx, now); err != nil {
		return p, err
	}
	return p, nil
}

// PeriodicJobs are the jobs River's leader inserts on the schedule:
// compaction every compactEvery, pruning every PruneInterval, both once
// at start so that a process restarted more often than that still does
// them.
func PeriodicJobs(compactEvery time.Duration) []*river.PeriodicJob {
	job := func(args river.JobArgs) river.PeriodicJobConstructor {
		return func() (river.JobArgs, *river.InsertOpts) { return args, nil }
	}
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(compactEvery), job(jobs.CompactArgs{}),
			&river.PeriodicJobOpts{ID: "compact_deliveries", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(PruneInterval), job(jobs.PruneArgs{}),
			&river.PeriodicJobOpts{ID: "prune", RunOnStart: true}),
	}
}

// CompactWorker runs CompactArgs.
type CompactWorker struct {
	river.WorkerDefaults[jobs.CompactArgs]
	svc *Service
}

// NewCompactWorker returns the worker of CompactArgs jobs.
func NewCompactWorker(s *Service) *CompactWorker { return &CompactWorker{svc: s} }

// Work compacts, and logs only when there was something to fold.
func (w *CompactWorker) Work(ctx context.Context, _ *river.Job[jobs.CompactArgs]) error {
	c, err := w.svc.Compact(ctx)
	if c.Activities > 0 {
		w.svc.log.Info("deliveries compacted", "fanouts", c.Activities, "rows", c.Rows)
	}
	if err != nil {
		return fmt.Errorf("compact deliveries: %w", err)
	}
	return nil
}

// PruneWorker runs PruneArgs.
type PruneWorker struct {
	river.WorkerDefaults[jobs.PruneArgs]
	svc *Service
}

// NewPruneWorker returns the worker of PruneArgs jobs.
func NewPruneWorker(s *Service) *PruneWorker { return &PruneWorker{svc: s} }

// Work prunes, and logs only when something was deleted.
func (w *PruneWorker) Work(ctx context.Context, _ *river.Job[jobs.PruneArgs]) error {
	p, err := w.svc.Prune(ctx)
	if p != (Pruned{}) {
		w.svc.log.Info("old rows pruned", "inbox_activities", p.InboxActivities,
			"sessions", p.Sessions, "setup_tokens", p.SetupTokens, "user_tokens", p.UserTokens)
	}
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	return nil
}
