package site

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
)

func TestFollowRedirectsToTheReadersServer(t *testing.T) {
	ts := newTestSite(t)
	actor := url.QueryEscape(testBase + "/orgs/soga")
	for input, host := range map[string]string{
		"mastodon.social":                  "mastodon.social",
		" Mastodon.Social. ":               "mastodon.social",
		"@ada@piaille.fr":                  "piaille.fr",
		"ada@piaille.fr":                   "piaille.fr",
		"https://eldritch.cafe/@ada":       "eldritch.cafe",
		"fédi.example":                     "xn--fdi-bma.example",
		"social.example/some/path?x=https": "social.example",
	} {
		resp, _ := ts.get(t, "/follow?handle=soga&server="+url.QueryEscape(input))
		wantStatus(t, resp, http.StatusSeeOther)
		want := "https://" + host + "/authorize_interaction?uri=" + actor
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("%q: Location %q, want %q", input, got, want)
		}
	}
	for _, input := range []string{"", "localhost", "127.0.0.1", "[::1]", "10.0.0.1", "evil.example:8080",
		"javascript:alert(1)", "https://user:pw@evil.example/", "-bad.example", "a..example", "ex ample.org",
		strings.Repeat("a", 64) + ".example"} {
		resp, body := ts.get(t, "/follow?handle=soga&server="+url.QueryEscape(input), "Accept-Language", "fr")
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%q: status %d, Location %q", input, resp.StatusCode, resp.Header.Get("Location"))
			continue
		}
		doc := parseHTML(t, body)
		field := doc.first("input", "name", "server")
		if attrOf(field, "aria-invalid") != "true" || attrOf(field, "value") != strings.TrimSpace(input) {
			t.Errorf("%q: the form does not come back with the input and the error", input)
		}
		if doc.first("span", "class", "field-error") == nil {
			t.Errorf("%q: no error message", input)
		}
	}
	if resp, _ := ts.get(t, "/follow?handle=nobody&server=mastodon.social"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown organisation: %d", resp.StatusCode)
	}
}

