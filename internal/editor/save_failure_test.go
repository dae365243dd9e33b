package editor_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// When the database fails the write, the form comes back with what was
// typed and says it was not saved, in the editor's language.
func TestSaveFailureKeepsTheForm(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	e.failWrites.Store(true)
	form := article("Assemblée générale")
	form.Set("body", "Un texte **long** à ne pas perdre.")
	form.Set("media_0_alt", "Affiche")
	r := c.multipart("/admin/orgs/alpha/compose", form, file{"media_0_file", "affiche.png", pngImage(t, 64, 48)})
	if r.status != http.StatusInternalServerError {
		t.Fatalf("compose: %d, want 500", r.status)
	}
	for _, want := range []string{
		`role="alert">Your post was not saved`,
		`value="Assemblée générale"`,
		`>Un texte **long** à ne pas perdre.</textarea>`,
		`name="media_0_id" value="`,
		`>Affiche</textarea>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("compose page lacks %q", want)
		}
	}
	if n, _ := e.store.CountPosts(context.Background(), store.PostFilter{}); n != 0 {
		t.Fatalf("%d posts", n)
	}

	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/orgs/alpha/compose", strings.NewReader(withToken(form, c.csrf).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "fr")
	if r := c.do(req); r.status != http.StatusInternalServerError || !strings.Contains(r.body, "Votre publication n’a pas été enregistrée") {
		t.Fatalf("compose in French: %d", r.status)
	}

	// An image that cannot be recorded: the same, and nothing submitted.
	e.failWrites.Store(false)
	e.failMedia.Store(true)
	r = c.multipart("/admin/orgs/alpha/compose", form, file{"media_0_file", "affiche.png", pngImage(t, 64, 48)})
	if r.status != http.StatusInternalServerError || !strings.Contains(r.body, "Your post was not saved") ||
		!strings.Contains(r.body, `>Un texte **long** à ne pas perdre.</textarea>`) {
		t.Fatalf("compose with an image that cannot be stored: %d", r.status)
	}
	if n, _ := e.store.CountPosts(context.Background(), store.PostFilter{}); n != 0 {
		t.Fatalf("%d posts", n)
	}
	e.failMedia.Store(false)

	// Editing: the same.
	if r := c.form("/admin/orgs/alpha/compose", article("Assemblée générale")); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.status)
	}
	p := e.onlyPost(e.alpha, newsroom.StatusPublished)
	e.failWrites.Store(true)
	edit := c.editForm(p.ID)
	edit.Set("title", "Assemblée générale reportée")
	edit.Set("action", "save")
	r = c.form("/admin/posts/"+p.ID+"/edit", edit)
	if r.status != http.StatusInternalServerError || !strings.Contains(r.body, `value="Assemblée générale reportée"`) ||
		!strings.Contains(r.body, "Your post was not saved") {
		t.Fatalf("edit: %d", r.status)
	}
	// Once the database is back, the same form saves.
	e.failWrites.Store(false)
	if r := c.form("/admin/posts/"+p.ID+"/edit", edit); r.status != http.StatusSeeOther {
		t.Fatalf("edit again: %d", r.status)
	}
}

// A media store that refuses the image (here a directory that cannot be
// made; an S3 bucket full, read-only or down does the same): the form
// comes back with the error on the image and everything typed, and
// nothing is published.
func TestImageStoreRefusalKeepsTheForm(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	if err := os.RemoveAll(e.mediaDir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.mediaDir, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	form := article("Assemblée générale")
	form.Set("media_0_alt", "Affiche")
	r := c.multipart("/admin/orgs/alpha/compose", form, file{"media_0_file", "affiche.png", pngImage(t, 64, 48)})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("compose: %d, want 422", r.status)
	}
	for _, want := range []string{`id="media_0-error"`, "the image storage is not answering", `value="Assemblée générale"`, `>Affiche</textarea>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("compose page lacks %q", want)
		}
	}
	if n, _ := e.store.CountPosts(context.Background(), store.PostFilter{}); n != 0 {
		t.Fatalf("%d posts published without their image", n)
	}
}
