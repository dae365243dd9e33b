package delivery

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/foreground"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

// MaxAttempts is one try plus 16 retries, Mastodon's patience.
const MaxAttempts = 17

// maxInFlight bounds the deliveries between their signature and their
// recorded outcome: while as many are under way, no new one signs. Those
// answered and waiting to be recorded, what a crash sends twice, have
// their own, much smaller bound (maxUnrecorded); this one bounds what
// deliveries on the wire hold (a goroutine, a connection or a stream,
// buffers: tens of kilobytes each). It is large because on the internet
// most of them are waiting: a round trip or two to a server far away,
// seconds for a slow one, the timeouts for one that never answers. Were
// it a few hundred, fifty servers taking five seconds to answer ten
// deliveries each would hold all of them and stop the fan-out for the
// others. It is not larger because on loopback or a loaded machine
// requests received and not yet answered are also what a crash sends
// twice.
const maxInFlight = 1024

// maxUnrecorded bounds the deliveries answered and not yet recorded: once
// as many wait for their outcome to be written, no delivery signs until
// some are. These are exactly what a crash sends twice. The in-flight
// bound alone does not keep them few: on loopback nearly every delivery
// in flight is answered at once, so when the database is slow to record
// (two instances on one PostgreSQL, a loaded machine) all of them could
// be waiting there. Requests on the wire to far servers are not counted, so
// the bound costs nothing in latency.
const maxUnrecorded = 32

// settleTimeout bounds the writing of an answer's outcome, which goes on
// after the job's own time is up.
const settleTimeout = 10 * time.Second

// Store is what deliveries read and record.
type Store interface {
	// InTx writes a failed attempt and queues the next in one transaction.
	InTx(ctx context.Context, fn func(tx store.Tx) error) error
	ActivityByID(ctx context.Context, id string) (*newsroom.Activity, error)
	OrgByID(ctx context.Context, id int64) (*newsroom.Organisation, error)
	DeliveryByInbox(ctx context.Context, activityID, inbox string) (*newsroom.Delivery, error)
	// UpdateDeliveries records several outcomes at once; a row that no
	// longer exists (its activity was deleted since) is skipped.
	UpdateDeliveries(ctx context.Context, ds []newsroom.Delivery) error
	RecordDomainFailure(ctx context.Context, host string, at time.Time) (newsroom.DomainHealth, error)
	RecordDomainSuccess(ctx context.Context, host string) error
	RemoveFollowersByInbox(ctx context.Context, inbox string) (int64, error)
	// FollowersOnHosts gives the followers on the servers a batch goes
	// to, for the Collection-Synchronization header.
	FollowersOnHosts(ctx context.Context, orgID int64, hosts []string) ([]string, error)
}

// Sender signs and posts our activities and decides what each answer
// means, for the delivery and Accept workers alike. It keeps what every
// delivery of a fan-out reads again: the activity, the organisation's
// key, which hosts are known to answer.
type Sender struct {
	store   Store
	client  *transport.Client
	urls    urls.Builder
	log     *slog.Logger
	now     func() time.Time
	backoff atomic.Pointer[func(attempt int) time.Duration]

	// inFlight holds a token per delivery under way.
	inFlight chan struct{}
	// unrecorded counts the answers waiting for their outcome to be
	// written.
	unrecorded backlog
	// foreground holds signatures back while an editor's request is
	// under way; nil for none.
	foreground *foreground.Gate

	mu         sync.Mutex
	keys       map[int64]orgKey // an organisation's key never changes; parse it once
	activities map[string]sentActivity
	healthy    map[string]bool // hosts whose success is recorded and that have not failed since
	syncValues map[syncKey]syncValue
}

// sentActivity is an activity as its deliveries send it.
type sentActivity struct {
	*newsroom.Activity
	digest string // of its JSON, the same in every delivery
}

type orgKey struct {
	key    *rsa.PrivateKey
	id     string
	handle string
}

// maxCachedActivities bounds the activities kept in memory. A fan-out
// sends the same few activities thousands of times; reading each once is
// what matters.
const maxCachedActivities = 64

// NewSender returns a Sender posting with c, signing as the organisations
// of u.
func NewSender(s Store, c *transport.Client, u urls.Builder, log *slog.Logger) *Sender {
	sender := &Sender{store: s, client: c, urls: u, log: log, now: time.Now,
		keys: make(map[int64]orgKey), activities: make(map[string]sentActivity), healthy: make(map[string]bool),
		syncValues: make(map[syncKey]syncValue),
		inFlight:   make(chan struct{}, maxInFlight), unrecorded: backlog{max: maxUnrecorded}}
	sender.SetBackoff(Backoff)
	return sender
}

// SetForeground makes every signature wait, boundedly, while g has a
// request under way: an editor's page during a fan-out of thousands of
// deliveries then gets the processors, and the database's, for itself.
// Call it before the first delivery.
func (s *Sender) SetForeground(g *foreground.Gate) { s.foreground = g }

// SetBackoff replaces the delay between attempts; tests make it short.
func (s *Sender) SetBackoff(f func(attempt int) time.Duration) { s.backoff.Store(&f) }

