package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/browsertest"
	"github.com/soga/newsroom/internal/users"
)

// An administrator, in a real browser and in French, moves an
// organisation: first to an account that does not list it (the form
// comes back with the error in French and the address kept), then, once
// the account lists it, for real; the follower's server gets the Move.
// The followers page offers the list as Mastodon's import CSV, which
// downloads as an attachment. Both pages pass axe-core.
func TestMovePageInChromium(t *testing.T) {
	ctx := browsertest.Start(t)
	ts := startServer(t, "sqlite")
	org := ts.createOrg(t, "soga", "Social Good Accelerator")
	if _, err := users.New(ts.Store).Create(context.Background(), users.NewUser{Email: "admin@example.org",
		Name: "Ada", Password: browserPassword, IsAdmin: true}); err != nil {
		t.Fatal(err)
	}
	reader := fedtest.NewPeer(t, "reader")
	followedBy(t, ts, org, reader)
	newHome := fedtest.NewPeer(t, "soga")
	if err := browsertest.SetLanguage(ctx, "fr"); err != nil {
		t.Fatal(err)
	}
	e := &editorSession{ctx: ctx, ts: ts, org: org}
	run := e.run(t)
	text := e.text(t)
	login(t, run, ts.URL, "admin@example.org")
	dir := screenshotDir(t)
	check := func(what string) {
		t.Helper()
		for _, v := range browsertest.Axe(t, ctx).Violations {
			if v.Serious() {
				t.Errorf("%s: %s", what, v)
			}
		}
		var shot []byte
		run("screenshot of "+what, chromedp.FullScreenshot(&shot, 100))
		if err := os.WriteFile(filepath.Join(dir, "move-"+what+".png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	run("open the moving page",
		chromedp.Navigate(ts.URL+"/admin/orgs/soga/posts"),
		chromedp.Click(`nav.tabs a[href="/admin/orgs/soga/move"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#to", chromedp.ByQuery))
	address := "@" + newHome.Acct()
	run("move to an account that does not list us",
		chromedp.SendKeys("#to", address, chromedp.ByQuery),
		chromedp.Click(`input[value="move"] ~ button`, chromedp.ByQuery),
		chromedp.WaitVisible("#to-error", chromedp.ByQuery))
	if got := text("#to-error"); !strings.Contains(got, "ne mentionne pas cette organisation") {
		t.Errorf("error: %q", got)
	}
	if got := text(".error-summary"); !strings.Contains(got, "Nouveau compte") {
		t.Errorf("error summary: %q", got)
	}
	var kept string
	run("address kept", chromedp.Value("#to", &kept, chromedp.ByQuery))
	if kept != address {
		t.Errorf("address after the error: %q", kept)
	}
	check("refused")

	newHome.SetAlsoKnownAs(ts.URLs.Org("soga"))
	run("move",
		chromedp.Click(`input[value="move"] ~ button`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery))
	if got := text("main"); !strings.Contains(got, newHome.ActorID) {
		t.Errorf("the page does not say where it moved: %q", got)
	}
	r := waitLong(t, reader, func(r fedtest.Received) bool { return r.Type() == "Move" })
	if target, err := reader.CheckMove(context.Background(), r); err != nil || target != newHome.ActorID {
		t.Errorf("Move: %q %v", target, err)
	}
	check("moved")

	run("the followers page", chromedp.Navigate(ts.URL+"/admin/orgs/soga/followers"),
		chromedp.WaitVisible(`a[href="/admin/orgs/soga/followers.csv"]`, chromedp.ByQuery))
	check("followers")
	var got []string
	run("download the CSV", chromedp.Evaluate(`fetch("/admin/orgs/soga/followers.csv").then(r =>
		r.text().then(t => [String(r.status), r.headers.get("Content-Disposition"), r.headers.get("Content-Type"), t]))`, &got,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if len(got) != 4 || got[0] != "200" || got[1] != `attachment; filename="soga-followers.csv"` || !strings.HasPrefix(got[2], "text/csv") ||
		got[3] != "Account address,Show boosts,Notify on new posts,Languages\n"+reader.Acct()+",true,false,\n" {
		t.Errorf("CSV download: %q", got)
	}
}
