package editor_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// The dashboard shows an editor the scheduled posts, drafts and replies
// of their own organisations only, and unschedules with a form token.
func TestDashboardAndUnschedule(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin@example.org")
	when := time.Now().Add(48 * time.Hour).In(mustZone(t, "Europe/Paris")).Format("2006-01-02T15:04")
	for _, org := range []string{"alpha", "beta"} {
		form := article("Programmée " + org)
		form.Set("org", org)
		form.Set("action", "schedule")
		form.Set("publish_at", when)
		form.Set("publish_tz", "Europe/Paris")
		if r := admin.form("/admin/orgs/"+org+"/compose", form); r.status != http.StatusSeeOther {
			t.Fatalf("schedule for %s: %d %s", org, r.status, r.body)
		}
	}
	draft := article("Brouillon alpha")
	draft.Set("action", "draft")
	if r := admin.form("/admin/orgs/alpha/compose", draft); r.status != http.StatusSeeOther {
		t.Fatalf("draft: %d", r.status)
	}
	alpha, beta := e.onlyPost(e.alpha, newsroom.StatusScheduled), e.onlyPost(e.beta, newsroom.StatusScheduled)

	c := e.login("editor@example.org")
	status, home := c.get("/admin/")
	if status != http.StatusOK {
		t.Fatalf("dashboard: %d", status)
	}
	for _, want := range []string{"Programmée alpha", "Brouillon alpha", `action="/admin/posts/` + alpha.ID + `/unschedule"`,
		`href="/admin/posts/` + alpha.ID + `/edit"`, `href="/admin/orgs/alpha/compose"`} {
		if !strings.Contains(home, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	if strings.Contains(home, "Programmée beta") || strings.Contains(home, beta.ID) {
		t.Error("the dashboard shows another organisation's post")
	}

	// Without the form token, nothing happens; another organisation's
	// post is refused; with the token, the post is a draft again.
	if r := c.post("/admin/posts/"+alpha.ID+"/unschedule", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("unschedule without token: %d", r.status)
	}
	if r := c.form("/admin/posts/"+beta.ID+"/unschedule", nil); r.status != http.StatusForbidden {
		t.Errorf("unschedule another organisation's post: %d", r.status)
	}
	if p := e.onlyPost(e.alpha, newsroom.StatusScheduled); p.ID != alpha.ID {
		t.Fatal("refused unschedules changed the post")
	}
	r := c.form("/admin/posts/"+alpha.ID+"/unschedule", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/?done=unscheduled" {
		t.Fatalf("unschedule: %d %s", r.status, r.header.Get("Location"))
	}
	if p, err := e.store.PostByID(t.Context(), alpha.ID); err != nil || p.Status != newsroom.StatusDraft || !p.PublishAt.IsZero() {
		t.Fatalf("after unschedule: %+v %v", p, err)
	}
	if p, _ := e.store.PostByID(t.Context(), beta.ID); p.Status != newsroom.StatusScheduled {
		t.Error("the other organisation's post changed")
	}
	// Published meanwhile: the dashboard says it is too late.
	pub := article("Publiée alpha")
	pub.Set("action", "publish")
	if r := admin.form("/admin/orgs/alpha/compose", pub); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.status)
	}
	published := e.onlyPost(e.alpha, newsroom.StatusPublished)
	if r := c.form("/admin/posts/"+published.ID+"/unschedule", nil); r.header.Get("Location") != "/admin/?done=too_late" {
		t.Errorf("unschedule a published post: %d %s", r.status, r.header.Get("Location"))
	}
	if _, home = c.get("/admin/"); !strings.Contains(home, "Publiée alpha") {
		t.Error("recent posts lack the published one")
	}
}

var summaryLinkRE = regexp.MustCompile(`<li><a href="#([a-z_]+)">`)

// One submission of the organisation form shows every mistake, in the
// order of the fields, each linked and described; a handle left empty is
// made from the name, and a website typed without https:// is completed.
func TestOrgFormErrorsAtOnce(t *testing.T) {
	e := newEnv(t)
	c := e.login("admin@example.org")
	// The administrator's interface is in English (no language set, none
	// asked by the client): a new organisation starts in English too.
	if _, page := c.get("/admin/organisations/new"); !strings.Contains(page, `<option value="en" lang="en" selected>`) {
		t.Error("a new organisation does not start in the interface's language")
	}
	r := c.form("/admin/organisations/new", url.Values{"handle": {"Bad handle!"}, "name": {""}, "website": {"not a website"},
		"contact": {"nobody"}, "default_lang": {"fr"}, "default_object_type": {"auto"}, "actor_type": {"Organization"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.status)
	}
	var links []string
	for _, m := range summaryLinkRE.FindAllStringSubmatch(r.body, -1) {
		links = append(links, m[1])
	}
	if strings.Join(links, " ") != "handle name website contact" {
		t.Errorf("summary links %v", links)
	}
	for _, f := range []string{"handle", "name", "website", "contact"} {
		if !regexp.MustCompile(`id="` + f + `"[^>]*aria-describedby="[^"]*` + f + `-error"[^>]*aria-invalid="true"`).MatchString(r.body) {
			t.Errorf("field %s is not marked invalid and described by its error", f)
		}
	}
	r = c.form("/admin/organisations/new", url.Values{"handle": {""}, "name": {"Emmaüs Connect"}, "website": {"emmaus-connect.org"},
		"default_lang": {"fr"}, "default_object_type": {"auto"}, "actor_type": {"Organization"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	o, err := e.store.OrgByHandle(t.Context(), "emmaus-connect")
	if err != nil || o.Website != "https://emmaus-connect.org/" {
		t.Fatalf("created %+v %v", o, err)
	}
}
