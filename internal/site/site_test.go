package site

import (
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/site/sitetest"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
	"github.com/soga/newsroom/web"
)

// countingStore counts the queries the site makes, to show that a cached
// page costs none.
type countingStore struct {
	Store
	n atomic.Int64
}

func (c *countingStore) OrgByHandle(ctx context.Context, h string) (*newsroom.Organisation, error) {
	c.n.Add(1)
	return c.Store.OrgByHandle(ctx, h)
}

func (c *countingStore) ListOrgs(ctx context.Context) ([]newsroom.Organisation, error) {
	c.n.Add(1)
	return c.Store.ListOrgs(ctx)
}

func (c *countingStore) PostByID(ctx context.Context, id string) (*newsroom.Post, error) {
	c.n.Add(1)
	return c.Store.PostByID(ctx, id)
}

func (c *countingStore) ListPosts(ctx context.Context, f store.PostFilter) ([]newsroom.Post, error) {
	c.n.Add(1)
	return c.Store.ListPosts(ctx, f)
}

func (c *countingStore) MediaByID(ctx context.Context, id string) (*newsroom.Media, error) {
	c.n.Add(1)
	return c.Store.MediaByID(ctx, id)
}

const testBase = "https://news.example"

// testSite is a Handler on a seeded SQLite store behind a router that
// routes like the server does.
type testSite struct {
	*Handler
	db     store.Store
	st     *countingStore
	cache  *Cache
	fx     *sitetest.Fixture
	router *httprouter.Router
	now    time.Time
}

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	seeded := sitetest.SeedSQLite(t)
	db, now, mediaDir, fx, views := seeded.DB, seeded.Now, seeded.MediaDir, seeded.Fixture, seeded.Views
	base, _ := url.Parse(testBase)
	st := &countingStore{Store: db}
	cache := NewCache(CacheOptions{})
	h := New(Deps{Store: st, View: views, URLs: urls.New(base), Cache: cache, MediaDir: mediaDir,
		Now: func() time.Time { return now }})
	ts := &testSite{Handler: h, db: db, st: st, cache: cache, fx: fx, now: now}
	ts.router = httprouter.New()
	for pattern, fn := range map[string]http.HandlerFunc{
		"/":                                 h.Home,
		"/orgs/:handle":                     h.Org,
		"/orgs/:handle/posts/:id":           h.Post,
		"/orgs/:handle/posts/:id/event.ics": h.PostICS,
		"/orgs/:handle/feed.atom":           h.OrgAtom,
		"/orgs/:handle/feed.rss":            h.OrgRSS,
		"/orgs/:handle/events.ics":          h.OrgICS,
		"/tags/:tag":                        h.Tag,
		"/events":                           h.Events,
		"/follow":                           h.Follow,
		"/media/:name":                      h.Media,
		"/feed.atom":                        h.SiteAtom,
		"/feed.rss":                         h.SiteRSS,
		"/events.ics":                       h.SiteICS,
		"/favicon.ico":                      h.Favicon,
		"/theme.css":                        h.Theme,
	} {
		ts.router.HandlerFunc(http.MethodGet, pattern, fn)
		ts.router.HandlerFunc(http.MethodHead, pattern, fn)
	}
	ts.router.NotFound = http.HandlerFunc(h.NotFound)
	return ts
}

// get requests path with headers given as name, value pairs.
func (ts *testSite) get(t *testing.T, path string, headers ...string) (*http.Response, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, testBase+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	ts.router.ServeHTTP(w, r)
	resp := w.Result()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (ts *testSite) postPath(p *newsroom.Post) string {
	handle := ts.fx.SoGA.Handle
	if p.OrgID == ts.fx.Alpha.ID {
		handle = ts.fx.Alpha.Handle
	}
	return "/orgs/" + handle + "/posts/" + p.ID
}

func wantStatus(t *testing.T, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("status %d, want %d", resp.StatusCode, want)
	}
}

