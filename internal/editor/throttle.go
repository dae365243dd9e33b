package editor

import (
	"crypto/sha256"
	"sync"
	"time"
)

// maxThrottleEntries bounds the throttle's memory (about 100 bytes an
// entry) whatever the number of addresses and accounts tried.
const maxThrottleEntries = 100_000

// Throttle counts failed attempts per key in a fixed window, as Mastodon
// does for logins (25 per 5 minutes, per address and per account). Only
// failures count, so people logging in from behind one address (an
// office, a proxy) never lock each other out by succeeding. It is held in
// memory: several instances each keep their own count, which only makes
// an attacker's budget a small multiple, never unlimited.
//
// Its memory is bounded: keys are kept as their SHA-256, however long the
// text they came from; at most maxThrottleEntries are kept; and a caller
// already refused never gets as far as failing, so it makes no bucket.
type Throttle struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	max    int
	now    func() time.Time
	hits   map[[sha256.Size]byte]*bucket
	sweep  time.Time
}

type bucket struct {
	start time.Time
	n     int
}

// NewThrottle allows limit failures per window per key.
func NewThrottle(limit int, window time.Duration, now func() time.Time) *Throttle {
	return &Throttle{limit: limit, window: window, max: maxThrottleEntries, now: now, hits: make(map[[sha256.Size]byte]*bucket)}
}

// Allowed reports whether every key is under the limit; it records
// nothing. When the table is full of live entries, a key it does not hold
// is refused: attempts then fail closed rather than uncounted.
func (t *Throttle) Allowed(keys ...string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.maybeSweep(now)
	for _, key := range keys {
		b := t.hits[sha256.Sum256([]byte(key))]
		switch {
		case b == nil && len(t.hits) >= t.max:
			return false
		case b != nil && now.Sub(b.start) <= t.window && b.n >= t.limit:
			return false
		}
	}
	return true
}

// Fail records a failed attempt against every key.
func (t *Throttle) Fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.maybeSweep(now)
	for _, key := range keys {
		k := sha256.Sum256([]byte(key))
		b := t.hits[k]
		if b == nil || now.Sub(b.start) > t.window {
			if b == nil && len(t.hits) >= t.max {
				if t.forgetExpired(now); len(t.hits) >= t.max {
					continue
				}
			}
			b = &bucket{start: now}
			t.hits[k] = b
		}
		b.n++
	}
}

func (t *Throttle) maybeSweep(now time.Time) {
	if now.Sub(t.sweep) > t.window || (len(t.hits) >= t.max && now.Sub(t.sweep) > time.Second) {
		t.forgetExpired(now)
	}
}

func (t *Throttle) forgetExpired(now time.Time) {
	for k, b := range t.hits {
		if now.Sub(b.start) > t.window {
			delete(t.hits, k)
		}
	}
	t.sweep = now
}

// entries is how many keys the throttle holds.
func (t *Throttle) entries() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.hits)
}
