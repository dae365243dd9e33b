package site

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
)

func TestArticleMetadata(t *testing.T) {
	ts := newTestSite(t)
	p, org := ts.fx.Article, ts.fx.SoGA
	resp, body := ts.get(t, ts.postPath(p), "Accept-Language", "en-GB,en;q=0.9")
	wantStatus(t, resp, 200)
	doc := parseHTML(t, body)
	url := testBase + ts.postPath(p)
	imgURL := testBase + "/media/" + media.FileName(ts.fx.Image)

	if got := textOf(doc.first("title")); !strings.HasPrefix(got, p.Title) {
		t.Errorf("title %q", got)
	}
	want := map[string]string{
		"og:type":                "article",
		"og:title":               p.Title,
		"og:description":         p.Summary,
		"og:url":                 url,
		"og:site_name":           "Newsroom",
		"og:locale":              "fr_FR",
		"og:locale:alternate":    "en_GB",
		"og:image":               imgURL,
		"og:image:alt":           p.Media[0].Alt,
		"og:image:width":         strconv.Itoa(ts.fx.Image.Width),
		"og:image:height":        strconv.Itoa(ts.fx.Image.Height),
		"og:image:type":          ts.fx.Image.MIMEType,
		"article:published_time": p.PublishedAt.UTC().Format(time.RFC3339),
		"article:modified_time":  p.UpdatedAt.UTC().Format(time.RFC3339),
	}
	for k, v := range want {
		if got := doc.og(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := doc.meta("description"); got != p.Summary {
		t.Errorf("meta description %q", got)
	}
	if got := doc.meta("fediverse:creator"); got != "@soga@news.example" {
		t.Errorf("fediverse:creator %q", got)
	}
	if got := attrOf(doc.first("link", "rel", "canonical"), "href"); got != url {
		t.Errorf("canonical %q, want %q", got, url)
	}
	if got := attrOf(doc.first("link", "rel", "alternate", "hreflang", "fr"), "href"); got != url {
		t.Errorf("hreflang fr %q", got)
	}
	if got := attrOf(doc.first("link", "rel", "alternate", "hreflang", "en"), "href"); got != url+"?lang=en" {
		t.Errorf("hreflang en %q", got)
	}
	if got := attrOf(doc.first("link", "rel", "alternate", "type", "application/activity+json"), "href"); got != url {
		t.Errorf("ActivityStreams alternate %q, want the post %q", got, url)
	}
	// The interface follows the reader; the text keeps its own language.
	if got := attrOf(doc.first("html"), "lang"); got != "en" {
		t.Errorf("html lang %q, want the reader's en", got)
	}
	if got := attrOf(doc.first("article"), "lang"); got != "fr" {
		t.Errorf("article lang %q, want the post's fr", got)
	}
	img := doc.first("img", "src", imgURL)
	if img == nil || attrOf(img, "alt") != p.Media[0].Alt || attrOf(img, "loading") != "lazy" ||
		attrOf(img, "width") != "640" || attrOf(img, "height") != "360" {
		t.Errorf("image not shown with alt, size and lazy loading: %v", img)
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "tracker.example") {
		t.Error("post body not sanitised")
	}
	if doc.first("a", "href", url+"?lang=en", "hreflang", "en") == nil {
		t.Error("no link to the English version")
	}

	ld := doc.jsonLD(t)
	for k, v := range map[string]any{
		"@context": "https://schema.org", "@type": "NewsArticle", "headline": p.Title,
		"description": p.Summary, "inLanguage": "fr", "url": url,
		"datePublished": p.PublishedAt.UTC().Format(time.RFC3339),
	} {
		if ld[k] != v {
			t.Errorf("JSON-LD %s = %v, want %v", k, ld[k], v)
		}
	}
	author, _ := ld["author"].(map[string]any)
	if author["name"] != org.Name || author["url"] != testBase+"/orgs/soga" {
		t.Errorf("JSON-LD author %v", author)
	}
	if pub, _ := ld["publisher"].(map[string]any); pub["name"] != "Newsroom" {
		t.Errorf("JSON-LD publisher %v", pub)
	}
	if imgs, _ := ld["image"].([]any); len(imgs) != 1 || imgs[0] != imgURL {
		t.Errorf("JSON-LD image %v", ld["image"])
	}
}

func TestTranslationPage(t *testing.T) {
	ts := newTestSite(t)
	p := ts.fx.Article
	url := testBase + ts.postPath(p)
	resp, body := ts.get(t, ts.postPath(p)+"?lang=en", "Accept-Language", "fr")
	wantStatus(t, resp, 200)
	doc := parseHTML(t, body)
	if got := doc.og("og:title"); got != p.Translation.Title {
		t.Errorf("og:title %q", got)
	}
	if got := doc.og("og:locale"); got != "en_GB" {
		t.Errorf("og:locale %q", got)
	}
	if got := attrOf(doc.first("link", "rel", "canonical"), "href"); got != url+"?lang=en" {
		t.Errorf("canonical %q", got)
	}
	if got := attrOf(doc.first("article"), "lang"); got != "en" {
		t.Errorf("article lang %q", got)
	}
	if got := attrOf(doc.first("html"), "lang"); got != "fr" {
		t.Errorf("html lang %q", got)
	}
	if got := textOf(doc.first("h1")); got != p.Translation.Title {
		t.Errorf("h1 %q", got)
	}
	if doc.first("a", "href", url, "hreflang", "fr") == nil {
		t.Error("no link back to the French version")
	}
	if ld := doc.jsonLD(t); ld["inLanguage"] != "en" || ld["headline"] != p.Translation.Title {
		t.Errorf("JSON-LD %v", ld)
	}
}

func TestEventMetadata(t *testing.T) {
	ts := newTestSite(t)
	p := ts.fx.Event
	resp, body := ts.get(t, ts.postPath(p), "Accept-Language", "fr")
	wantStatus(t, resp, 200)
	doc := parseHTML(t, body)
	if doc.og("og:type") != "article" || doc.og("og:title") != p.Title || doc.og("og:site_name") == "" {
		t.Errorf("event card metadata incomplete: type %q title %q", doc.og("og:type"), doc.og("og:title"))
	}
	// Without an image of its own, the card shows the organisation's icon.
	if got := doc.og("og:image"); got != testBase+"/media/"+media.FileName(ts.fx.Icon) {
		t.Errorf("og:image %q", got)
	}
	if doc.og("og:image:alt") == "" {
		t.Error("og:image:alt missing")
	}
	ld := doc.jsonLD(t)
	start := p.Event.Start.In(zone("Europe/Paris"))
	for k, v := range map[string]any{
		"@type": "Event", "name": p.Title, "inLanguage": "fr",
		"startDate":           start.Format(time.RFC3339),
		"endDate":             p.Event.End.In(zone("Europe/Paris")).Format(time.RFC3339),
		"eventStatus":         "https://schema.org/EventScheduled",
		"eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode",
	} {
		if ld[k] != v {
			t.Errorf("JSON-LD %s = %v, want %v", k, ld[k], v)
		}
	}
	if !strings.HasSuffix(ld["startDate"].(string), "+01:00") && !strings.HasSuffix(ld["startDate"].(string), "+02:00") {
		t.Errorf("startDate %v is not in Paris time", ld["startDate"])
	}
	locs, _ := ld["location"].([]any)
	if len(locs) != 2 {
		t.Fatalf("location %v", ld["location"])
	}
	place, _ := locs[0].(map[string]any)
	addr, _ := place["address"].(map[string]any)
	if place["@type"] != "Place" || place["name"] != "La Halle" || addr["addressLocality"] != "Paris" ||
		addr["postalCode"] != "75011" || addr["addressCountry"] != "FR" {
		t.Errorf("place %v", place)
	}
	if online, _ := locs[1].(map[string]any); online["@type"] != "VirtualLocation" || online["url"] != p.Event.OnlineURL {
		t.Errorf("online location %v", online)
	}
	if org, _ := ld["organizer"].(map[string]any); org["name"] != ts.fx.SoGA.Name {
		t.Errorf("organizer %v", org)
	}
	// The page shows the time in the event's zone and offers the .ics.
	if !strings.Contains(body, "14:00") || !strings.Contains(body, "Europe/Paris") {
		t.Error("event time not shown in its zone")
	}
	if doc.first("a", "href", testBase+ts.postPath(p)+"/event.ics") == nil {
		t.Error("no .ics download link")
	}
}

func TestOrgPageMetadata(t *testing.T) {
	ts := newTestSite(t)
	resp, body := ts.get(t, "/orgs/soga")
	wantStatus(t, resp, 200)
	doc := parseHTML(t, body)
	links := map[string]string{
		"application/activity+json": testBase + "/orgs/soga",
		"application/atom+xml":      testBase + "/orgs/soga/feed.atom",
		"application/rss+xml":       testBase + "/orgs/soga/feed.rss",
		"text/calendar":             testBase + "/orgs/soga/events.ics",
	}
	for typ, href := range links {
		if got := attrOf(doc.first("link", "rel", "alternate", "type", typ), "href"); got != href {
			t.Errorf("alternate %s = %q, want %q", typ, got, href)
		}
	}
	if doc.first("link", "rel", "me", "href", "https://soga.example/") == nil ||
		doc.first("a", "rel", "me", "href", "https://soga.example/") == nil {
		t.Error("rel=me links to the website missing")
	}
	if got := textOf(doc.first("code", "id", "address")); got != "@soga@news.example" {
		t.Errorf("fediverse address %q", got)
	}
	form := doc.first("form", "action", "/follow")
	if form == nil || attrOf(form, "method") != "get" {
		t.Fatal("remote-follow form missing")
	}
	if doc.first("input", "name", "handle", "value", "soga") == nil || doc.first("input", "name", "server") == nil {
		t.Error("remote-follow form fields missing")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https:") {
		t.Errorf("CSP %q does not let the follow form reach the reader's server", csp)
	}
	if got := len(doc.all("li")); got < 3 {
		t.Errorf("%d posts listed, want the organisation's 3", got)
	}
	if strings.Contains(body, "Alpha Coop") {
		t.Error("another organisation's post on the page")
	}
}

// TestImportedPostNamesItsOriginal: a post imported from a member's
// website says where it was first published, links there, and names the
// member's article as the canonical page.
func TestImportedPostNamesItsOriginal(t *testing.T) {
	ts := newTestSite(t)
	const original = "https://www.emmaus-connect.example/2026/11/permanences-numeriques/"
	p := &newsroom.Post{ID: ulid.Make().String(), OrgID: ts.fx.Alpha.ID, Kind: newsroom.KindArticle,
		Status: newsroom.StatusPublished, ObjectType: newsroom.ObjectAuto, Lang: "fr",
		Title: "Des permanences numériques dans 40 villes", BodyHTML: "<p>Nos bénévoles accompagnent.</p>",
		SourceURL: original, PublishedAt: ts.now.Add(-time.Hour)}
	if err := ts.db.CreatePost(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	resp, body := ts.get(t, ts.postPath(p), "Accept-Language", "fr")
	wantStatus(t, resp, 200)
	doc := parseHTML(t, body)
	link := doc.first("a", "href", original)
	if link == nil || textOf(link) != "emmaus-connect.example" {
		t.Fatalf("no link to the original named by its site in %s", body)
	}
	if got := textOf(link.Parent); !strings.Contains(got, "Publié d’abord sur") {
		t.Errorf("source line %q", got)
	}
	if got := attrOf(doc.first("link", "rel", "canonical"), "href"); got != original {
		t.Errorf("canonical %q, want the original %q", got, original)
	}

	// A post written here names no source.
	_, body = ts.get(t, ts.postPath(ts.fx.Press))
	if strings.Contains(body, "Publié d’abord sur") || strings.Contains(body, "First published on") {
		t.Error("a post written here claims a source")
	}
}

// TestInlineImageShownOnce: an image the body shows in place (as news
// imported from a member's site has) is not shown a second time above
// it, yet stays the page's card image.
func TestInlineImageShownOnce(t *testing.T) {
	ts := newTestSite(t)
	imgURL := testBase + "/media/" + media.FileName(ts.fx.Image)
	p := &newsroom.Post{ID: ulid.Make().String(), OrgID: ts.fx.Alpha.ID, Kind: newsroom.KindArticle,
		Status: newsroom.StatusPublished, ObjectType: newsroom.ObjectAuto, Lang: "fr", Title: "Un atelier",
		BodyHTML:  `<p>Avant.</p><p><img src="` + imgURL + `" alt="Un atelier"></p><p>Après.</p>`,
		Media:     []newsroom.PostMedia{{MediaID: ts.fx.Image.ID, Alt: "Un atelier"}},
		SourceURL: "https://emmaus-connect.example/atelier/", PublishedAt: ts.now.Add(-time.Hour)}
	if err := ts.db.CreatePost(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	resp, body := ts.get(t, ts.postPath(p))
	wantStatus(t, resp, 200)
	if n := strings.Count(body, `src="`+imgURL+`"`); n != 1 {
		t.Errorf("the image is shown %d times", n)
	}
	if got := parseHTML(t, body).og("og:image"); got != imgURL {
		t.Errorf("og:image %q, want the inline image", got)
	}
}
