package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

// fakeStore records what the workers write. The real store has its own
// conformance suite; the end-to-end tests run both together.
type fakeStore struct {
	mu         sync.Mutex
	activity   *newsroom.Activity
	org        *newsroom.Organisation
	inboxes    []string
	followers  []string // actor ids, for FollowersOnHosts
	deliveries map[string]newsroom.Delivery
	failures   int
	removed    []string
	health     newsroom.DomainHealth
	fannedOut  []string // activities whose fan-out said it was done
	compacted  bool
	blocked    []string // blocked domains

	txs         int
	failTxAfter int
	failUpdates string          // an inbox whose outcome cannot be written
	slowUpdates chan struct{}   // when set, outcomes are written once it is closed
	batches     [][]string      // inboxes of each fan-out transaction
	enqueued    []river.JobArgs // jobs enqueued, in order

	// followersAsked lists the hosts of each FollowersOnHosts call.
	followersAsked [][]string
}

func (s *fakeStore) ActivityByID(_ context.Context, id string) (*newsroom.Activity, error) {
	if s.activity == nil || s.activity.ID != id {
		return nil, newsroom.ErrNotFound
	}
	return s.activity, nil
}

func (s *fakeStore) OrgByID(context.Context, int64) (*newsroom.Organisation, error) {
	return s.org, nil
}

func (s *fakeStore) UpdateDelivery(_ context.Context, d newsroom.Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliveries[d.Inbox] = d
	return nil
}

func (s *fakeStore) ListDeliveries(_ context.Context, _ string, status newsroom.DeliveryStatus, _ int) ([]newsroom.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []newsroom.Delivery
	for _, d := range s.deliveries {
		if status == "" || d.Status == status {
			out = append(out, d)
		}
	}
	return out, nil
}

func (s *fakeStore) DeliveryByInbox(_ context.Context, _ string, inbox string) (*newsroom.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveries[inbox]
	if !ok {
		return nil, newsroom.ErrNotFound
	}
	return &d, nil
}

func (s *fakeStore) RecordDomainFailure(context.Context, string, time.Time) (newsroom.DomainHealth, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures++
	return s.health, nil
}

func (s *fakeStore) RecordDomainSuccess(context.Context, string) error { return nil }

func (s *fakeStore) RemoveFollowersByInbox(_ context.Context, inbox string) (int64, error) {
	s.removed = append(s.removed, inbox)
	return 1, nil
}

func (s *fakeStore) DeliveryProgress(context.Context, string) (newsroom.DeliveryProgress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return newsroom.DeliveryProgress{Compacted: s.compacted}, nil
}

func (s *fakeStore) FanoutDone(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fannedOut = append(s.fannedOut, id)
	return nil
}

func (s *fakeStore) IsDomainBlocked(_ context.Context, host string) (bool, error) {
	return slices.Contains(s.blocked, host), nil
}

func (s *fakeStore) DeliveryInboxes(context.Context, int64) ([]string, error) { return s.inboxes, nil }

func (s *fakeStore) UpdateDeliveries(ctx context.Context, ds []newsroom.Delivery) error {
	s.mu.Lock()
	fail, slow := s.failUpdates, s.slowUpdates
	s.mu.Unlock()
	if slow != nil {
		<-slow
	}
	for _, d := range ds {
		if d.Inbox == fail {
			return errors.New("database gone")
		}
	}
	for _, d := range ds {
		s.UpdateDelivery(ctx, d)
	}
	return nil
}

// InTx runs fn on a fakeTx; after failTxAfter transactions (when set),
// it fails like a process that died.
func (s *fakeStore) InTx(_ context.Context, fn func(tx store.Tx) error) error {
	s.mu.Lock()
	s.txs++
	failed := s.failTxAfter > 0 && s.txs > s.failTxAfter
	s.mu.Unlock()
	if failed {
		return errors.New("killed")
	}
	return fn(fakeTx{s: s})
}

// fakeTx writes through to its store, and keeps the jobs enqueued. Only
// the methods the workers call are implemented; the others are nil.
type fakeTx struct {
	store.Tx
	s *fakeStore
}

