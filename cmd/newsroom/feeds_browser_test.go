package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/internal/browsertest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/users"
)

// An administrator, in a real browser, opens an organisation's website
// feeds from the list of organisations, adds the member's site by the
// address of its home page, sees the feed found and its history
// imported, asks for a poll, and removes it. A mistyped address is
// refused with the reason, and what was typed is kept.
func TestFeedsPageInChromium(t *testing.T) {
	ctx := browsertest.Start(t)
	if err := browsertest.SetLanguage(ctx, "fr"); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, "sqlite")
	org := ts.createOrg(t, "emmaus-connect", "Emmaüs Connect")
	if _, err := users.New(ts.Store).Create(context.Background(), users.NewUser{Email: "admin@example.org",
		Name: "Ada", Password: browserPassword, IsAdmin: true}); err != nil {
		t.Fatal(err)
	}
	site := newMemberSite(t)
	e := &editorSession{ctx: ctx, ts: ts, org: org}
	run := e.run(t)
	login(t, run, ts.URL, "admin@example.org")
	var page string
	run("open the feeds page",
		chromedp.Navigate(ts.URL+"/admin/organisations"),
		chromedp.Click(`a[href="/admin/orgs/emmaus-connect/feeds"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#url", chromedp.ByQuery),
		chromedp.Text("main", &page, chromedp.ByQuery))
	if !strings.Contains(page, `<meta name="fediverse:creator" content="@emmaus-connect@`+ts.URLs.Host()+`">`) {
		t.Errorf("the fediverse:creator line is missing:\n%s", page)
	}

	var problem, kept string
	run("a page without a feed",
		chromedp.SendKeys("#url", site.URL+"/nothing-here", chromedp.ByQuery),
		chromedp.Click(`form.form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".form-error", chromedp.ByQuery),
		chromedp.Text(".form-error", &problem, chromedp.ByQuery),
		chromedp.Value("#url", &kept, chromedp.ByQuery))
	if !strings.Contains(problem, "n’a pas pu être ajouté") || !strings.Contains(problem, "404") || kept != site.URL+"/nothing-here" {
		t.Errorf("refusal %q, kept %q", problem, kept)
	}

	run("add the site",
		chromedp.Clear("#url", chromedp.ByQuery),
		chromedp.SendKeys("#url", site.URL+"/feed/", chromedp.ByQuery),
		chromedp.SetValue("#backfill", "2", chromedp.ByQuery),
		chromedp.Click(`form.form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery))
	eventually(t, "history imported", func() string {
		n, err := ts.Store.CountPosts(context.Background(), store.PostFilter{OrgID: org.ID, Status: newsroom.StatusPublished})
		if err != nil || n != 2 {
			return "not yet"
		}
		return ""
	})
	var row string
	run("see its state",
		chromedp.Navigate(ts.URL+"/admin/orgs/emmaus-connect/feeds"),
		chromedp.Text("tbody tr", &row, chromedp.ByQuery))
	if !strings.Contains(row, site.URL+"/feed/") || !strings.Contains(row, "200") || !strings.Contains(row, "Relevé") {
		t.Errorf("row: %q", row)
	}
	run("poll now",
		chromedp.Click(`form[action$="/poll"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`//*[contains(@class, "flash") and contains(., "Relevé demandé")]`, chromedp.BySearch))
	run("remove",
		chromedp.Click(`form[action$="/remove"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`//*[contains(@class, "flash") and contains(., "Flux retiré")]`, chromedp.BySearch))
	if list, _ := ts.Store.ListFeedSources(context.Background(), org.ID); len(list) != 0 {
		t.Errorf("after remove: %+v", list)
	}
}
