// Package delivery posts our activities to other servers' inboxes. It is
// a River worker: a delivery is a job in the same database as the post,
// so nothing queued or in flight is lost when the process dies.
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
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/federation/transport"
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
	UpdateDelivery(ctx context.Context, d newsroom.Delivery) error
	RecordDomainFailure(ctx context.Context, host string, at time.Time) (newsroom.DomainHealth, error)
	RecordDomainSuccess(ctx context.Context, host string) error
	RemoveFollowersByInbox(ctx context.Context, inbox string) (int64, error)
}

// Worker delivers one activity to one inbox.
type Worker struct {
	river.WorkerDefaults[jobs.DeliverArgs]
	store  Store
	client *transport.Client
	urls   urls.Builder
	log    *slog.Logger
	now    func() time.Time

	mu   sync.Mutex
	keys map[int64]orgKey // an organisation's key never changes; parse it once
}

type orgKey struct {
	key *rsa.PrivateKey
	id  string
}

// NewWorker returns a delivery worker.
func NewWorker(s Store, c *transport.Client, u urls.Builder, log *slog.Logger) *Worker {
	return &Worker{store: s, client: c, urls: u, log: log, now: time.Now, keys: make(map[int64]orgKey)}
}

// Timeout bounds one attempt, well above the client's own timeout.
func (w *Worker) Timeout(*river.Job[jobs.DeliverArgs]) time.Duration { return time.Minute }

// NextRetry spaces attempts as Mastodon does, (n⁴ + 15 s) plus jitter,
// which adds up to about two and a half days over 16 retries.
func (w *Worker) NextRetry(job *river.Job[jobs.DeliverArgs]) time.Time {
	return w.now().Add(Backoff(job.Attempt))
}

// Backoff is the delay after the given attempt (1-based).
func Backoff(attempt int) time.Duration {
	n := float64(attempt)
	base := time.Duration(n*n*n*n)*time.Second + 15*time.Second
	jitter := time.Duration(rand.Int64N(int64(30*(attempt+1)))) * time.Second
	return base + jitter
}

// Work sends the activity and classifies the answer.
func (w *Worker) Work(ctx context.Context, job *river.Job[jobs.DeliverArgs]) error {
	args := job.Args
	act, err := w.store.ActivityByID(ctx, args.ActivityID)
	if errors.Is(err, newsroom.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("activity %s no longer exists", args.ActivityID))
	}
	if err != nil {
		return err
	}
	key, keyID, err := w.orgKey(ctx, act.OrgID)
	if err != nil {
		return err
	}
	res, derr := w.client.Deliver(ctx, args.Inbox, act.JSON, keyID, key)
	host := hostOf(args.Inbox)
	tracked := args.Recipient == ""
	switch res.Outcome {
	case transport.Delivered:
		if err := w.store.RecordDomainSuccess(ctx, host); err != nil {
			w.log.Warn("record domain success", "host", host, "err", err)
		}
		return w.record(ctx, tracked, args, newsroom.DeliveryDelivered, job.Attempt, "")
	case transport.Gone:
		n, err := w.store.RemoveFollowersByInbox(ctx, args.Inbox)
		if err != nil {
			return err
		}
		w.log.Info("inbox gone, followers removed", "inbox", args.Inbox, "followers", n)
		if err := w.record(ctx, tracked, args, newsroom.DeliveryFailed, job.Attempt, derr.Error()); err != nil {
			return err
		}
		return river.JobCancel(derr)
	case transport.Failed:
		if err := w.record(ctx, tracked, args, newsroom.DeliveryFailed, job.Attempt, derr.Error()); err != nil {
			return err
		}
		return river.JobCancel(derr)
	}
	// Retry: count the day against the domain, honour Retry-After.
	if _, err := w.store.RecordDomainFailure(ctx, host, w.now().UTC()); err != nil {
		w.log.Warn("record domain failure", "host", host, "err", err)
	}
	status := newsroom.DeliveryPending
	if job.Attempt >= job.MaxAttempts {
		status = newsroom.DeliveryFailed
	}
	if err := w.record(ctx, tracked, args, status, job.Attempt, derr.Error()); err != nil {
		return err
	}
	if res.RetryAfter > 0 && job.Attempt < job.MaxAttempts {
		return river.JobSnooze(res.RetryAfter)
	}
	return derr
}

func (w *Worker) record(ctx context.Context, tracked bool, args jobs.DeliverArgs, s newsroom.DeliveryStatus, attempts int, lastErr string) error {
	if !tracked {
		return nil
	}
	return w.store.UpdateDelivery(ctx, newsroom.Delivery{ActivityID: args.ActivityID, Inbox: args.Inbox,
		Status: s, Attempts: attempts, LastError: lastErr, UpdatedAt: w.now().UTC()})
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