func (t fakeTx) UpdateDelivery(ctx context.Context, d newsroom.Delivery) error {
	return t.s.UpdateDelivery(ctx, d)
}

func (t fakeTx) CreateDeliveries(ctx context.Context, activityID string, inboxes []string) error {
	t.s.batches = append(t.s.batches, append([]string(nil), inboxes...))
	for _, in := range inboxes {
		t.s.UpdateDelivery(ctx, newsroom.Delivery{ActivityID: activityID, Inbox: in, Status: newsroom.DeliveryPending})
	}
	return nil
}

func (t fakeTx) Enqueue(_ context.Context, args river.JobArgs) error {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	t.s.enqueued = append(t.s.enqueued, args)
	return nil
}

func (t fakeTx) EnqueueMany(ctx context.Context, params []river.InsertManyParams) error {
	for _, p := range params {
		t.Enqueue(ctx, p.Args)
	}
	return nil
}

func newFixture(t *testing.T) *fakeStore {
	t.Helper()
	priv, _, err := transport.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeStore{activity: &newsroom.Activity{ID: "A1", OrgID: 1, Type: "Create", JSON: []byte(`{"id":"x"}`)},
		org: &newsroom.Organisation{ID: 1, Handle: "soga", PrivateKeyPEM: priv}, deliveries: map[string]newsroom.Delivery{}}
	return s
}

// retries are the jobs enqueued for another attempt.
func (s *fakeStore) retries() []river.JobArgs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.enqueued)
}

// newFanout is a fan-out of activity A1 to 25 inboxes, in transactions
// of 10.
func newFanout(t *testing.T) (*fakeStore, *FanoutWorker, *river.Job[jobs.FanoutArgs]) {
	s := newFixture(t)
	for i := range 25 {
		s.inboxes = append(s.inboxes, "https://h"+string(rune('a'+i))+".example/inbox")
	}
	w := NewFanoutWorker(s, slog.New(slog.DiscardHandler))
	w.SetBatch(10)
	return s, w, &river.Job[jobs.FanoutArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: jobs.FanoutArgs{ActivityID: "A1"}}
}

func TestFanoutResumes(t *testing.T) {
	s, w, job := newFanout(t)

	// The first run dies after its first batch.
	s.failTxAfter = 1
	if err := w.Work(context.Background(), job); err == nil {
		t.Fatal("the interrupted run reported success")
	}
	// The run again (River counts it as the job's second attempt)
	// queues only what is missing.
	s.failTxAfter = 0
	job.Attempt = 2
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, b := range s.batches {
		if len(b) > 10 {
			t.Errorf("batch of %d", len(b))
		}
		all = append(all, b...)
	}
	sort.Strings(all)
	if len(all) != 25 {
		t.Fatalf("queued %d inboxes, want 25 exactly once: %v", len(all), all)
	}
	for i := 1; i < len(all); i++ {
		if all[i] == all[i-1] {
			t.Errorf("%s queued twice", all[i])
		}
	}
	// Only the run that queued every inbox says the fan-out is done.
	if !slices.Equal(s.fannedOut, []string{"A1"}) {
		t.Errorf("fan-out done recorded for %v, want once for A1", s.fannedOut)
	}

	// Run again once its delivered rows are compacted away, it queues
	// nothing, though the rows it would look for are gone.
	s.compacted = true
	clear(s.deliveries)
	before := len(s.batches)
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if len(s.batches) != before {
		t.Errorf("a compacted fan-out queued %v again", s.batches[before:])
	}
	s.compacted = false

	// A deleted activity is not retried.
	job.Args.ActivityID = "gone"
	var cancel *rivertype.JobCancelError
	if err := w.Work(context.Background(), job); !errors.As(err, &cancel) {
		t.Errorf("missing activity: %v", err)
	}
}

