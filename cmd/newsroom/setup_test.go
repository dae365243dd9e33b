package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	setupLinkRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/setup/[A-Za-z0-9_-]+`)
	csrfFieldRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

func browser(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func readAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The first start prints a one-time link; following it creates the first
// administrator, who lands logged in on the dashboard; the link then dies.
func TestFirstRunSetupLink(t *testing.T) {
	ts := startServer(t, "sqlite")
	link := ""
	eventually(t, "setup link printed", func() string {
		if link = setupLinkRE.FindString(ts.logs.String()); link == "" {
			return "no link in the log yet"
		}
		return ""
	})
	c := browser(t)
	resp, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	m := csrfFieldRE.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("setup page %d: %s", resp.StatusCode, page)
	}
	form := url.Values{"csrf_token": {m[1]}, "email": {"admin@example.org"}, "name": {"Ada"}, "password": {"short"}}

	// A bad password comes back with the input kept and the error shown.
	resp, err = c.PostForm(link, form)
	if err != nil {
		t.Fatal(err)
	}
	page = readAll(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `value="admin@example.org"`) || !strings.Contains(page, "10") {
		t.Fatalf("invalid form: %d %s", resp.StatusCode, page)
	}

	// A post without the form token is refused.
	bad := url.Values{"email": {"admin@example.org"}, "password": {"long enough password"}}
	resp, err = c.PostForm(link, bad)
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, resp); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("missing token: %d", resp.StatusCode)
	}

	form.Set("password", "long enough password")
	resp, err = c.PostForm(link, form)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/" {
		t.Fatalf("setup: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = c.Get(ts.URL + "/admin/")
	if err != nil {
		t.Fatal(err)
	}
	if page = readAll(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "admin@example.org") {
		t.Fatalf("dashboard: %d %s", resp.StatusCode, page)
	}

	// The link works once: a second visit says so instead of showing a
	// form, and even a fresh browser with a valid form token (the login
	// page's) cannot use it.
	c2 := browser(t)
	resp, err = c2.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	if page = readAll(t, resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "no longer works") ||
		strings.Contains(page, `name="password"`) {
		t.Fatalf("second visit: %d %s", resp.StatusCode, page)
	}
	resp, err = c2.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	if m = csrfFieldRE.FindStringSubmatch(readAll(t, resp)); m == nil {
		t.Fatal("no form token on the login page")
	}
	resp, err = c2.PostForm(link, url.Values{"csrf_token": {m[1]}, "email": {"eve@example.org"}, "password": {"long enough password"}})
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, resp); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("second use of the link: %d", resp.StatusCode)
	}
	if n, _ := ts.Store.CountUsers(t.Context()); n != 1 {
		t.Fatalf("users = %d", n)
	}
}
