package editor_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/store"
)

// An image over 8 MB is read through but not kept: the form comes back
// with the error next to it, the other image stored and everything typed,
// and no temporary file is left behind.
func TestOversizeImageIsNotKept(t *testing.T) {
	e := newEnv(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	c := e.login("editor@example.org")
	form := article("Photos de l’assemblée")
	form.Set("media_0_alt", "La salle")
	form.Set("media_1_alt", "Le vote")
	big := append(pngImage(t, 10, 10), make([]byte, media.MaxUploadBytes)...)
	r := c.multipart("/admin/orgs/alpha/compose", form,
		file{"media_0_file", "salle.png", pngImage(t, 64, 48)}, file{"media_1_file", "vote.png", big})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("compose: %d, want 422", r.status)
	}
	for _, want := range []string{`id="media_1-error">This image is too large`, `name="media_0_id" value="`,
		`value="Photos de l’assemblée"`, `>La salle</textarea>`, `>Le vote</textarea>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("compose page lacks %q", want)
		}
	}
	if strings.Contains(r.body, `id="media_0-error"`) {
		t.Error("the small image was refused")
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("temporary files left: %v", entries)
	}
	if n, _ := e.store.CountPosts(context.Background(), store.PostFilter{}); n != 0 {
		t.Fatalf("%d posts", n)
	}
}