func TestPagesAnswerWithoutCookies(t *testing.T) {
	ts := newTestSite(t)
	pages := map[string]int{
		"/":                                     200,
		"/orgs/soga":                            200,
		ts.postPath(ts.fx.Article):              200,
		ts.postPath(ts.fx.Event):                200,
		ts.postPath(ts.fx.Press):                200,
		"/tags/europe":                          200,
		"/events":                               200,
		"/feed.atom":                            200,
		"/feed.rss":                             200,
		"/events.ics":                           200,
		"/orgs/soga/feed.atom":                  200,
		"/orgs/soga/feed.rss":                   200,
		"/orgs/soga/events.ics":                 200,
		ts.postPath(ts.fx.Deleted):              410,
		"/nowhere":                              404,
		"/media/" + media.FileName(ts.fx.Image): 200,
	}
	for path, status := range pages {
		for _, lang := range []string{"en", "fr"} {
			resp, _ := ts.get(t, path, "Accept-Language", lang)
			wantStatus(t, resp, status)
			if c := resp.Header.Values("Set-Cookie"); len(c) > 0 {
				t.Errorf("%s sets cookies: %v", path, c)
			}
			if resp.Header.Get("Cache-Control") == "" {
				t.Errorf("%s: no Cache-Control", path)
			}
		}
	}
}

func TestNotFoundAndGone(t *testing.T) {
	ts := newTestSite(t)
	cases := []struct {
		path   string
		status int
	}{
		{ts.postPath(ts.fx.Deleted), http.StatusGone},
		{ts.postPath(ts.fx.Draft), http.StatusNotFound},
		{"/orgs/soga/posts/01JNOSUCHPOST0000000000000", http.StatusNotFound},
		{"/orgs/alpha/posts/" + ts.fx.Article.ID, http.StatusNotFound}, // another organisation's post
		{"/orgs/nobody", http.StatusNotFound},
		{"/orgs/nobody/posts/" + ts.fx.Article.ID, http.StatusNotFound},
		{"/orgs/soga/posts/" + ts.fx.Article.ID + "?lang=de", http.StatusNotFound},
		{"/orgs/soga/posts/" + ts.fx.Press.ID + "/event.ics", http.StatusNotFound},
		{"/orgs/soga/posts/" + ts.fx.Deleted.ID + "/event.ics", http.StatusNotFound},
		{"/tags/nosuchtag", http.StatusNotFound},
		{"/tags/not-a-tag", http.StatusNotFound},
		{"/?before=garbage", http.StatusNotFound},
		{"/events?upcoming=1.x&past=1.y", http.StatusNotFound},
	}
	for _, c := range cases {
		for _, lang := range []string{"en", "fr"} {
			resp, body := ts.get(t, c.path, "Accept-Language", lang)
			wantStatus(t, resp, c.status)
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s: Content-Type %q", c.path, ct)
			}
			if !strings.Contains(body, `<html lang="`+lang+`">`) || strings.Contains(body, "public.") {
				t.Errorf("%s in %s: page not translated:\n%s", c.path, lang, body)
			}
		}
	}
	resp, body := ts.get(t, ts.postPath(ts.fx.Deleted), "Accept-Language", "fr")
	if !strings.Contains(body, "supprimée") {
		t.Errorf("410 page does not say the post was deleted: %d\n%s", resp.StatusCode, body)
	}
}

func TestCanonicalRedirects(t *testing.T) {
	ts := newTestSite(t)
	cases := map[string]string{
		"/orgs/SoGA": testBase + "/orgs/soga",
		"/orgs/SoGA/posts/" + ts.fx.Article.ID + "?lang=en": testBase + ts.postPath(ts.fx.Article) + "?lang=en",
		ts.postPath(ts.fx.Article) + "?lang=fr":             testBase + ts.postPath(ts.fx.Article),
		"/tags/Europe":                                      testBase + "/tags/europe",
		"/orgs/SOGA/feed.atom":                              testBase + "/orgs/soga/feed.atom",
	}
	for path, want := range cases {
		resp, _ := ts.get(t, path)
		wantStatus(t, resp, http.StatusMovedPermanently)
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("%s: Location %q, want %q", path, got, want)
		}
	}
}

func TestPostPageIsSmall(t *testing.T) {
	ts := newTestSite(t)
	css, err := fs.ReadFile(web.Static, "static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*newsroom.Post{ts.fx.Article, ts.fx.Event} {
		_, body := ts.get(t, ts.postPath(p))
		if total := len(body) + len(css); total > 20*1024 {
			t.Errorf("post page weighs %d bytes of HTML and CSS, more than 20 KB", total)
		}
	}
}
