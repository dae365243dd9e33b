package feeds

import (
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

const rssType = "application/rss+xml; charset=UTF-8"

// serveWordPress serves a WordPress site: its home page announcing the
// feed, the feed, and the picture in the first article.
func serveWordPress(t *testing.T, f *fixture) {
	f.site.put("/", file{ctype: "text/html; charset=UTF-8", body: []byte(`<!DOCTYPE html><html lang="fr-FR"><head>
<title>Emmaüs Connect</title>
<link rel="alternate" type="application/rss+xml" title="Emmaüs Connect &raquo; Flux" href="{{BASE}}/feed/" />
<link rel="alternate" type="application/rss+xml" title="Emmaüs Connect &raquo; Flux des commentaires" href="{{BASE}}/comments/feed/" />
</head><body><h1>Emmaüs Connect</h1></body></html>`)})
	f.site.fixture(t, "/feed/", "wordpress.xml", rssType)
	f.site.put("/wp-content/uploads/2026/11/atelier-lille.png", file{ctype: "image/png", body: pngImage(t, 64, 48, color.RGBA{200, 30, 30, 255})})
}

// A WordPress site's page leads to its feed; the first poll imports the
// history as published posts that are not delivered; a 304 costs
// nothing; a new item is delivered, and its edit is delivered as an
// Update.
func TestWordPressImport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st store.Store) {
		ctx := t.Context()
		f := newFixture(t, st)
		serveWordPress(t, f)
		added, err := f.svc.Add(ctx, AddInput{OrgID: f.org.ID, URL: f.site.URL + "/", Backfill: -1})
		if err != nil {
			t.Fatal(err)
		}
		if !added.Discovered || added.Source.FeedURL != f.site.URL+"/feed/" || added.Title != "Emmaüs Connect" {
			t.Fatalf("discovery: %+v %+v", added, added.Source)
		}
		if added.Source.SiteURL != f.site.URL+"/" || added.Source.Backfill != DefaultBackfill {
			t.Errorf("source: %+v", added.Source)
		}
		if n := countJobs(t, st, "feed_poll"); n != 1 {
			t.Errorf("%d feed_poll jobs after Add, want 1 (committed with the source)", n)
		}

		res := f.poll(t, added.Source.ID)
		if res.Imported != 3 || res.Failed != 0 || res.Source.LastStatus != 200 || res.Source.LastError != "" {
			t.Fatalf("first poll: %+v", res)
		}
		if got := countJobs(t, st, "fanout"); got != 0 {
			t.Errorf("history was delivered: %d fanout jobs", got)
		}
		if want := f.now.Add(time.Hour); !res.Source.NextPollAt.Equal(want) {
			t.Errorf("next poll %s, want %s (sy:updatePeriod hourly is longer than 15 minutes)", res.Source.NextPollAt, want)
		}
		published := f.posts(t, newsroom.StatusPublished)
		if len(published) != 3 {
			t.Fatalf("%d published posts", len(published))
		}
		creates, err := st.ListActivities(ctx, f.org.ID, "Create", 0, 0)
		if err != nil || len(creates) != 3 {
			t.Errorf("outbox has %d Creates (%v), want 3", len(creates), err)
		}
		p := published[0]
		if p.Title != "Inclusion numérique : 10 000 personnes accompagnées dans nos espaces en 2026" || p.Lang != "fr" ||
			p.SourceURL != f.site.URL+"/2026/11/24/inclusion-numerique-bilan-2026/" ||
			!p.PublishedAt.Equal(time.Date(2026, 11, 24, 9, 12, 44, 0, time.UTC)) {
			t.Errorf("post: %q %s %s %s", p.Title, p.Lang, p.SourceURL, p.PublishedAt)
		}
		if !slices.Equal(p.Tags, []string{"Actualités", "Inclusion numérique"}) {
			t.Errorf("tags %q: categories keep their case, and one that is no hashtag is left out", p.Tags)
		}
		if !strings.Contains(p.Summary, "10 000 personnes") {
			t.Errorf("summary %q", p.Summary)
		}
		if len(p.Media) != 1 || !strings.HasPrefix(p.Media[0].Alt, "Un atelier numérique à Lille") {
			t.Fatalf("media %+v", p.Media)
		}
		m, err := st.MediaByID(ctx, p.Media[0].MediaID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(f.mediaDir, media.FileName(*m))); err != nil {
			t.Errorf("re-hosted image not on disk: %v", err)
		}
		for _, want := range []string{
			`<img src="` + testURLs.Media(media.FileName(*m)) + `" alt="Un atelier numérique à Lille`,
			`<a href="` + f.site.URL + `/nos-espaces/"`,
			`<strong>espaces Emmaüs Connect</strong>`,
		} {
			if !strings.Contains(p.BodyHTML, want) {
				t.Errorf("body lacks %s:\n%s", want, p.BodyHTML)
			}
		}
		if strings.Contains(p.BodyHTML, f.site.URL+"/wp-content") || strings.Contains(p.BodyHTML, "srcset") || strings.Contains(p.BodyHTML, "class=") {
			t.Errorf("body still points at the member's site or keeps its markup:\n%s", p.BodyHTML)
		}

		// Nothing changed: a conditional GET, answered 304.
		res = f.poll(t, added.Source.ID)
		if res.Source.LastStatus != 304 || res.Imported != 0 {
			t.Errorf("second poll: %+v", res.Source)
		}
		if h := f.site.lastRequest("/feed/"); h.Get("If-None-Match") == "" {
			t.Errorf("second poll not conditional: %v", h)
		}
		if want := f.now.Add(time.Hour); !res.Source.NextPollAt.Equal(want) {
			t.Errorf("next poll after a 304 %s, want %s: the feed's pace is kept", res.Source.NextPollAt, want)
		}

		// A new article, published after the source was added, is delivered.
		f.now = f.now.Add(2 * time.Hour)
		feed, _ := os.ReadFile("testdata/wordpress.xml")
		newItem := `<item><title>Nouvel espace à Marseille</title><link>{{BASE}}/2026/12/01/marseille/</link>
<pubDate>` + time.Now().Add(time.Minute).Format(time.RFC1123Z) + `</pubDate><guid isPermaLink="false">{{BASE}}/?p=4900</guid>
<description><![CDATA[<p>Un nouvel espace ouvre à Marseille.</p>]]></description></item>`
		withNew := strings.Replace(string(feed), "<item>", newItem+"<item>", 1)
		f.site.put("/feed/", file{body: []byte(withNew), ctype: rssType})
		res = f.poll(t, added.Source.ID)
		if res.Imported != 1 || res.Source.Imported != 4 {
			t.Fatalf("poll with a new item: %+v", res)
		}
		if got := countJobs(t, st, "fanout"); got != 1 {
			t.Errorf("%d fanout jobs after a new item, want 1", got)
		}

		// Its edit on the website reaches followers as an Update.
		f.now = f.now.Add(time.Hour)
		edited := strings.Replace(withNew, "Un nouvel espace ouvre à Marseille.", "Un nouvel espace ouvre à Marseille, quartier Belsunce.", 1)
		f.site.put("/feed/", file{body: []byte(edited), ctype: rssType})
		res = f.poll(t, added.Source.ID)
		if res.Updated != 1 || res.Imported != 0 {
			t.Fatalf("poll with an edited item: %+v", res)
		}
		updates, _ := st.ListActivities(ctx, f.org.ID, "Update", 0, 0)
		if len(updates) != 1 || countJobs(t, st, "fanout") != 2 {
			t.Errorf("%d Updates, %d fanouts after an edit", len(updates), countJobs(t, st, "fanout"))
		}
		if got := f.posts(t, newsroom.StatusPublished); len(got) != 4 || !strings.Contains(got[0].BodyHTML, "Belsunce") {
			t.Errorf("after the edit: %d posts, first %q", len(got), got[0].BodyHTML)
		}

		// The same feed under another address (http→https, a new path)
		// imports nothing twice: items are the organisation's, by GUID.
		f.site.put("/moved/feed/", file{body: []byte(edited), ctype: rssType})
		moved := f.add(t, AddInput{URL: f.site.URL + "/moved/feed/", Backfill: 20})
		res = f.poll(t, moved.ID)
		if res.Imported != 0 || len(f.posts(t, "")) != 4 {
			t.Errorf("a moved feed imported again: %+v", res)
		}
	})
}

