// Package delivery posts our activities to other servers' inboxes. Its
// workers run on River: a delivery is a job in the same database as the
// post, so nothing queued or in flight is lost when the process dies.
//
// The fan-out worker turns one activity into one delivery job per inbox.
// The delivery worker sends one activity to one inbox; when the inbox
// fails in a way worth retrying, it completes its job and queues the next
// attempt as a new job on the retry queue, so that retries to servers that
// are down never hold up the deliveries of a new post.
package delivery

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/groupcommit"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/urls"
)

// MaxAttempts is one try plus 16 retries, Mastodon's patience.
const MaxAttempts = 17

// Store is what deliveries read and record.
type Store interface {
	ActivityByID(ctx context.Context, id string) (*newsroom.Activity, error)
	OrgByID(ctx context.Context, id int64) (*newsroom.Organisation, error)
	DeliveryByInbox(ctx context.Context, activityID, inbox string) (*newsroom.Delivery, error)
	RecordDomainFailure(ctx context.Context, host string, at time.Time) (newsroom.DomainHealth, error)
	RecordDomainSuccess(ctx context.Context, host string) error
	RemoveFollowersByInbox(ctx context.Context, inbox string) (int64, error)
}

// Queue records a failed attempt and queues the next one atomically, and
// records outcomes in batches (jobs.Deliveries).
type Queue interface {
	Recorder
	// Retry's rec is nil for deliveries without a progress row.
	Retry(ctx context.Context, rec *newsroom.Delivery, next jobs.DeliverArgs, at time.Time) error
}

// Worker delivers one activity to one inbox.
type Worker struct {
	river.WorkerDefaults[jobs.DeliverArgs]
	store   Store
	retrier Queue
	records *groupcommit.Committer[newsroom.Delivery, struct{}]
	client  *transport.Client
	urls    urls.Builder
	log     *slog.Logger
	now     func() time.Time
	backoff atomic.Pointer[func(attempt int) time.Duration]

	mu         sync.Mutex
	keys       map[int64]orgKey // an organisation's key never changes; parse it once
	activities map[string]*newsroom.Activity
	healthy    map[string]bool // hosts whose success is recorded and that have not failed since
}

type orgKey struct {
	key *rsa.PrivateKey
	id  string
}

// maxCachedActivities bounds the activities kept in memory. A fan-out
// sends the same few activities thousands of times; reading each once is
// what matters.
const maxCachedActivities = 64

// NewWorker returns a delivery worker.
func NewWorker(s Store, q Queue, c *transport.Client, u urls.Builder, log *slog.Logger) *Worker {
	w := &Worker{store: s, retrier: q, records: newOutcomes(q), client: c, urls: u, log: log, now: time.Now,
		keys: make(map[int64]orgKey), activities: make(map[string]*newsroom.Activity), healthy: make(map[string]bool)}
	w.SetBackoff(Backoff)
	return w
}

// SetBackoff replaces the delay between attempts; tests make it short.
func (w *Worker) SetBackoff(f func(attempt int) time.Duration) { w.backoff.Store(&f) }

// NextRetry spaces River's own retries of a job that returned an error.
// Remote failures never get here (they complete the job and queue the
// next attempt on the retry queue); what does is local trouble, such as a
// busy database, which clears in seconds, so the retry comes soon rather
// than after River's default of attempt⁴ seconds.
func (w *Worker) NextRetry(job *river.Job[jobs.DeliverArgs]) time.Time {
	d := time.Duration(1<<min(job.Attempt, 8)) * time.Second
	return w.now().Add(min(d, 5*time.Minute))
}

// Backoff is the delay after the given attempt (1-based), as Mastodon
// spaces its own: (n⁴ + 15 s) plus jitter, which adds up to about two and
// a half days over 16 retries.
func Backoff(attempt int) time.Duration {
	n := float64(attempt)
	base := time.Duration(n*n*n*n)*time.Second + 15*time.Second
	jitter := time.Duration(rand.Int64N(int64(30*(attempt+1)))) * time.Second
	return base + jitter
}

// Work sends the activity and classifies the answer.
func (w *Worker) Work(ctx context.Context, job *river.Job[jobs.DeliverArgs]) error {
	args := job.Args
	attempt := args.Attempt + 1
	act, err := w.activity(ctx, args.ActivityID)
	if errors.Is(err, newsroom.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("activity %s no longer exists", args.ActivityID))
	}
	if err != nil {
		return err
	}
	if job.Attempt > 1 && args.Recipient == "" {
		// River runs a job again after a crash; the inbox may have had it.
		if done, err := w.delivered(ctx, args); err != nil || done {
			return err
		}
	}
	key, keyID, err := w.orgKey(ctx, act.OrgID)
	if err != nil {
		return err
	}
	res, derr := w.client.Deliver(ctx, args.Inbox, act.JSON, keyID, key)
	host := hostOf(args.Inbox)
	switch res.Outcome {
	case transport.Delivered:
		// The delivery first: until it is recorded, a crash sends it again.
		if err := w.record(ctx, args, newsroom.DeliveryDelivered, attempt, ""); err != nil {
			return err
		}
		w.recordSuccess(ctx, host)
		return nil
	case transport.Gone:
		n, err := w.store.RemoveFollowersByInbox(ctx, args.Inbox)
		if err != nil {
			return err
		}
		w.log.Info("inbox gone, followers removed", "inbox", args.Inbox, "followers", n)
		return w.record(ctx, args, newsroom.DeliveryFailed, attempt, derr.Error())
	case transport.Failed:
		return w.record(ctx, args, newsroom.DeliveryFailed, attempt, derr.Error())
	}
	return w.retry(ctx, args, attempt, res, derr)
}

