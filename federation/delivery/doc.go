// Package delivery posts our activities to other servers' inboxes. Its
// workers run on River: a delivery is a job in the same database as the
// post, so nothing queued or in flight is lost when the process dies.
//
// Four job kinds, whose arguments (and insert options) live in
// internal/jobs so that services can enqueue them:
//
//   - FanoutWorker (jobs.FanoutArgs) turns one activity into delivery
//     jobs of BatchSize follower inboxes each, every inbox with a row in
//     the activity's delivery progress;
//   - DeliverBatchWorker (jobs.DeliverBatchArgs) sends to a batch's
//     inboxes at once and records each outcome in that progress;
//   - DeliverWorker (jobs.DeliverArgs) sends one delivery, a retry of one
//     that failed, and records its outcome the same way;
//   - DirectWorker (jobs.DirectArgs) sends one activity to one inbox
//     outside any fan-out (the Accept of a Follow, the Reject of a removed
//     follower), which has no progress.
//
// Both senders share a Sender, which signs, posts and classifies the
// answer. When an inbox fails in a way worth retrying, the job completes
// and the next attempt is queued as a new job on the retry queue, so that
// retries to servers that are down never hold up the deliveries of a new
// post.
package delivery
