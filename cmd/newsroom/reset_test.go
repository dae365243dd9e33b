package main

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/mail/smtptest"
	"github.com/soga/newsroom/internal/users"
)

var resetLinkRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/reset/[A-Za-z0-9_-]+`)

// forgot asks the login page for a reset link to email and returns the
// status and page.
func forgot(t *testing.T, ts *testServer, email string) (int, string) {
	t.Helper()
	c := browser(t)
	resp, err := c.Get(ts.URL + "/login/forgot")
	if err != nil {
		t.Fatal(err)
	}
	m := csrfFieldRE.FindStringSubmatch(readAll(t, resp))
	if m == nil {
		t.Fatal("no form on /login/forgot")
	}
	resp, err = c.PostForm(ts.URL+"/login/forgot", url.Values{"csrf_token": {m[1]}, "email": {email}})
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, readAll(t, resp)
}

// "Forgot your password?" with SMTP configured: the real server emails a
// link through an SMTP server on loopback; the link sets a new password
// and logs in, the old password and the old session stop working, and an
// unknown address gets the same answer and no mail.
func TestForgottenPasswordByMail(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		smtp := smtptest.Start(t, "newsroom", "mail password")
		ts := startServer(t, backend, "--smtp-url", "smtp://newsroom:mail%20password@"+smtp.Addr,
			"--smtp-from", "Newsroom <newsroom@example.org>")
		ctx := context.Background()
		_, err := users.New(ts.Store).Create(ctx, users.NewUser{Email: "ines@example.org", Password: "the old password", Lang: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		old := loginAs(t, ts, "ines@example.org", "the old password")

		codeUnknown, unknown := forgot(t, ts, "nobody@example.org")
		code, known := forgot(t, ts, "Ines@Example.org")
		if code != http.StatusOK || codeUnknown != code || !strings.Contains(known, "un lien est en route") && !strings.Contains(known, "a link is on its way") {
			t.Fatalf("answers %d and %d: %s", code, codeUnknown, known)
		}
		if stripCSRF(known) != stripCSRF(unknown) {
			t.Fatal("the answer tells whether an account has the address")
		}
		wait, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		msgs, ok := smtp.Wait(wait, 1)
		if !ok {
			t.Fatal("no mail arrived")
		}
		time.Sleep(200 * time.Millisecond) // a second one would have come by now
		if msgs = smtp.Messages(); len(msgs) != 1 || msgs[0].To[0] != "ines@example.org" || msgs[0].User != "newsroom" {
			t.Fatalf("mails: %+v", msgs)
		}
		parsed, err := netmail.ReadMessage(strings.NewReader(msgs[0].Data))
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(quotedprintable.NewReader(parsed.Body))
		link := resetLinkRE.FindString(string(text))
		if link == "" || !strings.Contains(string(text), "Choisissez-le ici") {
			t.Fatalf("mail body (in the account's language, with the link): %s", text)
		}

		c := browser(t)
		resp, err := c.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		m := csrfFieldRE.FindStringSubmatch(readAll(t, resp))
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("reset page: %d", resp.StatusCode)
		}
		resp, err = c.PostForm(link, url.Values{"csrf_token": {m[1]}, "password": {"the new password"}})
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/") {
			t.Fatalf("reset: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := c.Get(ts.URL + "/admin/"); resp.StatusCode != http.StatusOK {
			t.Fatalf("not logged in after the reset: %d", resp.StatusCode)
		}
		if resp, _ := old.Get(ts.URL + "/admin/"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the session opened with the old password survived: %d", resp.StatusCode)
		}
		if resp, _ := browser(t).Get(link); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("a used link: %d", resp.StatusCode)
		}
		loginAs(t, ts, "ines@example.org", "the new password")

		// Five requests an hour per address: the sixth is refused.
		for range 3 {
			forgot(t, ts, "ines@example.org")
		}
		if code, _ := forgot(t, ts, "ines@example.org"); code != http.StatusTooManyRequests {
			t.Fatalf("sixth request: %d", code)
		}
	})
}

// Without SMTP, the login page's link says to ask an administrator, and
// no form is there to post.
func TestForgottenPasswordWithoutMail(t *testing.T) {
	ts := startServer(t, "sqlite")
	_, _, login := ts.get(t, "/login", "text/html")
	if !strings.Contains(login, `href="/login/forgot"`) {
		t.Fatal("no forgotten-password link on the login page")
	}
	code, _, page := ts.get(t, "/login/forgot", "text/html")
	if code != http.StatusOK || !strings.Contains(page, "Ask an administrator") || strings.Contains(page, `name="email"`) {
		t.Fatalf("%d %s", code, page)
	}
}

var csrfValueRE = regexp.MustCompile(`value="[A-Za-z0-9_-]{40,}"`)

func stripCSRF(page string) string { return csrfValueRE.ReplaceAllString(page, "") }

// loginAs opens a session with an email and password, or fails the test.
func loginAs(t *testing.T, ts *testServer, email, password string) *http.Client {
	t.Helper()
	c := browser(t)
	resp, err := c.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	m := csrfFieldRE.FindStringSubmatch(readAll(t, resp))
	resp, err = c.PostForm(ts.URL+"/login", url.Values{"csrf_token": {m[1]}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: %d", email, resp.StatusCode)
	}
	return c
}
