package federation

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/urls"
)

// acceptMastodon is what Mastodon sends when it fetches an actor.
const acceptMastodon = "application/activity+json, application/ld+json"

const testInstanceKey = "-----BEGIN PUBLIC KEY-----\ninstance\n-----END PUBLIC KEY-----\n"

// fakeStore keeps organisations, media, followers and activities in
// memory. The real store has its own conformance suite; this one only has
// to behave like it at the interface.
type fakeStore struct {
	orgs       []*newsroom.Organisation
	media      map[string]*newsroom.Media
	followers  map[int64][]newsroom.Follower // oldest first
	activities map[int64][]newsroom.Activity // newest first
	users      int
	posts      int
	err        error // returned by every collection method when set
	feeds      map[int64][]newsroom.FeedSource
}

func newFakeStore() *fakeStore {
	return &fakeStore{
		media:      map[string]*newsroom.Media{},
		followers:  map[int64][]newsroom.Follower{},
		activities: map[int64][]newsroom.Activity{},
	}
}

func (s *fakeStore) ListFeedSources(_ context.Context, orgID int64) ([]newsroom.FeedSource, error) {
	return s.feeds[orgID], nil
}

func (s *fakeStore) addOrg(o newsroom.Organisation) *newsroom.Organisation {
	o.ID = int64(len(s.orgs) + 1)
	s.orgs = append(s.orgs, &o)
	return &o
}

func (s *fakeStore) OrgByHandle(_ context.Context, handle string) (*newsroom.Organisation, error) {
	for _, o := range s.orgs {
		if strings.EqualFold(o.Handle, handle) {
			c := *o
			return &c, nil
		}
	}
	return nil, newsroom.ErrNotFound
}

func (s *fakeStore) MediaByID(_ context.Context, id string) (*newsroom.Media, error) {
	m, ok := s.media[id]
	if !ok {
		return nil, newsroom.ErrNotFound
	}
	return m, nil
}

func (s *fakeStore) CountFollowers(_ context.Context, orgID int64) (int, error) {
	return len(s.followers[orgID]), s.err
}

func (s *fakeStore) ListFollowers(_ context.Context, orgID int64, offset, limit int) ([]newsroom.Follower, error) {
	return window(s.followers[orgID], offset, limit), s.err
}

func (s *fakeStore) CountOutbox(_ context.Context, orgID int64) (int, error) {
	n := 0
	for _, a := range s.activities[orgID] {
		if a.Type == "Create" {
			n++
		}
	}
	return n, s.err
}

func (s *fakeStore) ListOutbox(_ context.Context, orgID int64, offset, limit int) ([]newsroom.Activity, error) {
	var of []newsroom.Activity
	for _, a := range s.activities[orgID] {
		if a.Type == "Create" {
			of = append(of, a)
		}
	}
	return window(of, offset, limit), s.err
}

func (s *fakeStore) NodeStats(context.Context) (int, int, error) { return s.users, s.posts, s.err }

func window[T any](all []T, offset, limit int) []T {
	if offset >= len(all) {
		return nil
	}
	return all[offset:min(len(all), offset+limit)]
}

// testServer serves a Handler over real HTTP on loopback, routed the way
// the server package routes it.
type testServer struct {
	*httptest.Server
	h    *Handler
	urls urls.Builder
}

