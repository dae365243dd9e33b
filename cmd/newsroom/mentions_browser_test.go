package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/browsertest"
)

// An editor, in French, mentions an account that does not exist: the form
// comes back with the error on the text, naming the account, and what was
// written kept. With a real account, the post is published, its page links
// to the account (no request to its server from the page), and the
// account's server receives it. Both pages pass axe-core.
func TestMentionInChromium(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		e := newEditorSession(t, backend, "fr")
		ts := e.ts
		run, text := e.run(t), e.text(t)
		bob := fedtest.NewPeer(t, "bob")
		login(t, run, ts.URL, "camille@example.org")
		dir := screenshotDir(t)
		shoot := func(name string) {
			t.Helper()
			var png []byte
			run("screenshot "+name, chromedp.FullScreenshot(&png, 100))
			if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		axe := func(what string) {
			t.Helper()
			for _, v := range browsertest.Axe(t, e.ctx).Violations {
				if v.Serious() {
					t.Errorf("%s: %s", what, v)
				}
			}
		}

		unknown := "Merci à @personne@" + bob.Host + " pour son aide."
		run("compose",
			chromedp.Navigate(ts.URL+"/admin/orgs/soga/compose"),
			chromedp.WaitReady("#title", chromedp.ByQuery),
			chromedp.SetValue("#lang", "fr", chromedp.ByQuery),
			chromedp.SendKeys("#title", "Remerciements", chromedp.ByQuery),
			chromedp.SetValue("#summary", "Un grand merci.", chromedp.ByQuery),
			chromedp.SetValue("#body", unknown, chromedp.ByQuery),
			chromedp.Click(`button[value="publish"]`, chromedp.ByQuery),
			chromedp.WaitVisible("#body-error", chromedp.ByQuery),
		)
		want := "Le compte @personne@" + bob.Host + " n’existe pas"
		if got := text("#body-error"); !strings.HasPrefix(got, want) {
			t.Errorf("error on the text: %q, want %q…", got, want)
		}
		var body, title string
		run("read the form", chromedp.Value("#body", &body, chromedp.ByQuery), chromedp.Value("#title", &title, chromedp.ByQuery))
		if body != unknown || title != "Remerciements" {
			t.Errorf("input not kept: %q %q", title, body)
		}
		axe("form with a mention error")
		shoot("mention-error-fr")

		run("publish",
			chromedp.SetValue("#body", "Merci à @bob@"+bob.Host+" pour son aide.", chromedp.ByQuery),
			chromedp.Click(`button[value="publish"]`, chromedp.ByQuery),
			chromedp.WaitVisible(".flash", chromedp.ByQuery),
		)
		if got := text(".flash"); !strings.HasPrefix(got, words["fr"].published) {
			t.Fatalf("after publishing: %q", got)
		}
		created, err := waitFor(bob, func(r fedtest.Received) bool { return r.Type() == "Create" && r.Accepted() })
		if err != nil {
			t.Fatal(err)
		}
		postURL := created.Object()
		var href, label string
		run("public page",
			chromedp.Navigate(postURL),
			chromedp.WaitReady("article a.mention", chromedp.ByQuery),
			chromedp.AttributeValue("article a.mention", "href", &href, nil, chromedp.ByQuery),
			chromedp.Text("article a.mention", &label, chromedp.ByQuery),
		)
		if href != bob.URL+"/@bob" || label != "@bob" {
			t.Errorf("mention on the page: %q %q", href, label)
		}
		axe("public page with a mention")
		shoot("mention-page-fr")
		for _, r := range bob.Requests() {
			if strings.HasPrefix(r.Path, "/@") {
				t.Errorf("the page made a request to the mentioned server: %s", r.Path)
			}
		}
	})
}
