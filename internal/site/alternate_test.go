package site_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	"golang.org/x/net/html"

	"github.com/soga/newsroom/federation"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/server"
	"github.com/soga/newsroom/internal/site"
	"github.com/soga/newsroom/internal/site/sitetest"
	"github.com/soga/newsroom/internal/urls"
)

// Each page's ActivityStreams alternate names the document the page is
// about, and that link leads there: Mastodon, given a URL that answers
// HTML, fetches the first <link rel="alternate"
// type="application/activity+json"> (FetchResourceService#process_html),
// so a post's page must lead to the post, not to its organisation. The
// site and the federation handler run behind the server's own routes on
// a loopback port, the post URL answering HTML or the object by Accept.
func TestActivityStreamsAlternates(t *testing.T) {
	seeded := sitetest.SeedSQLite(t)
	db, now, mediaDir, fx, views := seeded.DB, seeded.Now, seeded.MediaDir, seeded.Fixture, seeded.Views
	srv := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + srv.Listener.Addr().String())
	u := urls.New(base)
	srv.Config.Handler = server.New(server.Deps{
		Logger:     slog.New(slog.DiscardHandler),
		View:       views,
		Federation: federation.NewHandler(federation.Deps{URLs: u, Orgs: db, Media: db, Posts: db}),
		Site: site.New(site.Deps{Store: db, View: views, URLs: u, MediaDir: mediaDir,
			Now: func() time.Time { return now }}),
	})
	srv.Start()
	t.Cleanup(srv.Close)

	// A post imported from a member's site names that site's article as
	// canonical; its ActivityStreams id is still ours.
	imported := &newsroom.Post{ID: ulid.Make().String(), OrgID: fx.SoGA.ID, Kind: newsroom.KindArticle,
		Status: newsroom.StatusPublished, ObjectType: newsroom.ObjectAuto, Lang: "fr",
		Title: "Des permanences numériques", BodyHTML: "<p>Nos bénévoles accompagnent.</p>",
		SourceURL: "https://www.member.example/2026/permanences/", PublishedAt: now.Add(-time.Hour)}
	if err := db.CreatePost(t.Context(), imported); err != nil {
		t.Fatal(err)
	}
	post := func(p *newsroom.Post) string { return u.Post("soga", p.ID) }
	actor := u.Org("soga")
	for _, tc := range []struct {
		name, page, want string // want "" when the page has no ActivityStreams version
	}{
		{"article", post(fx.Article), post(fx.Article)},
		{"its translation", post(fx.Article) + "?lang=en", post(fx.Article)},
		{"press release", post(fx.Press), post(fx.Press)},
		{"event", post(fx.Event), post(fx.Event)},
		{"imported post", post(imported), post(imported)},
		{"organisation", actor, actor},
		{"home", u.Base() + "/", ""},
		{"events", u.Base() + "/events", ""},
		{"tag", u.Base() + "/tags/europe", ""},
	} {
		resp, body := get(t, tc.page, "text/html")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: GET %s: %d", tc.name, tc.page, resp.StatusCode)
		}
		hrefs := activityAlternates(t, body)
		switch {
		case tc.want == "" && len(hrefs) > 0:
			t.Errorf("%s: ActivityStreams alternates %v, want none", tc.name, hrefs)
			continue
		case tc.want == "":
			continue
		case len(hrefs) != 1 || hrefs[0] != tc.want:
			t.Errorf("%s: ActivityStreams alternates %v, want %s", tc.name, hrefs, tc.want)
			continue
		}
		resp, body = get(t, hrefs[0], "application/activity+json")
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "application/activity+json") {
			t.Errorf("%s: GET %s as activity+json: %d %s", tc.name, hrefs[0], resp.StatusCode, ct)
			continue
		}
		var doc struct {
			ID, Type, AttributedTo string
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("%s: %v\n%s", tc.name, err, body)
		}
		if doc.ID != tc.want {
			t.Errorf("%s: the alternate answers %s %s, want %s", tc.name, doc.Type, doc.ID, tc.want)
		}
		if tc.want != actor && doc.AttributedTo != actor {
			t.Errorf("%s: %s %s attributed to %q, want %s", tc.name, doc.Type, doc.ID, doc.AttributedTo, actor)
		}
	}
}

func get(t *testing.T, u, accept string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// activityAlternates are the hrefs of the page's <link rel="alternate"
// type="application/activity+json">, in order.
func activityAlternates(t *testing.T, body string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var hrefs []string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.Data != "link" {
			continue
		}
		attr := map[string]string{}
		for _, a := range n.Attr {
			attr[a.Key] = a.Val
		}
		if attr["rel"] == "alternate" && attr["type"] == "application/activity+json" {
			hrefs = append(hrefs, attr["href"])
		}
	}
	return hrefs
}