func newSender(t *testing.T, s *fakeStore) *Sender {
	t.Helper()
	c := transport.NewClient(transport.Options{AllowedNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	base, _ := url.Parse("https://news.example.org")
	sender := NewSender(s, c, urls.New(base), slog.New(slog.DiscardHandler))
	sender.SetBackoff(func(int) time.Duration { return time.Minute })
	return sender
}

func deliverJob(inbox string, attempt int) *river.Job[jobs.DeliverArgs] {
	return &river.Job[jobs.DeliverArgs]{JobRow: &rivertype.JobRow{Attempt: 1},
		Args: jobs.DeliverArgs{ActivityID: "A1", Inbox: inbox, Attempt: attempt}}
}

func TestDeliverRetries(t *testing.T) {
	status, retryAfter := http.StatusServiceUnavailable, ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	inbox := srv.URL + "/inbox"
	ctx := context.Background()
	s := newFixture(t)
	sender := newSender(t, s)
	var logged bytes.Buffer
	sender.log = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w := NewDeliverWorker(sender)
	abandoned := func() int { return strings.Count(logged.String(), `level=WARN msg="delivery abandoned"`) }

	// A 503 completes this job and queues the next attempt on the retry
	// queue, after the backoff.
	before := time.Now()
	if err := w.Work(ctx, deliverJob(inbox, 0)); err != nil {
		t.Fatal(err)
	}
	next := func(i int) jobs.DeliverArgs { return s.retries()[i].(jobs.DeliverArgs) }
	if len(s.retries()) != 1 || next(0).Attempt != 1 || next(0).RetryAt.Before(before.Add(time.Minute)) {
		t.Fatalf("retries = %+v", s.retries())
	}
	if d := s.deliveries[inbox]; d.Status != newsroom.DeliveryPending || d.Attempts != 1 || d.LastError == "" ||
		d.Reason != "status:503" || !d.NextAttempt.Equal(next(0).RetryAt.UTC()) {
		t.Errorf("delivery = %+v", d)
	}

	// Retry-After wins over the backoff.
	retryAfter = "7"
	if err := w.Work(ctx, deliverJob(inbox, 1)); err != nil {
		t.Fatal(err)
	}
	if at := next(1).RetryAt; at.Sub(time.Now()) > 8*time.Second || at.Sub(time.Now()) < 5*time.Second {
		t.Errorf("Retry-After ignored: next at %s", at)
	}

	// The 17th attempt is the last.
	if err := w.Work(ctx, deliverJob(inbox, MaxAttempts-1)); err != nil {
		t.Fatal(err)
	}
	if len(s.retries()) != 2 || s.deliveries[inbox].Status != newsroom.DeliveryFailed {
		t.Errorf("after the last attempt: %d retries, %+v", len(s.retries()), s.deliveries[inbox])
	}
	if abandoned() != 1 || !strings.Contains(logged.String(), `inbox=`+inbox+` attempts=17 why="last attempt"`) {
		t.Errorf("the abandoned delivery is not logged at WARN with its inbox and reason:\n%s", logged.String())
	}

	// A domain unavailable for days is not retried.
	s.health.Unavailable = true
	if err := w.Work(ctx, deliverJob(inbox, 2)); err != nil {
		t.Fatal(err)
	}
	if len(s.retries()) != 2 || s.deliveries[inbox].Status != newsroom.DeliveryFailed {
		t.Errorf("unavailable domain retried")
	}
	if abandoned() != 2 || !strings.Contains(logged.String(), `why="server failing for days"`) {
		t.Errorf("the unavailable server is not named at WARN:\n%s", logged.String())
	}
	if strings.Contains(logged.String(), "attempts=1 ") || strings.Contains(logged.String(), "attempts=2 ") {
		t.Errorf("a delivery that will be retried is logged as abandoned:\n%s", logged.String())
	}

	// A 410 removes the followers behind the inbox, for good.
	status = http.StatusGone
	if err := w.Work(ctx, deliverJob(inbox, 0)); err != nil {
		t.Fatal(err)
	}
	if len(s.removed) != 1 || s.deliveries[inbox].Status != newsroom.DeliveryFailed {
		t.Errorf("410: removed %v, %+v", s.removed, s.deliveries[inbox])
	}

	// Success.
	status = http.StatusAccepted
	if err := w.Work(ctx, deliverJob(inbox, 0)); err != nil {
		t.Fatal(err)
	}
	if d := s.deliveries[inbox]; d.Status != newsroom.DeliveryDelivered {
		t.Errorf("202: %+v", d)
	}

	// River running a job again after a crash: an inbox recorded as served
	// is not sent the activity twice.
	status = http.StatusInternalServerError
	again := deliverJob(inbox, 0)
	again.Attempt = 2
	if err := w.Work(ctx, again); err != nil {
		t.Fatal(err)
	}
	if d := s.deliveries[inbox]; d.Status != newsroom.DeliveryDelivered {
		t.Errorf("rerun of a delivered job sent again: %+v", d)
	}
}

// countingWriter counts transactions and what they held.
type countingWriter struct {
	mu    sync.Mutex
	calls int
	rows  int
}

func (c *countingWriter) write(_ context.Context, outcomes []newsroom.Delivery) error {
	time.Sleep(5 * time.Millisecond) // a write takes a while
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	c.rows += len(outcomes)
	return nil
}

func TestGroupCommit(t *testing.T) {
	rec := &countingWriter{}
	g := newOutcomes(rec.write)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			if _, err := g.Do(context.Background(), newsroom.Delivery{Inbox: string(rune('a' + i))}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if rec.rows != 100 || rec.calls >= 50 {
		t.Errorf("%d rows in %d transactions", rec.rows, rec.calls)
	}
}

func TestInterleaveByHost(t *testing.T) {
	in := []string{
		"https://a.example/users/1/inbox", "https://a.example/users/2/inbox", "https://a.example/users/3/inbox",
		"https://b.example/inbox",
		"https://c.example:8443/users/1/inbox", "https://c.example:8443/users/2/inbox",
	}
	want := []string{
		"https://a.example/users/1/inbox", "https://b.example/inbox", "https://c.example:8443/users/1/inbox",
		"https://a.example/users/2/inbox", "https://c.example:8443/users/2/inbox",
		"https://a.example/users/3/inbox",
	}
	if got := interleaveByHost(slices.Clone(in)); !slices.Equal(got, want) {
		t.Errorf("interleaveByHost =\n%q\nwant\n%q", got, want)
	}
	distinct := []string{"https://a.example/inbox", "https://b.example/inbox"}
	if got := interleaveByHost(distinct); !slices.Equal(got, distinct) {
		t.Errorf("one inbox per host reordered: %q", got)
	}
	if got := interleaveByHost(nil); len(got) != 0 {
		t.Errorf("interleaveByHost(nil) = %q", got)
	}
}

// An Accept has no progress row: its outcome writes nothing, and a retry
// is another Accept job. A deliver job queued with a recipient, before
// Accepts had their own kind, is run the same way.
func TestAcceptHasNoProgress(t *testing.T) {
	status := http.StatusServiceUnavailable
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	inbox := srv.URL + "/users/alice/inbox"
	ctx := context.Background()
	s := newFixture(t)
	sender := newSender(t, s)
	accepts, deliveries := NewDirectWorker(sender), NewDeliverWorker(sender)

	job := &river.Job[jobs.DirectArgs]{JobRow: &rivertype.JobRow{Attempt: 1},
		Args: jobs.DirectArgs{ActivityID: "A1", Inbox: inbox}}
	if err := accepts.Work(ctx, job); err != nil {
		t.Fatal(err)
	}
	legacy := deliverJob(inbox, 1)
	legacy.Args.LegacyRecipient = "https://social.example/users/alice"
	if err := deliveries.Work(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	retries := s.retries()
	if len(retries) != 2 {
		t.Fatalf("retries = %+v", retries)
	}
	for i, want := range []int{1, 2} {
		next, ok := retries[i].(jobs.DirectArgs)
		if !ok || next.Attempt != want || next.Inbox != inbox || next.RetryAt.IsZero() {
			t.Errorf("retry %d = %#v", i, retries[i])
		}
	}

	status = http.StatusAccepted
	job.Args.Attempt = 1
	if err := accepts.Work(ctx, job); err != nil {
		t.Fatal(err)
	}
	if len(s.deliveries) != 0 {
		t.Errorf("an Accept wrote progress: %+v", s.deliveries)
	}
}

// A batch delivers to each of its inboxes as a job of its own would, and
// a batch run again after a failure sends again only to the inboxes whose
// outcome was not recorded: at least once, and no more than that.
func TestDeliverBatch(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.URL.Path]++
		mu.Unlock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/busy"):
			w.WriteHeader(http.StatusServiceUnavailable)
		case strings.HasPrefix(r.URL.Path, "/gone"):
			w.WriteHeader(http.StatusGone)
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	})
	s := newFixture(t)
	var inboxes []string
	at := map[string]string{} // path → inbox
	for _, p := range []string{"/ok1", "/ok2", "/ok3", "/ok4", "/busy", "/gone"} {
		// Each on a server of its own: one server's second inbox would
		// wait for its first answer, in another batch.
		srv := httptest.NewServer(handler)
		defer srv.Close()
		at[p] = srv.URL + p
		inboxes = append(inboxes, srv.URL+p)
		s.deliveries[at[p]] = newsroom.Delivery{ActivityID: "A1", Inbox: srv.URL + p, Status: newsroom.DeliveryPending}
	}
	w := NewDeliverBatchWorker(NewDeliverWorker(newSender(t, s)))
	job := &river.Job[jobs.DeliverBatchArgs]{JobRow: &rivertype.JobRow{Attempt: 1},
		Args: jobs.DeliverBatchArgs{ActivityID: "A1", Inboxes: inboxes}}

	// The outcome of ok3 cannot be written: the job fails.
	s.failUpdates = at["/ok3"]
	if err := w.Work(context.Background(), job); err == nil {
		t.Fatal("a batch whose outcome was not recorded succeeded")
	}
	recorded := map[string]bool{}
	for _, in := range inboxes {
		recorded[in] = s.deliveries[in].Attempts > 0
	}
	if recorded[at["/ok3"]] {
		t.Fatal("the unwritable outcome is recorded")
	}
	if d := s.deliveries[at["/busy"]]; d.Status != newsroom.DeliveryPending || d.Attempts != 1 {
		t.Errorf("503: %+v", d)
	}
	if len(s.removed) != 1 {
		t.Errorf("410 removed %v", s.removed)
	}
	retries := s.retries()
	if len(retries) != 1 || retries[0].(jobs.DeliverArgs).Inbox != at["/busy"] || retries[0].(jobs.DeliverArgs).Attempt != 1 {
		t.Errorf("retries after the first run: %+v", retries)
	}

	// River runs it again.
	s.failUpdates = ""
	job.Attempt = 2
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	for _, in := range inboxes {
		path := in[strings.LastIndexByte(in, '/'):]
		want := 1
		if !recorded[in] {
			want = 2
		}
		if got[path] != want {
			t.Errorf("%s sent %d times, want %d (recorded after the first run: %v)", path, got[path], want, recorded[in])
		}
	}
	for _, p := range []string{"/ok1", "/ok2", "/ok3", "/ok4"} {
		if d := s.deliveries[at[p]]; d.Status != newsroom.DeliveryDelivered {
			t.Errorf("%s: %+v", p, d)
		}
	}
	if len(s.retries()) != 1 {
		t.Errorf("the retry of /busy queued again: %+v", s.retries())
	}
}

func TestFanoutQueuesBatches(t *testing.T) {
	s := newFixture(t)
	for h := range 3 {
		for i := range 40 {
			s.inboxes = append(s.inboxes, fmt.Sprintf("https://h%d.example/users/%d/inbox", h, i))
		}
	}
	w := NewFanoutWorker(s, slog.New(slog.DiscardHandler))
	job := &river.Job[jobs.FanoutArgs]{JobRow: &rivertype.JobRow{}, Args: jobs.FanoutArgs{ActivityID: "A1"}}
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var sizes []int
	for _, a := range s.retries() {
		b := a.(jobs.DeliverBatchArgs)
		sizes = append(sizes, len(b.Inboxes))
		for i, in := range b.Inboxes {
			if seen[in] {
				t.Errorf("%s in two batches", in)
			}
			seen[in] = true
			// Round-robin: neighbours in a batch are on different servers.
			if i > 0 && hostOf(in) == hostOf(b.Inboxes[i-1]) {
				t.Errorf("%s after an inbox of the same server", in)
			}
		}
	}
	want := []int{}
	for n := 120; n > 0; n -= BatchSize {
		want = append(want, min(n, BatchSize))
	}
	if len(seen) != 120 || !slices.Equal(sizes, want) {
		t.Errorf("%d inboxes in batches of %v", len(seen), sizes)
	}
}

// A delivery cut by the end of its job's time, before any answer, is not
// settled: neither failed nor retried, River runs the job again.
func TestDeliveryCutByJobTimeoutIsNotSettled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	defer srv.Close()
	s := newFixture(t)
	inbox := srv.URL + "/inbox"
	s.deliveries[inbox] = newsroom.Delivery{ActivityID: "A1", Inbox: inbox, Status: newsroom.DeliveryPending}
	w := NewDeliverBatchWorker(NewDeliverWorker(newSender(t, s)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	job := &river.Job[jobs.DeliverBatchArgs]{JobRow: &rivertype.JobRow{Attempt: 1},
		Args: jobs.DeliverBatchArgs{ActivityID: "A1", Inboxes: []string{inbox}}}
	if err := w.Work(ctx, job); !errors.Is(err, context.Canceled) {
		t.Errorf("Work = %v, want the job's cancellation", err)
	}
	if d := s.deliveries[inbox]; d.Status != newsroom.DeliveryPending || d.Attempts != 0 || len(s.retries()) != 0 {
		t.Errorf("settled although cut: %+v, retries %+v", d, s.retries())
	}
}

// pendingBatch is a batch job of a fan-out to inboxes, their rows
// pending, and its worker.
func pendingBatch(t *testing.T, s *fakeStore, inboxes []string) (*DeliverBatchWorker, *river.Job[jobs.DeliverBatchArgs]) {
	for _, in := range inboxes {
		s.deliveries[in] = newsroom.Delivery{ActivityID: "A1", Inbox: in, Status: newsroom.DeliveryPending}
	}
	return NewDeliverBatchWorker(NewDeliverWorker(newSender(t, s))), &river.Job[jobs.DeliverBatchArgs]{
		JobRow: &rivertype.JobRow{Attempt: 1}, Args: jobs.DeliverBatchArgs{ActivityID: "A1", Inboxes: inboxes}}
}

// A server that has not answered its first delivery yet is waited for
// within the job: its other inboxes go once it has, with nothing queued.
func TestDeliverBatchWaitsForUnprovenServer(t *testing.T) {
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
		served.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	s := newFixture(t)
	inboxes := []string{srv.URL + "/a", srv.URL + "/b", srv.URL + "/c"}
	w, job := pendingBatch(t, s, inboxes)
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if q := s.retries(); len(q) != 0 {
		t.Errorf("queued %+v", q)
	}
	for _, in := range inboxes {
		if d := s.deliveries[in]; d.Status != newsroom.DeliveryDelivered {
			t.Errorf("%s: %+v", in, d)
		}
	}
	if n := served.Load(); n != 3 {
		t.Errorf("served %d times, want 3", n)
	}
}

// Inboxes whose server has not answered a first delivery within
// hostWait are not waited for longer: they are queued again, as a batch
// a moment later, untouched.
func TestDeliverBatchDefersBusyServers(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	s := newFixture(t)
	inboxes := []string{srv.URL + "/a", srv.URL + "/b", srv.URL + "/c"}
	w, job := pendingBatch(t, s, inboxes)
	// The first to reach the server is its probe; the server answers
	// after the other two have been turned away.
	time.AfterFunc(hostWait+500*time.Millisecond, func() { close(release) })
	before := time.Now()
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	retries := s.retries()
	if len(retries) != 1 {
		t.Fatalf("queued %+v", retries)
	}
	later := retries[0].(jobs.DeliverBatchArgs)
	if len(later.Inboxes) != 2 || later.At.Before(before.Add(busyDelay)) || later.InsertOpts().Queue != jobs.QueueDeliver {
		t.Errorf("busy inboxes queued as %+v", later)
	}
	delivered := 0
	for _, in := range inboxes {
		d := s.deliveries[in]
		switch {
		case d.Status == newsroom.DeliveryDelivered:
			delivered++
		case d.Attempts != 0 || !slices.Contains(later.Inboxes, in):
			t.Errorf("%s: %+v, not queued again untouched", in, d)
		}
	}
	if delivered != 1 {
		t.Errorf("%d delivered, want the probe", delivered)
	}
}

// A job whose inboxes left were all sent to servers that do not answer
// ends without them, leaving a follow-up; their requests go on and are
// recorded when the servers answer, and the follow-up then sends
// nothing. Had the process died, the follow-up would send them.
func TestDeliverBatchHandsOffSlowServers(t *testing.T) {
	release := make(chan struct{})
	var slowServed, fastServed atomic.Int32
	slowHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		slowServed.Add(1)
		w.WriteHeader(http.StatusAccepted)
	})
	slow1, slow2 := httptest.NewServer(slowHandler), httptest.NewServer(slowHandler)
	defer slow1.Close()
	defer slow2.Close()
	defer close(release)
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fastServed.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer fast.Close()
	s := newFixture(t)
	slowInboxes := []string{slow1.URL + "/a", slow2.URL + "/b"}
	inboxes := append([]string{fast.URL + "/a", fast.URL + "/b"}, slowInboxes...)
	for _, in := range inboxes {
		s.deliveries[in] = newsroom.Delivery{ActivityID: "A1", Inbox: in, Status: newsroom.DeliveryPending}
	}
	sender := newSender(t, s)
	w := NewDeliverBatchWorker(NewDeliverWorker(sender))
	job := &river.Job[jobs.DeliverBatchArgs]{JobRow: &rivertype.JobRow{Attempt: 1},
		Args: jobs.DeliverBatchArgs{ActivityID: "A1", Inboxes: inboxes}}
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	if err := w.Work(ctx, job); err != nil {
		t.Fatal(err)
	}
	cancel() // as River does once Work returns
	if took := time.Since(start); took < handOffAfter || took > handOffAfter+2*time.Second {
		t.Errorf("job took %s, want about %s", took, handOffAfter)
	}
	queued := s.retries()
	if len(queued) != 1 {
		t.Fatalf("queued %+v, want one follow-up", queued)
	}
	follow := queued[0].(jobs.DeliverBatchArgs)
	if !follow.FollowUp || !slices.Equal(follow.Inboxes, slowInboxes) || follow.InsertOpts().Queue != jobs.QueueDeliver ||
		follow.At.Before(start.Add(handOffAfter+sender.client.Timeout()+settleTimeout)) {
		t.Errorf("follow-up %+v", follow)
	}
	for _, in := range inboxes[:2] {
		if d := s.deliveries[in]; d.Status != newsroom.DeliveryDelivered {
			t.Errorf("%s: %+v", in, d)
		}
	}

	// The server answers after the job's end: the deliveries handed off
	// are recorded all the same.
	release <- struct{}{}
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		a, b := s.deliveries[slowInboxes[0]], s.deliveries[slowInboxes[1]]
		s.mu.Unlock()
		if a.Status == newsroom.DeliveryDelivered || b.Status == newsroom.DeliveryDelivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("handed-off delivery not recorded: %+v %+v", a, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	release <- struct{}{}
	for w.handedOff.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still counted as handed off", w.handedOff.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, in := range slowInboxes {
		if d := s.deliveries[in]; d.Status != newsroom.DeliveryDelivered || d.Attempts != 1 {
			t.Errorf("%s: %+v", in, d)
		}
	}

	// The follow-up finds them recorded and sends nothing.
	if err := w.Work(context.Background(), &river.Job[jobs.DeliverBatchArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: follow}); err != nil {
		t.Fatal(err)
	}
	if n := slowServed.Load(); n != 2 {
		t.Errorf("slow server served %d times, want 2", n)
	}

	// A process that died with them under way left their rows pending:
	// the follow-up sends them.
	s2 := newFixture(t)
	for _, in := range slowInboxes {
		s2.deliveries[in] = newsroom.Delivery{ActivityID: "A1", Inbox: in, Status: newsroom.DeliveryPending}
	}
	w2 := NewDeliverBatchWorker(NewDeliverWorker(newSender(t, s2)))
	go func() {
		release <- struct{}{}
		release <- struct{}{}
	}()
	if err := w2.Work(context.Background(), &river.Job[jobs.DeliverBatchArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: follow}); err != nil {
		t.Fatal(err)
	}
	for _, in := range slowInboxes {
		if d := s2.deliveries[in]; d.Status != newsroom.DeliveryDelivered {
			t.Errorf("after a crash, %s: %+v", in, d)
		}
	}
	if n := fastServed.Load(); n != 2 {
		t.Errorf("fast server served %d times, want 2", n)
	}
}

