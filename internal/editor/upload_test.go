package editor_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/server"
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

// A form over the upload routes' limit, with its length declared as
// browsers do, gets the editor's page in the editor's language, saying
// the limits in words and linking back to the form; the server reads
// none of it. Sent without a length, it is read up to the limit only.
func TestFormOverTheLimitGetsThePage(t *testing.T) {
	e := newEnv(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	c := e.login("editor@example.org")
	form := article("Assemblée générale")
	for _, declared := range []bool{true, false} {
		body, length, contentType := c.bigForm(form, sizedFile{"media_0_file", 1 << 30})
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/orgs/alpha/compose", body)
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Accept-Language", "fr")
		req.ContentLength = -1
		if declared {
			req.ContentLength = length
		}
		before := e.received.Load()
		r := c.do(req)
		read := e.received.Load() - before
		if r.status != http.StatusRequestEntityTooLarge || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Fatalf("declared %v: %d %s", declared, r.status, r.header.Get("Content-Type"))
		}
		for _, want := range []string{`<html lang="fr">`, "<h1>Les images sont trop lourdes pour être envoyées</h1>",
			// The catalogue's words follow the limits the code applies.
			fmt.Sprintf("%d Mo par image, et %d images par publication", media.MaxUploadBytes>>20, posts.MaxMedia),
			`<a href="/admin/orgs/alpha/compose">Revenir au formulaire</a>`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("declared %v: the page lacks %q", declared, want)
			}
		}
		if r.header.Get("Content-Security-Policy") == "" {
			t.Errorf("declared %v: no Content-Security-Policy", declared)
		}
		// Past the limit, Go's server reads at most 256 KiB more of a
		// body of unknown length, hoping to keep the connection.
		limit := int64(server.UploadBodyLimit + 512<<10)
		if declared {
			limit = 64 << 10 // the request's header, and what came with it
		}
		if read > limit {
			t.Errorf("declared %v: the server read %d bytes of a 1 GiB form", declared, read)
		}
		t.Logf("declared %v: %d bytes read", declared, read)
	}
	// Logged out, the same form gets what any form sent then gets.
	anon := e.anonymous()
	body, length, contentType := anon.bigForm(form, sizedFile{"media_0_file", 1 << 30})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/orgs/alpha/compose", body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept-Language", "fr")
	req.ContentLength = length
	if r := anon.do(req); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "<h1>Vous n’êtes plus connecté·e</h1>") {
		t.Errorf("logged out: %d", r.status)
	}
	// A form without files keeps the small limit, and gets the page too.
	form.Set("body", strings.Repeat("a", 2<<20))
	if r := c.form("/admin/orgs/alpha/compose", form); r.status != http.StatusRequestEntityTooLarge ||
		!strings.Contains(r.body, "<h1>The images are too large to send</h1>") {
		t.Errorf("2 MB of text: %d", r.status)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("temporary files left: %v", entries)
	}
	if n, _ := e.store.CountPosts(context.Background(), store.PostFilter{}); n != 0 {
		t.Fatalf("%d posts", n)
	}
}

// Three 17 MB photos, as phones take them: the form comes back with what
// was typed and the error next to each image, in French, as for any image
// over 8 MB; nothing is published and nothing kept.
func TestPhonePhotosComeBackNextToTheirFields(t *testing.T) {
	e := newEnv(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	c := e.login("editor@example.org")
	if _, page := c.get("/admin/orgs/alpha/compose"); !strings.Contains(page, "<details><summary>More images</summary>") {
		t.Error("the empty form opens its other images")
	}
	form := article("Assemblée générale")
	form.Set("body", "Un texte **long** à ne pas perdre.")
	form.Set("media_2_alt", "La salle comble")
	body, length, contentType := c.bigForm(form,
		sizedFile{"media_0_file", 17_000_000}, sizedFile{"media_1_file", 17_000_000}, sizedFile{"media_2_file", 17_000_000})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/orgs/alpha/compose", body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept-Language", "fr")
	req.ContentLength = length
	r := c.do(req)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("compose: %d, want 422", r.status)
	}
	for _, want := range []string{`value="Assemblée générale"`, `>Un texte **long** à ne pas perdre.</textarea>`,
		`>La salle comble</textarea>`, `<details open><summary>Plus d’images</summary>`, `id="media_0-error">Cette image est trop grande`,
		`id="media_1-error">Cette image est trop grande`, `id="media_2-error">Cette image est trop grande`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("compose page lacks %q", want)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("temporary files left: %v", entries)
	}
	if n, _ := e.store.CountPosts(context.Background(), store.PostFilter{}); n != 0 {
		t.Fatalf("%d posts", n)
	}
}

// sizedFile is a file of a form made as it is read: a PNG's first bytes,
// then zeros.
type sizedFile struct {
	field string
	size  int64
}

// bigForm is the multipart form of fields, the session's token and files,
// made as it is read, with its length and content type.
func (c *client) bigForm(fields url.Values, files ...sizedFile) (io.Reader, int64, string) {
	var parts []io.Reader
	var length int64
	var buf bytes.Buffer
	flush := func() {
		parts = append(parts, bytes.NewReader(bytes.Clone(buf.Bytes())))
		length += int64(buf.Len())
		buf.Reset()
	}
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", c.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for i, f := range files {
		_, _ = mw.CreateFormFile(f.field, fmt.Sprintf("photo%d.png", i+1))
		flush()
		parts = append(parts, io.LimitReader(io.MultiReader(strings.NewReader("\x89PNG\r\n\x1a\n"), zeros{}), f.size))
		length += f.size
	}
	_ = mw.Close()
	flush()
	return io.MultiReader(parts...), length, mw.FormDataContentType()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
