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

// Work polls; a source removed or disabled ends its chain. A poll that
// runs out of the job's time (--job-timeout) stops between items and
// leaves the rest to the next poll.
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
