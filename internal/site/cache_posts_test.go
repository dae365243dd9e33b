package site

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// A reaction forgets its post's page, object and collections, in every
// language, and nothing else.
func TestInvalidatePostForgetsOnlyThatPost(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	c := NewCache(CacheOptions{TTL: 30 * time.Second, Now: clk.now})
	renders := map[string]*atomic.Int64{}
	paths := []string{"/orgs/a/posts/01AB", "/orgs/a/posts/01AB?lang=en", "/orgs/a/posts/01AB/likes",
		"/orgs/a/posts/01ABC", "/orgs/a/posts/01XY", "/orgs/a", "/feed.atom"}
	for _, p := range paths {
		renders[p] = &atomic.Int64{}
	}
	h := c.Wrap("doc", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "render %d", renders[r.URL.RequestURI()].Add(1))
	})
	for _, p := range paths {
		serveOnce(h, p)
	}
	clk.add(2 * ReactionDelay) // quiet: the next reaction shows at once
	c.InvalidatePost("01AB")
	for _, p := range paths {
		serveOnce(h, p)
	}
	want := map[string]int64{"/orgs/a/posts/01AB": 2, "/orgs/a/posts/01AB?lang=en": 2, "/orgs/a/posts/01AB/likes": 2,
		"/orgs/a/posts/01ABC": 1, "/orgs/a/posts/01XY": 1, "/orgs/a": 1, "/feed.atom": 1}
	for p, n := range want {
		if got := renders[p].Load(); got != n {
			t.Errorf("%s rendered %d times, want %d", p, got, n)
		}
	}
}

// Under a stream of Likes a post is rendered about once per
// ReactionDelay, not once per Like, and the last Like still shows.
func TestInvalidatePostCoalescesBursts(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	c := NewCache(CacheOptions{TTL: 30 * time.Second, Now: clk.now})
	var renders atomic.Int64
	h := c.Wrap("doc", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "render %d", renders.Add(1))
	})
	serveOnce(h, "/orgs/a/posts/P1")
	for range 100 { // 100 Likes within 0.1 s, each followed by a read
		clk.add(time.Millisecond)
		c.InvalidatePost("P1")
		serveOnce(h, "/orgs/a/posts/P1")
	}
	if n := renders.Load(); n != 1 {
		t.Errorf("%d renders during a burst shorter than ReactionDelay, want 1", n)
	}
	clk.add(ReactionDelay)
	if got := serveOnce(h, "/orgs/a/posts/P1").Body.String(); got != "render 2" {
		t.Errorf("after the delay: %q, want a new render", got)
	}
}

// A Like landing while the page renders makes that render short-lived:
// it may miss the Like.
func TestInvalidatePostDuringRender(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	c := NewCache(CacheOptions{TTL: 30 * time.Second, Now: clk.now})
	var renders atomic.Int64
	h := c.Wrap("doc", func(w http.ResponseWriter, r *http.Request) {
		if renders.Add(1) == 1 {
			c.InvalidatePost("P1")
			c.InvalidatePost("OTHER")
		}
		fmt.Fprintf(w, "render %d", renders.Load())
	})
	serveOnce(h, "/orgs/a/posts/P1")
	clk.add(ReactionDelay)
	if got := serveOnce(h, "/orgs/a/posts/P1").Body.String(); got != "render 2" {
		t.Errorf("a render that raced a Like was kept past ReactionDelay: %q", got)
	}
	clk.add(10 * time.Second)
	if got := serveOnce(h, "/orgs/a/posts/P1").Body.String(); got != "render 2" {
		t.Errorf("a render after the Like was not kept: %q", got)
	}
}
