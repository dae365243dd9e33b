package site

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

func TestCachedPageCostsNoQuery(t *testing.T) {
	ts := newTestSite(t)
	paths := []string{"/", "/orgs/soga", ts.postPath(ts.fx.Article), ts.postPath(ts.fx.Article) + "?lang=en",
		"/tags/europe", "/events", "/feed.atom", "/orgs/soga/events.ics", ts.postPath(ts.fx.Deleted)}
	for _, p := range paths {
		ts.get(t, p)
	}
	before := ts.st.n.Load()
	for _, p := range paths {
		for range 3 {
			resp, _ := ts.get(t, p)
			if resp.StatusCode >= 500 {
				t.Fatalf("%s: %d", p, resp.StatusCode)
			}
		}
	}
	if n := ts.st.n.Load() - before; n != 0 {
		t.Errorf("cached pages made %d queries, want 0", n)
	}
	// Another language is another entry: one render, then none.
	ts.get(t, "/orgs/soga", "Accept-Language", "fr")
	n := ts.st.n.Load()
	ts.get(t, "/orgs/soga", "Accept-Language", "fr-BE,fr;q=0.8")
	if ts.st.n.Load() != n {
		t.Error("French page rendered twice")
	}
	// Made-up query parameters share the entry.
	ts.get(t, ts.postPath(ts.fx.Article)+"?utm_source=x")
	if ts.st.n.Load() != n {
		t.Error("an unknown query parameter made a new entry")
	}
}

func TestInvalidateShowsWrites(t *testing.T) {
	ts := newTestSite(t)
	path := ts.postPath(ts.fx.Article)
	_, body := ts.get(t, path)
	if !strings.Contains(body, ts.fx.Article.Title) {
		t.Fatal("title missing")
	}
	p := *ts.fx.Article
	p.Title = "Un titre corrigé"
	if err := ts.db.UpdatePost(t.Context(), &p); err != nil {
		t.Fatal(err)
	}
	if _, body = ts.get(t, path); strings.Contains(body, "Un titre corrigé") {
		t.Fatal("a cached page changed without invalidation: the test proves nothing")
	}
	ts.cache.Invalidate()
	if _, body = ts.get(t, path); !strings.Contains(body, "Un titre corrigé") {
		t.Error("edit not shown after Invalidate")
	}
	p.Status = "deleted"
	if err := ts.db.UpdatePost(t.Context(), &p); err != nil {
		t.Fatal(err)
	}
	var inv newsroom.Invalidator = ts.cache
	inv.Invalidate()
	if resp, _ := ts.get(t, path); resp.StatusCode != http.StatusGone {
		t.Errorf("deleted post answers %d, want 410", resp.StatusCode)
	}
}

func TestConditionalRequests(t *testing.T) {
	ts := newTestSite(t)
	path := ts.postPath(ts.fx.Article)
	resp, _ := ts.get(t, path)
	etag, modified := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if etag == "" || modified == "" {
		t.Fatalf("ETag %q Last-Modified %q", etag, modified)
	}
	if resp.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	if v := resp.Header.Values("Vary"); !strings.Contains(strings.Join(v, ","), "Accept-Language") {
		t.Errorf("Vary %v", v)
	}
	if resp, body := ts.get(t, path, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, _ := ts.get(t, path, "If-None-Match", `"other"`); resp.StatusCode != http.StatusOK {
		t.Errorf("stale If-None-Match: %d", resp.StatusCode)
	}
	if resp, _ := ts.get(t, path, "If-Modified-Since", modified); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", resp.StatusCode)
	}
	old := ts.fx.Article.PublishedAt.Add(-time.Hour).Format(http.TimeFormat)
	if resp, _ := ts.get(t, path, "If-Modified-Since", old); resp.StatusCode != http.StatusOK {
		t.Errorf("older If-Modified-Since: %d", resp.StatusCode)
	}
	// The first request of all may already be conditional.
	ts.cache.Invalidate()
	if resp, _ := ts.get(t, path, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match on a cold cache: %d", resp.StatusCode)
	}
}

// clock is a settable time for cache tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func serveOnce(h http.HandlerFunc, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w
}

func TestCacheExpiresAfterTTL(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	c := NewCache(CacheOptions{TTL: 30 * time.Second, Now: clk.now})
	var renders atomic.Int64
	h := c.Wrap("doc", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "render %d", renders.Add(1))
	})
	serveOnce(h, "/a")
	clk.add(29 * time.Second)
	if got := serveOnce(h, "/a").Body.String(); got != "render 1" {
		t.Errorf("within TTL: %q", got)
	}
	clk.add(2 * time.Second)
	if got := serveOnce(h, "/a").Body.String(); got != "render 2" {
		t.Errorf("after TTL: %q", got)
	}
}

