package feeds

import (
	"fmt"
	"image/color"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// rssOf wraps items in an RSS 2.0 channel.
func rssOf(items string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Site</title><link>{{BASE}}/</link>` +
		items + `</channel></rss>`)
}

// Feeds that cannot be read: each poll records a plain-words error, the
// poller goes on, nothing is published, and a good source polled next
// imports as usual.
func TestUnreadableFeeds(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	huge := strings.Repeat("<item><title>x</title></item>", MaxFeedBytes/28+10)
	laughs := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><guid>laughs</guid><description>&lol9;</description></item></channel></rss>`
	cases := []struct {
		name, path string
		file       file
		want       string // in the source's last error; "" for none
		posts      int
	}{
		{"malformed XML", "/broken.xml", file{ctype: rssType, body: []byte(`<rss version="2.0"><channel><item><title>Cassé</title></channel>`)},
			"cannot be read", 0},
		{"a web page", "/page.html", file{ctype: "text/html", body: []byte(`<!DOCTYPE html><html><head><title>Accueil</title></head><body><p>Bienvenue</p></body></html>`)},
			"web page, not a feed", 0},
		{"more than 10 MB, announced", "/huge.xml", file{ctype: rssType, body: rssOf(huge)}, "more than the", 0},
		{"more than 10 MB, chunked", "/huge-chunked.xml", file{handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", rssType)
			w.Write([]byte(`<rss version="2.0"><channel>`))
			chunk := []byte(strings.Repeat("<item><title>x</title></item>", 1000))
			for range MaxFeedBytes/len(chunk) + 2 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}}, "more than the", 0},
		{"entity expansion", "/laughs.xml", file{ctype: rssType, body: []byte(laughs)}, "", 1},
		{"a redirect loop", "/loop", file{handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/loop", http.StatusFound)
		}}, "redirects", 0},
		{"a redirect to a private address", "/private", file{handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		}}, "private or reserved network", 0},
		{"a server error", "/error", file{status: http.StatusInternalServerError}, "HTTP 500", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.site.put(c.path, c.file)
			src := &newsroom.FeedSource{OrgID: f.org.ID, FeedURL: f.site.URL + c.path, Kind: newsroom.KindArticle, Backfill: 20}
			if err := f.st.CreateFeedSource(t.Context(), src); err != nil {
				t.Fatal(err)
			}
			before := len(f.posts(t, ""))
			start := time.Now()
			res := f.poll(t, src.ID)
			if time.Since(start) > 5*time.Second {
				t.Errorf("poll took %s", time.Since(start))
			}
			if c.want == "" && res.Source.LastError != "" || !strings.Contains(res.Source.LastError, c.want) {
				t.Errorf("last error %q, want %q", res.Source.LastError, c.want)
			}
			if c.want != "" && (res.Source.Failures != 1 || !res.Source.NextPollAt.After(f.now)) {
				t.Errorf("failure not counted: %+v", res.Source)
			}
			if got := len(f.posts(t, "")) - before; got != c.posts {
				t.Errorf("%d posts imported, want %d", got, c.posts)
			}
			for _, p := range f.posts(t, "") {
				if len(p.Title) > 1000 || len(p.BodyHTML) > 10000 {
					t.Errorf("an entity was expanded: title of %d bytes, body of %d", len(p.Title), len(p.BodyHTML))
				}
			}
		})
	}
	// A web page without a feed, and a private address, are refused when added.
	if _, err := f.svc.Add(t.Context(), AddInput{OrgID: f.org.ID, URL: f.site.URL + "/page.html"}); err == nil ||
		!strings.Contains(err.Error(), "does not link to a feed") {
		t.Errorf("adding a page without a feed: %v", err)
	}
	for _, u := range []string{"http://10.0.0.1/feed", "http://[::ffff:127.0.0.1]:1/", "http://169.254.169.254/", "javascript:alert(1)", "ftp://example.org/feed"} {
		if _, err := f.svc.Add(t.Context(), AddInput{OrgID: f.org.ID, URL: u}); err == nil {
			t.Errorf("adding %s was accepted", u)
		}
	}
	// The poller was not harmed: a good source imports.
	serveWordPress(t, f)
	good := f.add(t, AddInput{URL: f.site.URL + "/feed/", Backfill: 20})
	if res := f.poll(t, good.ID); res.Imported != 3 || res.Source.LastError != "" {
		t.Errorf("a good source after the bad ones: %+v", res)
	}
}

// 100,000 items (undated, newest first as feeds list them): the poll
// looks at the first MaxItems, imports the
// backfill and remembers the rest, and later polls import none of them.
func TestManyItems(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	var b strings.Builder
	for i := 99_999; i >= 0; i-- {
		fmt.Fprintf(&b, "<item><title>Item %d</title><guid>n%d</guid></item>", i, i)
	}
	f.site.put("/many.xml", file{ctype: rssType, body: rssOf(b.String())})
	src := f.add(t, AddInput{URL: f.site.URL + "/many.xml", Backfill: 5})
	res := f.poll(t, src.ID)
	if res.Imported != 5 || res.Source.LastError != "" {
		t.Fatalf("%+v", res)
	}
	var titles []string
	for _, p := range f.posts(t, "") {
		titles = append(titles, p.Title)
	}
	slices.Sort(titles)
	if want := []string{"Item 99995", "Item 99996", "Item 99997", "Item 99998", "Item 99999"}; !slices.Equal(titles, want) {
		t.Errorf("imported %q, want the five first of the feed", titles)
	}
	f.site.put("/many.xml", file{ctype: rssType, body: append(rssOf(b.String()), ' ')})
	if res := f.poll(t, src.ID); res.Imported != 0 {
		t.Errorf("second poll imported %d", res.Imported)
	}
}

