package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/metrics"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

type markArgs struct {
	Name  string `json:"name"`
	Queue string `json:"queue,omitempty"`
}

func (markArgs) Kind() string { return "test_mark" }

func (a markArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: a.Queue} }

type markWorker struct {
	river.WorkerDefaults[markArgs]
	mu   sync.Mutex
	seen map[string]int
	ran  chan string
	// background says, for each job run, whether its context was marked
	// as background work, which the store serves from connections of
	// their own.
	background map[string]bool
}

func newMarkWorker(buffer int) *markWorker {
	return &markWorker{seen: map[string]int{}, ran: make(chan string, buffer), background: map[string]bool{}}
}

func (w *markWorker) Work(ctx context.Context, job *river.Job[markArgs]) error {
	w.mu.Lock()
	w.seen[job.Args.Name]++
	w.background[job.Args.Name] = store.IsBackground(ctx)
	w.mu.Unlock()
	w.ran <- job.Args.Name
	return nil
}

// A job enqueued in a transaction runs once the transaction commits, and
// never when it rolls back.
func TestEnqueueInTransaction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		w := newMarkWorker(10)
		m := metrics.New()
		q, stop := startQueue(t, s, w, jobs.Options{Metrics: m})
		defer stop()

		errRollback := errors.New("roll back")
		err := s.InTx(ctx, func(tx store.Tx) error {
			if err := tx.Enqueue(ctx, markArgs{Name: "rolled-back"}); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("InTx = %v", err)
		}
		if err := s.InTx(ctx, func(tx store.Tx) error {
			return tx.Enqueue(ctx, markArgs{Name: "committed"})
		}); err != nil {
			t.Fatal(err)
		}
		// Jobs run in insertion order on one queue; once a job inserted
		// after the committed one has run, the rolled-back one would have
		// run too had it existed.
		if err := q.Insert(ctx, markArgs{Name: "sentinel"}); err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		timeout := time.After(15 * time.Second)
		for !(got["committed"] && got["sentinel"]) {
			select {
			case name := <-w.ran:
				got[name] = true
			case <-timeout:
				t.Fatalf("jobs run: %v", got)
			}
		}
		time.Sleep(100 * time.Millisecond)
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.seen["rolled-back"] != 0 {
			t.Errorf("a job from a rolled-back transaction ran")
		}
		if w.seen["committed"] != 1 {
			t.Errorf("committed job ran %d times", w.seen["committed"])
		}
		if w.background["committed"] {
			t.Errorf("a job of the default queue ran with its context marked as background work")
		}
		if n := m.Jobs.WithLabelValues("test_mark", "completed").Get(); n != 2 {
			t.Errorf("jobs metric counts %v completed, want 2", n)
		}
	})
}

// The delivery queues' jobs, which a fan-out runs by the hundred, read as
// background work; the others as requests do.
func TestDeliveryJobsReadInTheBackground(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		w := newMarkWorker(10)
		q, stop := startQueue(t, s, w, jobs.Options{})
		defer stop()
		want := map[string]bool{"delivery": true, "retry": true, "other": false}
		for _, a := range []markArgs{{Name: "delivery", Queue: jobs.QueueDeliver}, {Name: "retry", Queue: jobs.QueueRetry}, {Name: "other"}} {
			if err := q.Insert(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		timeout := time.After(15 * time.Second)
		for range want {
			select {
			case <-w.ran:
			case <-timeout:
				t.Fatal("jobs did not run")
			}
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		for name, background := range want {
			if w.background[name] != background {
				t.Errorf("job %q: context marked as background work: %v, want %v", name, w.background[name], background)
			}
		}
	})
}

// startQueue runs a client working w's jobs on s, polling often, and
// returns it with what stops it.
func startQueue(t *testing.T, s store.Store, w *markWorker, o jobs.Options) (*jobs.Client, func()) {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	o.PollInterval = 20 * time.Millisecond
	q, err := jobs.New(s, workers, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	return q, func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(stopCtx); err != nil {
			t.Error(err)
		}
	}
}