// While other processes' writes cannot be heard, entries live BlindTTL:
// going blind drops what was stored for the full lifetime, and hearing
// again restores it.
func TestCacheBlindKeepsEntriesBriefly(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	c := NewCache(CacheOptions{TTL: 30 * time.Second, Now: clk.now})
	var renders atomic.Int64
	h := c.Wrap("doc", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "render %d", renders.Add(1))
	})
	serveOnce(h, "/a")
	c.SetBlind(true)
	if got := serveOnce(h, "/a").Body.String(); got != "render 2" {
		t.Errorf("after going blind: %q", got)
	}
	clk.add(BlindTTL - time.Second)
	if got := serveOnce(h, "/a").Body.String(); got != "render 2" {
		t.Errorf("within BlindTTL: %q", got)
	}
	clk.add(2 * time.Second)
	if got := serveOnce(h, "/a").Body.String(); got != "render 3" {
		t.Errorf("after BlindTTL: %q", got)
	}
	c.SetBlind(false)
	c.SetBlind(false)
	clk.add(BlindTTL + time.Second)
	if got := serveOnce(h, "/a").Body.String(); got != "render 4" {
		t.Errorf("first render after hearing again: %q", got)
	}
	clk.add(20 * time.Second)
	if got := serveOnce(h, "/a").Body.String(); got != "render 4" {
		t.Errorf("full lifetime again: %q", got)
	}
}

func TestCacheRendersOnceUnderConcurrency(t *testing.T) {
	c := NewCache(CacheOptions{})
	var renders atomic.Int64
	release := make(chan struct{})
	h := c.Wrap("doc", func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		<-release
		w.Write([]byte("body"))
	})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := serveOnce(h, "/hot").Body.String(); got != "body" {
				t.Errorf("body %q", got)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("%d renders for 50 concurrent requests, want 1", n)
	}
}

func TestCacheDropsRenderRacingAWrite(t *testing.T) {
	c := NewCache(CacheOptions{})
	var renders atomic.Int64
	h := c.Wrap("doc", func(w http.ResponseWriter, r *http.Request) {
		if renders.Add(1) == 1 {
			c.Invalidate() // a write lands while the first render runs
		}
		w.Write([]byte("x"))
	})
	serveOnce(h, "/a")
	serveOnce(h, "/a")
	if n := renders.Load(); n != 2 {
		t.Errorf("%d renders, want 2: a render older than a write was kept", n)
	}
}

func TestCacheKeepsOnlyPublicAnswers(t *testing.T) {
	c := NewCache(CacheOptions{})
	for _, tc := range []struct {
		name   string
		status int
		header [2]string
		kept   bool
	}{
		{"ok", 200, [2]string{}, true},
		{"gone", 410, [2]string{}, true},
		{"error", 500, [2]string{}, false},
		{"redirect", 301, [2]string{}, false},
		{"no-store", 200, [2]string{"Cache-Control", "no-store"}, false},
		{"cookie", 200, [2]string{"Set-Cookie", "a=b"}, false},
	} {
		var renders int
		h := c.Wrap("doc", func(w http.ResponseWriter, r *http.Request) {
			renders++
			if tc.header[0] != "" {
				w.Header().Set(tc.header[0], tc.header[1])
			}
			w.WriteHeader(tc.status)
		})
		serveOnce(h, "/"+tc.name)
		serveOnce(h, "/"+tc.name)
		if kept := renders == 1; kept != tc.kept {
			t.Errorf("%s: kept %v, want %v", tc.name, kept, tc.kept)
		}
	}
}

func TestCacheStaysWithinItsSize(t *testing.T) {
	c := NewCache(CacheOptions{MaxBytes: 64 << 10})
	body := strings.Repeat("x", 4<<10)
	h := c.Wrap("doc", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) })
	for i := range 100 {
		serveOnce(h, fmt.Sprintf("/p%d", i))
	}
	c.mu.RLock()
	size, n := c.size, len(c.entries)
	c.mu.RUnlock()
	if size > 64<<10 || n == 0 || n > 16 {
		t.Errorf("%d entries, %d bytes, bound 64 KiB", n, size)
	}
}

