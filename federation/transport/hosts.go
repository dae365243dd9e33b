package transport

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Defaults of the per-server gate of deliveries.
const (
	// DefaultMaxPerHost is how many deliveries may be in flight to one
	// server at once over HTTP/1.1, where each has a connection of its
	// own, kept alive for the next: as many as a browser opens.
	DefaultMaxPerHost = 8
	// streamsPerConnection multiplies that bound for a server that
	// answered over HTTP/2, where deliveries are streams on one
	// connection: servers allow 100 (nginx's default) to 250 (Go's) at
	// once, and a server slow to answer (seconds per request) would
	// otherwise take its inboxes eight at a time, one slow round after
	// another.
	streamsPerConnection = 4
	// DefaultHostDownFor is how long a server that could not be reached
	// is left alone before one delivery probes it again; each failed probe
	// doubles it, up to maxHostDownFor.
	DefaultHostDownFor = 30 * time.Second
	maxHostDownFor     = 10 * time.Minute
	// maxHostsKept bounds the servers remembered (a few hundred bytes
	// each).
	maxHostsKept = 50000
)

// ErrHostDown is matched (errors.Is) by a delivery not attempted because
// its server could not be reached a moment ago: the delivery is retried
// later like any other failure, without a connection, a signature or a
// worker spent on a server that is not there.
var ErrHostDown = errors.New("server unreachable, not tried")

// ErrHostBusy is returned by Send when the server still had as many of our
// deliveries in flight as it may (or its first unanswered) at the end of
// the delivery's MaxWait: nothing was sent, and the caller may try again
// in a moment.
var ErrHostBusy = errors.New("server busy with our deliveries, not tried")

// hostGate keeps, per server, how many deliveries are in flight and
// whether the server can be reached, so that a dead server holds at most
// one delivery (its probe) instead of one per inbox it hosts, each until
// its timeout.
//
// A server starts unproven: one delivery goes (the probe) while the
// others wait. Once it has answered, whatever the status, the server is
// proven and up to max deliveries go at once. A connection is not proof:
// a dead server may accept connections and never answer, which is what
// the probe is for. A delivery that gets no answer at all (no
// connection, no TLS, no response headers in time) marks the server down:
// the waiting deliveries and those that come during the next downFor are
// failed at once, and the first one after that is the next probe.
type hostGate struct {
	max     int
	downFor time.Duration
	now     func() time.Time

	mu    sync.Mutex
	hosts map[string]*hostState
}

type hostState struct {
	inFlight  int
	proven    bool
	http2     bool // its last answer came over HTTP/2
	downUntil time.Time
	downFor   time.Duration // the last down period
	// changed is closed, and replaced, whenever a slot frees or the state
	// changes, to wake the deliveries waiting for this server.
	changed chan struct{}
}

func newHostGate(max int, downFor time.Duration, now func() time.Time) *hostGate {
	return &hostGate{max: max, downFor: downFor, now: now, hosts: make(map[string]*hostState)}
}

// hostPass is one delivery's hold on its server's gate.
type hostPass struct {
	g     *hostGate
	host  string
	st    *hostState
	ended bool
}

// acquire waits until a delivery to host may go, or fails with
// ErrHostDown when the server is down or goes down meanwhile. With a
// maxWait it fails with ErrHostBusy once it has waited that long.
func (g *hostGate) acquire(ctx context.Context, host string, maxWait time.Duration) (*hostPass, error) {
	var timeout <-chan time.Time // made on the first wait: most deliveries do not wait
	for {
		g.mu.Lock()
		st := g.hosts[host]
		if st == nil {
			g.forgetIdle()
			st = &hostState{changed: make(chan struct{})}
			g.hosts[host] = st
		}
		if until := st.downUntil; g.now().Before(until) {
			g.mu.Unlock()
			return nil, fmt.Errorf("%s until %s: %w", host, until.UTC().Format(time.TimeOnly), ErrHostDown)
		}
		limit := g.max
		switch {
		case !st.proven:
			limit = 1
		case st.http2:
			limit = g.max * streamsPerConnection
		}
		if st.inFlight < limit {
			st.inFlight++
			g.mu.Unlock()
			return &hostPass{g: g, host: host, st: st}, nil
		}
		changed := st.changed
		g.mu.Unlock()
		if maxWait > 0 && timeout == nil {
			t := time.NewTimer(maxWait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-changed:
		case <-timeout:
			return nil, fmt.Errorf("%s: %w", host, ErrHostBusy)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// release ends the delivery. answered says the server answered (any
// status): it is proven, and http2 says whether it answered over HTTP/2.
// unreachable says it got no answer at all, which marks the server down,
// unless another delivery just did.
func (p *hostPass) release(answered, http2, unreachable bool) {
	if p.ended {
		return
	}
	p.ended = true
	g := p.g
	g.mu.Lock()
	defer g.mu.Unlock()
	st := p.st
	st.inFlight--
	switch now := g.now(); {
	case answered:
		st.proven, st.downFor, st.http2 = true, 0, http2
	case unreachable && !now.Before(st.downUntil):
		st.proven = false
		st.downFor = min(max(2*st.downFor, g.downFor), maxHostDownFor)
		st.downUntil = now.Add(st.downFor)
	}
	st.wake()
}

// forgetIdle drops the servers with nothing in flight and nothing
// failing, once there are many: they start again unproven, which costs
// one delivery's wait.
func (g *hostGate) forgetIdle() {
	if len(g.hosts) < maxHostsKept {
		return
	}
	for h, st := range g.hosts {
		if st.inFlight == 0 && st.proven {
			delete(g.hosts, h)
		}
	}
}

func (st *hostState) wake() {
	close(st.changed)
	st.changed = make(chan struct{})
}