func newTestServer(t *testing.T, store *fakeStore) *testServer {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base, err := url.Parse("http://" + srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b := urls.New(base)
	h := NewHandler(Deps{
		URLs:           b,
		Orgs:           store,
		Media:          store,
		Collections:    store,
		Stats:          store,
		InstanceKeyPEM: testInstanceKey,
		Version:        "1.2.3",
		NodeName:       "Test Association",
		Repository:     "https://example.org/newsroom.git",
		Homepage:       "https://example.org/newsroom",
	})
	mux := http.NewServeMux()
	actorOr := func(serve func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !WantsActivityJSON(r) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				io.WriteString(w, "<!doctype html><title>page</title>")
				return
			}
			serve(w, r, r.PathValue("handle"))
		}
	}
	mux.HandleFunc("GET /orgs/{handle}", actorOr(h.ServeActor))
	mux.HandleFunc("GET /orgs/{handle}/followers", actorOr(h.ServeFollowers))
	mux.HandleFunc("GET /orgs/{handle}/following", actorOr(h.ServeFollowing))
	mux.HandleFunc("GET /orgs/{handle}/outbox", actorOr(h.ServeOutbox))
	mux.HandleFunc("GET /orgs/{handle}/featured", actorOr(h.ServeFeatured))
	mux.HandleFunc("GET /actor", h.ServeInstanceActor)
	mux.HandleFunc("GET /.well-known/webfinger", h.ServeWebFinger)
	mux.HandleFunc("GET /.well-known/host-meta", h.ServeHostMeta)
	mux.HandleFunc("GET /.well-known/host-meta.json", h.ServeHostMetaJSON)
	mux.HandleFunc("GET /.well-known/nodeinfo", h.ServeNodeInfoIndex)
	mux.HandleFunc("GET /nodeinfo/2.1", h.ServeNodeInfo21)
	mux.HandleFunc("GET /nodeinfo/2.0", h.ServeNodeInfo20)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, h: h, urls: b}
}

// get fetches u with the given Accept and returns the response and its
// body. Redirects are returned, not followed.
func (s *testServer) get(t *testing.T, u, accept string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// getJSON fetches u, requires a 200 of contentType and decodes the body.
func (s *testServer) getJSON(t *testing.T, u, accept, contentType string) map[string]any {
	t.Helper()
	resp, body := s.get(t, u, accept)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, body %s", u, resp.StatusCode, body)
	}
	if got := resp.Header.Get("Content-Type"); got != contentType {
		t.Fatalf("GET %s: Content-Type %q, want %q", u, got, contentType)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("GET %s: %v in %s", u, err, body)
	}
	return m
}

// getAS fetches an ActivityStreams document, checks the headers every one
// must carry and that its id is the URL fetched, and resolves it with
// go-fed as a peer would.
func (s *testServer) getAS(t *testing.T, u string) (map[string]any, vocab.Type) {
	t.Helper()
	resp, _ := s.get(t, u, acceptMastodon)
	if v := resp.Header.Get("Vary"); !strings.Contains(v, "Accept") {
		t.Errorf("GET %s: Vary %q lacks Accept", u, v)
	}
	if resp.Header.Get("ETag") == "" || !strings.HasPrefix(resp.Header.Get("Cache-Control"), "public, max-age=") {
		t.Errorf("GET %s: ETag %q, Cache-Control %q", u, resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"))
	}
	m := s.getJSON(t, u, acceptMastodon, contentTypeActivity)
	if m["id"] != u {
		t.Errorf("GET %s: id %v, want the URL fetched", u, m["id"])
	}
	checkContext(t, m)
	typ, err := streams.ToType(context.Background(), m)
	if err != nil {
		t.Fatalf("GET %s: go-fed cannot read it: %v", u, err)
	}
	return m, typ
}

// checkContext requires the @context to declare the vocabularies and the
// extension terms we use.
func checkContext(t *testing.T, m map[string]any) {
	t.Helper()
	ctx, ok := m["@context"].([]any)
	if !ok || len(ctx) != 3 || ctx[0] != ap.ActivityStreamsNS || ctx[1] != ap.SecurityNS {
		t.Fatalf("@context = %v", m["@context"])
	}
	terms, _ := ctx[2].(map[string]any)
	for _, term := range []string{"toot", "schema", "manuallyApprovesFollowers", "discoverable", "indexable",
		"featured", "attributionDomains", "PropertyValue", "value", "blurhash", "focalPoint", "sensitive", "Hashtag"} {
		if _, ok := terms[term]; !ok {
			t.Errorf("@context does not declare %s", term)
		}
	}
}
