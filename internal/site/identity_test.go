package site

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/settings"
	"github.com/soga/newsroom/internal/store"
)

func TestListsShowThumbnailsLogosAndPastEvents(t *testing.T) {
	ts := newTestSite(t)
	_, home := ts.get(t, "/")
	thumb := regexp.MustCompile(`<img class="list-thumb" src="[^"]*-w400\.[a-z]+" alt="([^"]*)" width="96" height="(\d+)" loading="lazy"`).FindStringSubmatch(home)
	// Decorative beside the title: a screen reader would otherwise read
	// the image's whole description before every title.
	if thumb == nil || thumb[1] != "" || thumb[2] != "54" { // 640×360 at 96 wide
		t.Errorf("home: no thumbnail of the article's image, without alt, at its size: %v", thumb)
	}
	if !strings.Contains(home, `<img class="org-icon" src="`) {
		t.Error("home: no organisation logo")
	}
	_, events := ts.get(t, "/events", "Accept-Language", "fr")
	past := parseHTML(t, events).first("section", "aria-labelledby", "past")
	up := parseHTML(t, events).first("section", "aria-labelledby", "upcoming")
	if !strings.Contains(textOf(past), "Passé") || strings.Contains(textOf(up), "Passé") {
		t.Errorf("past events not marked, or upcoming ones marked: %q / %q", textOf(past), textOf(up))
	}
}

func TestPostPageShowsItsOrganisation(t *testing.T) {
	ts := newTestSite(t)
	p := ts.fx.Article
	_, body := ts.get(t, ts.postPath(p))
	doc := parseHTML(t, body)
	head := doc.first("div", "class", "org-head")
	if !strings.Contains(textOf(head), ts.fx.SoGA.Name) || !strings.Contains(textOf(head), "@soga@news.example") {
		t.Errorf("organisation header: %q", textOf(head))
	}
	others, err := ts.db.ListPosts(t.Context(), store.PostFilter{OrgID: p.OrgID, Status: newsroom.StatusPublished})
	if err != nil {
		t.Fatal(err)
	}
	more := textOf(doc.first("nav", "class", "more"))
	for _, o := range others {
		if o.ID == p.ID && strings.Contains(more, o.Title) {
			t.Errorf("the post links itself under more: %q", more)
		}
		if o.ID != p.ID && !strings.Contains(more, o.Title) {
			t.Errorf("more from the organisation lacks %q: %q", o.Title, more)
		}
	}
}

func TestFaviconAndTheme(t *testing.T) {
	ts := newTestSite(t)
	resp, _ := ts.get(t, "/favicon.ico")
	wantStatus(t, resp, http.StatusFound)
	if loc := resp.Header.Get("Location"); !regexp.MustCompile(`^/static/favicon\.[0-9a-f]+\.svg$`).MatchString(loc) {
		t.Errorf("/favicon.ico without a logo → %q", loc)
	}
	resp, css := ts.get(t, "/theme.css?c=8A1C4A")
	wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(css, "--accent:#8a1c4a") || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("theme: %q %v", css, resp.Header)
	}
	for _, bad := range []string{"", "red", "8a1c4a;}body{display:none"} {
		if resp, _ := ts.get(t, "/theme.css?c="+bad); resp.StatusCode != http.StatusNotFound {
			t.Errorf("theme of %q: %d", bad, resp.StatusCode)
		}
	}
}

// The settings name the site on its pages and feeds, and its zone dates
// them; the cache is emptied by the write.
func TestSettingsNameAndDateThePages(t *testing.T) {
	ts := newTestSite(t)
	svc := settings.New(settings.Deps{Store: ts.db, Markdown: posts.NewRenderer(ts.urls), Pages: ts.cache})
	ts.settings = svc
	ts.view.SiteZone = svc.Location
	_, before := ts.get(t, ts.postPath(ts.fx.Article))
	if !strings.Contains(before, `<meta property="og:site_name" content="Newsroom">`) || !strings.Contains(before, "Z\">") {
		t.Fatalf("defaults: not Newsroom in UTC")
	}
	name, zone, accent := "Réseau Entraide", "Pacific/Auckland", "#8a1c4a"
	if _, err := svc.Update(t.Context(), settings.Input{Name: &name, TimeZone: &zone, Accent: &accent}); err != nil {
		t.Fatal(err)
	}
	_, after := ts.get(t, ts.postPath(ts.fx.Article))
	for _, want := range []string{`<title>` + html.EscapeString(ts.fx.Article.Title) + ` · Réseau Entraide</title>`,
		`<meta property="og:site_name" content="Réseau Entraide">`, `"publisher":{"@type":"Organization","name":"Réseau Entraide"`,
		`<link rel="stylesheet" href="/theme.css?c=8a1c4a">`, `class="brand">Réseau Entraide</a>`} {
		if !strings.Contains(after, want) {
			t.Errorf("post page lacks %s", want)
		}
	}
	published := ts.fx.Article.PublishedAt.In(svc.Location())
	// html/template writes the offset's + as &#43;, which browsers read as +.
	if !strings.Contains(html.UnescapeString(after), `<time datetime="`+published.Format("2006-01-02T15:04:05-07:00")+`">`) {
		t.Errorf("publication not dated in Auckland time (%s): %s", published, regexp.MustCompile(`<time[^>]*>`).FindAllString(after, -1))
	}
	if _, feed := ts.get(t, "/feed.atom"); !strings.Contains(feed, "<title>Réseau Entraide</title>") {
		t.Errorf("feed title: %.300s", feed)
	}
}
