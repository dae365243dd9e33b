// Package jobs names the background work newsroom does on River: the job
// argument types live here so that the services enqueuing them and the
// workers running them agree without importing each other. Each type
// carries its own insert options (River's JobArgsWithInsertOpts), so a
// caller writes tx.Enqueue(ctx, jobs.FanoutArgs{…}) and every job of a
// kind lands on the same queue with the same rules.
//
// The workers of "fanout" (FanoutArgs), "deliver_batch"
// (DeliverBatchArgs), "deliver" (DeliverArgs) and
// "deliver_accept" (DirectArgs, one activity to one inbox) are in federation/delivery; the worker of
// "publish" (PublishArgs) is in internal/posts; the worker of "feed_poll"
// (FeedPollArgs) is in internal/feeds; those of "compact_deliveries"
// (CompactArgs) and "prune" (PruneArgs), periodic, in internal/upkeep.
package jobs

import (
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// River queues. Fresh deliveries and retries of old ones go to different
// queues so a backlog of retries to dead servers never holds up a new post.
const (
	QueueDefault = "default"
	QueueDeliver = "deliver"
	QueueRetry   = "deliver_retry"
)

// FanoutArgs expands one of our activities into one delivery per inbox.
type FanoutArgs struct {
	ActivityID string `json:"activity_id"`
	// Mentioned are the inboxes of the accounts the post mentions, which
	// get the activity besides the followers, as Mastodon sends it.
	Mentioned []string `json:"mentioned,omitempty"`
}

func (FanoutArgs) Kind() string { return "fanout" }

func (FanoutArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueueDefault} }

// DeliverArgs posts one activity of a fan-out to one inbox, signed as its
// organisation, and records the outcome in the activity's delivery
// progress.
type DeliverArgs struct {
	ActivityID string `json:"activity_id"`
	Inbox      string `json:"inbox"`
	// Attempt is how many attempts were made before this one. Remote
	// failures are retried by a new job carrying the count, on QueueRetry;
	// River's own retries are left for local failures and crashes.
	Attempt int `json:"attempt,omitempty"`
	// RetryAt is when an attempt after the first runs. It becomes the
	// job's scheduled time and is not stored in the arguments, which keep
	// the retry unique by (activity, inbox, attempt).
	RetryAt time.Time `json:"-"`
	// LegacyRecipient is set only in jobs queued before Accepts had their
	// own kind: such a job is an Accept to one actor, and its worker runs
	// it as a DirectArgs.
	LegacyRecipient string `json:"recipient,omitempty"`
}

func (DeliverArgs) Kind() string { return "deliver" }

// InsertOpts queues a first attempt without River's uniqueness, which
// triples the cost of an insert on SQLite: the fan-out already leaves out
// inboxes with a row, committed with its job.
func (a DeliverArgs) InsertOpts() river.InsertOpts { return deliveryOpts(a.Attempt, a.RetryAt) }

// DeliverBatchArgs posts one activity of a fan-out to several inboxes,
// each on a different server as far as the fan-out can, as DeliverArgs
// would one by one: a job costs River an insert, a fetch and a
// completion, as much as a third of a signature, and a batch pays it once
// for all its inboxes. Only first attempts are batched; each failed inbox
// is retried by a DeliverArgs of its own.
type DeliverBatchArgs struct {
	ActivityID string   `json:"activity_id"`
	Inboxes    []string `json:"inboxes"`
	// FollowUp marks the batch a job queued for its inboxes still waiting
	// on their servers when it ended: each inbox's row says whether its
	// delivery got an outcome meanwhile.
	FollowUp bool `json:"follow_up,omitempty"`
	// At, when set, is when the batch runs: a follow-up runs once the
	// deliveries it follows cannot be under way any more. Not stored in
	// the arguments.
	At time.Time `json:"-"`
}

func (DeliverBatchArgs) Kind() string { return "deliver_batch" }

