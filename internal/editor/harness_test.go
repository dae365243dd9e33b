package editor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/internal/audience"
	"github.com/soga/newsroom/internal/clientip"
	"github.com/soga/newsroom/internal/domains"
	"github.com/soga/newsroom/internal/editor"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/orgs"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/server"
	"github.com/soga/newsroom/internal/settings"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/internal/urls"
	"github.com/soga/newsroom/internal/users"
	"github.com/soga/newsroom/internal/view"
)

const password = "correct horse battery"

// env is the editor behind the real route table, on a real SQLite
// database, with an administrator, an editor of "alpha" only, and two
// organisations.
type env struct {
	t   *testing.T
	srv *httptest.Server
	// received counts the bytes the server has read from its connections.
	received *atomic.Int64
	store    store.Store
	urls     urls.Builder
	mediaDir string
	alpha    *newsroom.Organisation
	beta     *newsroom.Organisation
	cache    *countingCache
	skew     atomic.Int64 // added to the editor's clock, in nanoseconds
	// failWrites makes the publishing service's transactions fail, as a
	// database that is down or full would.
	failWrites atomic.Bool
	// failMedia makes recording an uploaded image fail.
	failMedia atomic.Bool
}

// faultyStore is the store the publishing service writes through, whose
// transactions fail while its env says so.
type faultyStore struct {
	store.Store
	e *env
}

var errDatabaseDown = errors.New("database is down")

func (s faultyStore) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	if s.e.failWrites.Load() {
		return fmt.Errorf("begin: %w", errDatabaseDown)
	}
	return s.Store.InTx(ctx, fn)
}

func (s faultyStore) PutMedia(ctx context.Context, m newsroom.Media) error {
	if s.e.failMedia.Load() {
		return fmt.Errorf("put media: %w", errDatabaseDown)
	}
	return s.Store.PutMedia(ctx, m)
}

type countingCache struct{ n atomic.Int64 }

// countingListener counts the bytes read from the connections it accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, n: &l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingCache) Invalidate() { c.n.Add(1) }

func newEnv(t *testing.T) *env {
	t.Helper()
	st := testdb.SQLite(t)
	var handler http.Handler
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	received := &countingListener{Listener: srv.Listener}
	srv.Listener = received
	srv.Start()
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	u := urls.New(base)
	views, err := view.New()
	if err != nil {
		t.Fatal(err)
	}
	var ids atomic.Int64
	e := &env{t: t, srv: srv, received: &received.n, store: st, urls: u, mediaDir: t.TempDir(), cache: &countingCache{}}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	aud := audience.New(st, u, func() string { return fmt.Sprintf("01JAUD%020d", ids.Add(1)) })
	aud.Pages = e.cache
	ed := editor.New(editor.Deps{
		Store: st, Users: users.New(st), View: views, URLs: u, Logger: logger,
		Orgs: &orgs.Service{Store: st, GenerateKey: fakeKey, Pages: e.cache, Convert: convert.New(u),
			NewID: func() string { return fmt.Sprintf("01JORG%020d", ids.Add(1)) }},
		Posts: posts.New(posts.Deps{Store: faultyStore{st, e}, URLs: u, Pages: e.cache,
			NewID: func() string { return fmt.Sprintf("01JTEST%019d", ids.Add(1)) }}),
		Audience: aud,
		Blocks:   domains.New(st, e.cache),
		Media:    media.New(media.NewFiles(e.mediaDir), faultyStore{st, e}, nil),
		Settings: settings.New(settings.Deps{Store: st, Images: media.New(media.NewFiles(e.mediaDir), st, nil),
			Markdown: posts.NewRenderer(u), Pages: e.cache}),
		Now: func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) },
		// As behind a reverse proxy on the same machine: requests that say
		// whom they are forwarded for are counted against that client.
		ClientIP: clientip.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}),
	})
	handler = server.New(server.Deps{Logger: logger, View: views, Editor: ed, DB: st})

	ctx := context.Background()
	svc := &orgs.Service{Store: st, GenerateKey: fakeKey}
	e.alpha = &newsroom.Organisation{Handle: "alpha", Name: "Alpha"}
	e.beta = &newsroom.Organisation{Handle: "beta", Name: "Beta"}
	for _, o := range []*newsroom.Organisation{e.alpha, e.beta} {
		if err := svc.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	us := users.New(st)
	if _, err := us.Create(ctx, users.NewUser{Email: "admin@example.org", Password: password, IsAdmin: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := us.Create(ctx, users.NewUser{Email: "editor@example.org", Password: password, OrgIDs: []int64{e.alpha.ID}}); err != nil {
		t.Fatal(err)
	}
	return e
}

func fakeKey() (string, string, error) { return "private", "public", nil }

// client is a browser: a cookie jar, redirects not followed.
type client struct {
	e    *env
	http *http.Client
	csrf string
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (e *env) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login logs email in and keeps the session's form token.
func (e *env) login(email string) *client {
	e.t.Helper()
	c := e.anonymous()
	_, body := c.get("/login")
	resp := c.post("/login", url.Values{"email": {email}, "password": {password}, "csrf_token": {token(e.t, body)}})
	if resp.status != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d %s", email, resp.status, resp.body)
	}
	_, home := c.get("/admin/")
	c.csrf = token(e.t, home)
	return c
}

func token(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form token in %s", body)
	}
	return m[1]
}

type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(req *http.Request) response {
	c.e.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (c *client) get(path string) (int, string) {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	r := c.do(req)
	return r.status, r.body
}

// post sends a urlencoded form as a same-origin browser does.
func (c *client) post(path string, form url.Values) response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// form is post with the session's token added.
func (c *client) form(path string, form url.Values) response {
	c.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", c.csrf)
	return c.post(path, form)
}

type file struct {
	field, name string
	body        []byte
}

// multipart sends fields and files with the session's token.
func (c *client) multipart(path string, fields url.Values, files ...file) response {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", c.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		// The browser's idea of the type is ignored; say PNG to prove it.
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name=%q; filename=%q`, f.field, f.name)}
		h["Content-Type"] = []string{"image/png"}
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(f.body)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// article is a complete compose form.
func article(title string) url.Values {
	return url.Values{"org": {"alpha"}, "kind": {"article"}, "lang": {"fr"}, "title": {title},
		"summary": {"Résumé"}, "body": {"Le **texte**."}, "object_type": {"auto"}, "action": {"publish"}}
}

// onlyPost returns the organisation's single post in status.
func (e *env) onlyPost(org *newsroom.Organisation, status newsroom.PostStatus) newsroom.Post {
	e.t.Helper()
	list, err := e.store.ListPosts(context.Background(), store.PostFilter{OrgID: org.ID, Status: status})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(list) != 1 {
		e.t.Fatalf("%d %s posts, want 1", len(list), status)
	}
	return list[0]
}