// nextRetry spaces River's own retries of a job that returned an error.
// Remote failures never get here (they complete the job and queue the
// next attempt on the retry queue); what does is local trouble, such as a
// busy database, which clears in seconds, so the retry comes soon rather
// than after River's default of attempt⁴ seconds.
func (s *Sender) nextRetry(jobAttempt int) time.Time {
	d := time.Duration(1<<min(jobAttempt, 8)) * time.Second
	return s.now().Add(min(d, 5*time.Minute))
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

// settler is what a job does with an inbox's answer, which depends on its
// kind: a fan-out delivery keeps the activity's progress, an Accept has
// none.
type settler interface {
	// done reports whether an earlier run of the job, cut by a crash,
	// delivered the activity already.
	done(ctx context.Context) (bool, error)
	// record stores a final outcome.
	record(ctx context.Context, status newsroom.DeliveryStatus, attempts int, why failure) error
	// retry stores a failed attempt and queues the next, due at "at".
	retry(ctx context.Context, attempts int, why failure, at time.Time) error
}

// send makes attempt made+1 to deliver the activity to inbox, with the
// headers in extra (nil for none), and settles the answer with st. With a
// watch, which is kept told where the delivery is, a server busy with our
// deliveries is waited for hostWait at most: send then returns an error
// matching transport.ErrHostBusy, having sent and settled nothing.
func (s *Sender) send(ctx context.Context, activityID, inbox string, made int, st settler, w *watch, extra http.Header) error {
	attempt := made + 1
	act, err := s.activity(ctx, activityID)
	if errors.Is(err, newsroom.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("activity %s no longer exists", activityID))
	}
	if err != nil {
		return err
	}
	if done, err := st.done(ctx); err != nil || done {
		return err
	}
	key, keyID, err := s.orgKey(ctx, act.OrgID)
	if err != nil {
		return err
	}
	// The slot among the deliveries under way is taken once the server's
	// gate is passed: deliveries waiting for a slow or unproven server
	// hold none, and take no signature from those that can go.
	sending := false
	defer func() {
		if sending {
			s.doneSending()
		}
	}()
	beforeSign := func(ctx context.Context) error {
		if !sending {
			if err := s.startSending(ctx); err != nil {
				return err
			}
			sending = true
		}
		if err := s.foreground.Wait(ctx); err != nil {
			return err
		}
		if err := s.unrecorded.wait(ctx); err != nil {
			return err
		}
		w.set(stageWire) // signed in a moment
		return nil
	}
	d := transport.Delivery{Inbox: inbox, Body: act.JSON, Digest: act.digest, KeyID: keyID, Key: key, Header: extra, BeforeSign: beforeSign}
	if w != nil {
		d.MaxWait = hostWait
	}
	start := s.now()
	res, derr := s.client.Send(ctx, d)
	w.set(stageOurs) // the answer is ours to record
	if errors.Is(derr, transport.ErrHostBusy) {
		return derr
	}
	if res.StatusCode == 0 && ctx.Err() != nil {
		// The job's time ran out (or the process is stopping) with no
		// answer from the inbox: there is nothing to settle, and River
		// runs the job again.
		return fmt.Errorf("deliver %s to %s: %w", activityID, inbox, context.Cause(ctx))
	}
	s.unrecorded.add()
	defer s.unrecorded.done()
	why := failure{reason: Reason(res, derr, s.now().Sub(start))}
	if derr != nil {
		why.err = derr.Error()
	}
	// The inbox answered: its outcome is written even if the job's time
	// runs out meanwhile, since a delivery not recorded is sent again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	host := hostOf(inbox)
	switch res.Outcome {
	case transport.Delivered:
		// The delivery first: until it is recorded, a crash sends it again.
		if err := st.record(ctx, newsroom.DeliveryDelivered, attempt, failure{}); err != nil {
			return err
		}
		s.recordSuccess(ctx, host)
		return nil
	case transport.Gone:
		n, err := s.store.RemoveFollowersByInbox(ctx, inbox)
		if err != nil {
			return err
		}
		s.log.Info("inbox gone, followers removed", "inbox", inbox, "followers", n)
		return st.record(ctx, newsroom.DeliveryFailed, attempt, why)
	case transport.Failed:
		return s.giveUp(ctx, activityID, inbox, attempt, "refused", why, st)
	}
	return s.retry(ctx, activityID, inbox, attempt, res, why, st)
}

// giveUp records a delivery that will not be tried again, and says so at
// WARN: the log then names each server that never got an activity, and
// why, without anyone opening the editor.
func (s *Sender) giveUp(ctx context.Context, activityID, inbox string, attempt int, why string, f failure, st settler) error {
	s.log.WarnContext(ctx, "delivery abandoned", "activity", activityID, "inbox", inbox,
		"attempts", attempt, "why", why, "reason", f.reason, "err", f.err)
	return st.record(ctx, newsroom.DeliveryFailed, attempt, f)
}

