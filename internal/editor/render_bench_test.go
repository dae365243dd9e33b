package editor

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/view"
)

// BenchmarkRenderPosts renders the posts list with fifty published posts,
// the most the list shows: during a fan-out the view's processor time
// waits for its share of processors busy signing.
//
//	go test ./internal/editor -run '^$' -bench RenderPosts -benchmem
func BenchmarkRenderPosts(b *testing.B) {
	e, err := view.New()
	if err != nil {
		b.Fatal(err)
	}
	org := &newsroom.Organisation{ID: 1, Handle: "soga", Name: "SOGA"}
	data := postsPage{Org: org}
	now := time.Now()
	for i := range 50 {
		p := newsroom.Post{ID: fmt.Sprintf("01POST%04d", i), OrgID: 1, Title: "Un titre d'article assez long pour la liste", Kind: newsroom.PostKind("press"), Lang: "fr", PublishedAt: now, CreatedAt: now}
		data.Published = append(data.Published, postRow{Post: p, URL: "/orgs/soga/posts/" + p.ID, Activity: "Create",
			Progress: newsroom.DeliveryProgress{Delivered: 900, Total: 1000, Pending: 100}, Likes: 3, Boosts: 2, Replies: 1})
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		p := &view.Page{Lang: "fr", CSRF: "tok", Title: "Publications", Data: data, User: &newsroom.User{ID: 1, Name: "Ada", IsAdmin: true}}
		if err := e.Render(&buf, "admin_posts", p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
}
