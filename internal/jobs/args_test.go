package jobs

import (
	"testing"
	"time"

	"github.com/riverqueue/river"
)

// Each kind carries its queue: fresh deliveries and retries never share
// one, and a retry is unique by its stored arguments.
func TestInsertOpts(t *testing.T) {
	at := time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC)
	cases := []struct {
		args interface {
			river.JobArgs
			river.JobArgsWithInsertOpts
		}
		queue  string
		at     time.Time
		unique bool
	}{
		{FanoutArgs{ActivityID: "A"}, QueueDefault, time.Time{}, false},
		{PublishArgs{PostID: "P", PublishAt: at}, QueueDefault, at, false},
		{DeliverArgs{ActivityID: "A", Inbox: "i"}, QueueDeliver, time.Time{}, false},
		{DeliverArgs{ActivityID: "A", Inbox: "i", Attempt: 3, RetryAt: at}, QueueRetry, at, true},
		{DeliverBatchArgs{ActivityID: "A", Inboxes: []string{"i", "j"}}, QueueDeliver, time.Time{}, false},
		{DirectArgs{ActivityID: "A", Inbox: "i"}, QueueDeliver, time.Time{}, false},
		{DirectArgs{ActivityID: "A", Inbox: "i", Attempt: 1, RetryAt: at}, QueueRetry, at, true},
	}
	for _, c := range cases {
		o := c.args.InsertOpts()
		if o.Queue != c.queue || !o.ScheduledAt.Equal(c.at) || o.UniqueOpts.ByArgs != c.unique {
			t.Errorf("%s %+v: %+v", c.args.Kind(), c.args, o)
		}
	}
}
