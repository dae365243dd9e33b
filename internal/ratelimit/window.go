// Package ratelimit counts events per key in fixed windows, in bounded
// memory: the login throttle and the inbox's limits on replies use it.
package ratelimit

import (
	"crypto/sha256"
	"sync"
	"time"
)

// MaxEntries bounds a window's memory (about 100 bytes an entry) whatever
// the number of keys tried.
const MaxEntries = 100_000

// Window counts events per key in a fixed window, such as failed logins
// (Mastodon allows 25 per 5 minutes, per address and per account). It is
// held in memory: several instances each keep their own count, which only
// makes an attacker's budget a small multiple, never unlimited.
//
// Its memory is bounded: keys are kept as their SHA-256, however long the
// text they came from; at most MaxEntries are kept; and a caller that
// checks Allowed before Add makes no entry once refused.
type Window struct {
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

// New allows limit events per window per key.
func New(limit int, window time.Duration, now func() time.Time) *Window {
	if now == nil {
		now = time.Now
	}
	return &Window{limit: limit, window: window, max: MaxEntries, now: now, hits: make(map[[sha256.Size]byte]*bucket)}
}

// Allowed reports whether every key is under the limit; it records
// nothing. When the table is full of live entries, a key it does not hold
// is refused: attempts then fail closed rather than uncounted.
func (t *Window) Allowed(keys ...string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.allowed(t.now(), keys)
}

func (t *Window) allowed(now time.Time, keys []string) bool {
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

// Add counts an event against every key.
func (t *Window) Add(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.add(t.now(), keys)
}

func (t *Window) add(now time.Time, keys []string) {
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

func (t *Window) maybeSweep(now time.Time) {
	if now.Sub(t.sweep) > t.window || (len(t.hits) >= t.max && now.Sub(t.sweep) > time.Second) {
		t.forgetExpired(now)
	}
}

func (t *Window) forgetExpired(now time.Time) {
	for k, b := range t.hits {
		if now.Sub(b.start) > t.window {
			delete(t.hits, k)
		}
	}
	t.sweep = now
}

// Allow counts an event against every key when all of them are under
// the limit, and reports whether they were.
func (t *Window) Allow(keys ...string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if !t.allowed(now, keys) {
		return false
	}
	t.add(now, keys)
	return true
}

// entries is how many keys the window holds.
func (t *Window) entries() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.hits)
}
