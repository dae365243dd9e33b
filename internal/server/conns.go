package server

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// ConnTimeouts bounds how long a connection may stay in each state, in
// place of http.Server's ReadHeaderTimeout, ReadTimeout, WriteTimeout and
// IdleTimeout. Those set deadlines on the socket for every request, each
// an update of a runtime timer: four per request, 2–3 % of the processor
// time of a cached response (docs/benchmarks.md). Here a request costs
// two stores, and a sweep every second closes the connections that
// overstayed, which unblocks whatever read or write holds them.
//
// Install ConnState as the server's ConnState hook, leave the server's
// own timeouts unset, and run Run for as long as the server serves.
type ConnTimeouts struct {
	// Header bounds a new connection until its first request's header is
	// read (http.Server.ReadHeaderTimeout for the first request).
	Header time.Duration
	// Active bounds a request from its header read to its response
	// written: reading its body, handling it, and writing to a client that
	// does not read (http.Server.ReadTimeout and WriteTimeout).
	Active time.Duration
	// Idle bounds a kept-alive connection from a response to the next
	// request's header read. It covers that header too, which a
	// slow client then has Idle to send rather than ReadHeaderTimeout; an
	// idle client holds the connection as long.
	Idle time.Duration

	// clock is the time of the last sweep, in nanoseconds: state changes
	// are stamped with it rather than read the clock each time.
	clock atomic.Int64
	mu    sync.Mutex
	conns map[net.Conn]*connClock
}

// connClock is a connection's state and when it entered it: the state in
// the low 3 bits, the clock above, so that both change in one store.
type connClock struct{ v atomic.Int64 }

// NewConnTimeouts returns timeouts of the given lengths.
func NewConnTimeouts(header, active, idle time.Duration) *ConnTimeouts {
	t := &ConnTimeouts{Header: header, Active: active, Idle: idle, conns: make(map[net.Conn]*connClock)}
	t.clock.Store(time.Now().UnixNano())
	return t
}

// ConnState records c's change of state; it is http.Server.ConnState.
func (t *ConnTimeouts) ConnState(c net.Conn, s http.ConnState) {
	stamp := t.clock.Load()&^7 | int64(s)
	switch s {
	case http.StateNew:
		cc := &connClock{}
		cc.v.Store(stamp)
		t.mu.Lock()
		t.conns[c] = cc
		t.mu.Unlock()
	case http.StateActive, http.StateIdle:
		t.mu.Lock()
		cc := t.conns[c]
		t.mu.Unlock()
		if cc != nil {
			cc.v.Store(stamp)
		}
	case http.StateHijacked, http.StateClosed:
		t.mu.Lock()
		delete(t.conns, c)
		t.mu.Unlock()
	}
}

// Len is the number of connections watched.
func (t *ConnTimeouts) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns)
}

// Run sweeps every second until ctx ends.
func (t *ConnTimeouts) Run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			t.Sweep(now)
		}
	}
}

// Sweep advances the clock to now and closes the connections that have
// been in their state longer than it allows.
func (t *ConnTimeouts) Sweep(now time.Time) {
	n := now.UnixNano()
	t.clock.Store(n)
	var expired []net.Conn
	t.mu.Lock()
	for c, cc := range t.conns {
		v := cc.v.Load()
		var limit time.Duration
		switch http.ConnState(v & 7) {
		case http.StateNew:
			limit = t.Header
		case http.StateActive:
			limit = t.Active
		case http.StateIdle:
			limit = t.Idle
		}
		if limit > 0 && time.Duration(n-v&^7) > limit {
			expired = append(expired, c)
			delete(t.conns, c)
		}
	}
	t.mu.Unlock()
	for _, c := range expired {
		c.Close()
	}
}
