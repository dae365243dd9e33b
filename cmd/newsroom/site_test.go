package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/federation"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/site/sitetest"
)

// seedSite fills a running server's store with the site fixture.
func (ts *testServer) seedSite(t testing.TB) *sitetest.Fixture {
	t.Helper()
	fx, err := sitetest.Seed(context.Background(), ts.Store, ts.Config.MediaDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ts.Cache.Invalidate()
	return fx
}

func postPath(org *newsroom.Organisation, p *newsroom.Post) string {
	return "/orgs/" + org.Handle + "/posts/" + p.ID
}

// One URL, two representations: fediverse servers get the ActivityStreams
// document, browsers and link-card fetchers the page.
func TestContentNegotiation(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		fx := ts.seedSite(t)
		for _, path := range []string{postPath(fx.SoGA, fx.Article), postPath(fx.SoGA, fx.Event), "/orgs/soga"} {
			for range 2 { // a miss, then a hit from the cache
				status, h, body := ts.get(t, path, "application/activity+json, application/ld+json")
				if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/activity+json") {
					t.Fatalf("%s as ActivityStreams: %d %s", path, status, h.Get("Content-Type"))
				}
				var doc map[string]any
				if err := json.Unmarshal([]byte(body), &doc); err != nil || doc["id"] != ts.URL+path {
					t.Errorf("%s: id %v (%v)", path, doc["id"], err)
				}
				if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept") {
					t.Errorf("%s: Vary %v", path, h.Values("Vary"))
				}

				status, h, body = ts.get(t, path, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
				if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
					t.Fatalf("%s as HTML: %d %s", path, status, h.Get("Content-Type"))
				}
				if !strings.Contains(body, `<meta property="og:title"`) || !strings.Contains(body, `<link rel="canonical" href="`+ts.URL+path+`">`) {
					t.Errorf("%s: page without card metadata", path)
				}
				if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept") {
					t.Errorf("%s: Vary %v", path, h.Values("Vary"))
				}
			}
		}
		// Mastodon fetches link cards with a plain Accept.
		if status, h, _ := ts.get(t, postPath(fx.SoGA, fx.Article), ""); status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Errorf("no Accept: %d %s", status, h.Get("Content-Type"))
		}
		// A deleted post is gone in both representations.
		for _, accept := range []string{"application/activity+json", "text/html"} {
			if status, _, _ := ts.get(t, postPath(fx.SoGA, fx.Deleted), accept); status != http.StatusGone {
				t.Errorf("tombstone as %s: %d, want 410", accept, status)
			}
		}
	})
}