// --backfill N imports the N newest items; the older ones are remembered
// and never imported later. --review leaves them as drafts.
func TestBackfillAndReview(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		serveWordPress(t, f)
		src := f.add(t, AddInput{URL: f.site.URL + "/feed/", Backfill: 1, Review: true, Kind: newsroom.KindPress})
		res := f.poll(t, src.ID)
		if res.Imported != 1 {
			t.Fatalf("backfill 1 imported %d", res.Imported)
		}
		drafts := f.posts(t, newsroom.StatusDraft)
		if len(drafts) != 1 || drafts[0].Kind != newsroom.KindPress || drafts[0].SourceURL == "" || len(f.posts(t, newsroom.StatusPublished)) != 0 {
			t.Fatalf("review: %d drafts %+v", len(drafts), drafts)
		}
		f.site.put("/feed/", file{body: append(f.site.files["/feed/"].body, ' '), ctype: rssType}) // a new ETag
		res = f.poll(t, src.ID)
		if res.Imported != 0 || res.Source.LastStatus != 200 {
			t.Errorf("older items imported after the backfill: %+v", res)
		}
	})
}

// The shapes of real feeds: Hugo's Atom, Ghost's RSS, a JSON Feed, and
// a feed in ISO-8859-1.
func TestFeedShapes(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	png := pngImage(t, 32, 32, color.RGBA{0, 90, 200, 255})
	for _, p := range []string{"/images/sgw-2026.png", "/content/images/2026/11/conseillers.png", "/images/barometre.png"} {
		f.site.put(p, file{ctype: "image/png", body: png})
	}
	f.site.fixture(t, "/en/index.xml", "hugo.xml", "application/atom+xml")
	f.site.fixture(t, "/rss/", "ghost.xml", "application/rss+xml; charset=utf-8")
	f.site.fixture(t, "/feed.json", "jsonfeed.json", "application/feed+json")
	f.site.fixture(t, "/latin1.xml", "latin1.xml", "application/rss+xml")

	t.Run("Hugo", func(t *testing.T) {
		src := f.add(t, AddInput{URL: f.site.URL + "/en/index.xml", Backfill: 20})
		if res := f.poll(t, src.ID); res.Imported != 2 {
			t.Fatalf("%+v", res)
		}
		p := post(t, f, f.site.URL+"/en/posts/2026-review/")
		if p.Lang != "en" || p.Status != newsroom.StatusDraft {
			t.Errorf("lang %s status %s: English from xml:lang; an image without alt goes to review", p.Lang, p.Status)
		}
		if !strings.Contains(p.BodyHTML, `href="`+f.site.URL+`/fr/posts/bilan-2026/"`) {
			t.Errorf("relative link not resolved against the item's page:\n%s", p.BodyHTML)
		}
		if !slices.Equal(p.Tags, []string{"Digital inclusion", "SocialGoodWeek"}) {
			t.Errorf("tags %q", p.Tags)
		}
		short := post(t, f, f.site.URL+"/en/posts/call-2027/")
		if short.Status != newsroom.StatusPublished || !strings.Contains(short.BodyHTML, "organise an event") {
			t.Errorf("an entry with only a summary: %s %q", short.Status, short.BodyHTML)
		}
	})
	t.Run("Ghost", func(t *testing.T) {
		src := f.add(t, AddInput{URL: f.site.URL + "/rss/", Backfill: 20})
		res := f.poll(t, src.ID)
		if res.Imported != 1 {
			t.Fatalf("%+v", res)
		}
		p := post(t, f, f.site.URL+"/conseillers-numeriques-duree/")
		if strings.Contains(p.BodyHTML, "iframe") || strings.Contains(p.BodyHTML, "youtube") {
			t.Errorf("an embed kept: %s", p.BodyHTML)
		}
		if len(p.Media) != 1 || p.Media[0].Alt != "Des conseillers numériques en formation" || p.Status != newsroom.StatusPublished {
			t.Errorf("the picture of the body and of media:content is one: %+v %s", p.Media, p.Status)
		}
		if want := f.now.Add(time.Hour); !res.Source.NextPollAt.Equal(want) {
			t.Errorf("next poll %s, want %s (<ttl>60</ttl>)", res.Source.NextPollAt, want)
		}
	})
	t.Run("JSONFeed", func(t *testing.T) {
		src := f.add(t, AddInput{URL: f.site.URL + "/feed.json", Backfill: 20})
		if res := f.poll(t, src.ID); res.Imported != 1 {
			t.Fatalf("%+v", res)
		}
		p := post(t, f, f.site.URL+"/2026/11/generosite/")
		if strings.Contains(p.BodyHTML, "script") || strings.Contains(p.BodyHTML, "javascript") || strings.Contains(p.BodyHTML, "alert") {
			t.Errorf("unsafe content kept: %s", p.BodyHTML)
		}
		if !slices.Equal(p.Tags, []string{"Générosité", "Vie associative"}) || len(p.Media) != 1 || p.Media[0].Alt != "Graphique des dons" {
			t.Errorf("tags %q media %+v", p.Tags, p.Media)
		}
	})
	t.Run("ISO-8859-1", func(t *testing.T) {
		src := f.add(t, AddInput{URL: f.site.URL + "/latin1.xml", Backfill: 20})
		if res := f.poll(t, src.ID); res.Imported != 1 {
			t.Fatalf("%+v", res)
		}
		p := post(t, f, f.site.URL+"/fete-ete")
		if p.Title != "Fête de l'été : réservez votre après-midi" || !strings.Contains(p.BodyHTML, "élégance") {
			t.Errorf("decoded as %q / %q", p.Title, p.BodyHTML)
		}
	})
}

// post finds the post imported from link.
func post(t *testing.T, f *fixture, link string) newsroom.Post {
	t.Helper()
	all, err := f.st.ListPosts(t.Context(), store.PostFilter{OrgID: f.org.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.SourceURL == link {
			return p
		}
	}
	t.Fatalf("no post from %s among %d", link, len(all))
	return newsroom.Post{}
}
