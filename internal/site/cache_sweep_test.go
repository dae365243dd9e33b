package site

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Expired entries go at the next sweep, with their bytes, while live ones
// stay and are still served without a render.
func TestCacheSweepForgetsExpired(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	c := NewCache(CacheOptions{TTL: 30 * time.Second, Now: clk.now})
	var renders atomic.Int64
	h := c.Wrap("doc", func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		w.Write([]byte(strings.Repeat("x", 10_000)))
	})
	serveOnce(h, "/old")
	clk.add(20 * time.Second)
	serveOnce(h, "/new")
	if freed := c.Sweep(); freed != 0 || c.Len() != 2 {
		t.Fatalf("sweep before any expiry: %d bytes freed, %d entries", freed, c.Len())
	}
	clk.add(15 * time.Second)
	freed := c.Sweep()
	if freed < 10_000 || c.Len() != 1 {
		t.Fatalf("sweep after /old expired: %d bytes freed, %d entries left", freed, c.Len())
	}
	serveOnce(h, "/new")
	if renders.Load() != 2 {
		t.Errorf("/new rendered again after the sweep: %d renders", renders.Load())
	}
	c.mu.RLock()
	size := c.size
	c.mu.RUnlock()
	if size != c.entries["doc /new"].cost() {
		t.Errorf("size %d after the sweep, the one entry left costs %d", size, c.entries["doc /new"].cost())
	}
}

// RunSweeper empties the cache as its entries expire, and stops with its
// context.
func TestCacheRunSweeper(t *testing.T) {
	c := NewCache(CacheOptions{TTL: 20 * time.Millisecond})
	h := c.Wrap("doc", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("body")) })
	serveOnce(h, "/a")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.RunSweeper(ctx)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for c.Len() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the expired entry is still there after 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}
