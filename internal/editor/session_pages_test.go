package editor_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
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
