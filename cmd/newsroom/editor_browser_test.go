package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/browsertest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/users"
)

const browserPassword = "a password for the browser"

// words are what the flow reads and clicks, in each interface language.
var words = map[string]struct {
	preview, publish, update, confirm, published, deleted, previewTitle string
}{
	"en": {"Preview", "Publish now", "Save and send the update", "Yes, delete it", "Published.", "Deleted.", "Preview"},
	"fr": {"Aperçu", "Publier maintenant", "Enregistrer et envoyer la modification", "Oui, la supprimer", "Publiée.", "Supprimée.", "Aperçu"},
}

// screenshotDir is where pictures of the pages go for a person to look
// at: NEWSROOM_SCREENSHOT_DIR, or the test's temporary directory.
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("NEWSROOM_SCREENSHOT_DIR"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// An editor, in a real browser, logs in, writes an article with an image
// and its alt text, previews it, publishes it, finds it on its public
// page and in the outbox, edits it and deletes it; a follower's server
// receives the Create, the Update and the Delete. In English and in
// French, on both databases.
func TestEditorInChromium(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		for _, lang := range []string{"en", "fr"} {
			t.Run(lang, func(t *testing.T) { editorFlow(t, backend, lang) })
		}
	})
}

// editorSession is a browser, a server with the organisation soga and its
// editor camille@example.org, and a peer following soga.
type editorSession struct {
	ctx   context.Context
	ts    *testServer
	org   *newsroom.Organisation
	alice *fedtest.Peer
}

func newEditorSession(t *testing.T, backend, lang string) *editorSession {
	t.Helper()
	ctx := browsertest.Start(t)
	ts := startServer(t, backend)
	org := ts.createOrg(t, "soga", "Social Good Accelerator")
	if _, err := users.New(ts.Store).Create(context.Background(), users.NewUser{Email: "camille@example.org",
		Name: "Camille", Password: browserPassword, OrgIDs: []int64{org.ID}}); err != nil {
		t.Fatal(err)
	}
	alice := fedtest.NewPeer(t, "alice")
	followedBy(t, ts, org, alice)
	if err := browsertest.SetLanguage(ctx, lang); err != nil {
		t.Fatal(err)
	}
	return &editorSession{ctx: ctx, ts: ts, org: org, alice: alice}
}

