package delivery

import (
	"context"
	"sync"

	"github.com/soga/newsroom/internal/newsroom"
)

// Recorder writes delivery outcomes, several in one transaction
// (jobs.Deliveries).
type Recorder interface {
	Record(ctx context.Context, outcomes []newsroom.Delivery) error
}

// groupCommit records outcomes in batches without delaying any: the first
// worker to arrive writes what is waiting, and keeps writing until nothing
// is; those arriving meanwhile wait for the next batch. A hundred workers
// then cost a few transactions instead of a hundred, which matters on
// SQLite's single writer. It also shortens the time between an inbox
// accepting an activity and the delivery being recorded as done, which is
// the window in which a crash makes us send it again.
type groupCommit struct {
	rec Recorder

	mu       sync.Mutex
	pending  []recordRequest
	flushing bool
}

type recordRequest struct {
	outcome newsroom.Delivery
	done    chan error
}

// record returns once d is stored, or failed to be.
func (g *groupCommit) record(ctx context.Context, d newsroom.Delivery) error {
	req := recordRequest{outcome: d, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, req)
	if g.flushing {
		g.mu.Unlock()
		select {
		case err := <-req.done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	g.flushing = true
	g.mu.Unlock()
	// The batches written here are other workers' too: this job's
	// deadline must not cut them.
	wctx := context.WithoutCancel(ctx)
	for {
		g.mu.Lock()
		batch := g.pending
		g.pending = nil
		if len(batch) == 0 {
			g.flushing = false
			g.mu.Unlock()
			break
		}
		g.mu.Unlock()
		outcomes := make([]newsroom.Delivery, len(batch))
		for i, r := range batch {
			outcomes[i] = r.outcome
		}
		err := g.rec.Record(wctx, outcomes)
		for _, r := range batch {
			r.done <- err
		}
	}
	return <-req.done
}