func TestCacheServesGzipToThoseWhoAskForIt(t *testing.T) {
	ts := newTestSite(t)
	path := ts.postPath(ts.fx.Article)
	_, plain := ts.get(t, path)
	resp, raw := ts.get(t, path, "Accept-Encoding", "gzip, deflate, br")
	if resp.Header.Get("Content-Encoding") != "gzip" || len(raw) >= len(plain) {
		t.Fatalf("Content-Encoding %q, %d bytes for %d", resp.Header.Get("Content-Encoding"), len(raw), len(plain))
	}
	zr, err := gzip.NewReader(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); string(b) != plain {
		t.Error("the gzip variant is not the page")
	}
	if resp.Header.Get("Content-Length") != strconv.Itoa(len(raw)) {
		t.Errorf("Content-Length %q for %d bytes", resp.Header.Get("Content-Length"), len(raw))
	}
	if v := strings.Join(resp.Header.Values("Vary"), ","); !strings.Contains(v, "Accept-Encoding") {
		t.Errorf("Vary %q", v)
	}
	plainResp, _ := ts.get(t, path)
	if plainResp.Header.Get("ETag") == resp.Header.Get("ETag") {
		t.Error("both encodings share one ETag")
	}
	if r, _ := ts.get(t, path, "Accept-Encoding", "gzip", "If-None-Match", resp.Header.Get("ETag")); r.StatusCode != http.StatusNotModified || r.Header.Get("Content-Encoding") != "" {
		t.Errorf("If-None-Match on the gzip variant: %d %q", r.StatusCode, r.Header.Get("Content-Encoding"))
	}
	for header, want := range map[string]bool{
		"gzip": true, "br, gzip;q=0.5": true, "*": true, "identity": false, "gzip;q=0": false, "gzip; q=0.000": false, "": false,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v", header, got)
		}
	}
}

// headerWriter keeps the header only, and its map from one request to
// the next, as net/http does not: what is measured is the cache.
type headerWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *headerWriter) Header() http.Header         { return w.h }
func (w *headerWriter) WriteHeader(s int)           { w.status = s }
func (w *headerWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

// A hit is what a stampede costs: it must not allocate in the cache.
func TestCacheHitAllocatesNothing(t *testing.T) {
	c := NewCache(CacheOptions{})
	h := c.Wrap("activity+json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		w.Write([]byte(strings.Repeat("an actor ", 300)))
	})
	for _, enc := range []string{"", "gzip"} {
		r := httptest.NewRequest(http.MethodGet, "/orgs/soga", nil)
		r.Header.Set("Accept-Encoding", enc)
		w := &headerWriter{h: http.Header{}}
		h(w, r)
		if allocs := testing.AllocsPerRun(200, func() { clear(w.h); h(w, r) }); allocs != 0 {
			t.Errorf("Accept-Encoding %q: %.1f allocations per hit, want 0", enc, allocs)
		}
		// After negotiation, which sets Vary: Accept first.
		accept := []string{"Accept"}
		if allocs := testing.AllocsPerRun(200, func() { clear(w.h); w.h["Vary"] = accept; h(w, r) }); allocs != 0 {
			t.Errorf("Accept-Encoding %q, after Vary: Accept: %.1f allocations per hit, want 0", enc, allocs)
		}
		clear(w.h)
		w.n = 0
		h(w, r)
		if w.status != http.StatusOK || w.h.Get("Content-Length") != strconv.Itoa(w.n) || (w.h.Get("Content-Encoding") == "gzip") != (enc == "gzip") {
			t.Errorf("Accept-Encoding %q: status %d, Content-Length %q, Content-Encoding %q for %d bytes",
				enc, w.status, w.h.Get("Content-Length"), w.h.Get("Content-Encoding"), w.n)
		}
	}
}

// The entry's Vary goes after what the caller set (negotiation's
// Accept), and one response's Vary never leaks into the next one's.
func TestCacheVaryAddsToTheCallers(t *testing.T) {
	c := NewCache(CacheOptions{})
	h := c.Wrap("html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Add("Vary", "Accept-Language")
		w.Write([]byte(strings.Repeat("<p>a page</p>", 100)))
	})
	r := httptest.NewRequest(http.MethodGet, "/orgs/soga", nil)
	for range 3 {
		w := &headerWriter{h: http.Header{"Vary": {"Accept"}}}
		h(w, r)
		// One field line: each line costs net/http a write of its own.
		if got := w.h["Vary"]; len(got) != 1 || got[0] != "Accept, Accept-Language, Accept-Encoding" {
			t.Fatalf("Vary %q after the caller's Accept", got)
		}
		w = &headerWriter{h: http.Header{}}
		h(w, r)
		if got := w.h["Vary"]; len(got) != 1 || got[0] != "Accept-Language, Accept-Encoding" {
			t.Fatalf("Vary %q on its own", got)
		}
	}
}
