package posts

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/jobs"
)

// PublishWorker publishes scheduled posts when their time comes.
type PublishWorker struct {
	river.WorkerDefaults[jobs.PublishArgs]
	service *Service
}

// NewPublishWorker returns the worker of PublishArgs jobs.
func NewPublishWorker(s *Service) *PublishWorker { return &PublishWorker{service: s} }

// Work publishes the post unless it changed since the job was queued.
func (w *PublishWorker) Work(ctx context.Context, job *river.Job[jobs.PublishArgs]) error {
	return w.service.PublishScheduled(ctx, job.Args.PostID, job.Args.PublishAt)
}
