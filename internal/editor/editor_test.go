package editor_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/editor"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLoggedOutIsSentToLogin(t *testing.T) {
	e := newEnv(t)
	c := e.anonymous()
	for _, path := range []string{"/admin/", "/admin/orgs/alpha/posts", "/admin/orgs/alpha/compose", "/admin/users", "/admin/account"} {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		r := c.do(req)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s: %d %q", path, r.status, r.header.Get("Location"))
		}
	}
	if r := c.post("/admin/orgs/alpha/compose", article("x")); r.status != http.StatusUnauthorized {
		t.Errorf("POST logged out: %d", r.status)
	}
	// After logging in, next brings the editor back where they were going.
	_, body := c.get("/login?next=/admin/orgs/alpha/posts")
	r := c.post("/login", url.Values{"email": {"editor@example.org"}, "password": {password},
		"next": {"/admin/orgs/alpha/posts"}, "csrf_token": {token(t, body)}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/orgs/alpha/posts" {
		t.Fatalf("login with next: %d %q", r.status, r.header.Get("Location"))
	}
}

// An editor of alpha can do nothing to beta, whatever URL they type, and
// nothing an administrator does.
func TestEditorStaysInTheirOrganisations(t *testing.T) {
	e := newEnv(t)
	admin, ed := e.login("admin@example.org"), e.login("editor@example.org")
	if r := admin.form("/admin/orgs/beta/compose", withOrg(article("Beta news"), "beta")); r.status != http.StatusSeeOther {
		t.Fatalf("admin publishes for beta: %d %s", r.status, r.body)
	}
	betaPost := e.onlyPost(e.beta, newsroom.StatusPublished)
	if _, err := e.store.AddReply(context.Background(), newsroom.Reply{ObjectID: "https://remote.example/notes/1",
		ActivityID: "https://remote.example/acts/1", PostID: betaPost.ID, ActorID: "https://remote.example/users/bob",
		ContentHTML: "<p>hello</p>", Status: newsroom.ReplyPending, Published: time.Now(), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"/admin/orgs/beta/posts", "/admin/orgs/beta/compose", "/admin/orgs/beta/replies",
		"/admin/orgs/beta/followers", "/admin/posts/" + betaPost.ID + "/edit", "/admin/posts/" + betaPost.ID + "/delete",
		"/admin/organisations", "/admin/organisations/new", "/admin/organisations/edit/alpha", "/admin/users",
		"/admin/users/new", "/admin/users/edit/1", "/admin/domains", "/admin/orgs/beta/followers.csv",
		"/admin/orgs/beta/move", "/admin/orgs/alpha/move"} {
		if status, _ := ed.get(path); status != http.StatusForbidden {
			t.Errorf("GET %s: %d, want 403", path, status)
		}
	}
	posts := map[string]url.Values{
		"/admin/orgs/beta/compose":                withOrg(article("Sneaky"), "beta"),
		"/admin/posts/" + betaPost.ID + "/edit":   {"kind": {"article"}, "title": {"Taken"}, "body": {"x"}, "lang": {"fr"}, "action": {"save"}},
		"/admin/posts/" + betaPost.ID + "/delete": {},
		"/admin/orgs/beta/replies":                {"object_id": {"https://remote.example/notes/1"}, "decision": {"approve"}},
		"/admin/orgs/beta/followers":              {"actor_id": {"https://remote.example/users/bob"}},
		"/admin/organisations/new":                {"handle": {"mine"}, "name": {"Mine"}},
		"/admin/organisations/edit/beta":          {"name": {"Taken"}},
		"/admin/users/new":                        {"email": {"x@example.org"}, "password": {password}, "is_admin": {"1"}},
		"/admin/users/edit/2":                     {"is_admin": {"1"}, "orgs": {"1", "2"}},
		"/admin/users/link/1":                     {},
		"/admin/domains":                          {"domain": {"example.com"}},
		"/admin/domains/remove":                   {"domain": {"example.com"}},
		"/admin/orgs/alpha/move":                  {"action": {"move"}, "to": {"https://remote.example/users/bob"}},
	}
	for path, form := range posts {
		if r := ed.form(path, form); r.status != http.StatusForbidden {
			t.Errorf("POST %s: %d, want 403", path, r.status)
		}
	}
	// Their own organisation's followers download as CSV.
	if status, body := ed.get("/admin/orgs/alpha/followers.csv"); status != http.StatusOK || !strings.HasPrefix(body, "Account address,") {
		t.Errorf("alpha's followers CSV: %d %q", status, body)
	}
	// A reply of beta's post moderated through alpha's URL is refused too.
	if r := ed.form("/admin/orgs/alpha/replies", url.Values{"object_id": {"https://remote.example/notes/1"}, "decision": {"approve"}}); r.status != http.StatusForbidden {
		t.Errorf("moderate beta's reply through alpha: %d", r.status)
	}
	// The compose form of alpha cannot publish for beta by changing the select.
	if r := ed.form("/admin/orgs/alpha/compose", withOrg(article("Sneaky"), "beta")); r.status != http.StatusUnprocessableEntity {
		t.Errorf("publish for beta through alpha's form: %d", r.status)
	}
	p, err := e.store.PostByID(context.Background(), betaPost.ID)
	if err != nil || p.Title != "Beta news" || p.Status != newsroom.StatusPublished {
		t.Fatalf("beta's post changed: %+v %v", p, err)
	}
	if rep, _ := e.store.ReplyByObjectID(context.Background(), "https://remote.example/notes/1"); rep.Status != newsroom.ReplyPending {
		t.Fatalf("reply moderated: %s", rep.Status)
	}
	if u, _ := e.store.UserByEmail(context.Background(), "editor@example.org"); u.IsAdmin {
		t.Fatal("editor made themselves an administrator")
	}
	// Their own organisation works.
	if r := ed.form("/admin/orgs/alpha/compose", article("Alpha news")); r.status != http.StatusSeeOther {
		t.Fatalf("editor publishes for alpha: %d %s", r.status, r.body)
	}
	if status, body := ed.get("/admin/"); status != 200 || strings.Contains(body, "/admin/orgs/beta/") || strings.Contains(body, "/admin/users") {
		t.Errorf("dashboard shows beta or administration to an editor: %s", body)
	}
}

func withOrg(v url.Values, handle string) url.Values {
	v.Set("org", handle)
	return v
}

func TestFormsNeedTheirToken(t *testing.T) {
	e := newEnv(t)
	c := e.login("admin@example.org")
	cases := map[string]url.Values{
		"missing": article("No token"),
		"wrong":   withToken(article("Wrong token"), "0123456789abcdef0123456789abcdef"),
	}
	for name, form := range cases {
		if r := c.post("/admin/orgs/alpha/compose", form); r.status != http.StatusForbidden {
			t.Errorf("%s token: %d", name, r.status)
		}
	}
	// Another site's page posting with a stolen token is stopped by the
	// browser's own headers.
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example"},
	} {
		form := withToken(article("Cross-site"), c.csrf)
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/orgs/alpha/compose", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		if r := c.do(req); r.status != http.StatusForbidden {
			t.Errorf("cross-origin %v: %d", h, r.status)
		}
	}
	// Logout is a form too.
	if r := c.post("/logout", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("logout without token: %d", r.status)
	}
	if n, _ := e.store.CountPosts(context.Background(), store.PostFilter{OrgID: e.alpha.ID}); n != 0 {
		t.Fatalf("%d posts written", n)
	}
}

