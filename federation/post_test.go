package federation_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/soga/newsroom/federation"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/urls"
)

type postStore struct {
	org   *newsroom.Organisation
	posts map[string]*newsroom.Post
}

func (s postStore) OrgByHandle(_ context.Context, handle string) (*newsroom.Organisation, error) {
	if handle != s.org.Handle {
		return nil, newsroom.ErrNotFound
	}
	return s.org, nil
}

func (s postStore) PostByID(_ context.Context, id string) (*newsroom.Post, error) {
	p, ok := s.posts[id]
	if !ok {
		return nil, newsroom.ErrNotFound
	}
	return p, nil
}

func TestServePost(t *testing.T) {
	base, _ := url.Parse("https://news.example.org")
	u := urls.New(base)
	org := &newsroom.Organisation{ID: 1, Handle: "soga", DefaultObjectType: newsroom.ObjectAuto}
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	post := func(id string, status newsroom.PostStatus, orgID int64) *newsroom.Post {
		return &newsroom.Post{ID: id, OrgID: orgID, Kind: newsroom.KindArticle, Status: status,
			ObjectType: newsroom.ObjectArticle, Lang: "fr", Title: "T", BodyHTML: "<p>B</p>", PublishedAt: at, DeletedAt: at}
	}
	st := postStore{org: org, posts: map[string]*newsroom.Post{
		"pub":   post("pub", newsroom.StatusPublished, 1),
		"gone":  post("gone", newsroom.StatusDeleted, 1),
		"draft": post("draft", newsroom.StatusDraft, 1),
		"sched": post("sched", newsroom.StatusScheduled, 1),
		"other": post("other", newsroom.StatusPublished, 2),
	}}
	h := federation.NewHandler(federation.Deps{URLs: u, Orgs: st, Posts: st})
	cases := []struct {
		id     string
		status int
		typ    string
	}{
		{"pub", http.StatusOK, "Article"},
		{"gone", http.StatusGone, "Tombstone"},
		{"draft", http.StatusNotFound, ""},
		{"sched", http.StatusNotFound, ""},
		{"other", http.StatusNotFound, ""},
		{"nope", http.StatusNotFound, ""},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/orgs/soga/posts/"+c.id, nil)
		h.ServePost(rec, req, "soga", c.id)
		if rec.Code != c.status {
			t.Errorf("%s: status %d, want %d", c.id, rec.Code, c.status)
			continue
		}
		if c.typ == "" {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		if doc["type"] != c.typ || doc["id"] != u.Post("soga", c.id) || doc["@context"] == nil {
			t.Errorf("%s: %s", c.id, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/activity+json" {
			t.Errorf("%s: content type %q", c.id, ct)
		}
	}
}