// retry counts the failure against the domain and queues the next attempt,
// unless this was the last or the domain has been failing for days.
func (w *Worker) retry(ctx context.Context, args jobs.DeliverArgs, attempt int, res *transport.DeliveryResult, derr error) error {
	host := hostOf(args.Inbox)
	w.mu.Lock()
	delete(w.healthy, host)
	w.mu.Unlock()
	health, err := w.store.RecordDomainFailure(ctx, host, w.now().UTC())
	if err != nil {
		w.log.Warn("record domain failure", "host", host, "err", err)
	}
	if attempt >= MaxAttempts || health.Unavailable {
		return w.record(ctx, args, newsroom.DeliveryFailed, attempt, derr.Error())
	}
	delay := res.RetryAfter
	if delay <= 0 {
		delay = (*w.backoff.Load())(attempt)
	}
	next := args
	next.Attempt = attempt
	var rec *newsroom.Delivery
	if args.Recipient == "" {
		rec = &newsroom.Delivery{ActivityID: args.ActivityID, Inbox: args.Inbox, Status: newsroom.DeliveryPending,
			Attempts: attempt, LastError: derr.Error(), UpdatedAt: w.now().UTC()}
	}
	return w.retrier.Retry(ctx, rec, next, w.now().Add(delay))
}

// delivered reports whether the delivery was recorded as done, by a run
// of this job that died before River heard of its success. Only jobs that
// River runs again ask.
func (w *Worker) delivered(ctx context.Context, args jobs.DeliverArgs) (bool, error) {
	d, err := w.store.DeliveryByInbox(ctx, args.ActivityID, args.Inbox)
	if errors.Is(err, newsroom.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return d.Status == newsroom.DeliveryDelivered, nil
}

// record stores the outcome in the activity's delivery progress;
// deliveries to one actor (an Accept) have none.
func (w *Worker) record(ctx context.Context, args jobs.DeliverArgs, s newsroom.DeliveryStatus, attempts int, lastErr string) error {
	if args.Recipient != "" {
		return nil
	}
	_, err := w.records.Do(ctx, newsroom.Delivery{ActivityID: args.ActivityID, Inbox: args.Inbox,
		Status: s, Attempts: attempts, LastError: lastErr, UpdatedAt: w.now().UTC()})
	return err
}

// recordSuccess clears a host's failures the first time it answers after
// a failure (or after a start): writing it on every delivery would cost a
// write per delivery for nothing.
func (w *Worker) recordSuccess(ctx context.Context, host string) {
	w.mu.Lock()
	known := w.healthy[host]
	w.mu.Unlock()
	if known {
		return
	}
	if err := w.store.RecordDomainSuccess(ctx, host); err != nil {
		w.log.Warn("record domain success", "host", host, "err", err)
		return
	}
	w.mu.Lock()
	w.healthy[host] = true
	w.mu.Unlock()
}

// activity reads an activity once for all its deliveries. Activities
// never change once stored.
func (w *Worker) activity(ctx context.Context, id string) (*newsroom.Activity, error) {
	w.mu.Lock()
	a, ok := w.activities[id]
	w.mu.Unlock()
	if ok {
		return a, nil
	}
	a, err := w.store.ActivityByID(ctx, id)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	if len(w.activities) >= maxCachedActivities {
		clear(w.activities)
	}
	w.activities[id] = a
	w.mu.Unlock()
	return a, nil
}

func (w *Worker) orgKey(ctx context.Context, orgID int64) (*rsa.PrivateKey, string, error) {
	w.mu.Lock()
	k, ok := w.keys[orgID]
	w.mu.Unlock()
	if ok {
		return k.key, k.id, nil
	}
	o, err := w.store.OrgByID(ctx, orgID)
	if err != nil {
		return nil, "", fmt.Errorf("organisation %d: %w", orgID, err)
	}
	key, err := transport.ParsePrivateKey(o.PrivateKeyPEM)
	if err != nil {
		return nil, "", fmt.Errorf("key of organisation %s: %w", o.Handle, err)
	}
	k = orgKey{key: key, id: w.urls.OrgKey(o.Handle)}
	w.mu.Lock()
	w.keys[orgID] = k
	w.mu.Unlock()
	return k.key, k.id, nil
}

func hostOf(inbox string) string {
	u, err := url.Parse(inbox)
	if err != nil {
		return ""
	}
	h, err := transport.NormaliseHost(u.Host)
	if err != nil {
		return u.Host
	}
	return h
}