func withToken(v url.Values, tok string) url.Values {
	v.Set("csrf_token", tok)
	return v
}

// Mastodon's limit: 25 attempts per 5 minutes; the 26th is refused even
// with the right password.
func TestLoginThrottle(t *testing.T) {
	e := newEnv(t)
	c := e.anonymous()
	_, body := c.get("/login")
	tok := token(t, body)
	for i := 1; i <= 25; i++ {
		r := c.post("/login", url.Values{"email": {"editor@example.org"}, "password": {"wrong password"}, "csrf_token": {tok}})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
	r := c.post("/login", url.Values{"email": {"editor@example.org"}, "password": {password}, "csrf_token": {tok}})
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("26th attempt: %d", r.status)
	}
	if !strings.Contains(r.body, "Too many attempts") {
		t.Errorf("no explanation: %s", r.body)
	}
}

// Hostile input in every field comes back escaped in the editor's pages
// and sanitised in what is published.
func TestHostileInputIsEscaped(t *testing.T) {
	e := newEnv(t)
	c := e.login("admin@example.org")
	const script, img, js = `<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `javascript:alert(1)`
	hostile := script + img + js
	form := url.Values{"org": {"alpha"}, "kind": {"event"}, "lang": {"fr"},
		"title": {hostile}, "summary": {hostile}, "content_warning": {hostile},
		"body": {hostile + "\n\n[clic](javascript:alert(1)) <a href=\"javascript:alert(1)\">a</a> ![x](javascript:alert(1))"},
		"tags": {hostile}, "object_type": {"auto"},
		"translation_lang": {"en"}, "translation_title": {hostile}, "translation_summary": {hostile}, "translation_body": {hostile},
		"event_start": {"2030-05-01T18:00"}, "event_timezone": {"Europe/Paris"}, "event_place": {hostile},
		"event_street": {hostile}, "event_postal_code": {hostile}, "event_locality": {hostile}, "event_region": {hostile},
		"event_country": {hostile}, "event_online_url": {js}, "media_0_alt": {hostile}, "publish_at": {hostile},
		"publish_tz": {hostile}}
	check := func(where, page string) {
		t.Helper()
		for _, bad := range []string{"<script>alert", "<img src=x", "onerror=alert(1)>", `href="javascript:`, `src="javascript:`} {
			if strings.Contains(page, bad) {
				i := strings.Index(page, bad)
				t.Errorf("%s: %q unescaped near %q", where, bad, page[max(0, i-80):min(len(page), i+80)])
			}
		}
	}
	for _, action := range []string{"preview", "publish", "draft"} {
		form.Set("action", action)
		r := c.form("/admin/orgs/alpha/compose", form)
		check(action, r.body)
	}
	// Invalid as an event (online link, tags) but fine as an article draft:
	// store it and look at every page that shows it.
	form.Set("kind", "article")
	form.Set("tags", "ok")
	form.Set("event_online_url", "")
	form.Set("action", "publish")
	r := c.form("/admin/orgs/alpha/compose", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	p := e.onlyPost(e.alpha, newsroom.StatusPublished)
	for _, html := range []string{p.BodyHTML, p.Translation.BodyHTML} {
		check("published HTML", html)
		if strings.Contains(html, "javascript") {
			t.Errorf("javascript link kept: %s", html)
		}
	}
	for _, path := range []string{"/admin/orgs/alpha/posts", "/admin/posts/" + p.ID + "/edit", "/admin/posts/" + p.ID + "/delete"} {
		_, page := c.get(path)
		check(path, page)
	}
	form.Set("action", "preview")
	check("preview of stored post", c.form("/admin/posts/"+p.ID+"/edit", form).body)

	// Administration fields.
	r = c.form("/admin/organisations/new", url.Values{"handle": {hostile}, "name": {hostile}, "bio": {hostile},
		"website": {js}, "contact": {hostile}, "default_lang": {"fr"}, "default_object_type": {"auto"}, "actor_type": {"Organization"}})
	check("organisation form", r.body)
	r = c.form("/admin/organisations/edit/alpha", url.Values{"name": {hostile}, "bio": {hostile},
		"default_lang": {"fr"}, "default_object_type": {"auto"}, "actor_type": {"Organization"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit organisation: %d %s", r.status, r.body)
	}
	for _, path := range []string{"/admin/organisations", "/admin/", "/admin/organisations/edit/alpha", "/admin/orgs/alpha/posts"} {
		_, page := c.get(path)
		check(path, page)
	}
	r = c.form("/admin/users/new", url.Values{"email": {hostile}, "name": {hostile}, "password": {"x"}})
	check("user form", r.body)
	r = c.form("/admin/domains", url.Values{"domain": {hostile}, "reason": {hostile}})
	check("domain form", r.body)
	if r := c.form("/admin/domains", url.Values{"domain": {"spam.example"}, "reason": {hostile}}); r.status != http.StatusSeeOther {
		t.Fatalf("block: %d %s", r.status, r.body)
	}
	_, page := c.get("/admin/domains")
	check("domains", page)

	// A reply from the fediverse, even if its HTML slipped past the inbox.
	if _, err := e.store.AddReply(context.Background(), newsroom.Reply{ObjectID: "https://remote.example/notes/2",
		ActivityID: "https://remote.example/acts/2", PostID: p.ID, ActorID: "javascript:alert(1)",
		ContentHTML: `<p>hi</p>` + hostile + `<a href="javascript:alert(1)">x</a><img src="https://tracker.example/p.gif" onerror="alert(1)">`,
		Status:      newsroom.ReplyPending, Published: time.Now(), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	_, page = c.get("/admin/orgs/alpha/replies")
	check("replies", page)
	if strings.Contains(page, "tracker.example") || !strings.Contains(page, "<p>hi</p>") {
		t.Errorf("reply HTML not sanitised as expected: %s", page)
	}
}

func TestValidationKeepsInputAndShowsErrors(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	form := article("")
	form.Set("summary", "Ce résumé reste")
	form.Set("media_0_alt", "")
	form.Set("action", "schedule")
	form.Set("publish_at", "2001-01-01T10:00")
	form.Set("publish_tz", "Europe/Paris")
	r := c.multipart("/admin/orgs/alpha/compose", form, file{"media_0_file", "photo.png", pngImage(t, 64, 48)})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.status)
	}
	for _, want := range []string{
		`>Ce résumé reste</textarea>`,
		`id="title-error"`, `aria-describedby="title-error" aria-invalid="true"`,
		`id="media_0-error"`, "Describe this image",
		`id="publish_at-error"`, "in the future",
		`name="media_0_id" value="`, // the uploaded image is kept
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("missing %q", want)
		}
	}
	// In French, for a French browser.
	form.Set("title", "Titre")
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/orgs/alpha/compose", strings.NewReader(withToken(form, c.csrf).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	r = c.do(req)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Choisissez une date et une heure à venir") || !strings.Contains(r.body, `<html lang="fr">`) {
		t.Fatalf("french errors: %d %s", r.status, r.body)
	}
}

