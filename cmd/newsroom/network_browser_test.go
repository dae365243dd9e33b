package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/browsertest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

// networkFixture gives org a followed member account and a post of it
// waiting for review, whose HTML carries an image from another origin
// that no page may load.
func networkFixture(t *testing.T, ts *testServer, org *newsroom.Organisation) {
	t.Helper()
	ctx := context.Background()
	actor := "https://member.example/users/ada"
	if err := ts.Store.PutNetworkAccount(ctx, &newsroom.NetworkAccount{OrgID: org.ID, ActorID: actor, Acct: "ada@member.example",
		Name: "Ada", Inbox: actor + "/inbox", State: newsroom.NetworkFollowing, Tags: []string{"inclusion"}, Review: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Store.AddBoost(ctx, &newsroom.Boost{OrgID: org.ID, ObjectID: actor + "/statuses/1", ActorID: actor,
		State: newsroom.BoostQueued, ContentHTML: `<p>Atelier <img src="https://member.example/p.png" alt=""></p>`,
		AuthorName: "Ada", AuthorAcct: "ada@member.example", URL: actor + "/statuses/1", Lang: "fr",
		Published: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
}

// boosted gives org a boosted member post whose HTML carries an image and
// a style from another origin, which the Network page must not load.
func boosted(t *testing.T, ts *testServer, org *newsroom.Organisation) {
	t.Helper()
	actor := "https://member.example/users/ada"
	if _, err := ts.Store.AddBoost(context.Background(), &newsroom.Boost{OrgID: org.ID, ObjectID: actor + "/statuses/2",
		ActorID: actor, AnnounceID: "01JBOOSTEDFIXTURE000000000", State: newsroom.BoostDone,
		ContentHTML: `<p style="background:url(https://member.example/bg.png)">Forum <a href="https://member.example/tags/inclusion">#Inclusion</a> <img src="https://member.example/p.png" alt="affiche"></p>`,
		AuthorName:  "Ada", AuthorAcct: "ada@member.example", URL: "https://member.example/@ada/2", Lang: "fr",
		Published: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	ts.Cache.Invalidate()
}

// An administrator, in a real browser, follows a member's account from
// the Network page with a hashtag rule and review; the member accepts,
// publishes, and the post waits on the page until the administrator
// boosts it, which reaches the organisation's follower.
func TestNetworkPageInChromium(t *testing.T) {
	ctx := browsertest.Start(t)
	ts := startServer(t, "sqlite")
	org := ts.createOrg(t, "soga", "Social Good Accelerator")
	if _, err := users.New(ts.Store).Create(context.Background(), users.NewUser{Email: "admin@example.org",
		Name: "Ada", Password: browserPassword, IsAdmin: true}); err != nil {
		t.Fatal(err)
	}
	reader := fedtest.NewPeer(t, "reader")
	followedBy(t, ts, org, reader)
	member := fedtest.NewPeer(t, "member")
	member.AnswerFollows("Accept")
	if err := browsertest.SetLanguage(ctx, "en"); err != nil {
		t.Fatal(err)
	}
	e := &editorSession{ctx: ctx, ts: ts, org: org}
	run := e.run(t)
	text := e.text(t)
	login(t, run, ts.URL, "admin@example.org")

	run("open the Network page",
		chromedp.Navigate(ts.URL+"/admin/orgs/soga/posts"),
		chromedp.Click(`nav.tabs a[href="/admin/orgs/soga/network"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#account", chromedp.ByQuery))
	// A mistake first: the form comes back with the error and what was typed.
	run("an unknown account",
		chromedp.SendKeys("#account", "@nobody@127.0.0.1:1", chromedp.ByQuery),
		chromedp.SendKeys("#tags", "#Inclusion", chromedp.ByQuery),
		chromedp.Click(`form.form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#account-error", chromedp.ByQuery))
	if got := text("#account-error"); !strings.Contains(got, "cannot be found") {
		t.Fatalf("error: %q", got)
	}
	var tags string
	run("tags kept", chromedp.Value("#tags", &tags, chromedp.ByQuery))
	if tags != "#Inclusion" {
		t.Errorf("tags after the error: %q", tags)
	}
	run("follow the member",
		chromedp.SetValue("#account", "@"+member.Acct(), chromedp.ByQuery),
		chromedp.Click(`input[name="review"]`, chromedp.ByQuery),
		chromedp.Click(`form.form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash, [role=status]", chromedp.ByQuery))
	waitState(t, ts, org, member.ActorID, newsroom.NetworkFollowing)
	run("reload", chromedp.Reload(), chromedp.WaitVisible("table", chromedp.ByQuery))
	if got := text("table tbody"); !strings.Contains(got, member.Acct()) || !strings.Contains(got, "Following") || !strings.Contains(got, "#inclusion") {
		t.Fatalf("accounts: %q", got)
	}

	note, _, err := member.Publish(context.Background(), fedtest.Post{Content: "<p>Atelier numérique</p>", Tags: []string{"Inclusion"}})
	if err != nil {
		t.Fatal(err)
	}
	noteID := note["id"].(string)
	run("the post waits", chromedp.Reload(), chromedp.WaitVisible(".network-queue", chromedp.ByQuery))
	if got := text(".network-queue"); !strings.Contains(got, "Atelier numérique") {
		t.Fatalf("queue: %q", got)
	}
	if anns, _ := announcesOf(reader, ts, "soga", noteID); len(anns) > 0 {
		t.Fatal("boosted before review")
	}
	run("boost it",
		chromedp.Click(`.network-queue button[value="approve"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash, [role=status]", chromedp.ByQuery))
	activityFrom(t, reader, ts, "Announce", noteID)
	activityFrom(t, member, ts, "Announce", noteID)
	if got := text("main"); strings.Contains(got, "Atelier numérique") {
		t.Errorf("the boosted post is still in the queue: %q", got)
	}
}