// A job does not hand off deliveries that wait on us, here answers
// waiting for the database: River's workers are what bounds those.
func TestDeliverBatchKeepsWhatWaitsOnUs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	defer srv.Close()
	s := newFixture(t)
	s.slowUpdates = make(chan struct{})
	inbox := srv.URL + "/a"
	s.deliveries[inbox] = newsroom.Delivery{ActivityID: "A1", Inbox: inbox, Status: newsroom.DeliveryPending}
	w := NewDeliverBatchWorker(NewDeliverWorker(newSender(t, s)))
	done := make(chan error, 1)
	go func() {
		done <- w.Work(context.Background(), &river.Job[jobs.DeliverBatchArgs]{JobRow: &rivertype.JobRow{Attempt: 1},
			Args: jobs.DeliverBatchArgs{ActivityID: "A1", Inboxes: []string{inbox}}})
	}()
	select {
	case err := <-done:
		t.Fatalf("job ended (%v) while its answer waited to be recorded", err)
	case <-time.After(handOffAfter + time.Second):
	}
	close(s.slowUpdates)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if q := s.retries(); len(q) != 0 {
		t.Errorf("queued %+v", q)
	}
	if d := s.deliveries[inbox]; d.Status != newsroom.DeliveryDelivered {
		t.Errorf("%+v", d)
	}
}

