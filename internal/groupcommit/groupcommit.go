// Package groupcommit writes the items of concurrent callers together, one
// transaction for many, without making any caller wait for a timer.
//
// The first caller to arrive becomes the leader: it takes everything
// waiting (its own item included) and writes it in one call. Callers that
// arrive meanwhile queue up; when the leader is done, it hands the lead to
// the first of them, who writes the whole queue. Under no load every item
// is written alone, at once; under load the batches grow by themselves to
// the number of callers waiting, and the cost of a commit (a round trip, a
// WAL flush, SQLite's single writer) is paid once per batch. No caller
// writes more than its own batch plus, when the queue is longer than
// MaxBatch, the batches ahead of it, so nobody is held up for long by
// others' work. When a batch of several fails, its items are written again
// one by one, so that one bad item fails alone.
//
// A Committer may also be told to linger: its leader then waits a moment
// for company before writing, for callers that arrive one at a time, each
// a little after the last write began (see Options.Linger).
package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// WriteFunc writes items in one transaction and returns one result per
// item, in order. An error fails every item of the batch.
type WriteFunc[T, R any] func(ctx context.Context, items []T) ([]R, error)

// Committer batches the items passed to Do.
type Committer[T, R any] struct {
	write    WriteFunc[T, R]
	maxBatch int
	timeout  time.Duration
	linger   time.Duration
	gather   int

	mu       sync.Mutex
	pending  []*request[T, R]
	flushing bool
	// company is closed when gather items are pending, waking a leader
	// that lingers; nil when none does.
	company chan struct{}
	// timer is the lingering leader's; only the leader touches it.
	timer *time.Timer
}

// Options tune a Committer; the zero value is usable.
type Options struct {
	// MaxBatch bounds the items written in one call; default 256.
	MaxBatch int
	// Timeout bounds one write; default 30 s. A write serves several
	// callers, so it runs detached from any one caller's context.
	Timeout time.Duration
	// Linger is how long a leader that finds fewer than Gather items
	// waiting waits for more before it writes; zero writes at once. It
	// pays when callers come one at a time, a little apart (the answers
	// of deliveries, one signature apart on a processor that signs), so
	// that each would otherwise pay a transaction of its own: their
	// results are later by at most Linger.
	Linger time.Duration
	// Gather is how many waiting items end the lingering at once;
	// default MaxBatch.
	Gather int
}

// New returns a Committer that writes with write.
func New[T, R any](write WriteFunc[T, R], opts Options) *Committer[T, R] {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Gather <= 0 || opts.Gather > opts.MaxBatch {
		opts.Gather = opts.MaxBatch
	}
	return &Committer[T, R]{write: write, maxBatch: opts.MaxBatch, timeout: opts.Timeout,
		linger: opts.Linger, gather: opts.Gather}
}

type request[T, R any] struct {
	item T
	// done receives the outcome, or, once, the lead.
	done chan outcome[R]
	// written is set by the writer before it sends the outcome.
	written bool
}

type outcome[R any] struct {
	result R
	err    error
	lead   bool
}

// Do writes item, with whatever other callers are writing, and returns its
// result once it is committed or has failed. It does not return early when
// ctx ends: the item may be in a transaction already, and a caller that
// left could not be told whether it was written. Writes are bounded by the
// Committer's timeout instead.
func (c *Committer[T, R]) Do(ctx context.Context, item T) (R, error) {
	req := &request[T, R]{item: item, done: make(chan outcome[R], 1)}
	c.mu.Lock()
	c.pending = append(c.pending, req)
	lead := !c.flushing
	c.flushing = true
	if c.company != nil && len(c.pending) >= c.gather {
		close(c.company)
		c.company = nil
	}
	c.mu.Unlock()
	for {
		if !lead {
			o := <-req.done
			if !o.lead {
				return o.result, o.err
			}
		}
		c.lead(ctx, req)
		lead = false
	}
}

// lead writes batches until req's own has been written, then hands the lead
// to the first caller still waiting, or gives it up.
func (c *Committer[T, R]) lead(ctx context.Context, req *request[T, R]) {
	ctx = context.WithoutCancel(ctx)
	for {
		if c.linger > 0 {
			c.await()
		}
		c.mu.Lock()
		n := min(len(c.pending), c.maxBatch)
		batch := make([]*request[T, R], n)
		copy(batch, c.pending)
		c.pending = append(c.pending[:0], c.pending[n:]...)
		c.mu.Unlock()
		c.flush(ctx, batch)
		// req.written is only ever set by this goroutine, in flush.
		if req.written {
			break
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		c.flushing = false
		return
	}
	c.pending[0].done <- outcome[R]{lead: true}
}

// await lingers until gather items are pending or the linger is over.
func (c *Committer[T, R]) await() {
	c.mu.Lock()
	if len(c.pending) >= c.gather {
		c.mu.Unlock()
		return
	}
	company := make(chan struct{})
	c.company = company
	c.mu.Unlock()
	if c.timer == nil {
		c.timer = time.NewTimer(c.linger)
	} else {
		c.timer.Reset(c.linger)
	}
	select {
	case <-company:
		c.timer.Stop()
	case <-c.timer.C:
		c.mu.Lock()
		if c.company == company {
			c.company = nil
		}
		c.mu.Unlock()
	}
}

func (c *Committer[T, R]) flush(ctx context.Context, batch []*request[T, R]) {
	if len(batch) == 0 {
		return
	}
	items := make([]T, len(batch))
	for i, r := range batch {
		items[i] = r.item
	}
	results, err := c.writeItems(ctx, items)
	if err != nil && len(batch) > 1 && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
		// One bad item must not fail the others: write each alone.
		for _, r := range batch {
			c.flush(ctx, []*request[T, R]{r})
		}
		return
	}
	for i, r := range batch {
		var o outcome[R]
		if err != nil {
			o.err = err
		} else {
			o.result = results[i]
		}
		r.written = true
		r.done <- o
	}
}

func (c *Committer[T, R]) writeItems(ctx context.Context, items []T) ([]R, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	results, err := c.write(ctx, items)
	if err == nil && len(results) != len(items) {
		err = fmt.Errorf("groupcommit: %d results for %d items", len(results), len(items))
	}
	return results, err
}