// run performs actions in the browser, failing t after 30 s.
func (e *editorSession) run(t *testing.T) func(what string, actions ...chromedp.Action) {
	return func(what string, actions ...chromedp.Action) {
		t.Helper()
		sctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Run(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

// text reads the text of the element sel selects, failing t after 30 s.
func (e *editorSession) text(t *testing.T) func(sel string) string {
	run := e.run(t)
	return func(sel string) string {
		t.Helper()
		var s string
		run("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
		return s
	}
}

func editorFlow(t *testing.T, backend, lang string) {
	w := words[lang]
	e := newEditorSession(t, backend, lang)
	ts, org, alice := e.ts, e.org, e.alice
	run := e.run(t)
	text := e.text(t)
	login(t, run, ts.URL, "camille@example.org")

	// Compose with an image, preview.
	photo := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(photo, testPNG(t, 1200, 800), 0o644); err != nil {
		t.Fatal(err)
	}
	title := map[string]string{"en": "General assembly", "fr": "Assemblée générale"}[lang]
	run("compose",
		chromedp.Navigate(ts.URL+"/admin/orgs/soga/compose"),
		chromedp.WaitReady("#title", chromedp.ByQuery),
		chromedp.SetValue("#lang", lang, chromedp.ByQuery),
		chromedp.SendKeys("#title", title, chromedp.ByQuery),
		chromedp.SetValue("#summary", "Once a year, members decide.", chromedp.ByQuery),
		chromedp.SetValue("#body", "See you on **Saturday** at the [Maison](https://example.org/maison).", chromedp.ByQuery),
		chromedp.SetValue("#tags", "assemblée, vie_associative", chromedp.ByQuery),
		chromedp.SetUploadFiles("#media_0_file", []string{photo}, chromedp.ByQuery),
		chromedp.SetValue("#media_0_alt", "Members voting with raised hands", chromedp.ByQuery),
		chromedp.Click(`button[value="preview"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#preview-title", chromedp.ByQuery),
	)
	var previewHTML string
	run("read preview", chromedp.InnerHTML(".preview", &previewHTML, chromedp.ByQuery))
	if !strings.Contains(previewHTML, "<strong>Saturday</strong>") || !strings.Contains(previewHTML, `alt="Members voting with raised hands"`) {
		t.Fatalf("preview: %s", previewHTML)
	}
	if got := text("#preview-title"); got != w.previewTitle {
		t.Errorf("preview heading %q", got)
	}
	if n, _ := ts.Store.CountPosts(context.Background(), store.PostFilter{OrgID: org.ID}); n != 0 {
		t.Fatal("the preview saved the post")
	}
	dir := screenshotDir(t)
	var shot []byte
	run("screenshot", chromedp.FullScreenshot(&shot, 100))
	if err := os.WriteFile(filepath.Join(dir, "compose-"+lang+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}

	// Publish.
	run("publish",
		chromedp.Click(`button[value="publish"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
	)
	if got := text(".flash"); !strings.HasPrefix(got, w.published) {
		t.Errorf("after publishing: %q", got)
	}
	list, err := ts.Store.ListPosts(context.Background(), store.PostFilter{OrgID: org.ID, Status: newsroom.StatusPublished})
	if err != nil || len(list) != 1 {
		t.Fatalf("published posts: %v %v", list, err)
	}
	post := list[0]
	postURL := ts.URLs.Post("soga", post.ID)
	if len(post.Media) != 1 || post.Media[0].Alt != "Members voting with raised hands" || post.Lang != lang {
		t.Fatalf("post %+v", post)
	}

	// Its public page, as a reader's browser shows it, and the outbox.
	var pageTitle, imgAlt string
	run("public page",
		chromedp.Navigate(postURL),
		chromedp.WaitReady("h1", chromedp.ByQuery),
		chromedp.Text("h1", &pageTitle, chromedp.ByQuery),
		chromedp.AttributeValue("article img", "alt", &imgAlt, nil, chromedp.ByQuery),
	)
	if pageTitle != title || imgAlt != "Members voting with raised hands" {
		t.Errorf("public page: %q, alt %q", pageTitle, imgAlt)
	}
	if _, _, body := ts.get(t, "/orgs/soga/outbox", "application/activity+json"); !strings.Contains(body, `"totalItems":1`) {
		t.Errorf("outbox: %s", body)
	}
	if _, _, body := ts.get(t, "/orgs/soga/outbox?page=1", "application/activity+json"); !strings.Contains(body, postURL) {
		t.Errorf("outbox page without the post: %s", body)
	}
	created := activityOf(t, ts, alice, "Create", postURL, nil)
	// One attachment is written as an object rather than a list.
	if att, _ := created["attachment"].(map[string]any); att["name"] != "Members voting with raised hands" {
		t.Errorf("Create without the image and its alt text: %v", created["attachment"])
	}

	// Edit: the follower gets an Update.
	newTitle := title + " 2026"
	run("edit",
		chromedp.Navigate(ts.URL+"/admin/posts/"+post.ID+"/edit"),
		chromedp.WaitReady("#title", chromedp.ByQuery),
		chromedp.SetValue("#title", newTitle, chromedp.ByQuery),
		chromedp.Click(`button[value="save"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
	)
	activityOf(t, ts, alice, "Update", postURL, func(r fedtest.Received) bool {
		obj, _ := r.Activity["object"].(map[string]any)
		return obj["name"] == newTitle || strings.Contains(toString(obj["content"]), newTitle)
	})

	// Delete, after the confirmation page: the follower gets a Delete.
	run("delete",
		chromedp.Navigate(ts.URL+"/admin/posts/"+post.ID+"/delete"),
		chromedp.WaitVisible("button.danger", chromedp.ByQuery),
	)
	if got := text("button.danger"); got != w.confirm {
		t.Errorf("confirmation button %q", got)
	}
	run("confirm",
		chromedp.Click("button.danger", chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
	)
	if got := text(".flash"); got != w.deleted {
		t.Errorf("after deleting: %q", got)
	}
	activityOf(t, ts, alice, "Delete", postURL, nil)
	if status, _, _ := ts.get(t, "/orgs/soga/posts/"+post.ID, "text/html"); status != http.StatusGone {
		t.Errorf("deleted post answers %d", status)
	}
}

func toString(v any) string { s, _ := v.(string); return s }

// testPNG is a w×h opaque gradient, as a photo would be.
func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 140, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// login fills the login form as a person would.
func login(t *testing.T, run func(string, ...chromedp.Action), base, email string) {
	t.Helper()
	run("login",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible("#email", chromedp.ByQuery),
		chromedp.SendKeys("#email", email, chromedp.ByQuery),
		chromedp.SendKeys("#password", browserPassword, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/logout"]`, chromedp.ByQuery),
	)
}

// Every editor page, in both languages, has no serious or critical
// accessibility violation, fits a 320 px phone, and loads nothing from
// another origin.
func TestEditorAccessibility(t *testing.T) {
	ctx := browsertest.Start(t)
	ts := startServer(t, "sqlite")
	org := ts.createOrg(t, "soga", "Social Good Accelerator")
	if _, err := users.New(ts.Store).Create(context.Background(), users.NewUser{Email: "admin@example.org",
		Name: "Ada", Password: browserPassword, IsAdmin: true}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	p := &newsroom.Post{ID: "01JEDITORA11YPOST000000000", OrgID: org.ID, Kind: newsroom.KindArticle, Status: newsroom.StatusPublished,
		ObjectType: newsroom.ObjectNote, Lang: "fr", Title: "Bonjour", BodyMD: "Texte", BodyHTML: "<p>Texte</p>",
		PublishedAt: now, CreatedAt: now}
	if err := ts.Store.CreatePost(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Store.AddReply(context.Background(), newsroom.Reply{ObjectID: "https://remote.example/notes/1",
		ActivityID: "https://remote.example/acts/1", PostID: p.ID, ActorID: "https://remote.example/users/ann",
		ContentHTML: "<p>Merci !</p>", Status: newsroom.ReplyPending, Published: now, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := ts.Store.AddFollower(context.Background(), newsroom.Follower{OrgID: org.ID, ActorID: "https://remote.example/users/ann",
		Host: "remote.example", Inbox: "https://remote.example/users/ann/inbox", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := ts.Store.AddDomainBlock(context.Background(), newsroom.DomainBlock{Domain: "spam.example", Reason: "spam", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	networkFixture(t, ts, org)
	log := &browsertest.RequestLog{}
	if err := log.Listen(ctx); err != nil {
		t.Fatal(err)
	}
	run := browserRunner(t, ctx)
	checkPage := pageChecker(t, ctx, log, ts.URL)
	pages := []string{"/admin/", "/admin/orgs/soga/compose", "/admin/orgs/soga/posts", "/admin/posts/" + p.ID + "/edit",
		"/admin/posts/" + p.ID + "/delete", "/admin/orgs/soga/replies", "/admin/orgs/soga/followers", "/admin/account",
		"/admin/organisations", "/admin/organisations/new", "/admin/organisations/edit/soga", "/admin/users",
		"/admin/users/new", "/admin/users/edit/1", "/admin/domains", "/admin/orgs/soga/feeds", "/admin/orgs/soga/network"}
	dir := screenshotDir(t)
	for _, lang := range []string{"en", "fr"} {
		if err := browsertest.SetLanguage(ctx, lang); err != nil {
			t.Fatal(err)
		}
		run("logged out", chromedp.Navigate(ts.URL+"/login"), chromedp.WaitReady("body"))
		check := func(path string) {
			t.Helper()
			checkPage(path + " (" + lang + ")")
		}
		check("/login")
		login(t, run, ts.URL, "admin@example.org")
		for i, path := range pages {
			var shot []byte
			run(path, chromedp.Navigate(ts.URL+path), chromedp.WaitReady("body"), chromedp.FullScreenshot(&shot, 100))
			check(path)
			name := fmt.Sprintf("page-%02d-%s.png", i, lang)
			if err := os.WriteFile(filepath.Join(dir, name), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// A form that comes back with errors.
		run("errors", chromedp.Navigate(ts.URL+"/admin/orgs/soga/compose"), chromedp.WaitReady("#title", chromedp.ByQuery),
			chromedp.Click(`button[value="publish"]`, chromedp.ByQuery), chromedp.WaitVisible(".error-summary", chromedp.ByQuery))
		check("compose with errors")

		// A save refused because someone else saved the post meanwhile:
		// the saved values are shown next to the fields.
		run("edit", chromedp.Navigate(ts.URL+"/admin/posts/"+p.ID+"/edit"), chromedp.WaitReady("#title", chromedp.ByQuery))
		cur, err := ts.Store.PostByID(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.Title = "Bonjour (" + lang + ")"
		if err := ts.Store.UpdatePost(context.Background(), cur); err != nil {
			t.Fatal(err)
		}
		var conflictShot []byte
		run("conflict", chromedp.Click(`button[value="save"]`, chromedp.ByQuery), chromedp.WaitVisible("#title-saved", chromedp.ByQuery),
			chromedp.FullScreenshot(&conflictShot, 100))
		check("edit after a conflict")
		if err := os.WriteFile(filepath.Join(dir, "conflict-"+lang+".png"), conflictShot, 0o644); err != nil {
			t.Fatal(err)
		}

		// At 320 px nothing scrolls sideways.
		for _, path := range []string{"/admin/orgs/soga/compose", "/admin/orgs/soga/posts", "/admin/"} {
			var width int64
			var shot []byte
			run(path+" at 320px",
				chromedp.EmulateViewport(320, 640),
				chromedp.Navigate(ts.URL+path),
				chromedp.WaitReady("body"),
				chromedp.Evaluate(`document.documentElement.scrollWidth`, &width),
				chromedp.FullScreenshot(&shot, 100),
			)
			if width > 320 {
				t.Errorf("%s (%s) at 320 px is %d px wide", path, lang, width)
			}
			if path == "/admin/orgs/soga/compose" {
				if err := os.WriteFile(filepath.Join(dir, "compose-320-"+lang+".png"), shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		run("wide again", chromedp.EmulateViewport(1000, 800))
		run("logout", chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery), chromedp.WaitVisible("#email", chromedp.ByQuery))
		log.Take()
	}
}