func TestMediaServesOnlyHashedImages(t *testing.T) {
	ts := newTestSite(t)
	resp, body := ts.get(t, "/media/"+media.FileName(ts.fx.Image))
	wantStatus(t, resp, 200)
	if ct := resp.Header.Get("Content-Type"); ct != ts.fx.Image.MIMEType {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("Cache-Control %q", cc)
	}
	if int64(len(body)) != ts.fx.Image.Size {
		t.Errorf("%d bytes, want %d", len(body), ts.fx.Image.Size)
	}
	if resp, _ := ts.get(t, "/media/"+media.SmallName(ts.fx.Image)); resp.StatusCode != http.StatusOK {
		t.Errorf("small variant: %d", resp.StatusCode)
	}
	if resp, _ := ts.get(t, "/media/"+media.FileName(ts.fx.Image), "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	for _, name := range []string{
		ts.fx.Image.ID + ".json", ts.fx.Image.ID + ".html", ts.fx.Image.ID + ".svg", ts.fx.Image.ID,
		strings.ToUpper(ts.fx.Image.ID) + ".png", "..%2f..%2fetc%2fpasswd", "abc.png",
		strings.Repeat("0", 64) + ".png", // well formed, not on disk
	} {
		if resp, _ := ts.get(t, "/media/"+name); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
}

func TestListsPageWithCursors(t *testing.T) {
	ts := newTestSite(t)
	// 45 more articles, a few sharing a publication time, so the cursor's
	// id part matters.
	base := ts.now.Add(-60 * 24 * time.Hour)
	want := map[string]bool{}
	for i := range 45 {
		p := &newsroom.Post{ID: fmt.Sprintf("01KPAGE%019d", i), OrgID: ts.fx.Alpha.ID, Kind: newsroom.KindArticle,
			Status: newsroom.StatusPublished, ObjectType: newsroom.ObjectAuto, Lang: "en",
			Title: fmt.Sprintf("Old news %d", i), Tags: []string{"archive"}, PublishedAt: base.Add(time.Duration(i/3) * time.Hour)}
		if err := ts.db.CreatePost(t.Context(), p); err != nil {
			t.Fatal(err)
		}
		want[p.Title] = true
	}
	for _, start := range []string{"/", "/tags/archive", "/orgs/alpha"} {
		seen := map[string]int{}
		next, pages := start, 0
		for next != "" && pages < 10 {
			resp, body := ts.get(t, strings.TrimPrefix(next, testBase))
			wantStatus(t, resp, 200)
			doc := parseHTML(t, body)
			for _, h3 := range doc.all("h3") {
				seen[textOf(h3)]++
			}
			next = attrOf(doc.first("a", "rel", "next"), "href")
			if next != "" && attrOf(doc.first("link", "rel", "next"), "href") != next {
				t.Errorf("%s: <link rel=next> missing", start)
			}
			pages++
		}
		if pages != 3 {
			t.Errorf("%s: %d pages, want 3", start, pages)
		}
		for title := range want {
			if seen[title] != 1 {
				t.Errorf("%s: %q seen %d times", start, title, seen[title])
			}
		}
	}
}

func TestEventsPage(t *testing.T) {
	ts := newTestSite(t)
	resp, body := ts.get(t, "/events", "Accept-Language", "fr")
	wantStatus(t, resp, 200)
	doc := parseHTML(t, body)
	up, past := doc.first("section", "aria-labelledby", "upcoming"), doc.first("section", "aria-labelledby", "past")
	if !strings.Contains(textOf(up), ts.fx.Event.Title) || strings.Contains(textOf(up), ts.fx.PastEvent.Title) {
		t.Errorf("upcoming section: %s", textOf(up))
	}
	if !strings.Contains(textOf(past), ts.fx.PastEvent.Title) || strings.Contains(textOf(past), ts.fx.Event.Title) {
		t.Errorf("past section: %s", textOf(past))
	}
	if strings.Index(body, `id="upcoming"`) > strings.Index(body, `id="past"`) {
		t.Error("upcoming events must come first")
	}
	_, home := ts.get(t, "/")
	if text := textOf(parseHTML(t, home).root); !strings.Contains(text, ts.fx.Event.Title) || !strings.Contains(text, "Alpha Coop") {
		t.Error("home page lacks the upcoming event or an organisation")
	}
}

func TestTagPage(t *testing.T) {
	ts := newTestSite(t)
	_, body := ts.get(t, "/tags/numerique")
	text := textOf(parseHTML(t, body).root)
	for _, p := range []*newsroom.Post{ts.fx.Article, ts.fx.Event} {
		if !strings.Contains(text, p.Title) {
			t.Errorf("tag page lacks %q", p.Title)
		}
	}
	if strings.Contains(text, "Communiqué") {
		t.Error("tag page lists a post without the tag")
	}
}

// TestTagPageByKey: a tag is shown as typed and its page is /tags/{key},
// whatever case or spaces it was typed with.
func TestTagPageByKey(t *testing.T) {
	ts := newTestSite(t)
	p := newsroom.Post{ID: "01JTAGKEY00000000000000000", OrgID: ts.fx.Article.OrgID, Kind: newsroom.KindArticle,
		Status: newsroom.StatusPublished, Lang: "fr", Title: "Atelier numérique", BodyHTML: "<p>Atelier.</p>",
		Tags: []string{"Inclusion numérique", "InclusionNumerique"}, PublishedAt: ts.now.Add(-time.Hour)}
	if err := ts.db.CreatePost(t.Context(), &p); err != nil {
		t.Fatal(err)
	}

	const key = "/tags/inclusionnum%C3%A9rique"
	resp, body := ts.get(t, key)
	wantStatus(t, resp, http.StatusOK)
	doc := parseHTML(t, body)
	if h1 := textOf(doc.first("h1")); h1 != "#Inclusion numérique" {
		t.Errorf("heading %q, want the tag as typed", h1)
	}
	if !strings.Contains(textOf(doc.root), p.Title) {
		t.Error("tag page lacks the post")
	}
	for _, path := range []string{"/tags/InclusionNum%C3%A9rique", "/tags/INCLUSIONNUM%C3%89RIQUE",
		"/tags/Inclusion%20Num%C3%A9rique", "/tags/inclusionnume%CC%81rique"} {
		resp, _ := ts.get(t, path)
		wantStatus(t, resp, http.StatusMovedPermanently)
		if got := resp.Header.Get("Location"); got != testBase+key {
			t.Errorf("%s: Location %q, want %q", path, got, testBase+key)
		}
	}
	resp, _ = ts.get(t, "/tags/inclusionnumerique")
	wantStatus(t, resp, http.StatusOK)

	_, body = ts.get(t, ts.postPath(&p))
	if !strings.Contains(body, `<a href="`+testBase+key+`">#Inclusion numérique</a>`) {
		t.Error("post page does not link the tag as typed to its key's page")
	}
	if !strings.Contains(body, `>#InclusionNumerique</a>`) {
		t.Error("post page lost the second tag's case")
	}
}

func TestRemoteHost(t *testing.T) {
	if h, ok := remoteHost("Social.Example"); !ok || h != "social.example" {
		t.Errorf("got %q %v", h, ok)
	}
	if _, ok := remoteHost("1.2.3.4"); ok {
		t.Error("an IPv4 address passed")
	}
}

func TestEventsPageWithCursors(t *testing.T) {
	ts := newTestSite(t)
	want := map[string]bool{ts.fx.Event.Title: true}
	for i := range 25 {
		start := ts.now.Add(time.Duration(i%5+1) * 24 * time.Hour) // shared start times: the id breaks ties
		p := &newsroom.Post{ID: fmt.Sprintf("01KEVENT%018d", i), OrgID: ts.fx.Alpha.ID, Kind: newsroom.KindEvent,
			Status: newsroom.StatusPublished, ObjectType: newsroom.ObjectAuto, Lang: "en",
			Title: fmt.Sprintf("Workshop %d", i), PublishedAt: ts.now.Add(-time.Hour),
			Event: &newsroom.Event{Start: start, End: start.Add(time.Hour), Timezone: "Europe/Lisbon"}}
		if err := ts.db.CreatePost(t.Context(), p); err != nil {
			t.Fatal(err)
		}
		want[p.Title] = true
	}
	seen := map[string]int{}
	var last time.Time
	next, pages := "/events", 0
	for next != "" && pages < 5 {
		resp, body := ts.get(t, strings.TrimPrefix(next, testBase))
		wantStatus(t, resp, 200)
		doc := parseHTML(t, body)
		up := page{doc.first("section", "aria-labelledby", "upcoming")}
		for _, li := range up.all("li") {
			item := page{li}
			seen[textOf(item.first("h3"))]++
			start, err := time.Parse(time.RFC3339, attrOf(page{item.first("p", "class", "when")}.first("time"), "datetime"))
			if err != nil || start.Before(last) {
				t.Errorf("upcoming events out of order: %v after %v (%v)", start, last, err)
			}
			last = start
		}
		if pages > 0 && doc.first("section", "aria-labelledby", "past") != nil {
			t.Error("a continued page of upcoming events shows past ones")
		}
		next = attrOf(up.first("a", "rel", "next"), "href")
		pages++
	}
	if pages != 2 {
		t.Errorf("%d pages of upcoming events, want 2", pages)
	}
	for title := range want {
		if seen[title] != 1 {
			t.Errorf("%q seen %d times", title, seen[title])
		}
	}
}