func TestUploads(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	form := article("Photos")
	form.Set("media_0_alt", "Une photo")
	form.Set("media_1_alt", "Pas une photo")
	html := []byte("<!doctype html><html><script>alert(1)</script></html>")
	r := c.multipart("/admin/orgs/alpha/compose", form, file{"media_0_file", "../../etc/photo.png", pngImage(t, 2000, 1000)},
		file{"media_1_file", "fake.png", html})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="media_1-error"`) || !strings.Contains(r.body, "not a JPEG, PNG") {
		t.Fatalf("disguised HTML accepted: %d", r.status)
	}
	// The real image was stored, under its hash, scaled; nothing else was.
	entries, _ := os.ReadDir(e.mediaDir)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	if len(names) != 2 {
		t.Fatalf("media directory: %v", names)
	}
	full := ""
	for _, n := range names {
		if !strings.Contains(n, "-w") {
			full = n
		}
	}
	b, _ := os.ReadFile(filepath.Join(e.mediaDir, full))
	sum := sha256.Sum256(b)
	if full != hex.EncodeToString(sum[:])+".jpg" {
		t.Fatalf("stored as %q, not by its hash", full)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != 1600 || cfg.Height != 800 {
		t.Fatalf("stored %dx%d %v", cfg.Width, cfg.Height, err)
	}

	// Too large for one image: refused with a message, the form kept.
	big := append(pngImage(t, 10, 10), make([]byte, 9<<20)...)
	r = c.multipart("/admin/orgs/alpha/compose", form, file{"media_1_file", "big.png", big})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "too large") {
		t.Fatalf("9 MB image: %d", r.status)
	}
	// Too large for the route: TestFormOverTheLimitGetsThePage. Other
	// forms keep the small limit.
	r = c.multipart("/admin/account", url.Values{"lang": {"fr"}}, file{"x", "x.png", make([]byte, 2<<20)})
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MB to a form without uploads: %d", r.status)
	}

	// Publishing with the stored image: the post carries it with its alt.
	id := hex.EncodeToString(sum[:])
	form = article("Photos")
	form.Set("media_0_id", id)
	form.Set("media_0_alt", "Une photo")
	if r := c.form("/admin/orgs/alpha/compose", form); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	p := e.onlyPost(e.alpha, newsroom.StatusPublished)
	if len(p.Media) != 1 || p.Media[0].MediaID != id || p.Media[0].Alt != "Une photo" {
		t.Fatalf("media %+v", p.Media)
	}
}

// The preview lists what publishing would refuse, beside what it shows,
// and saves nothing; on an existing post too.
func TestPreviewListsWhatPublishingRefuses(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	form := article("Assemblée générale")
	form.Set("tags", "vie, hello-world")
	form.Set("action", "preview")
	r := c.form("/admin/orgs/alpha/compose", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Hashtags hold only") ||
		!strings.Contains(r.body, "Assemblée générale") {
		t.Fatalf("preview of invalid tags: %d %s", r.status, r.body)
	}
	if n, _ := e.store.CountPosts(context.Background(), store.PostFilter{OrgID: e.alpha.ID}); n != 0 {
		t.Fatal("preview saved something")
	}
	form.Set("tags", "vie")
	form.Set("action", "publish")
	if r := c.form("/admin/orgs/alpha/compose", form); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	p := e.onlyPost(e.alpha, newsroom.StatusPublished)
	form.Set("tags", "hello-world")
	form.Set("action", "preview")
	if r := c.form("/admin/posts/"+p.ID+"/edit", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Hashtags hold only") {
		t.Fatalf("preview of an edit with invalid tags: %d %s", r.status, r.body)
	}
}

// Publish, preview, edit and delete through the forms, each reaching the
// publishing service: a Create, an Update and a Delete are queued.
func TestPublishEditDelete(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	form := article("Assemblée générale")
	form.Set("action", "preview")
	form.Set("body", "Rendez-vous **samedi**.")
	r := c.form("/admin/orgs/alpha/compose", form)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Rendez-vous <strong>samedi</strong>.") {
		t.Fatalf("preview: %d %s", r.status, r.body)
	}
	if n, _ := e.store.CountPosts(context.Background(), store.PostFilter{OrgID: e.alpha.ID}); n != 0 {
		t.Fatal("preview saved something")
	}
	form.Set("action", "publish")
	r = c.form("/admin/orgs/alpha/compose", form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/orgs/alpha/posts?done=published" {
		t.Fatalf("publish: %d %q", r.status, r.header.Get("Location"))
	}
	p := e.onlyPost(e.alpha, newsroom.StatusPublished)
	_, list := c.get("/admin/orgs/alpha/posts?done=published")
	if !strings.Contains(list, "Assemblée générale") || !strings.Contains(list, "Published.") || !strings.Contains(list, "0 of 0") {
		t.Errorf("posts list: %s", list)
	}
	_, page := c.get("/admin/posts/" + p.ID + "/edit")
	if !strings.Contains(page, `value="Assemblée générale"`) || !strings.Contains(page, "Save and send the update") {
		t.Fatalf("edit page: %s", page)
	}
	form.Set("title", "Assemblée générale 2026")
	form.Set("action", "save")
	if r := c.form("/admin/posts/"+p.ID+"/edit", form); r.status != http.StatusSeeOther {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	if status, body := c.get("/admin/posts/" + p.ID + "/delete"); status != 200 || !strings.Contains(body, "Yes, delete it") {
		t.Fatalf("confirmation: %d", status)
	}
	if r := c.form("/admin/posts/"+p.ID+"/delete", nil); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	got, _ := e.store.PostByID(context.Background(), p.ID)
	if got.Status != newsroom.StatusDeleted {
		t.Fatalf("status %s", got.Status)
	}
	for _, typ := range []string{"Create", "Update", "Delete"} {
		if n, _ := e.store.CountActivities(context.Background(), e.alpha.ID, typ); n != 1 {
			t.Errorf("%d %s activities", n, typ)
		}
	}
	if status, _ := c.get("/admin/posts/" + p.ID + "/edit"); status != http.StatusGone {
		t.Errorf("edit a deleted post: %d", status)
	}
	if e.cache.n.Load() < 3 {
		t.Errorf("public pages invalidated %d times", e.cache.n.Load())
	}
}

func TestDraftScheduleAndEvent(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	form := article("Brouillon")
	form.Set("action", "draft")
	if r := c.form("/admin/orgs/alpha/compose", form); r.status != http.StatusSeeOther {
		t.Fatalf("draft: %d %s", r.status, r.body)
	}
	d := e.onlyPost(e.alpha, newsroom.StatusDraft)
	when := time.Now().Add(48 * time.Hour).In(mustZone(t, "Europe/Lisbon"))
	form.Set("action", "schedule")
	form.Set("publish_at", when.Format("2006-01-02T15:04"))
	form.Set("publish_tz", "Europe/Lisbon")
	if r := c.form("/admin/posts/"+d.ID+"/edit", form); r.status != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	s := e.onlyPost(e.alpha, newsroom.StatusScheduled)
	if !s.PublishAt.Equal(when.Truncate(time.Minute)) {
		t.Fatalf("scheduled for %s, want %s", s.PublishAt, when.Truncate(time.Minute))
	}
	// Neither the user nor the site chose a zone: the editor's default,
	// labelled.
	paris := when.In(mustZone(t, "Europe/Paris")).Format("15:04 MST")
	if _, list := c.get("/admin/orgs/alpha/posts"); !strings.Contains(list, paris) {
		t.Errorf("scheduled time not shown at %s in Paris: %s", paris, list)
	}

	ev := url.Values{"org": {"alpha"}, "kind": {"event"}, "lang": {"fr"}, "title": {"Forum"}, "body": {"Venez."},
		"event_start": {"2030-03-10T18:30"}, "event_end": {"2030-03-10T17:00"}, "event_timezone": {"Europe/Brussels"},
		"event_place": {"Maison des associations"}, "event_locality": {"Bruxelles"}, "action": {"publish"}}
	r := c.form("/admin/orgs/alpha/compose", ev)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="event_end-error"`) || !strings.Contains(r.body, `value="Maison des associations"`) {
		t.Fatalf("end before start: %d", r.status)
	}
	ev.Set("event_end", "2030-03-10T21:00")
	if r := c.form("/admin/orgs/alpha/compose", ev); r.status != http.StatusSeeOther {
		t.Fatalf("event: %d %s", r.status, r.body)
	}
	p := e.onlyPost(e.alpha, newsroom.StatusPublished)
	want := time.Date(2030, 3, 10, 17, 30, 0, 0, time.UTC)
	if p.Event == nil || !p.Event.Start.Equal(want) || p.Event.Timezone != "Europe/Brussels" || p.Event.Locality != "Bruxelles" {
		t.Fatalf("event %+v", p.Event)
	}
	// The edit form shows the time as it was typed, in the event's zone.
	if _, page := c.get("/admin/posts/" + p.ID + "/edit"); !strings.Contains(page, `value="2030-03-10T18:30"`) {
		t.Error("event start not shown in its zone")
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestAdministration(t *testing.T) {
	e := newEnv(t)
	c := e.login("admin@example.org")
	r := c.multipart("/admin/organisations/new", url.Values{"handle": {"Emmaus-Connect"}, "name": {"Emmaüs Connect"},
		"bio": {"Le numérique pour tous."}, "website": {"https://emmaus-connect.org"}, "contact": {"contact@emmaus-connect.org"},
		"default_lang": {"fr"}, "default_object_type": {"Article"}, "actor_type": {"Organization"}},
		file{"icon_file", "logo.png", pngImage(t, 300, 300)})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create organisation: %d %s", r.status, r.body)
	}
	o, err := e.store.OrgByHandle(context.Background(), "emmaus-connect")
	if err != nil || o.Name != "Emmaüs Connect" || o.IconMediaID == "" || o.DefaultObjectType != newsroom.ObjectArticle {
		t.Fatalf("organisation %+v %v", o, err)
	}
	r = c.form("/admin/organisations/new", url.Values{"handle": {"alpha"}, "name": {"Again"}, "default_lang": {"fr"},
		"default_object_type": {"auto"}, "actor_type": {"Organization"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "already has this handle") {
		t.Fatalf("taken handle: %d", r.status)
	}

	// No password is asked: the administrator hands over a link.
	if _, page := c.get("/admin/users/new"); strings.Contains(page, `type="password"`) {
		t.Fatal("the new-user form asks the administrator for a password")
	}
	r = c.form("/admin/users/new", url.Values{"email": {"Camille@Example.org"}, "name": {"Camille"},
		"orgs": {"1", "3"}, "lang": {"fr"}})
	invite := linkIn(t, r, "/invite/")
	u, err := e.store.UserByEmail(context.Background(), "camille@example.org")
	if err != nil || u.IsAdmin || u.Lang != "fr" || u.PasswordHash != "" {
		t.Fatalf("user %+v %v", u, err)
	}
	if ids, _ := e.store.UserOrgIDs(context.Background(), u.ID); len(ids) != 2 {
		t.Fatalf("orgs %v", ids)
	}
	camille := e.anonymous()
	_, body := camille.get(invite)
	if r := camille.post(invite, url.Values{"password": {"short"}, "csrf_token": {token(t, body)}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("short password: %d", r.status)
	}
	if r := camille.post(invite, url.Values{"password": {"a long password"}, "csrf_token": {token(t, body)}}); r.status != http.StatusSeeOther {
		t.Fatalf("invitation: %d %s", r.status, r.body)
	}
	if status, page := camille.get("/admin/"); status != 200 || !strings.Contains(page, "Tableau de bord") || !strings.Contains(page, "Emmaüs Connect") {
		t.Fatalf("camille's dashboard: %d", status)
	}
	if status, _ := e.anonymous().get(invite); status != http.StatusNotFound {
		t.Fatalf("a used invitation: %d", status)
	}
	// A reset link logs Camille out once used, not before.
	r = c.form("/admin/users/link/"+strconv.FormatInt(u.ID, 10), url.Values{})
	reset := linkIn(t, r, "/reset/")
	if status, _ := camille.get("/admin/"); status != http.StatusOK {
		t.Fatalf("a reset link made ended the session before use: %d", status)
	}
	other := e.anonymous()
	_, body = other.get(reset)
	if r := other.post(reset, url.Values{"password": {"another long one"}, "csrf_token": {token(t, body)}}); r.status != http.StatusSeeOther {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	if status, _ := camille.get("/admin/"); status != http.StatusSeeOther {
		t.Fatalf("old session still works: %d", status)
	}
	// An administrator cannot drop their own role.
	admin, _ := e.store.UserByEmail(context.Background(), "admin@example.org")
	c.form("/admin/users/edit/"+strconv.FormatInt(admin.ID, 10), url.Values{"name": {"Ada"}})
	if admin, _ = e.store.UserByEmail(context.Background(), "admin@example.org"); !admin.IsAdmin || admin.Name != "Ada" {
		t.Fatalf("admin %+v", admin)
	}

	// Blocking a domain drops its followers.
	if err := e.store.AddFollower(context.Background(), newsroom.Follower{OrgID: e.alpha.ID, ActorID: "https://spam.example/users/x",
		Host: "spam.example", Inbox: "https://spam.example/users/x/inbox", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, page := c.get("/admin/orgs/alpha/followers"); !strings.Contains(page, "Followers: 1") {
		t.Fatalf("followers page: %s", page)
	}
	if r := c.form("/admin/domains", url.Values{"domain": {"https://SPAM.example./about"}}); r.status != http.StatusSeeOther {
		t.Fatalf("block: %d %s", r.status, r.body)
	}
	if n, _ := e.store.CountFollowers(context.Background(), e.alpha.ID); n != 0 {
		t.Fatalf("%d followers left", n)
	}
	if blocked, _ := e.store.IsDomainBlocked(context.Background(), "spam.example"); !blocked {
		t.Fatal("not blocked")
	}
	if r := c.form("/admin/domains/remove", url.Values{"domain": {"spam.example"}}); r.status != http.StatusSeeOther {
		t.Fatalf("unblock: %d", r.status)
	}
	if blocked, _ := e.store.IsDomainBlocked(context.Background(), "spam.example"); blocked {
		t.Fatal("still blocked")
	}
}

func TestAccount(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	if r := c.form("/admin/account", url.Values{"lang": {"fr"}}); r.status != http.StatusSeeOther {
		t.Fatalf("language: %d", r.status)
	}
	if _, page := c.get("/admin/account?done=saved"); !strings.Contains(page, `<html lang="fr">`) || !strings.Contains(page, "Enregistré.") {
		t.Fatalf("account page not in French")
	}
	r := c.form("/admin/account/password", url.Values{"current_password": {"wrong one!!"}, "new_password": {"new password 2026"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Ce n’est pas votre mot de passe actuel") {
		t.Fatalf("wrong current password: %d", r.status)
	}
	other := e.login("editor@example.org")
	r = c.form("/admin/account/password", url.Values{"current_password": {password}, "new_password": {"new password 2026"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	status, home := c.get("/admin/")
	if status != http.StatusOK {
		t.Fatalf("this browser logged out: %d", status)
	}
	c.csrf = token(t, home) // a new session, a new form token
	if status, _ := other.get("/admin/"); status != http.StatusSeeOther {
		t.Fatalf("other session survived: %d", status)
	}
	if r := c.form("/logout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	if status, _ := c.get("/admin/"); status != http.StatusSeeOther {
		t.Fatalf("after logout: %d", status)
	}
}

func TestModerateReply(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	if r := c.form("/admin/orgs/alpha/compose", article("Question")); r.status != http.StatusSeeOther {
		t.Fatal(r.status)
	}
	p := e.onlyPost(e.alpha, newsroom.StatusPublished)
	if _, err := e.store.AddReply(context.Background(), newsroom.Reply{ObjectID: "https://remote.example/notes/9",
		ActivityID: "https://remote.example/acts/9", PostID: p.ID, ActorID: "https://remote.example/users/ann",
		ContentHTML: "<p>Merci !</p>", Status: newsroom.ReplyPending, Published: time.Now(), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, list := c.get("/admin/orgs/alpha/posts"); !strings.Contains(list, "1 to moderate") {
		t.Errorf("pending count missing")
	}
	_, page := c.get("/admin/orgs/alpha/replies")
	if !strings.Contains(page, "<p>Merci !</p>") || !strings.Contains(page, "https://remote.example/users/ann") {
		t.Fatalf("replies page: %s", page)
	}
	r := c.form("/admin/orgs/alpha/replies", url.Values{"object_id": {"https://remote.example/notes/9"}, "decision": {"approve"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.status)
	}
	if rep, _ := e.store.ReplyByObjectID(context.Background(), "https://remote.example/notes/9"); rep.Status != newsroom.ReplyApproved {
		t.Fatalf("status %s", rep.Status)
	}
	c.form("/admin/orgs/alpha/replies", url.Values{"object_id": {"https://remote.example/notes/9"}, "decision": {"hide"}})
	if rep, _ := e.store.ReplyByObjectID(context.Background(), "https://remote.example/notes/9"); rep.Status != newsroom.ReplyHidden {
		t.Fatalf("status %s", rep.Status)
	}
}

func TestSessionsExpire(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	e.skew.Store(int64(editor.SessionLifetime - time.Minute))
	if status, _ := c.get("/admin/"); status != http.StatusOK {
		t.Fatalf("before expiry: %d", status)
	}
	e.skew.Store(int64(editor.SessionLifetime + time.Minute))
	if status, _ := c.get("/admin/"); status != http.StatusSeeOther {
		t.Fatalf("after expiry: %d", status)
	}
}

// An email or password longer than any real one is refused without being
// hashed, shown back or given a throttle bucket of its own.
func TestLoginRefusesOverlongFields(t *testing.T) {
	e := newEnv(t)
	c := e.anonymous()
	_, body := c.get("/login")
	tok := token(t, body)
	long := strings.Repeat("a", 300) + "@example.org"
	r := c.post("/login", url.Values{"email": {long}, "password": {password}, "csrf_token": {tok}})
	if r.status != http.StatusUnauthorized || strings.Contains(r.body, long) {
		t.Fatalf("overlong email: %d, echoed: %v", r.status, strings.Contains(r.body, long))
	}
	r = c.post("/login", url.Values{"email": {"editor@example.org"}, "password": {strings.Repeat("p", 2000)}, "csrf_token": {tok}})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("overlong password: %d", r.status)
	}
	r = c.post("/login", url.Values{"email": {"editor@example.org"}, "password": {password}, "csrf_token": {tok}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("right password after overlong attempts: %d", r.status)
	}
}

// Successful logins are not counted: people behind one address (an office,
// a proxy) do not lock each other out by logging in.
func TestLoginThrottleCountsFailuresOnly(t *testing.T) {
	e := newEnv(t)
	for i := 1; i <= 30; i++ {
		e.login("editor@example.org")
	}
}

// Behind a trusted proxy, each client is counted under its own address;
// a client cannot escape its count by writing hops of its own.
func TestLoginThrottleBehindProxy(t *testing.T) {
	e := newEnv(t)
	attempt := func(forwardedFor, email, pw string) int {
		c := e.anonymous()
		_, body := c.get("/login")
		form := url.Values{"email": {email}, "password": {pw}, "csrf_token": {token(t, body)}}
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", forwardedFor)
		return c.do(req).status
	}
	for i := 1; i <= 25; i++ {
		if s := attempt("198.51.100.1", "admin@example.org", "wrong password"); s != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, s)
		}
	}
	if s := attempt("203.0.113.5, 198.51.100.1", "nobody@example.org", "wrong password"); s != http.StatusTooManyRequests {
		t.Fatalf("the throttled client with a hop of its own: %d", s)
	}
	if s := attempt("198.51.100.2", "editor@example.org", password); s != http.StatusSeeOther {
		t.Fatalf("another client behind the same proxy: %d", s)
	}
}

// The moderation list comes in pages, so that a flood of replies cannot
// make one page of many megabytes.
func TestRepliesArePaged(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	if r := c.form("/admin/orgs/alpha/compose", article("Question")); r.status != http.StatusSeeOther {
		t.Fatal(r.status)
	}
	p := e.onlyPost(e.alpha, newsroom.StatusPublished)
	t0 := time.Now().Add(-time.Hour)
	for i := 0; i < 51; i++ {
		if _, err := e.store.AddReply(context.Background(), newsroom.Reply{ObjectID: fmt.Sprintf("https://remote.example/notes/%03d", i),
			ActivityID: fmt.Sprintf("https://remote.example/acts/%03d", i), PostID: p.ID, ActorID: "https://remote.example/users/ann",
			ContentHTML: fmt.Sprintf("<p>reply %03d</p>", i), Status: newsroom.ReplyPending,
			Published: t0.Add(time.Duration(i) * time.Second), CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	_, first := c.get("/admin/orgs/alpha/replies")
	if n := strings.Count(first, "<p>reply "); n != 50 || !strings.Contains(first, "reply 000") || strings.Contains(first, "reply 050") {
		t.Fatalf("first page: %d replies", n)
	}
	if !strings.Contains(first, `href="?status=pending&amp;page=2"`) {
		t.Fatal("no link to the next page")
	}
	_, second := c.get("/admin/orgs/alpha/replies?status=pending&page=2")
	if n := strings.Count(second, "<p>reply "); n != 1 || !strings.Contains(second, "reply 050") || !strings.Contains(second, "page=1") {
		t.Fatalf("second page: %d replies", n)
	}
}

// linkIn is the one-time link path a page shows an administrator.
func linkIn(t *testing.T, r response, prefix string) string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("link page: %d %s", r.status, r.body)
	}
	i := strings.Index(r.body, prefix)
	if i < 0 {
		t.Fatalf("no %s link in %s", prefix, r.body)
	}
	end := strings.IndexByte(r.body[i:], '"')
	return r.body[i : i+end]
}