// retry counts the failure against the domain and queues the next attempt,
// unless this was the last or the domain has been failing for days.
func (s *Sender) retry(ctx context.Context, activityID, inbox string, attempt int, res *transport.DeliveryResult, why failure, st settler) error {
	host := hostOf(inbox)
	s.mu.Lock()
	delete(s.healthy, host)
	s.mu.Unlock()
	health, err := s.store.RecordDomainFailure(ctx, host, s.now().UTC())
	if err != nil {
		s.log.Warn("record domain failure", "host", host, "err", err)
	}
	switch {
	case attempt >= MaxAttempts:
		return s.giveUp(ctx, activityID, inbox, attempt, "last attempt", why, st)
	case health.Unavailable:
		return s.giveUp(ctx, activityID, inbox, attempt, "server failing for days", why, st)
	}
	delay := res.RetryAfter
	if delay <= 0 {
		delay = (*s.backoff.Load())(attempt)
	}
	return st.retry(ctx, attempt, why, s.now().Add(delay))
}

// recordSuccess clears a host's failures the first time it answers after
// a failure (or after a start): writing it on every delivery would cost a
// write per delivery for nothing.
func (s *Sender) recordSuccess(ctx context.Context, host string) {
	// Marked before the write, so that the deliveries to the same server
	// answered meanwhile (a batch's worth, all at once) do not write it
	// too: each write waits for one of the few database connections the
	// outcomes also wait for.
	s.mu.Lock()
	known := s.healthy[host]
	s.healthy[host] = true
	s.mu.Unlock()
	if known {
		return
	}
	if err := s.store.RecordDomainSuccess(ctx, host); err != nil {
		s.log.Warn("record domain success", "host", host, "err", err)
		s.mu.Lock()
		delete(s.healthy, host)
		s.mu.Unlock()
	}
}

// activity reads an activity once for all its deliveries. Activities
// never change once stored.
func (s *Sender) activity(ctx context.Context, id string) (sentActivity, error) {
	s.mu.Lock()
	a, ok := s.activities[id]
	s.mu.Unlock()
	if ok {
		return a, nil
	}
	act, err := s.store.ActivityByID(ctx, id)
	if err != nil {
		return sentActivity{}, err
	}
	a = sentActivity{Activity: act, digest: transport.BodyDigest(act.JSON)}
	s.mu.Lock()
	if len(s.activities) >= maxCachedActivities {
		clear(s.activities)
	}
	s.activities[id] = a
	s.mu.Unlock()
	return a, nil
}

func (s *Sender) orgKey(ctx context.Context, orgID int64) (*rsa.PrivateKey, string, error) {
	k, err := s.org(ctx, orgID)
	return k.key, k.id, err
}

// orgHandle is the handle of organisation orgID, read once.
func (s *Sender) orgHandle(ctx context.Context, orgID int64) (string, error) {
	k, err := s.org(ctx, orgID)
	return k.handle, err
}

func (s *Sender) org(ctx context.Context, orgID int64) (orgKey, error) {
	s.mu.Lock()
	k, ok := s.keys[orgID]
	s.mu.Unlock()
	if ok {
		return k, nil
	}
	o, err := s.store.OrgByID(ctx, orgID)
	if err != nil {
		return orgKey{}, fmt.Errorf("organisation %d: %w", orgID, err)
	}
	key, err := transport.ParsePrivateKey(o.PrivateKeyPEM)
	if err != nil {
		return orgKey{}, fmt.Errorf("key of organisation %s: %w", o.Handle, err)
	}
	k = orgKey{key: key, id: s.urls.OrgKey(o.Handle), handle: o.Handle}
	s.mu.Lock()
	s.keys[orgID] = k
	s.mu.Unlock()
	return k, nil
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

// Where a delivery of a batch is, for the batch to know whether it still
// waits on us (processors, slots, the database) or on the server.
const (
	stageOurs int32 = iota // reading, waiting for its server's gate or a processor, signing, recording
	stageWire              // sent, waiting for the answer
	stageDone
)

// watch is where one delivery is; a nil watch ignores it all.
type watch struct{ stage atomic.Int32 }

func (w *watch) set(stage int32) {
	if w != nil {
		w.stage.Store(stage)
	}
}

// startSending waits until fewer than maxInFlight deliveries are under
// way, and counts this one. A channel's waiting senders are woken one at
// a time, in order.
func (s *Sender) startSending(ctx context.Context) error {
	select {
	case s.inFlight <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Sender) doneSending() { <-s.inFlight }

// backlog counts answers waiting to be recorded, and holds back whoever
// waits for room while there are max of them.
type backlog struct {
	max int

	mu   sync.Mutex
	n    int
	room chan struct{} // closed when n falls below max; nil when nobody waits
}

// wait returns once fewer than max answers wait, or when ctx ends.
func (b *backlog) wait(ctx context.Context) error {
	for {
		b.mu.Lock()
		if b.n < b.max {
			b.mu.Unlock()
			return nil
		}
		if b.room == nil {
			b.room = make(chan struct{})
		}
		room := b.room
		b.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (b *backlog) add() {
	b.mu.Lock()
	b.n++
	b.mu.Unlock()
}

func (b *backlog) done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n--
	if b.n < b.max && b.room != nil {
		close(b.room)
		b.room = nil
	}
}
