package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
)

// Two fediverse users like, boost and reply to a post: the public page and
// the ActivityStreams object count them at once (though both were cached
// before), the reply shows only once approved, cleaned, with its author as
// people know them, and an Undo takes its Like back off the count. What a
// reader cached less than a second before may show for that second.
func TestReactionsShowOnPublicPost(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		ctx := context.Background()
		const id = "01JD0000000000000000000077"
		postURL := publishedPost(t, ts, org, id)
		path := "/orgs/soga/posts/" + id

		alice, bob := fedtest.NewPeer(t, "alice"), fedtest.NewPeer(t, "bob")
		alice.SetDisplayName(":blobcat: Alice \u202eLiddell")

		// Warm the cache: what follows must not stay hidden by it.
		page := func() string {
			req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
			req.Header.Set("Accept", "text/html")
			req.Header.Set("Accept-Language", "en")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			return readAll(t, resp)
		}
		object := func() map[string]any {
			code, _, body := ts.get(t, path, "application/activity+json")
			if code != http.StatusOK {
				t.Fatalf("object: %d", code)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(body), &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		if p := page(); !strings.Contains(p, "Likes: 0") || !strings.Contains(p, "Boosts: 0") {
			t.Fatalf("fresh post without zero counts:\n%s", p)
		}
		if msg := checkCollections(t, ts, object(), id, 0, 0); msg != "" {
			t.Fatal(msg)
		}

		like, boost := alice.Like(postURL), alice.Announce(postURL)
		for _, a := range []map[string]any{like, boost} {
			if code := send(t, alice, ts.SharedInboxURL(), a); code != http.StatusAccepted {
				t.Fatalf("%s: %d", a["type"], code)
			}
		}
		if code := send(t, bob, ts.SharedInboxURL(), bob.Like(postURL)); code != http.StatusAccepted {
			t.Fatalf("bob's like: %d", code)
		}
		reply := alice.Reply(postURL, `<p>Bravo ! <a href="https://example.org/x">lien</a></p><script>alert(1)</script><img src="http://127.0.0.1:1/track.png" onerror="alert(2)">`)
		if code := send(t, alice, ts.SharedInboxURL(), reply); code != http.StatusAccepted {
			t.Fatalf("reply: %d", code)
		}
		eventually(t, "counts on the page", func() string {
			if p := page(); !strings.Contains(p, "Likes: 2") || !strings.Contains(p, "Boosts: 1") {
				return "page shows no 2 likes and 1 boost"
			}
			return ""
		})
		// Within cache.ReactionDelay of the previous render.
		eventually(t, "collections", func() string { return checkCollections(t, ts, object(), id, 2, 1) })
		if p := page(); strings.Contains(p, "Bravo") {
			t.Fatal("a reply shows before an editor approved it")
		}

		noteID := reply["object"].(map[string]any)["id"].(string)
		if err := ts.services.audience.ModerateReply(ctx, org.ID, noteID, newsroom.ReplyApproved); err != nil {
			t.Fatal(err)
		}
		p := page()
		for _, want := range []string{
			"Bravo", `href="https://example.org/x"`, `rel="nofollow`,
			`<bdi class="person-name">Alice Liddell</bdi>`, // emoji shortcode and bidi override gone
			`<bdi class="person-handle">@alice@` + alice.Host + `</bdi>`,
			`href="` + alice.URL + `/@alice"`, // the profile page, not the id
			`href="` + noteID + `"`,           // the original
		} {
			if !strings.Contains(p, want) {
				t.Errorf("approved reply: page lacks %s", want)
			}
		}
		for _, bad := range []string{"<script>alert", "onerror", "track.png", "\u202e", ":blobcat:"} {
			if strings.Contains(p, bad) {
				t.Errorf("page carries %q", bad)
			}
		}

		if code := send(t, alice, ts.SharedInboxURL(), alice.Undo(like)); code != http.StatusAccepted {
			t.Fatalf("undo like: %d", code)
		}
		eventually(t, "count after an Undo", func() string {
			if p := page(); !strings.Contains(p, "Likes: 1") {
				return "page does not show 1 like"
			}
			return ""
		})
		// Within cache.ReactionDelay of the previous render.
		eventually(t, "collections", func() string { return checkCollections(t, ts, object(), id, 1, 1) })
	})
}

// checkCollections reads the likes and shares an object embeds, then the
// same collections from their own ids, as a server following them would.
func checkCollections(t *testing.T, ts *testServer, obj map[string]any, id string, likes, shares int) string {
	t.Helper()
	for name, want := range map[string]int{"likes": likes, "shares": shares} {
		wantID := ts.URLs.Post("soga", id) + "/" + name
		c, _ := obj[name].(map[string]any)
		if c["id"] != wantID || c["type"] != "Collection" || c["totalItems"] != float64(want) {
			return fmt.Sprintf("object's %s = %v, want Collection %s with totalItems %d", name, obj[name], wantID, want)
		}
		code, hdr, body := fetch(t, wantID, "application/activity+json")
		var served map[string]any
		if err := json.Unmarshal([]byte(body), &served); code != http.StatusOK || err != nil {
			t.Fatalf("GET %s: %d %v", wantID, code, err)
		}
		if !strings.HasPrefix(hdr.Get("Content-Type"), "application/activity+json") ||
			served["id"] != wantID || served["totalItems"] != float64(want) || served["@context"] == nil {
			return fmt.Sprintf("GET %s: %s", wantID, body)
		}
	}
	return ""
}
