package editor_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/orgs"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/users"
)

// wantTooLong checks that r is the form back with "too long" next to each
// of fields.
func wantTooLong(t *testing.T, what string, r response, fields ...string) {
	t.Helper()
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("%s: %d, want 422", what, r.status)
	}
	for _, f := range fields {
		if !strings.Contains(r.body, `id="`+f+`-error">This is too long.<`) {
			t.Errorf("%s: no \"too long\" next to %s", what, f)
		}
	}
}

// Every form's fields are bounded by the services, and an overlong one is
// shown next to its field.
func TestOverlongFieldsAreRefused(t *testing.T) {
	e := newEnv(t)
	c := e.login("admin@example.org")
	long := func(n int) string { return strings.Repeat("é", n+1) }

	form := article(long(posts.MaxTitle))
	form.Set("body", long(posts.MaxBody))
	form.Set("content_warning", long(posts.MaxContentWarning))
	form.Set("kind", "event")
	form.Set("event_start", "2030-05-01T18:00")
	form.Set("event_timezone", "Europe/Paris")
	form.Set("event_place", long(posts.MaxPlaceField))
	form.Set("event_online_url", "https://example.org/"+strings.Repeat("a", posts.MaxURL))
	wantTooLong(t, "post", c.form("/admin/orgs/alpha/compose", form),
		"title", "body", "content_warning", "event_place", "event_online_url")

	wantTooLong(t, "organisation", c.form("/admin/organisations/new", url.Values{"handle": {"gamma"},
		"name": {long(orgs.MaxName)}, "bio": {long(orgs.MaxBio)},
		"website":      {"https://example.org/" + strings.Repeat("a", orgs.MaxWebsite)},
		"default_lang": {"fr"}, "default_object_type": {"auto"}, "actor_type": {"Organization"}}),
		"name", "bio", "website")

	wantTooLong(t, "user", c.form("/admin/users/new", url.Values{
		"email": {strings.Repeat("a", users.MaxEmail) + "@example.org"}, "name": {long(users.MaxName)},
		"password": {"a long password"}, "lang": {"fr"}}),
		"email", "name")
	if n, _ := e.store.CountUsers(t.Context()); n != 2 {
		t.Fatalf("%d users", n)
	}
}

// Control characters in a one-line field are refused next to it; the body
// keeps its lines.
func TestControlCharactersAreRefused(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	form := article("Assemblée\x07 générale")
	form.Set("content_warning", "\x1b[31m")
	form.Set("body", "Ligne un.\r\n\tLigne deux.")
	r := c.form("/admin/orgs/alpha/compose", form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", r.status)
	}
	for _, f := range []string{"title", "content_warning"} {
		if !strings.Contains(r.body, `id="`+f+`-error">This value is not valid.<`) {
			t.Errorf("no error next to %s", f)
		}
	}
	if strings.Contains(r.body, `id="body-error"`) {
		t.Error("the body's line breaks and tab were refused")
	}
}

// Summaries and image descriptions are typed in text areas, where Enter
// is natural: their lines are joined, not refused.
func TestSummaryLinesAreJoined(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	form := article("Assemblée générale")
	form.Set("summary", "Première ligne.\r\nSeconde ligne.")
	if r := c.form("/admin/orgs/alpha/compose", form); r.status != http.StatusSeeOther {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if p := e.onlyPost(e.alpha, newsroom.StatusPublished); p.Summary != "Première ligne. Seconde ligne." {
		t.Errorf("summary %q", p.Summary)
	}
}
