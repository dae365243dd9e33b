package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// memberSite is a member organisation's WordPress site on loopback.
type memberSite struct {
	*httptest.Server
	mu   sync.Mutex
	feed string
}

func newMemberSite(t *testing.T) *memberSite {
	t.Helper()
	raw, err := os.ReadFile("../../internal/feeds/testdata/wordpress.xml")
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = 0xc0
	}
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	s := &memberSite{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/feed/":
			s.mu.Lock()
			body := s.feed
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/rss+xml; charset=UTF-8")
			w.Write([]byte(body))
		case strings.HasSuffix(r.URL.Path, ".png"):
			w.Header().Set("Content-Type", "image/png")
			w.Write(pic.Bytes())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	// Named as a member's site is, by a name of its own.
	s.URL = strings.Replace(s.URL, "127.0.0.1", "localhost", 1)
	s.set(strings.ReplaceAll(string(raw), "{{BASE}}", s.URL))
	return s
}

func (s *memberSite) set(feed string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feed = feed
}

func (s *memberSite) get() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.feed
}

// A member's WordPress feed, end to end with the real server: adding it
// from the command line imports its history onto the site and the outbox
// without sending it to followers; a new article reaches a follower as a
// Create after the next poll, with its picture served from our own
// origin; its edit reaches them as an Update.
func TestFeedImportEndToEnd(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "emmaus-connect", "Emmaüs Connect")
		peer := fedtest.NewPeer(t, "alice")
		followedBy(t, ts, org, peer)
		site := newMemberSite(t)
		feedCLI := func(args ...string) string {
			t.Helper()
			code, out, errs := ts.command(t, "feed", append(args[:1:1], append([]string{"--allow-private-networks", "127.0.0.0/8"}, args[1:]...)...)...)
			if code != 0 {
				t.Fatalf("feed %s: exit %d: %s", args[0], code, errs)
			}
			return out
		}

		out := feedCLI("add", "--org", "emmaus-connect", site.URL+"/feed/")
		if !strings.Contains(out, `added "Emmaüs Connect"`) {
			t.Errorf("feed add said %q", out)
		}
		// The actor now credits the member's site, and followers' servers
		// are told.
		profile := waitLong(t, peer, func(r fedtest.Received) bool { return r.Type() == "Update" })
		actor, _ := profile.Activity["object"].(map[string]any)
		if got := fmt.Sprint(actor["attributionDomains"]); got != "[127.0.0.1 localhost]" {
			t.Errorf("attributionDomains in the actor's Update: %s", got)
		}
		// The server's poll job, committed with the source, imports the history.
		ctx := context.Background()
		eventually(t, "history imported", func() string {
			n, err := ts.Store.CountPosts(ctx, store.PostFilter{OrgID: org.ID, Status: newsroom.StatusPublished})
			if err != nil || n != 3 {
				return fmt.Sprintf("%d posts (%v)", n, err)
			}
			return ""
		})
		if _, _, body := ts.get(t, "/orgs/emmaus-connect/outbox", "application/activity+json"); !strings.Contains(body, `"totalItems":3`) {
			t.Errorf("outbox: %s", body)
		}
		if out := feedCLI("list"); !strings.Contains(out, site.URL+"/feed/") || !strings.Contains(out, "200") {
			t.Errorf("feed list: %q", out)
		}

		// A new article on the site.
		item := `<item><title>Nouvel espace à Marseille</title><link>` + site.URL + `/2026/12/marseille/</link>
<pubDate>` + time.Now().UTC().Format(time.RFC1123Z) + `</pubDate><guid isPermaLink="false">` + site.URL + `/?p=4900</guid>
<category><![CDATA[Inclusion numérique]]></category>
<content:encoded><![CDATA[<p>Un nouvel espace ouvre à Marseille.</p><p><img src="/wp-content/uploads/2026/12/marseille.png" alt="La façade du nouvel espace"></p>]]></content:encoded></item>`
		feed := strings.Replace(site.get(), "<item>", item+"<item>", 1)
		site.set(feed)
		if out := feedCLI("poll", "--org", "emmaus-connect"); !strings.Contains(out, "1 imported") {
			t.Errorf("feed poll said %q", out)
		}
		create := waitLong(t, peer, func(r fedtest.Received) bool { return r.Type() == "Create" })
		obj, _ := create.Activity["object"].(map[string]any)
		content, _ := obj["content"].(string)
		if !strings.Contains(content, "Marseille") || strings.Contains(content, site.URL+"/wp-content") {
			t.Errorf("Create content: %s", content)
		}
		att, _ := obj["attachment"].(map[string]any) // one attachment is written as an object
		if att == nil {
			t.Fatalf("attachment: %v", obj["attachment"])
		}
		imgURL, _ := att["url"].(string)
		if !strings.HasPrefix(imgURL, ts.URL+"/media/") || att["name"] != "La façade du nouvel espace" {
			t.Errorf("attachment %v: not on our origin, or without its alt", att)
		}
		if code, h, _ := fetch(t, imgURL, ""); code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "image/") {
			t.Errorf("our copy of the image: %d %s", code, h.Get("Content-Type"))
		}
		for _, r := range peer.Received() {
			if r.Type() == "Create" && r.Object() != create.Object() {
				t.Errorf("the history was delivered: %s", r.Object())
			}
		}

		// The article is edited on the site.
		site.set(strings.Replace(feed, "Un nouvel espace ouvre à Marseille.", "Un nouvel espace ouvre à Marseille, rue d'Aubagne.", 1))
		if out := feedCLI("poll"); !strings.Contains(out, "1 updated") {
			t.Errorf("feed poll said %q", out)
		}
		update := waitLong(t, peer, func(r fedtest.Received) bool { return r.Type() == "Update" && r.Object() == create.Object() })
		uobj, _ := update.Activity["object"].(map[string]any)
		if c, _ := uobj["content"].(string); !strings.Contains(c, "Aubagne") {
			t.Errorf("Update of %s: %s", update.Object(), c)
		}

		feedCLI("remove", site.URL+"/feed/")
		if out := feedCLI("list"); strings.Contains(out, site.URL) {
			t.Errorf("after remove: %q", out)
		}
	})
}
