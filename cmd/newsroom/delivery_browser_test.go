package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
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
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/users"
)

// An editor, in a real browser, opens a post's delivery page from the
// posts list and reads which followers' servers did not get it and why,
// in plain words: one answering 503 and retried later, one refusing
// connections, one saying the account is gone (given up). In English
// and French, at 360 px and 1280 px, without accessibility violations or
// requests to another origin.
func TestDeliveryPageInChromium(t *testing.T) {
	ctx := browsertest.Start(t)
	ts := startServer(t, "sqlite")
	// The next attempt comes in an hour: the page shows it waiting.
	ts.services.delivery.SetBackoff(func(int) time.Duration { return time.Hour })
	org, busy, gone := deliveryFollowers(t, ts)
	bg := context.Background()
	// A follower whose server refuses connections: nothing listens there.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadHost := closed.Addr().String()
	closed.Close()
	if err := ts.Store.AddFollower(bg, newsroom.Follower{OrgID: org.ID, ActorID: "http://" + deadHost + "/users/zoe",
		Host: deadHost, Inbox: "http://" + deadHost + "/users/zoe/inbox", CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}

	post, act := publishMeeting(t, ts, org)
	want := newsroom.DeliveryProgress{Total: 4, Delivered: 1, Pending: 2, Failed: 1, Retrying: 2}
	eventually(t, "every server tried", func() string {
		if p, _ := ts.Store.DeliveryProgress(bg, act.ID); p != want {
			b, _ := json.Marshal(p)
			return string(b)
		}
		return ""
	})

	e := &editorSession{ctx: ctx, ts: ts, org: org}
	run, text := e.run(t), e.text(t)
	log := &browsertest.RequestLog{}
	if err := log.Listen(ctx); err != nil {
		t.Fatal(err)
	}
	busyHost, goneHost := hostOfURL(t, busy.SharedInbox), hostOfURL(t, gone.SharedInbox)
	expect := map[string][]string{
		"en": {"The server answered 503 (unavailable).", "Retrying on ", "Connection refused: nothing answers at this address.",
			"The server says the account is gone (410).", "Given up", "Attempts: 1"},
		"fr": {"Le serveur a répondu 503 (indisponible).", "Nouvel essai le ", "Connexion refusée\u202f: rien ne répond à cette adresse.",
			"Le serveur indique que le compte n’existe plus (410).", "Abandonné", "Tentatives\u202f: 1"},
	}
	dir := screenshotDir(t)
	for _, lang := range []string{"en", "fr"} {
		if err := browsertest.SetLanguage(ctx, lang); err != nil {
			t.Fatal(err)
		}
		login(t, run, ts.URL, "camille@example.org")
		run("open the delivery page from the posts list",
			chromedp.EmulateViewport(1280, 800),
			chromedp.Navigate(ts.URL+"/admin/orgs/soga/posts"),
			chromedp.Click(`a[href="/admin/posts/`+post.ID+`/delivery"]`, chromedp.ByQuery),
			chromedp.WaitVisible("ul.trouble", chromedp.ByQuery))
		page := text("main")
		for _, s := range append(expect[lang], busyHost, goneHost, deadHost) {
			if !strings.Contains(page, s) {
				t.Errorf("%s: the delivery page does not say %q:\n%s", lang, s, page)
			}
		}
		// The failures read in order: given up first, then those retrying.
		if strings.Index(page, goneHost) > strings.Index(page, busyHost) {
			t.Errorf("%s: the given-up server is not listed first:\n%s", lang, page)
		}
		for _, v := range browsertest.Axe(t, ctx).Violations {
			if v.Serious() {
				t.Errorf("delivery page (%s): %s", lang, v)
			} else {
				t.Logf("delivery page (%s): %s", lang, v)
			}
		}
		for _, width := range []int64{360, 1280} {
			var scrollWidth int64
			var shot []byte
			run(fmt.Sprintf("at %d px", width),
				chromedp.EmulateViewport(width, 800),
				chromedp.Navigate(ts.URL+"/admin/posts/"+post.ID+"/delivery"),
				chromedp.WaitVisible("ul.trouble", chromedp.ByQuery),
				chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollWidth),
				chromedp.FullScreenshot(&shot, 100))
			if scrollWidth > width {
				t.Errorf("%s at %d px scrolls sideways: %d px wide", lang, width, scrollWidth)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("delivery-%d-%s.png", width, lang)), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		urls, blocked := log.Take()
		for _, u := range urls {
			if !strings.HasPrefix(u, ts.URL+"/") && !strings.HasPrefix(u, "data:") {
				t.Errorf("%s: requested another origin: %s", lang, u)
			}
		}
		if len(blocked) > 0 {
			t.Errorf("%s: requests refused by the browser: %v", lang, blocked)
		}
		run("logout", chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery), chromedp.WaitVisible("#email", chromedp.ByQuery))
	}
}

func hostOfURL(t *testing.T, raw string) string {
	t.Helper()
	h, _, ok := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(raw, "http://"), "https://"), "/")
	if !ok {
		t.Fatalf("no host in %q", raw)
	}
	return h
}

// deliveryFollowers makes the organisation soga, its editor
// camille@example.org, and three followers' servers: one that accepts,
// one answering 503 (busy) and one saying the account is gone (410).
func deliveryFollowers(t *testing.T, ts *testServer) (org *newsroom.Organisation, busy, gone *fedtest.Peer) {
	t.Helper()
	org = ts.createOrg(t, "soga", "Social Good Accelerator")
	if _, err := users.New(ts.Store).Create(context.Background(), users.NewUser{Email: "camille@example.org",
		Name: "Camille", Password: browserPassword, OrgIDs: []int64{org.ID}}); err != nil {
		t.Fatal(err)
	}
	fine, busy, gone := fedtest.NewPeer(t, "fine"), fedtest.NewPeer(t, "busy"), fedtest.NewPeer(t, "gone")
	for _, p := range []*fedtest.Peer{fine, busy, gone} {
		followedBy(t, ts, org, p)
	}
	busy.RespondAlways(http.StatusServiceUnavailable)
	gone.RespondAlways(http.StatusGone)
	return org, busy, gone
}

// publishMeeting publishes a post to org's followers and returns it with
// its Create.
func publishMeeting(t *testing.T, ts *testServer, org *newsroom.Organisation) (*newsroom.Post, *newsroom.Activity) {
	t.Helper()
	post, err := ts.services.posts.Publish(context.Background(), posts.PostInput{OrgID: org.ID, Kind: newsroom.KindArticle,
		Title: "Assemblée générale", Body: "Samedi, à la Maison des associations."})
	if err != nil {
		t.Fatal(err)
	}
	act, err := ts.Store.LatestDelivered(context.Background(), post.ID)
	if err != nil {
		t.Fatal(err)
	}
	return post, act
}
