package editor_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
)

// TestImportedDraftShowsItsSource: an item imported from a member's
// website waits in the drafts marked as such, with the original one click
// away, in the list and in the form the editor publishes it from.
func TestImportedDraftShowsItsSource(t *testing.T) {
	e := newEnv(t)
	const original = "https://emmaus-connect.example/2026/11/permanences/"
	p := &newsroom.Post{ID: "01JSOURCE00000000000000001", OrgID: e.alpha.ID, Kind: newsroom.KindArticle,
		Status: newsroom.StatusDraft, ObjectType: newsroom.ObjectAuto, Lang: "fr", Title: "Des permanences",
		BodyHTML: "<p>Texte.</p>", SourceURL: original}
	if err := e.store.CreatePost(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	written := &newsroom.Post{ID: "01JSOURCE00000000000000002", OrgID: e.alpha.ID, Kind: newsroom.KindArticle,
		Status: newsroom.StatusDraft, ObjectType: newsroom.ObjectAuto, Lang: "fr", Title: "Écrit ici"}
	if err := e.store.CreatePost(t.Context(), written); err != nil {
		t.Fatal(err)
	}
	c := e.login("editor@example.org")
	for _, path := range []string{"/admin/orgs/alpha/posts", "/admin/posts/" + p.ID + "/edit"} {
		status, body := c.get(path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		if !strings.Contains(body, `<span class="badge">From the website</span> <a href="`+original+`">Read the original</a>`) {
			t.Errorf("%s: no badge and link to the original in\n%s", path, body)
		}
	}
	if _, body := c.get("/admin/posts/" + written.ID + "/edit"); strings.Contains(body, `class="badge"`) {
		t.Error("a post written here is marked as imported")
	}
}
