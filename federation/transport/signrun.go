package transport

import (
	"context"
	"runtime"
	"slices"
	"sync"
)

// defaultSignRun is how many deliveries a processor signs in a row once it has a
// signing slot. Alone, an RSA signature runs from caches holding nothing
// else; between two deliveries' signatures the processor reads and writes
// HTTP, SQLite and the runtime's own state, and the next signature ran
// 4–9 % slower for it. Signing the deliveries waiting one after the other
// keeps the processor in the signature's code and data. More would
// delay the answers read between runs (what a crash sends twice) and the
// public pages by a signature each.
const defaultSignRun = 4

// signTurn is one delivery waiting to be signed.
type signTurn struct {
	ctx  context.Context
	sign func() error // the delivery's BeforeSign, then its signature
	done chan error
}

// signQueue holds the deliveries waiting for a signing slot, so that
// whoever gets one signs a run of them.
type signQueue struct {
	mu      sync.Mutex
	waiting []*signTurn
}

// signInTurn runs sign once a signing slot is free, on this goroutine or
// on that of another delivery signing a run of them. It returns sign's
// error, or ctx's if ctx ends first.
func (c *Client) signInTurn(ctx context.Context, sign func() error) error {
	if err := ctx.Err(); err != nil {
		return err // select below would pick at random
	}
	t := &signTurn{ctx: ctx, sign: sign, done: make(chan error, 1)}
	q := &c.signing
	q.mu.Lock()
	q.waiting = append(q.waiting, t)
	q.mu.Unlock()
	select {
	case c.signSlots <- struct{}{}:
	case err := <-t.done:
		return err
	case <-ctx.Done():
		if q.take(t) {
			return ctx.Err()
		}
		return <-t.done // being signed by another: its outcome is ours
	}
	if !q.take(t) {
		<-c.signSlots
		return <-t.done // signed by another, in its run
	}
	defer func() { <-c.signSlots }()
	// The slot was handed over by a delivery that just signed, and Go
	// runs a goroutine woken that way before any other waiting (runnext):
	// signers would take turns ahead of the answers read meanwhile, which
	// wait to be recorded (a crash then sends them twice), and of the
	// public pages. Yielding puts this run behind them.
	runtime.Gosched()
	err := sign()
	for _, r := range q.next(c.signRun - 1) {
		rerr := r.ctx.Err()
		if rerr == nil {
			rerr = r.sign()
		}
		r.done <- rerr
	}
	return err
}

// take removes t from the queue, reporting whether it was still there
// (and not taken by a delivery signing a run).
func (q *signQueue) take(t *signTurn) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	i := slices.Index(q.waiting, t)
	if i < 0 {
		return false
	}
	q.waiting = slices.Delete(q.waiting, i, i+1)
	return true
}

// next takes up to n turns from the head of the queue.
func (q *signQueue) next(n int) []*signTurn {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(n, len(q.waiting))
	run := slices.Clone(q.waiting[:n])
	q.waiting = slices.Delete(q.waiting, 0, n)
	return run
}
