package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/browsertest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// policyWords are what the policy controls say in each language.
var policyWords = map[string]struct{ quote, inherit, approved string }{
	"en": {"Quote", "As the organisation: Anyone", "Quote approved."},
	"fr": {"Citer", "Comme l’organisation\u202f: Tout le monde", "Citation acceptée."},
}

// An editor, in a real browser, chooses who may quote and reply to a
// post in the form's policy fieldset and publishes it; the post keeps
// those choices. A quote of it then waits on the quotes page, where the
// editor approves it and the quoting server gets the Accept. Both pages
// are checked with axe-core at 360 px and 1280 px, in English and French,
// and photographed.
func TestPolicyControlsInChromium(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) { policyFlow(t, lang) })
	}
}

func policyFlow(t *testing.T, lang string) {
	e := newEditorSession(t, "sqlite", lang)
	ts, org := e.ts, e.org
	run, text := e.run(t), e.text(t)
	w := policyWords[lang]
	dir := screenshotDir(t)
	check := func(name string) {
		t.Helper()
		checkWidths(t, e.ctx, run, func(width int) {
			var png []byte
			run("screenshot", chromedp.FullScreenshot(&png, 100))
			if err := os.WriteFile(filepath.Join(dir, name+"-"+lang+"-"+strconv.Itoa(width)+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}, name)
	}
	login(t, run, ts.URL, "camille@example.org")

	run("compose",
		chromedp.Navigate(ts.URL+"/admin/orgs/soga/compose"),
		chromedp.WaitReady("#policy", chromedp.ByQuery))
	if got := text(`label[for="policy_quote"]`); got != w.quote {
		t.Errorf("quote label %q, want %q", got, w.quote)
	}
	var inherit string
	// An option's text is not rendered while its select is closed.
	run("inherited choice", chromedp.Evaluate(`document.querySelector('#policy_quote option[value=""]').textContent`, &inherit))
	if got := inherit; got != w.inherit {
		t.Errorf("inherited choice %q, want %q", got, w.inherit)
	}
	check("policy-form")
	run("publish with a policy",
		chromedp.Click(`input[name="kind"][value="press"]`, chromedp.ByQuery),
		chromedp.SendKeys("#title", "Déclaration", chromedp.ByQuery),
		chromedp.SetValue("#body", "Notre position.", chromedp.ByQuery),
		chromedp.SetValue("#policy_quote", "manual", chromedp.ByQuery),
		chromedp.SetValue("#policy_reply", "followers", chromedp.ByQuery),
		chromedp.Click(`button[value="publish"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery))
	list, err := ts.Store.ListPosts(context.Background(), store.PostFilter{OrgID: org.ID, Kind: newsroom.KindPress})
	if err != nil || len(list) != 1 {
		t.Fatalf("posts: %+v %v", list, err)
	}
	want := newsroom.InteractionPolicy{Quote: newsroom.ApprovalManual, Reply: newsroom.ApprovalFollowers}
	if list[0].Policy != want {
		t.Fatalf("stored policy %+v, want %+v", list[0].Policy, want)
	}

	carol := fedtest.NewPeer(t, "carol")
	req := carol.QuoteRequest(carol.Quote(ts.URLs.Post("soga", list[0].ID), "<p>Une citation</p>"))
	if code := send(t, carol, ts.URLs.SharedInbox(), req); code != 202 {
		t.Fatalf("QuoteRequest answered %d", code)
	}
	run("quotes page",
		chromedp.Navigate(ts.URL+"/admin/orgs/soga/posts"),
		chromedp.Click(`nav.tabs a[href="/admin/orgs/soga/quotes"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`button[value="approve"]`, chromedp.ByQuery))
	if got := text("ul.rows"); !strings.Contains(got, "Une citation") || !strings.Contains(got, "Déclaration") {
		t.Errorf("quotes page: %q", got)
	}
	check("quotes")
	run("approve",
		chromedp.Click(`button[value="approve"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery))
	if got := text(".flash"); !strings.Contains(got, w.approved) {
		t.Errorf("flash %q, want %q", got, w.approved)
	}
	if _, err := waitFor(carol, func(r fedtest.Received) bool { return r.Type() == "Accept" && r.Object() == req["id"] }); err != nil {
		t.Fatal(err)
	}
}

// checkWidths checks the page at a phone's width and a laptop's: nothing
// serious for axe-core, no sideways scrolling; shoot photographs it at
// each. It ends back at the laptop's width.
func checkWidths(t *testing.T, ctx context.Context, run func(string, ...chromedp.Action), shoot func(width int), name string) {
	t.Helper()
	for _, width := range []int{360, 1280} {
		run("viewport", chromedp.EmulateViewport(int64(width), 800))
		for _, v := range browsertest.Axe(t, ctx).Violations {
			if v.Serious() {
				t.Errorf("%s at %d px: %s", name, width, v)
			}
		}
		var overflow bool
		run("overflow", chromedp.Evaluate(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &overflow))
		if overflow {
			t.Errorf("%s at %d px scrolls sideways", name, width)
		}
		shoot(width)
	}
	run("back to desktop", chromedp.EmulateViewport(1280, 800))
}
