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

func siteForm(accent string) url.Values {
	return url.Values{"name": {"Réseau Entraide"}, "tagline": {"Les nouvelles"}, "website": {"entraide.example"},
		"accent": {accent}, "footer": {"Mentions légales <script>x</script>"}, "time_zone": {"America/New_York"}}
}

func TestSiteSettingsPage(t *testing.T) {
	e := newEnv(t)
	editor := e.login("editor@example.org")
	if status, _ := editor.get("/admin/site"); status != http.StatusForbidden {
		t.Errorf("an editor opens the site settings: %d", status)
	}
	if r := editor.multipart("/admin/site", siteForm("#8a1c4a")); r.status != http.StatusForbidden {
		t.Errorf("an editor saves the site settings: %d", r.status)
	}
	admin := e.login("admin@example.org")
	noToken := *admin
	noToken.csrf = "forged"
	if r := noToken.multipart("/admin/site", siteForm("#8a1c4a")); r.status == http.StatusSeeOther {
		t.Error("saved without the form token")
	}

	// Too pale: refused with the ratio, and everything typed kept.
	r := admin.multipart("/admin/site", siteForm("#aaaaaa"))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "2.3:1") ||
		!strings.Contains(r.body, `value="Réseau Entraide"`) || !strings.Contains(r.body, `value="#aaaaaa"`) ||
		!regexp.MustCompile(`<option value="America/New_York" selected>`).MatchString(r.body) {
		t.Fatalf("pale accent: %d %s", r.status, r.body)
	}
	if s, _ := e.store.SiteSettings(t.Context()); s.Name != "" {
		t.Errorf("a refused form saved the name %q", s.Name)
	}

	before := e.cache.n.Load()
	logo := file{"logo_file", "logo.png", pngImage(t, 80, 40)}
	if r := admin.multipart("/admin/site", siteForm("#8a1c4a"), logo); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	s, err := e.store.SiteSettings(t.Context())
	if err != nil || s.Name != "Réseau Entraide" || s.Website != "https://entraide.example/" || s.LogoID == "" ||
		s.TimeZone != "America/New_York" || strings.Contains(s.FooterHTML, "<script") {
		t.Errorf("saved %+v, %v", s, err)
	}
	if e.cache.n.Load() == before {
		t.Error("the public pages were not emptied")
	}
	_, page := admin.get("/admin/site")
	if !strings.Contains(page, `class="brand"><img src="`) || !strings.Contains(page, "Réseau Entraide</a>") {
		t.Errorf("the header lacks the logo and the name: %s", page)
	}
	if r := admin.multipart("/admin/site", siteForm("#8a1c4a"), file{"logo_file", "logo.png", []byte("not an image")}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `id="logo-error"`) {
		t.Errorf("a logo that is no image: %d", r.status)
	}
}

// The editor shows times in the user's zone, else the site's, and its
// forms offer that zone first.
func TestTimesInTheUsersZone(t *testing.T) {
	e := newEnv(t)
	c := e.login("editor@example.org")
	if _, form := c.get("/admin/orgs/alpha/compose"); !regexp.MustCompile(`<option value="Europe/Paris" selected>`).MatchString(form) {
		t.Error("without any zone set, the form does not default to Europe/Paris")
	}
	if r := c.form("/admin/account", url.Values{"lang": {"en"}, "time_zone": {"Mars/Olympus"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("an unknown zone: %d", r.status)
	}
	if r := c.form("/admin/account", url.Values{"lang": {"en"}, "time_zone": {"Asia/Tokyo"}}); r.status != http.StatusSeeOther {
		t.Fatalf("account: %d %s", r.status, r.body)
	}
	if _, form := c.get("/admin/orgs/alpha/compose"); !regexp.MustCompile(`<option value="Asia/Tokyo" selected>`).MatchString(form) {
		t.Error("the compose form does not offer the user's zone first")
	}
	when := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	tokyo := when.In(mustZone(t, "Asia/Tokyo"))
	form := article("Plus tard")
	form.Set("action", "schedule")
	form.Set("publish_at", tokyo.Format("2006-01-02T15:04"))
	form.Set("publish_tz", "Asia/Tokyo")
	if r := c.form("/admin/orgs/alpha/compose", form); r.status != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	if s := e.onlyPost(e.alpha, newsroom.StatusScheduled); !s.PublishAt.Equal(when) {
		t.Errorf("scheduled for %s, want %s", s.PublishAt, when)
	}
	if _, list := c.get("/admin/orgs/alpha/posts"); !strings.Contains(list, tokyo.Format("15:04")+" JST") {
		t.Errorf("scheduled time not shown in Tokyo time (%s JST)", tokyo.Format("15:04"))
	}
}
