package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/browsertest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

// peopleWords are what the people flows read, in each language.
var peopleWords = map[string]struct{ nomail, approved, likes string }{
	"en": {"Ask an administrator", "Approved", "Likes: 1"},
	"fr": {"Demandez à un administrateur", "approuvée", "J’aime\u202f: 1"},
}

// In a real browser, at a phone's width and a laptop's, in English and
// French: an administrator invites an editor, who sets their password
// from the link and lands logged in; the administrator makes a reset link,
// with which the editor sets another; "Forgot your password?" without
// SMTP says to ask an administrator; a fediverse reply, shown with its
// author's name, is approved and appears on the public post page with the
// post's like. Every page: axe-core finds nothing serious, nothing is
// loaded from another origin, and a screenshot is saved.
func TestPeopleFlowsInChromium(t *testing.T) {
	for _, width := range []int{360, 1280} {
		for _, lang := range []string{"en", "fr"} {
			t.Run(fmt.Sprintf("%d-%s", width, lang), func(t *testing.T) { peopleFlow(t, width, lang) })
		}
	}
}

func peopleFlow(t *testing.T, width int, lang string) {
	ctx := browsertest.Start(t, browsertest.Options{Width: width, Height: 900})
	ts := startServer(t, "sqlite")
	org := ts.createOrg(t, "soga", "Social Good Accelerator")
	bg := context.Background()
	if _, err := users.New(ts.Store).Create(bg, users.NewUser{Email: "admin@example.org", Name: "Ada",
		Password: browserPassword, IsAdmin: true}); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.SetLanguage(ctx, lang); err != nil {
		t.Fatal(err)
	}
	// A reader with a display name in another script follows, likes and
	// replies.
	alice := fedtest.NewPeer(t, "alice")
	alice.SetDisplayName(":sparkles: Alice Núñez — مريم")
	followedBy(t, ts, org, alice)
	postURL := publishedPost(t, ts, org, "01JPEOPLEBROWSER0000000001")
	if code := send(t, alice, ts.SharedInboxURL(), alice.Like(postURL)); code != 202 {
		t.Fatalf("like: %d", code)
	}
	reply := alice.Reply(postURL, "<p>Merci pour cet atelier, à bientôt !</p>")
	if code := send(t, alice, ts.SharedInboxURL(), reply); code != 202 {
		t.Fatalf("reply: %d", code)
	}

	w := peopleWords[lang]
	log := &browsertest.RequestLog{}
	if err := log.Listen(ctx); err != nil {
		t.Fatal(err)
	}
	e := &editorSession{ctx: ctx, ts: ts, org: org}
	run, text := e.run(t), e.text(t)
	dir := screenshotDir(t)
	shots := 0
	look := func(what string) {
		t.Helper()
		for _, v := range browsertest.Axe(t, ctx).Violations {
			if v.Serious() {
				t.Errorf("%s: %s", what, v)
			}
		}
		urls, blocked := log.Take()
		for _, u := range urls {
			if !strings.HasPrefix(u, ts.URL+"/") && !strings.HasPrefix(u, "data:") {
				t.Errorf("%s requested another origin: %s", what, u)
			}
		}
		if len(blocked) > 0 {
			t.Errorf("%s: requests refused by the browser: %v", what, blocked)
		}
		var overflow bool
		run("width of "+what, chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow))
		if overflow {
			t.Errorf("%s is wider than %d px", what, width)
		}
		var shot []byte
		run("screenshot of "+what, chromedp.FullScreenshot(&shot, 100))
		shots++
		name := fmt.Sprintf("people-%d-%s-%02d-%s.png", width, lang, shots, what)
		if err := os.WriteFile(filepath.Join(dir, name), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logout := func() {
		run("log out", chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery),
			chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery))
	}

	// Forgotten password, without SMTP.
	run("forgot", chromedp.Navigate(ts.URL+"/login"), chromedp.Click(`a[href="/login/forgot"]`, chromedp.ByQuery),
		chromedp.WaitVisible("main h1", chromedp.ByQuery))
	if got := text("main"); !strings.Contains(got, w.nomail) {
		t.Errorf("forgot page: %q", got)
	}
	look("forgot")

	// Invitation.
	login(t, run, ts.URL, "admin@example.org")
	run("new user form", chromedp.Navigate(ts.URL+"/admin/users/new"), chromedp.WaitVisible("#email", chromedp.ByQuery))
	if got := text("#invite-hint"); got == "" {
		t.Error("the new-user form does not tell the administrator about the link")
	}
	look("new-user")
	run("invite", chromedp.SendKeys("#email", "ines@example.org", chromedp.ByQuery),
		chromedp.SendKeys("#name", "Inès", chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`input[name="orgs"][value="%d"]`, org.ID), chromedp.ByQuery),
		chromedp.Click(`form.form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#link", chromedp.ByQuery))
	var invite string
	run("read the link", chromedp.Value("#link", &invite, chromedp.ByQuery))
	if !strings.HasPrefix(invite, ts.URL+"/invite/") {
		t.Fatalf("invitation link %q", invite)
	}
	look("invitation-link")
	logout()
	run("open the invitation", chromedp.Navigate(invite), chromedp.WaitVisible("#password", chromedp.ByQuery),
		chromedp.SendKeys("#password", "short", chromedp.ByQuery),
		chromedp.Click(`form.form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#password-error", chromedp.ByQuery))
	look("invitation-error")
	run("choose a password", chromedp.SendKeys("#password", "ines chose this one", chromedp.ByQuery),
		chromedp.Click(`form.form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/logout"]`, chromedp.ByQuery))
	look("invited-dashboard")
	ines, err := users.New(ts.Store).Authenticate(bg, "ines@example.org", "ines chose this one")
	if err != nil {
		t.Fatalf("the invitee's password: %v", err)
	}
	logout()

	// Reset link.
	login(t, run, ts.URL, "admin@example.org")
	run("user page", chromedp.Navigate(ts.URL+"/admin/users/edit/"+strconv.FormatInt(ines.ID, 10)),
		chromedp.Click(`form[action^="/admin/users/link/"] button`, chromedp.ByQuery),
		chromedp.WaitVisible("#link", chromedp.ByQuery))
	var reset string
	run("read the link", chromedp.Value("#link", &reset, chromedp.ByQuery))
	if !strings.HasPrefix(reset, ts.URL+"/reset/") {
		t.Fatalf("reset link %q", reset)
	}
	look("reset-link")

	// Followers and replies show people as people.
	run("followers", chromedp.Navigate(ts.URL+"/admin/orgs/soga/followers"), chromedp.WaitVisible(".person", chromedp.ByQuery))
	if got := text("table"); !strings.Contains(got, "Alice Núñez — مريم") || !strings.Contains(got, "@alice@"+alice.Host) {
		t.Errorf("followers: %q", got)
	}
	look("followers")
	run("replies", chromedp.Navigate(ts.URL+"/admin/orgs/soga/replies"), chromedp.WaitVisible(".person", chromedp.ByQuery))
	look("replies")
	run("approve", chromedp.Click(`button[value="approve"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash, [role=status]", chromedp.ByQuery))
	logout()

	run("the public page", chromedp.Navigate(postURL), chromedp.WaitVisible(".replies li", chromedp.ByQuery))
	if got := text(".replies"); !strings.Contains(got, "Merci pour cet atelier") || !strings.Contains(got, "Alice Núñez") ||
		!strings.Contains(got, "@alice@"+alice.Host) || !strings.Contains(got, w.likes) || strings.Contains(got, ":sparkles:") {
		t.Errorf("replies on the public page: %q", got)
	}
	look("public-post")

	run("open the reset link", chromedp.Navigate(reset), chromedp.WaitVisible("#password", chromedp.ByQuery),
		chromedp.SendKeys("#password", "ines chose another", chromedp.ByQuery),
		chromedp.Click(`form.form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/logout"]`, chromedp.ByQuery))
	if _, err := users.New(ts.Store).Authenticate(bg, "ines@example.org", "ines chose another"); err != nil {
		t.Fatalf("the reset password: %v", err)
	}
	if rep, err := ts.Store.ReplyByObjectID(bg, reply["object"].(map[string]any)["id"].(string)); err != nil || rep.Status != newsroom.ReplyApproved {
		t.Fatalf("reply %v %v", rep, err)
	}
}
