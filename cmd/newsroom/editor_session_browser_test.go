package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/internal/browsertest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// An editor, in French, writes a post in one tab, logs out and in again
// in another, then publishes from the first: the form comes back with the
// title and body typed and a sentence saying the session changed, and
// nothing is published; publishing again from there works.
func TestEditorSessionChangedInChromium(t *testing.T) {
	e := newEditorSession(t, "sqlite", "fr")
	ts, org := e.ts, e.org
	run := e.run(t)
	login(t, run, ts.URL, "camille@example.org")

	const title = "Assemblée générale du 12 mars"
	const body = "Rendez-vous **samedi** à la Maison des associations.\n\nVenez nombreux."
	run("compose",
		chromedp.Navigate(ts.URL+"/admin/orgs/soga/compose"),
		chromedp.WaitReady("#title", chromedp.ByQuery),
		chromedp.SendKeys("#title", title, chromedp.ByQuery),
		chromedp.SendKeys("#body", body, chromedp.ByQuery),
	)

	// Another tab of the same browser: log out, log in again.
	tab, cancel := chromedp.NewContext(e.ctx)
	defer cancel()
	if err := browsertest.SetLanguage(tab, "fr"); err != nil {
		t.Fatal(err)
	}
	other := browserRunner(t, tab)
	other("log out",
		chromedp.Navigate(ts.URL+"/admin/"),
		chromedp.WaitVisible(`form[action="/logout"] button`, chromedp.ByQuery),
		chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery),
		chromedp.WaitVisible("#email", chromedp.ByQuery),
	)
	login(t, other, ts.URL, "camille@example.org")

	// Back in the first tab.
	var shot []byte
	run("publish",
		chromedp.Click(`button[value="publish"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.form-error[role="alert"]`, chromedp.ByQuery),
		chromedp.FullScreenshot(&shot, 100),
	)
	if err := os.WriteFile(filepath.Join(screenshotDir(t), "session-changed-fr.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	var alert, gotTitle, gotBody string
	run("read the form",
		chromedp.Text(`p.form-error[role="alert"]`, &alert, chromedp.ByQuery),
		chromedp.Value("#title", &gotTitle, chromedp.ByQuery),
		chromedp.Value("#body", &gotBody, chromedp.ByQuery),
	)
	if !strings.HasPrefix(alert, "Votre session a changé") || !strings.Contains(alert, "Rien n’a été enregistré ni publié") {
		t.Errorf("alert %q", alert)
	}
	if gotTitle != title || gotBody != body {
		t.Errorf("form back with title %q and body %q", gotTitle, gotBody)
	}
	if n, _ := ts.Store.CountPosts(context.Background(), store.PostFilter{OrgID: org.ID}); n != 0 {
		t.Fatalf("%d posts after a form of the earlier session", n)
	}

	// Sent again from there, it is published.
	var flash string
	run("publish again",
		chromedp.Click(`button[value="publish"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery),
		chromedp.Text(".flash", &flash, chromedp.ByQuery),
	)
	if !strings.HasPrefix(flash, words["fr"].published) {
		t.Errorf("after publishing again: %q", flash)
	}
	list, err := ts.Store.ListPosts(context.Background(), store.PostFilter{OrgID: org.ID, Status: newsroom.StatusPublished})
	if err != nil || len(list) != 1 {
		t.Fatalf("published posts: %v %v", list, err)
	}
	if list[0].Title != title || list[0].BodyMD != body {
		t.Errorf("published %q: %q", list[0].Title, list[0].BodyMD)
	}
}

// Photos as phones take them, in French: three of 17 MB come back as an
// error next to each image, with the title kept; four of 22 MB, over what
// the server reads, get the editor's page saying the limits, with a link
// back to the form. Nothing is published.
func TestEditorLargePhotosInChromium(t *testing.T) {
	e := newEditorSession(t, "sqlite", "fr")
	ts, org := e.ts, e.org
	run := e.run(t)
	text := e.text(t)
	login(t, run, ts.URL, "camille@example.org")
	dir := t.TempDir()
	photos := func(n int, size int64) []string {
		var files []string
		for i := range n {
			name := filepath.Join(dir, fmt.Sprintf("photo%d-%d.jpg", i+1, size))
			// A JPEG's first bytes, then a hole: the file reads as zeros
			// without taking the disk.
			if err := os.WriteFile(name, []byte{0xff, 0xd8, 0xff, 0xe0}, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(name, size); err != nil {
				t.Fatal(err)
			}
			files = append(files, name)
		}
		return files
	}
	compose := func(what string, files []string, wait chromedp.Action) {
		t.Helper()
		actions := []chromedp.Action{
			chromedp.Navigate(ts.URL + "/admin/orgs/soga/compose"),
			chromedp.WaitReady("#title", chromedp.ByQuery),
			chromedp.SendKeys("#title", "Assemblée générale", chromedp.ByQuery),
		}
		for i, f := range files {
			actions = append(actions,
				chromedp.SetUploadFiles(fmt.Sprintf("#media_%d_file", i), []string{f}, chromedp.ByQuery),
				chromedp.SetValue(fmt.Sprintf("#media_%d_alt", i), "La salle", chromedp.ByQuery))
		}
		actions = append(actions, chromedp.Click(`button[value="publish"]`, chromedp.ByQuery), wait)
		run(what, actions...)
	}

	// The form comes back with the other images' slots open.
	compose("three 17 MB photos", photos(3, 17_000_000), chromedp.WaitVisible("#media_2-error", chromedp.ByQuery))
	var gotTitle string
	run("read the title", chromedp.Value("#title", &gotTitle, chromedp.ByQuery))
	if gotTitle != "Assemblée générale" {
		t.Errorf("title %q", gotTitle)
	}
	for i := range 3 {
		if got := text(fmt.Sprintf("#media_%d-error", i)); !strings.HasPrefix(got, "Cette image est trop grande") {
			t.Errorf("image %d: %q", i+1, got)
		}
	}

	compose("four 22 MB photos", photos(4, 22_000_000), chromedp.WaitNotPresent("#title", chromedp.ByQuery))
	if got := text("main h1"); got != "Les images sont trop lourdes pour être envoyées" {
		t.Errorf("heading %q", got)
	}
	if got := text("main"); !strings.Contains(got, "8 Mo par image, et 4 images par publication") {
		t.Errorf("the page does not say the limits: %q", got)
	}
	var href string
	run("the link back", chromedp.AttributeValue("main a", "href", &href, nil, chromedp.ByQuery))
	if got := text("main a"); got != "Revenir au formulaire" || href != "/admin/orgs/soga/compose" {
		t.Errorf("link %q to %q", got, href)
	}
	if n, _ := ts.Store.CountPosts(context.Background(), store.PostFilter{OrgID: org.ID}); n != 0 {
		t.Fatalf("%d posts", n)
	}
}
