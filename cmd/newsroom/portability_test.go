package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/store"
)

// An organisation leaves one newsroom for another on another address:
// exported on A (posts in two languages, an event, an image, followers),
// imported on B, where the posts and the image are readable at B's URLs,
// the followers are listed, and the actor lists A's as alsoKnownAs.
// Importing again changes nothing; a truncated archive is refused with
// nothing imported. Then A's `org move` to B's actor sends the Move,
// which the followers' servers accept.
func TestExportImport(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		a, b := startServer(t, backend), startServer(t, backend)
		ctx := context.Background()
		org := a.createOrg(t, "soga", "Social Good Accelerator")
		alice := fedtest.NewPeer(t, "alice")
		followedBy(t, a, org, alice)

		img, err := media.New(a.Media, a.Store, nil).Save(ctx, bytes.NewReader(testPNG(t, 900, 600)))
		if err != nil {
			t.Fatal(err)
		}
		article, err := a.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindArticle,
			Title: "Rapport annuel", Body: "Une année.", Tags: []string{"Rapport"},
			Media:       []newsroom.PostMedia{{MediaID: img.ID, Alt: "Un graphique"}},
			Translation: &posts.TranslationInput{Lang: "en", Title: "Annual report", Body: "A year."}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.services.posts.SaveDraft(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindPress, Title: "Brouillon", Body: "Pas encore."}); err != nil {
			t.Fatal(err)
		}

		dir := t.TempDir()
		archive := filepath.Join(dir, "soga.tar.gz")
		if code, out, errs := a.command(t, "org", "export", "--org", "soga", archive); code != 0 {
			t.Fatalf("export: %d %s %s", code, out, errs)
		}
		whole, err := os.ReadFile(archive)
		if err != nil {
			t.Fatal(err)
		}
		truncated := filepath.Join(dir, "truncated.tar.gz")
		if err := os.WriteFile(truncated, whole[:len(whole)*2/3], 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errs := b.command(t, "org", "import", truncated)
		if code == 0 || !strings.Contains(errs, "archive") {
			t.Fatalf("truncated archive: %d %q %q", code, out, errs)
		}
		if _, err := b.Store.OrgByHandle(ctx, "soga"); err == nil {
			t.Fatal("a truncated archive created the organisation")
		}

		for i := range 2 {
			if code, out, errs := b.command(t, "org", "import", archive); code != 0 {
				t.Fatalf("import %d: %d %s %s", i, code, out, errs)
			}
		}
		got, err := b.Store.OrgByHandle(ctx, "soga")
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := b.Store.CountPosts(ctx, store.PostFilter{OrgID: got.ID}); n != 2 {
			t.Errorf("%d posts on B after importing twice, want 2", n)
		}
		if n, _ := b.Store.CountFollowers(ctx, got.ID); n != 1 {
			t.Errorf("%d followers on B, want 1", n)
		}
		if got.PublicKeyPEM == org.PublicKeyPEM {
			t.Error("the key came without --with-key")
		}

		actor, err := alice.FetchActor(ctx, b.URLs.Org("soga"))
		if err != nil {
			t.Fatal(err)
		}
		if aka, _ := actor["alsoKnownAs"].([]any); !slices.Contains(aka, any(a.URLs.Org("soga"))) {
			t.Errorf("B's actor alsoKnownAs = %v", actor["alsoKnownAs"])
		}
		status, _, page := b.get(t, "/orgs/soga/posts/"+article.ID, "text/html")
		if status != http.StatusOK || !strings.Contains(page, "Rapport annuel") {
			t.Fatalf("post on B: %d", status)
		}
		status, _, page = b.get(t, "/orgs/soga/posts/"+article.ID+"?lang=en", "text/html")
		if status != http.StatusOK || !strings.Contains(page, "Annual report") {
			t.Errorf("translation on B: %d", status)
		}
		imgURL := b.URLs.Media(media.FileName(*img))
		if !strings.Contains(page, imgURL) {
			t.Errorf("the post on B does not show its image at %s", imgURL)
		}
		status, hdr, _ := fetch(t, imgURL, "")
		if status != http.StatusOK || hdr.Get("Content-Type") != "image/png" && hdr.Get("Content-Type") != "image/jpeg" {
			t.Errorf("image on B: %d %s", status, hdr.Get("Content-Type"))
		}
		note, err := alice.Fetch(ctx, b.URLs.Post("soga", article.ID))
		if err != nil || note["attributedTo"] != b.URLs.Org("soga") {
			t.Errorf("object on B: %v %v", note["attributedTo"], err)
		}

		// Second step: A sends the Move to B's account, which lists A's.
		if code, out, errs := a.command(t, "org", "move", "--org", "soga", "--to", b.URLs.Org("soga")); code != 0 {
			t.Fatalf("move: %d %s %s", code, out, errs)
		}
		r := waitLong(t, alice, func(r fedtest.Received) bool { return r.Type() == "Move" })
		if target, err := alice.CheckMove(ctx, r); err != nil || target != b.URLs.Org("soga") {
			t.Errorf("Move as Mastodon checks it: %q %v", target, err)
		}
	})
}
