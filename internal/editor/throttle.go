package editor

import (
	"crypto/sha256"
	"sync"
	"time"
)

// maxThrottleEntries bounds the throttle's memory (about 100 bytes an
// entry) whatever the number of addresses and accounts tried.
const maxThrottleEntries = 100_000

// Throttle counts attempts per key in a fixed window, as Mastodon does for
// logins (25 per 5 minutes, per address and per account). It is held in
// memory: several instances each keep their own count, which only makes
// an attacker's budget a small multiple, never unlimited.
//
// Its memory is bounded: keys are kept as their SHA-256, however long the
// text they came from; at most maxThrottleEntries are kept; and a caller
// refused on its first key (its address) creates no bucket for the
// others, so one address cannot fill the table with accounts.
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

// NewThrottle allows limit attempts per window per key.
func NewThrottle(limit int, window time.Duration, now func() time.Time) *Throttle {
	return &Throttle{limit: limit, window: window, max: maxThrottleEntries, now: now, hits: make(map[[sha256.Size]byte]*bucket)}
}

// Allow records an attempt for the keys, in order, and reports whether all
// of them are still under the limit. It stops at the first key over the
// limit. When the table is full of live entries, a key it does not hold is
// refused: attempts then fail closed rather than uncounted.
func (t *Throttle) Allow(keys ...string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if now.Sub(t.sweep) > t.window {
		t.forgetExpired(now)
	}
	for _, key := range keys {
		k := sha256.Sum256([]byte(key))
		b := t.hits[k]
		if b == nil || now.Sub(b.start) > t.window {
			if b == nil && len(t.hits) >= t.max {
				if t.forgetExpired(now); len(t.hits) >= t.max {
					return false
				}
			}
			b = &bucket{start: now}
			t.hits[k] = b
		}
		b.n++
		if b.n > t.limit {
			return false
		}
	}
	return true
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