// TestAnswersWaitingToBeRecordedHoldBackSigning stalls the database and
// counts what the inboxes get meanwhile: only as many deliveries as may
// wait for their outcome and those signed before their answers came
// back, not every one the in-flight bound and the batches would allow.
// Those are what a crash would send twice. How many are signed before
// the answers come back depends on the scheduler (40 more than the bound
// on a loaded machine), so the check is that most deliveries wait.
func TestAnswersWaitingToBeRecordedHoldBackSigning(t *testing.T) {
	var served atomic.Int32
	s := newFixture(t)
	s.slowUpdates = make(chan struct{})
	const n = 240
	var inboxes []string
	for i := range n / 10 {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			served.Add(1)
			w.WriteHeader(http.StatusAccepted)
		}))
		defer srv.Close()
		for j := range 10 {
			in := fmt.Sprintf("%s/inbox/%d/%d", srv.URL, i, j)
			inboxes = append(inboxes, in)
			s.deliveries[in] = newsroom.Delivery{ActivityID: "A1", Inbox: in, Status: newsroom.DeliveryPending}
		}
	}
	w := NewDeliverWorker(newSender(t, s))
	var wg sync.WaitGroup
	for _, in := range inboxes {
		wg.Go(func() {
			if err := w.Work(context.Background(), deliverJob(in, 0)); err != nil {
				t.Error(err)
			}
		})
	}
	// Until the count stays put for a while.
	last, still := int32(-1), 0
	for still < 5 {
		time.Sleep(50 * time.Millisecond)
		if now := served.Load(); now == last {
			still++
		} else {
			last, still = now, 0
		}
	}
	if last > n/2 {
		t.Errorf("%d inboxes served while no outcome could be recorded; %d may wait, and most of the %d should not be sent", last, maxUnrecorded, n)
	}
	t.Logf("%d of %d served while the database was stalled", last, n)
	close(s.slowUpdates)
	wg.Wait()
	if got := served.Load(); got != n {
		t.Errorf("%d of %d served once the database answered", got, n)
	}
	for _, in := range inboxes {
		if d := s.deliveries[in]; d.Status != newsroom.DeliveryDelivered {
			t.Fatalf("%s: %+v", in, d)
		}
	}
}
