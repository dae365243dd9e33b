package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is a write function that remembers its batches.
type recorder struct {
	mu      sync.Mutex
	batches [][]int
	delay   time.Duration
	bad     int // an item that fails its batch
}

func (r *recorder) write(ctx context.Context, items []int) ([]string, error) {
	time.Sleep(r.delay)
	r.mu.Lock()
	r.batches = append(r.batches, append([]int(nil), items...))
	r.mu.Unlock()
	out := make([]string, len(items))
	for i, it := range items {
		if r.bad != 0 && it == r.bad {
			return nil, errors.New("bad item")
		}
		out[i] = fmt.Sprint("ok ", it)
	}
	return out, nil
}

func TestAloneIsWrittenAtOnce(t *testing.T) {
	r := &recorder{}
	c := New(r.write, Options{})
	for i := 1; i <= 3; i++ {
		got, err := c.Do(t.Context(), i)
		if err != nil || got != fmt.Sprint("ok ", i) {
			t.Fatalf("Do(%d) = %q, %v", i, got, err)
		}
	}
	if len(r.batches) != 3 {
		t.Fatalf("sequential calls wrote %d batches, want 3: %v", len(r.batches), r.batches)
	}
}

func TestConcurrentCallersShareBatches(t *testing.T) {
	r := &recorder{delay: 2 * time.Millisecond}
	c := New(r.write, Options{MaxBatch: 16})
	const callers = 200
	var wg sync.WaitGroup
	var wrong atomic.Int64
	for i := 1; i <= callers; i++ {
		wg.Go(func() {
			got, err := c.Do(t.Context(), i)
			if err != nil || got != fmt.Sprint("ok ", i) {
				wrong.Add(1)
			}
		})
	}
	wg.Wait()
	if n := wrong.Load(); n > 0 {
		t.Fatalf("%d callers got another's result or an error", n)
	}
	seen := map[int]int{}
	for _, b := range r.batches {
		if len(b) > 16 {
			t.Errorf("batch of %d exceeds MaxBatch 16", len(b))
		}
		for _, it := range b {
			seen[it]++
		}
	}
	for i := 1; i <= callers; i++ {
		if seen[i] != 1 {
			t.Fatalf("item %d written %d times", i, seen[i])
		}
	}
	if len(r.batches) >= callers/2 {
		t.Fatalf("%d callers took %d batches: writes were not shared", callers, len(r.batches))
	}
}

func TestBadItemFailsAlone(t *testing.T) {
	r := &recorder{delay: 5 * time.Millisecond, bad: 7}
	c := New(r.write, Options{})
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := 1; i <= 20; i++ {
		wg.Go(func() { _, errs[i-1] = c.Do(t.Context(), i) })
	}
	wg.Wait()
	for i, err := range errs {
		if (i+1 == 7) != (err != nil) {
			t.Errorf("item %d: err %v", i+1, err)
		}
	}
}

func TestCancelledCallerStillGetsItsOutcome(t *testing.T) {
	r := &recorder{delay: 20 * time.Millisecond}
	c := New(r.write, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	got, err := c.Do(ctx, 1)
	if err != nil || got != "ok 1" {
		t.Fatalf("Do with a cancelled context = %q, %v: the write must not be cut", got, err)
	}
}

func TestWriteTimeout(t *testing.T) {
	c := New(func(ctx context.Context, items []int) ([]int, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}, Options{Timeout: 10 * time.Millisecond})
	if _, err := c.Do(t.Context(), 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	// The committer is free again.
	if _, err := c.Do(t.Context(), 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second call: err = %v", err)
	}
}

func TestWrongResultCount(t *testing.T) {
	c := New(func(ctx context.Context, items []int) ([]int, error) { return nil, nil }, Options{})
	if _, err := c.Do(t.Context(), 1); err == nil {
		t.Fatal("a write returning no results must fail its items")
	}
}

// arriveApart calls Do for items 1..n, each started gap after the one
// before, and waits for all of them.
func arriveApart(t *testing.T, c *Committer[int, string], n int, gap time.Duration) {
	t.Helper()
	var wg sync.WaitGroup
	var wrong atomic.Int64
	for i := 1; i <= n; i++ {
		wg.Go(func() {
			if got, err := c.Do(t.Context(), i); err != nil || got != fmt.Sprint("ok ", i) {
				wrong.Add(1)
			}
		})
		time.Sleep(gap)
	}
	wg.Wait()
	if n := wrong.Load(); n > 0 {
		t.Fatalf("%d callers got another's result or an error", n)
	}
}

func TestLingerGathersCallersArrivingApart(t *testing.T) {
	// Without lingering, callers a little apart each write alone: the
	// writes are much shorter than the gap.
	alone := &recorder{}
	arriveApart(t, New(alone.write, Options{}), 8, 5*time.Millisecond)
	if len(alone.batches) < 4 {
		t.Fatalf("without linger, 8 callers 5 ms apart wrote %d batches: %v", len(alone.batches), alone.batches)
	}
	// Lingering far longer than their arrivals, the leader takes them all.
	r := &recorder{}
	arriveApart(t, New(r.write, Options{Linger: time.Second}), 8, 5*time.Millisecond)
	if len(r.batches) != 1 || len(r.batches[0]) != 8 {
		t.Fatalf("lingering a second, 8 callers 5 ms apart wrote %v, want one batch of 8", r.batches)
	}
}

func TestGatherEndsTheLinger(t *testing.T) {
	r := &recorder{}
	c := New(r.write, Options{Linger: time.Hour, Gather: 3})
	start := time.Now()
	arriveApart(t, c, 6, time.Millisecond)
	if d := time.Since(start); d > time.Minute {
		t.Fatalf("six callers took %s: Gather did not end the linger", d)
	}
	if len(r.batches) != 2 || len(r.batches[0]) != 3 || len(r.batches[1]) != 3 {
		t.Fatalf("batches %v, want two of 3", r.batches)
	}
}

func TestLingerIsBounded(t *testing.T) {
	r := &recorder{}
	c := New(r.write, Options{Linger: 30 * time.Millisecond})
	for i := 1; i <= 2; i++ {
		start := time.Now()
		if got, err := c.Do(t.Context(), i); err != nil || got != fmt.Sprint("ok ", i) {
			t.Fatalf("Do(%d) = %q, %v", i, got, err)
		}
		if d := time.Since(start); d < 30*time.Millisecond {
			t.Fatalf("a caller alone was written after %s, before the linger was over", d)
		}
	}
	if len(r.batches) != 2 {
		t.Fatalf("two callers one after the other wrote %v", r.batches)
	}
}

func BenchmarkDo(b *testing.B) {
	c := New(func(ctx context.Context, items []int) ([]int, error) { return items, nil }, Options{})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Do(context.Background(), 1)
		}
	})
}
