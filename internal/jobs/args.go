// Package jobs names the background work newsroom does on River: the job
// argument types live here so that the services enqueuing them and the
// workers running them agree without importing each other.
package jobs

import "time"

// Queue names. Fresh deliveries and retries of old ones go to different
// queues so a backlog of retries to dead servers never holds up a new post.
const (
	QueueDefault = "default"
	QueueDeliver = "deliver"
	QueueRetry   = "deliver_retry"
)

// FanoutArgs expands one of our activities into one delivery per inbox.
type FanoutArgs struct {
	ActivityID string `json:"activity_id"`
}

func (FanoutArgs) Kind() string { return "fanout" }

// DeliverArgs posts one activity to one inbox, signed as its organisation.
type DeliverArgs struct {
	ActivityID string `json:"activity_id"`
	Inbox      string `json:"inbox"`
	// Recipient is set for activities addressed to one actor (an Accept),
	// which are not counted in a post's delivery progress.
	Recipient string `json:"recipient,omitempty"`
	// Attempt is how many attempts were made before this one. Remote
	// failures are retried by a new job carrying the count, on QueueRetry;
	// River's own retries are left for local failures and crashes.
	Attempt int `json:"attempt,omitempty"`
}

func (DeliverArgs) Kind() string { return "deliver" }

// PublishArgs publishes a scheduled post when its time comes. PublishAt is
// the time the job was scheduled for: a post rescheduled since has another
// job, and this one does nothing.
type PublishArgs struct {
	PostID    string    `json:"post_id"`
	PublishAt time.Time `json:"publish_at"`
}

func (PublishArgs) Kind() string { return "publish" }