func (a DeliverBatchArgs) InsertOpts() river.InsertOpts { return deliveryOpts(0, a.At) }

// DirectArgs posts one activity to one inbox outside any fan-out: the
// Accept of a Follow, or the Reject sent when an editor removes a
// follower. Nothing records its progress. Its kind keeps the name it had
// when it carried only Accepts, so that jobs queued then still run.
type DirectArgs struct {
	ActivityID string `json:"activity_id"`
	Inbox      string `json:"inbox"`
	// Attempt and RetryAt are as in DeliverArgs.
	Attempt int       `json:"attempt,omitempty"`
	RetryAt time.Time `json:"-"`
}

func (DirectArgs) Kind() string { return "deliver_accept" }

func (a DirectArgs) InsertOpts() river.InsertOpts { return deliveryOpts(a.Attempt, a.RetryAt) }

// deliveryOpts puts a first attempt on the delivery queue (at once unless
// at is set), and a later one on the retry queue at its time, unique by arguments so that a
// delivery job run again after a crash does not queue its next attempt
// twice.
func deliveryOpts(attempt int, at time.Time) river.InsertOpts {
	if attempt == 0 {
		return river.InsertOpts{Queue: QueueDeliver, ScheduledAt: at}
	}
	return river.InsertOpts{Queue: QueueRetry, ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// PublishArgs publishes a scheduled post when its time comes. PublishAt is
// the time the job was scheduled for: a post rescheduled since has another
// job, and this one does nothing.
type PublishArgs struct {
	PostID    string    `json:"post_id"`
	PublishAt time.Time `json:"publish_at"`
}

func (PublishArgs) Kind() string { return "publish" }

func (a PublishArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, ScheduledAt: a.PublishAt}
}

// FeedPollArgs polls one organisation's website feed. The job of a source
// runs again and again: after each poll it snoozes until the next, so a
// source has one job, unique by its arguments, across restarts and
// instances. Once marks a poll asked for now (the "poll now" button),
// which runs beside that chain and ends.
type FeedPollArgs struct {
	SourceID int64 `json:"source_id"`
	Once     bool  `json:"once,omitempty"`
}

func (FeedPollArgs) Kind() string { return "feed_poll" }

// InsertOpts leave completed jobs out of uniqueness, so that a source
// whose chain ended (disabled, then enabled again) can start a new one.
func (FeedPollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: unfinished}}
}

// CompactArgs folds the delivery rows of finished fan-outs into their
// counts. It runs periodically; unique while one waits or runs, so that
// instances and a slow run never pile them up.
type CompactArgs struct{}

func (CompactArgs) Kind() string { return "compact_deliveries" }

func (CompactArgs) InsertOpts() river.InsertOpts { return upkeepOpts() }

// PruneArgs deletes what is kept only for a while: processed inbox
// activities past the deduplication window, expired sessions and setup
// tokens. Periodic and unique as CompactArgs.
type PruneArgs struct{}

func (PruneArgs) Kind() string { return "prune" }

func (PruneArgs) InsertOpts() river.InsertOpts { return upkeepOpts() }

func upkeepOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: unfinished}}
}

// unfinished are the states in which a job counts for uniqueness when
// finished ones must not: a chain that ended may start again.
var unfinished = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateScheduled, rivertype.JobStateRetryable,
}

// FollowersSyncArgs checks, against a member's server, the organisations'
// follows of one of its accounts: that server's Collection-Synchronization
// header (FEP-8fcf) said its list differs from ours, and URL is its
// partial collection of the followers on our server.
type FollowersSyncArgs struct {
	ActorID string `json:"actor_id"`
	URL     string `json:"url"`
}

func (FollowersSyncArgs) Kind() string { return "followers_sync" }

// InsertOpts: one check per account waits or runs at a time, however many
// deliveries carry a differing digest meanwhile.
func (FollowersSyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: unfinished}}
}
