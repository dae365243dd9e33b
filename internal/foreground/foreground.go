// Package foreground lets the requests a person waits for, an editor's
// pages and forms, go ahead of background work that can wait a moment: a
// fan-out's signatures.
//
// On a small server a fan-out to thousands of inboxes keeps every
// processor signing, and PostgreSQL's processes wait for a processor as
// the editor's pages do. Go schedules goroutines without priorities, so
// the background work holds itself back: before each costly step it
// waits while a foreground request is under way. The wait is bounded, by
// a window per request and by a share of each second, so that a long
// request (an export of 100,000 followers) or editors who never stop
// clicking slow a fan-out and never stop it.
package foreground

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/soga/newsroom/internal/metrics"
)

// Window is how long a request goes ahead of background work: past it, a
// request still under way shares the processors like any other work.
// Twice the 100 ms an editor's page should answer within, on a machine
// busy with a fan-out.
const Window = 200 * time.Millisecond

// MaxShare bounds the share of each second that requests may go ahead
// in: past it, for the rest of the second, they share the processors.
// An editor's tab that reloads without end, or a script with an
// editor's session, then slows a fan-out by half at most.
const MaxShare = 0.5

// Gate counts the foreground requests under way. The zero value is not
// usable; a nil *Gate never holds anything back.
type Gate struct {
	window  time.Duration
	metrics *metrics.Metrics // nil for none

	mu sync.Mutex
	n  int // requests under way
	// until is when the last request to enter stops going ahead: the
	// gate opens then even if requests are still under way.
	until time.Time
	// clear is closed when n falls to zero; nil while nobody waits.
	clear chan struct{}
	// second is the start of the current second, and spent how long the
	// requests that left during it went ahead, each counted up to the
	// window: once spent reaches MaxShare of a second, nothing waits
	// until the next.
	second time.Time
	spent  time.Duration
}

// New returns a gate that lets each request go ahead for window at most,
// counting requests and waits in m (nil for none).
func New(window time.Duration, m *metrics.Metrics) *Gate {
	return &Gate{window: window, metrics: m}
}

// Enter marks a foreground request under way until the returned function
// is called.
func (g *Gate) Enter() (leave func()) {
	if g == nil {
		return func() {}
	}
	if g.metrics != nil {
		g.metrics.Foreground.Inc()
	}
	start := time.Now()
	g.mu.Lock()
	g.n++
	if u := start.Add(g.window); u.After(g.until) {
		g.until = u
	}
	g.mu.Unlock()
	return func() { g.leave(start) }
}

func (g *Gate) leave(start time.Time) {
	now := time.Now()
	g.mu.Lock()
	g.spendLocked(now, min(now.Sub(start), g.window))
	g.n--
	if g.n == 0 && g.clear != nil {
		close(g.clear)
		g.clear = nil
	}
	g.mu.Unlock()
}

// spendLocked counts d of going ahead in the second of now.
func (g *Gate) spendLocked(now time.Time, d time.Duration) {
	if now.Sub(g.second) >= time.Second {
		g.second, g.spent = now, 0
	}
	g.spent += d
}

// spentLocked tells whether the requests have had their share of the
// second of now.
func (g *Gate) spentLocked(now time.Time) bool {
	return now.Sub(g.second) < time.Second && g.spent >= time.Duration(MaxShare*float64(time.Second))
}

// Wait returns once no foreground request is under way, or when the
// requests under way have had their window, or after one window in all,
// or once requests have gone ahead for MaxShare of the current second,
// whichever comes first; or with ctx's error when ctx ends first.
func (g *Gate) Wait(ctx context.Context) error {
	if g == nil {
		return nil
	}
	var timer *time.Timer
	var start time.Time // of the first wait; the clock is not read when nothing waits
	defer func() {
		if timer == nil {
			return // never held
		}
		timer.Stop()
		if g.metrics != nil {
			g.metrics.Held.Inc()
			g.metrics.HeldSeconds.Add(time.Since(start).Seconds())
		}
	}()
	for {
		g.mu.Lock()
		if g.n == 0 {
			g.mu.Unlock()
			return nil
		}
		now := time.Now()
		if start.IsZero() {
			start = now
		}
		end := g.until // the requests' window, or this wait's, whichever ends first
		if own := start.Add(g.window); own.Before(end) {
			end = own
		}
		if !now.Before(end) || g.spentLocked(now) {
			g.mu.Unlock()
			return nil
		}
		if g.clear == nil {
			g.clear = make(chan struct{})
		}
		clear := g.clear
		g.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(end.Sub(now))
		} else {
			timer.Reset(end.Sub(now))
		}
		select {
		case <-clear:
		case <-timer.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Handler marks every request to h as foreground.
func (g *Gate) Handler(h http.HandlerFunc) http.HandlerFunc {
	if g == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		defer g.Enter()()
		h(w, r)
	}
}