// Items as real feeds get them wrong.
func TestUnusualItems(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		f.site.put("/img/fake.png", file{ctype: "image/png", body: []byte("<!DOCTYPE html><html><body>Not found</body></html>")})
		f.site.put("/img/page", file{ctype: "text/html", body: []byte("<html><body>hello</body></html>")})
		f.site.put("/img/ok.png", file{ctype: "image/png", body: pngImage(t, 20, 20, color.RGBA{10, 120, 10, 255})})
		sent := 0
		f.site.put("/img/huge.jpg", file{handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Header().Set("Content-Length", strconv.FormatInt(2<<30, 10))
			buf := make([]byte, 64<<10)
			for range 2 << 30 / len(buf) {
				n, err := w.Write(buf)
				sent += n
				if err != nil {
					return
				}
			}
		}})
		items := `
<item><title>Sans identifiant</title><description>Un article sans guid ni lien.</description></item>
<item><title>Sans identifiant non plus</title><description>Un autre.</description></item>
<item><title>Doublon</title><guid>dup</guid><link>{{BASE}}/a</link><description>Le premier.</description></item>
<item><title>Doublon encore</title><guid>dup</guid><link>{{BASE}}/b</link><description>Le second.</description></item>
<item><title>Piégé</title><guid>trap</guid><link>{{BASE}}/trap</link><description><![CDATA[<p style="color:red" onclick="steal()">Texte <a href="javascript:alert(1)">lien</a> <a href="data:text/html,x">data</a>
<script>alert(1)</script><img src="x" onerror="alert(1)"><iframe src="https://evil.example/"></iframe>
<img src="/img/fake.png" alt="faux"><img src="/img/page" alt="page"><img src="/img/ok.png" alt="Une image">
<img src="http://169.254.169.254/latest/meta-data/x.png" alt="interne"><a href="https://ok.example/">bon lien</a></p>]]></description>
<enclosure url="{{BASE}}/img/huge.jpg" length="2147483648" type="image/jpeg"/></item>`
		f.site.put("/odd.xml", file{ctype: rssType, body: rssOf(items)})
		src := f.add(t, AddInput{URL: f.site.URL + "/odd.xml", Backfill: 20})
		res := f.poll(t, src.ID)
		if res.Imported != 4 || res.Failed != 0 {
			t.Fatalf("%+v", res)
		}
		if sent > 4<<20 {
			t.Errorf("the 2 GB enclosure was downloaded: %d bytes sent", sent)
		}
		trap := post(t, f, f.site.URL+"/trap")
		for _, bad := range []string{"script", "javascript", "onerror", "onclick", "style", "iframe", "evil", "data:", "169.254", f.site.URL + "/img", `src="x"`} {
			if strings.Contains(trap.BodyHTML, bad) {
				t.Errorf("body keeps %q:\n%s", bad, trap.BodyHTML)
			}
		}
		if !strings.Contains(trap.BodyHTML, `alt="Une image"`) || strings.Count(trap.BodyHTML, "<img") != 1 ||
			!strings.Contains(trap.BodyHTML, `href="https://ok.example/"`) || len(trap.Media) != 1 {
			t.Errorf("the good image and link were not kept:\n%s\n%+v", trap.BodyHTML, trap.Media)
		}
		if d := post(t, f, f.site.URL+"/a"); d.Title != "Doublon" {
			t.Errorf("of two items with one GUID, the first stands: %q", d.Title)
		}
		// Nothing is imported twice, items without GUID or link included.
		f.site.put("/odd.xml", file{ctype: rssType, body: append(rssOf(items), ' ')})
		if res := f.poll(t, src.ID); res.Imported != 0 || res.Updated != 0 {
			t.Errorf("second poll: %+v", res)
		}
	})
}

// A 410 disables at once; other failures back off, then disable after
// MaxFailures in a row, saying why.
func TestFailuresDisable(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	f.site.put("/gone.xml", file{status: http.StatusGone})
	gone := &newsroom.FeedSource{OrgID: f.org.ID, FeedURL: f.site.URL + "/gone.xml", Kind: newsroom.KindArticle}
	if err := f.st.CreateFeedSource(t.Context(), gone); err != nil {
		t.Fatal(err)
	}
	res := f.poll(t, gone.ID)
	if !res.Source.Disabled || !strings.Contains(res.Source.LastError, "410") || res.Source.LastErrorKey != "gone" {
		t.Errorf("410: %+v", res.Source)
	}
	f.site.put("/down.xml", file{status: http.StatusServiceUnavailable, header: map[string]string{"Retry-After": "7200"}})
	down := &newsroom.FeedSource{OrgID: f.org.ID, FeedURL: f.site.URL + "/down.xml", Kind: newsroom.KindArticle}
	if err := f.st.CreateFeedSource(t.Context(), down); err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	for range MaxFailures {
		res = f.poll(t, down.ID)
		waits = append(waits, res.Source.NextPollAt.Sub(f.now))
	}
	if waits[0] != 2*time.Hour || waits[5] != 8*time.Hour || waits[7] != MaxInterval {
		t.Errorf("waits %v: Retry-After first, then doubling (with the middle of the jitter) up to %s", waits, MaxInterval)
	}
	if !res.Source.Disabled || res.Source.Failures != MaxFailures || !strings.Contains(res.Source.LastError, "10 failed polls in a row") ||
		res.Source.LastErrorKey != "stopped" || res.Source.LastErrorDetail != "10" {
		t.Errorf("after %d failures: %+v", MaxFailures, res.Source)
	}
	if again := f.poll(t, down.ID); again.Source.Failures != MaxFailures {
		t.Error("a disabled source was polled")
	}
}
