package main

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/soga/newsroom/internal/users"
)

// A signed-in editor's pages go ahead of the deliveries' signatures
// (internal/foreground; what waiting does is tested there and in
// federation/delivery); the sign-in form and requests without a session
// do not, so that nobody without an account can slow deliveries down.
// What each request did is read where an operator reads it, /metrics.
func TestEditorRequestsGoAheadOfDeliveries(t *testing.T) {
	ts := startServer(t, "sqlite")
	ts.createOrg(t, "soga", "Social Good Accelerator")
	if _, err := users.New(ts.Store).Create(context.Background(), users.NewUser{Email: "ada@example.org",
		Name: "Ada", Password: browserPassword, IsAdmin: true}); err != nil {
		t.Fatal(err)
	}
	counted := regexp.MustCompile(`(?m)^newsroom_foreground_requests_total (\d+)$`)
	foreground := func() int {
		t.Helper()
		code, _, body := ts.get(t, "/metrics", "")
		m := counted.FindStringSubmatch(body)
		if code != http.StatusOK || m == nil {
			t.Fatalf("/metrics: %d, no newsroom_foreground_requests_total", code)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}

	editor := browser(t)
	before := foreground()
	logIn(t, editor, ts.URL, "ada@example.org", browserPassword) // the login page, the sign-in, then /admin/
	if n := foreground() - before; n != 1 {
		t.Fatalf("signing in and opening /admin/: %d requests went ahead, want 1 (/admin/)", n)
	}
	for _, page := range []string{"/admin/orgs/soga/posts", "/admin/organisations"} {
		before := foreground()
		resp, err := editor.Get(ts.URL + page)
		if err != nil {
			t.Fatal(err)
		}
		if readAll(t, resp); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", page, resp.StatusCode)
		}
		if n := foreground() - before; n != 1 {
			t.Errorf("%s: %d requests went ahead, want 1", page, n)
		}
	}

	// Without a session: refused, and nothing went ahead.
	before = foreground()
	for _, page := range []string{"/admin/", "/admin/orgs/soga/posts"} {
		if code, _, _ := ts.get(t, page, ""); code != http.StatusOK && code != http.StatusSeeOther {
			t.Fatalf("%s without a session: %d", page, code)
		}
	}
	if resp, err := http.Post(ts.URL+"/admin/orgs/soga/compose", "application/x-www-form-urlencoded", nil); err != nil {
		t.Fatal(err)
	} else if readAll(t, resp); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a form without a session: %d", resp.StatusCode)
	}
	if n := foreground() - before; n != 0 {
		t.Errorf("requests without a session: %d went ahead, want none", n)
	}
}
