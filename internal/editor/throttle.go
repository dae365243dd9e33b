package editor

import (
	"sync"
	"time"
)

// Throttle counts attempts per key in a fixed window, as Mastodon does for
// logins (25 per 5 minutes, per address and per account). It is held in
// memory: several instances each keep their own count, which only makes
// an attacker's budget a small multiple, never unlimited.
type Throttle struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	hits   map[string]*bucket
	sweep  time.Time
}

type bucket struct {
	start time.Time
	n     int
}

// NewThrottle allows limit attempts per window per key.
func NewThrottle(limit int, window time.Duration, now func() time.Time) *Throttle {
	return &Throttle{limit: limit, window: window, now: now, hits: make(map[string]*bucket)}
}

// Allow records an attempt for every key and reports whether all of them
// are still under the limit.
func (t *Throttle) Allow(keys ...string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if now.Sub(t.sweep) > t.window {
		for k, b := range t.hits {
			if now.Sub(b.start) > t.window {
				delete(t.hits, k)
			}
		}
		t.sweep = now
	}
	ok := true
	for _, k := range keys {
		b := t.hits[k]
		if b == nil || now.Sub(b.start) > t.window {
			b = &bucket{start: now}
			t.hits[k] = b
		}
		b.n++
		if b.n > t.limit {
			ok = false
		}
	}
	return ok
}