func TestPublicPagesEndToEnd(t *testing.T) {
	ts := startServer(t, "sqlite")
	fx := ts.seedSite(t)
	paths := map[string]int{
		"/": 200, "/orgs/soga": 200, "/orgs/alpha": 200, "/events": 200, "/tags/europe": 200,
		postPath(fx.SoGA, fx.Article): 200, postPath(fx.SoGA, fx.Article) + "?lang=en": 200,
		postPath(fx.SoGA, fx.Event) + "/event.ics": 200, "/feed.atom": 200, "/feed.rss": 200, "/events.ics": 200,
		"/orgs/soga/feed.atom": 200, "/orgs/soga/feed.rss": 200, "/orgs/soga/events.ics": 200,
		postPath(fx.SoGA, fx.Draft): 404, "/no/such/page": 404, "/tags/nothing": 404,
		"/media/" + fx.Image.ID + ".jpg": 200, "/media/../../etc/passwd": 404,
	}
	for path, want := range paths {
		status, h, body := ts.get(t, path, "text/html")
		if status != want {
			t.Errorf("%s: %d, want %d", path, status, want)
		}
		if len(h.Values("Set-Cookie")) > 0 {
			t.Errorf("%s sets a cookie", path)
		}
		if want == 404 && path != "/media/../../etc/passwd" && !strings.Contains(body, "<h1>") {
			t.Errorf("%s: the 404 is not the site's page", path)
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
}

// Writes through the services that publish invalidate the cache: a page
// read before a post is published shows it right after.
func TestPublishingInvalidatesPages(t *testing.T) {
	ts := startServer(t, "sqlite")
	fx := ts.seedSite(t)
	if _, _, body := ts.get(t, "/orgs/soga", "text/html"); strings.Contains(body, "Assemblée générale") {
		t.Fatal("post shown before it exists")
	}
	svc := ts.services.posts
	p, err := svc.Publish(context.Background(), posts.PostInput{OrgID: fx.SoGA.ID, Kind: newsroom.KindArticle,
		Title: "Assemblée générale", Summary: "Le 12 juin.", Body: "Venez **nombreux**.",
		Media: []newsroom.PostMedia{{MediaID: fx.Image.ID, Alt: "Une salle pleine"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/orgs/soga", "/", "/feed.atom"} {
		if _, _, body := ts.get(t, path, "text/html"); !strings.Contains(body, "Assemblée générale") {
			t.Errorf("%s does not show the new post", path)
		}
	}
	// What a published post's page gives a link-card reader.
	_, _, page := ts.get(t, postPath(fx.SoGA, p), "text/html")
	for _, want := range []string{
		`<meta property="og:title" content="Assemblée générale">`,
		`<meta property="og:description" content="Le 12 juin.">`,
		`<meta property="og:site_name" content="Newsroom">`,
		`<meta property="og:type" content="article">`,
		`<meta property="og:image" content="` + ts.URL + `/media/` + fx.Image.ID,
		`<meta property="og:image:alt" content="Une salle pleine">`,
		`<meta name="fediverse:creator" content="@soga@` + ts.URLs.Host() + `">`,
		`"@type":"NewsArticle"`,
		`<strong>nombreux</strong>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("post page lacks %s", want)
		}
	}
	if err := svc.Delete(context.Background(), p.ID); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := ts.get(t, postPath(fx.SoGA, p), "text/html"); status != http.StatusGone {
		t.Errorf("deleted post: %d, want 410", status)
	}
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the server's handlers and middleware, not a recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkCachedResponses is the cost of one cache hit through the whole
// handler stack (middleware, routing, negotiation, cache), without the
// network: what newsroom adds to net/http for each request of a stampede.
// Beside it, in the same run, the layers alone: the cache hit
// (site.Cache), content negotiation, and what a bare net/http handler
// serving the same response from memory does (.ci/bench-site's
// reference: copy a header map, write the body).
func BenchmarkCachedResponses(b *testing.B) {
	ts := startServer(b, "sqlite")
	fx := ts.seedSite(b)
	h := ts.httpServer.Handler
	for _, c := range []struct{ name, path, accept, variant string }{
		{"post-page", postPath(fx.SoGA, fx.Article), "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html:en"},
		{"post-activity", postPath(fx.SoGA, fx.Article), "application/activity+json, application/ld+json", "activity+json"},
		{"actor", "/orgs/soga", "application/activity+json, application/ld+json", "activity+json"},
	} {
		r, _ := http.NewRequest(http.MethodGet, ts.URL+c.path, nil)
		r.Header.Set("Accept", c.accept)
		r.Header.Set("Accept-Encoding", "gzip")
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, r)
		recorded := w.h.Clone()
		body := bytes.Repeat([]byte("x"), atoiOr(recorded.Get("Content-Length"), 0))
		layers := []struct {
			name  string
			serve func()
		}{
			{"stack", func() { h.ServeHTTP(w, r) }},
			{"cache", func() {
				ts.Cache.Wrap(c.variant, func(http.ResponseWriter, *http.Request) { b.Fatal("not cached") })(w, r)
			}},
			{"negotiate", func() { federation.WantsActivityJSON(r) }},
			{"bare", func() {
				for k, v := range recorded {
					w.h[k] = v
				}
				w.WriteHeader(http.StatusOK)
				w.Write(body) //nolint:errcheck // discarded
			}},
		}
		for _, l := range layers {
			b.Run(c.name+"/"+l.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					l.serve()
				}
			})
		}
	}
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}
