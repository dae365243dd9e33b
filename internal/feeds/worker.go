package feeds

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
)

// PollWorker polls one source, then snoozes its job until the next poll:
// one job per source, for as long as the source is enabled.
type PollWorker struct {
	river.WorkerDefaults[jobs.FeedPollArgs]
	service *Service
}

// NewPollWorker returns the worker of FeedPollArgs jobs.
func NewPollWorker(s *Service) *PollWorker { return &PollWorker{service: s} }

// Timeout leaves room for a feed of MaxItems items with their images.
func (w *PollWorker) Timeout(*river.Job[jobs.FeedPollArgs]) time.Duration { return 10 * time.Minute }

// Work polls; a source removed or disabled ends its chain.
func (w *PollWorker) Work(ctx context.Context, job *river.Job[jobs.FeedPollArgs]) error {
	res, err := w.service.Poll(ctx, job.Args.SourceID, Progress{})
	if errors.Is(err, newsroom.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if job.Args.Once || res.Source.Disabled {
		return nil
	}
	return river.JobSnooze(max(time.Until(res.Source.NextPollAt), time.Second))
}
