package editor_test

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// postFrom sends form to path as a French browser on the page referer
// does: a path of this site, another address, or none when empty.
func (c *client) postFrom(path, referer string, form url.Values) response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "fr")
	if strings.HasPrefix(referer, "/") {
		referer = c.e.srv.URL + referer
	}
	if referer != "" {
		req.Header.Set("Referer", referer)
	}
	return c.do(req)
}

// loginAgain logs c in once more, as another tab of the same browser
// does: its session and form token are new, c.csrf still the old one.
func (c *client) loginAgain(email string) {
	c.e.t.Helper()
	_, body := c.get("/login")
	if r := c.post("/login", url.Values{"email": {email}, "password": {password}, "csrf_token": {token(c.e.t, body)}}); r.status != http.StatusSeeOther {
		c.e.t.Fatalf("login again: %d", r.status)
	}
}

var messageRE = regexp.MustCompile(`<h1>([^<]*)</h1>\s*<p>([^<]*)</p>\s*<p><a href="([^"]*)">([^<]*)</a></p>`)

// wantMessage checks that r is the message page with status, heading
// and a link to href reading label, its text not its heading again.
func wantMessage(t *testing.T, what string, r response, status int, heading, href, label string) {
	t.Helper()
	m := messageRE.FindStringSubmatch(r.body)
	if r.status != status || m == nil {
		t.Fatalf("%s: %d, want %d with a message: %s", what, r.status, status, r.body)
	}
	if m[1] != heading || m[2] == "" || m[2] == m[1] || m[3] != href || m[4] != label {
		t.Errorf("%s: heading %q, text %q, link %q to %q; want heading %q, link %q to %q",
			what, m[1], m[2], m[4], m[3], heading, label, href)
	}
}

// A form whose token is an earlier session's (the editor logged in again
// in another tab) does nothing, and says so with a link back to its page;
// one sent after logging out says to log in, and the link goes there.
func TestFormOfAnEarlierSession(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	stale := c.csrf
	c.loginAgain("editor@example.org")

	r := c.postFrom("/admin/account", "/admin/account", url.Values{"lang": {"en"}, "csrf_token": {stale}})
	wantMessage(t, "account", r, http.StatusForbidden, "Votre session a changé", "/admin/account", "Revenir à la page")
	if !strings.Contains(r.body, "rien n’a été fait") {
		t.Errorf("account: the page does not say nothing was done")
	}
	// A form that only posts, from a browser that sends no Referer.
	r = c.postFrom("/logout", "", url.Values{"csrf_token": {stale}})
	wantMessage(t, "logout", r, http.StatusForbidden, "Votre session a changé", "/admin/", "Tableau de bord")
	if status, _ := c.get("/admin/"); status != http.StatusOK {
		t.Fatalf("the form of an earlier session logged out: %d", status)
	}

	// Logged out, in another tab.
	_, home := c.get("/admin/")
	if r := c.post("/logout", url.Values{"csrf_token": {token(t, home)}}); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	r = c.postFrom("/admin/account", "/admin/account", url.Values{"lang": {"en"}, "csrf_token": {stale}})
	wantMessage(t, "logged out", r, http.StatusUnauthorized, "Vous n’êtes plus connecté·e", "/login?next=%2Fadmin%2Faccount",
		"Aller à la page de connexion")
	// A page elsewhere is not linked to.
	for _, referer := range []string{"https://evil.example/admin/account", "//evil.example/admin/account"} {
		r = c.postFrom("/admin/account", referer, url.Values{"csrf_token": {stale}})
		wantMessage(t, "logged out, from "+referer, r, http.StatusUnauthorized, "Vous n’êtes plus connecté·e",
			"/login?next=%2Fadmin%2F", "Aller à la page de connexion")
	}

	// The login form, without its cookie.
	r = e.anonymous().postFrom("/login", "/login", url.Values{"email": {"editor@example.org"}, "password": {password},
		"csrf_token": {stale}})
	wantMessage(t, "login", r, http.StatusForbidden, "Le formulaire a expiré", "/login", "Revenir au formulaire")
}

// The compose and edit forms of an earlier session (the editor logged in
// again in another tab) come back with what was typed, the new session's
// token and a sentence in the editor's language; nothing is stored,
// saved or published until the form is sent again, which then works.
func TestPostFormOfAnEarlierSessionComesBack(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	if r := c.form("/admin/account", url.Values{"lang": {"fr"}}); r.status != http.StatusSeeOther {
		t.Fatalf("language: %d", r.status)
	}
	stale := c.csrf
	c.loginAgain("editor@example.org")

	form := article("Assemblée générale")
	form.Set("body", "Un texte **long** à ne pas perdre.")
	form.Set("tags", "vie associative")
	form.Set("media_0_alt", "Affiche")
	r := c.multipart("/admin/orgs/alpha/compose", form, file{"media_0_file", "affiche.png", pngImage(t, 64, 48)})
	if r.status != http.StatusForbidden {
		t.Fatalf("compose: %d, want 403", r.status)
	}
	for _, want := range []string{
		`role="alert">Votre session a changé` + "\u202f" + `: vous vous êtes reconnecté·e`,
		`value="Assemblée générale"`,
		`>Un texte **long** à ne pas perdre.</textarea>`,
		`value="vie associative"`,
		`>Affiche</textarea>`,
		`id="media_0-error">Choisissez à nouveau cette image`,
		`name="action" value="publish"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("compose page lacks %q", want)
		}
	}
	fresh := token(t, r.body)
	if fresh == stale {
		t.Fatal("the form came back with the old token")
	}
	if n, _ := e.store.CountPosts(t.Context(), store.PostFilter{}); n != 0 {
		t.Fatalf("%d posts", n)
	}
	if entries, _ := os.ReadDir(e.mediaDir); len(entries) != 0 {
		t.Fatalf("the image was stored: %v", entries)
	}
	// Sent again with the token it came back with, it is published.
	c.csrf = fresh
	if r := c.multipart("/admin/orgs/alpha/compose", form, file{"media_0_file", "affiche.png", pngImage(t, 64, 48)}); r.status != http.StatusSeeOther {
		t.Fatalf("compose again: %d", r.status)
	}
	p := e.onlyPost(e.alpha, newsroom.StatusPublished)
	if p.Title != "Assemblée générale" || len(p.Media) != 1 || p.Media[0].Alt != "Affiche" {
		t.Fatalf("published %+v", p)
	}

	// Editing: the same, and the form keeps the version it was loaded at.
	edit := c.editForm(p.ID)
	edit.Set("title", "Assemblée générale reportée")
	edit.Set("action", "save")
	c.loginAgain("editor@example.org")
	r = c.form("/admin/posts/"+p.ID+"/edit", edit)
	if r.status != http.StatusForbidden {
		t.Fatalf("edit: %d, want 403", r.status)
	}
	for _, want := range []string{`role="alert">Votre session a changé`, `value="Assemblée générale reportée"`,
		`name="version" value="` + edit.Get("version") + `"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("edit page lacks %q", want)
		}
	}
	if stored, _ := e.store.PostByID(t.Context(), p.ID); stored.Title != "Assemblée générale" || stored.Version != p.Version {
		t.Fatalf("saved: %q, version %d", stored.Title, stored.Version)
	}
	c.csrf = token(t, r.body)
	if r := c.form("/admin/posts/"+p.ID+"/edit", edit); r.status != http.StatusSeeOther {
		t.Fatalf("edit again: %d", r.status)
	}
	if stored, _ := e.store.PostByID(t.Context(), p.ID); stored.Title != "Assemblée générale reportée" {
		t.Fatalf("saved title %q", stored.Title)
	}
}
