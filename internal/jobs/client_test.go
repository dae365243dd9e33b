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
	Name string `json:"name"`
}

func (markArgs) Kind() string { return "test_mark" }

type markWorker struct {
	river.WorkerDefaults[markArgs]
	mu   sync.Mutex
	seen map[string]int
	ran  chan string
	// unmarked counts jobs whose context was not marked as background
	// work, which the store would serve from the requests' connections.
	unmarked int
}

func (w *markWorker) Work(ctx context.Context, job *river.Job[markArgs]) error {
	w.mu.Lock()
	w.seen[job.Args.Name]++
	if !store.IsBackground(ctx) {
		w.unmarked++
	}
	w.mu.Unlock()
	w.ran <- job.Args.Name
	return nil
}

// A job enqueued in a transaction runs once the transaction commits, and
// never when it rolls back.
func TestEnqueueInTransaction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		w := &markWorker{seen: map[string]int{}, ran: make(chan string, 10)}
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
		if w.unmarked != 0 {
			t.Errorf("%d jobs ran with a context not marked as background work", w.unmarked)
		}
		if n := m.Jobs.WithLabelValues("test_mark", "completed").Get(); n != 2 {
			t.Errorf("jobs metric counts %v completed, want 2", n)
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
