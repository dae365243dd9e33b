package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
)

// publishedPost stores a published post directly; publishing through the
// form and the CLI has tests of its own.
func publishedPost(t testing.TB, ts *testServer, org *newsroom.Organisation, id string) string {
	t.Helper()
	now := time.Now().UTC()
	p := &newsroom.Post{ID: id, OrgID: org.ID, Kind: newsroom.KindArticle, Status: newsroom.StatusPublished,
		ObjectType: newsroom.ObjectNote, Lang: "fr", Title: "Bonjour", BodyMD: "Texte", BodyHTML: "<p>Texte</p>",
		PublishedAt: now, CreatedAt: now}
	if err := ts.Store.CreatePost(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return ts.URLs.Post(org.Handle, id)
}

func send(t testing.TB, p *fedtest.Peer, inbox string, act map[string]any) int {
	t.Helper()
	resp, err := p.Send(context.Background(), inbox, act)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A Mastodon-like user finds @soga by WebFinger, follows, is accepted with
// a signed Accept that names the Follow, likes and boosts a post, and
// undoes it all.
func TestFollowLikeBoostUndo(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		ctx := context.Background()
		alice := fedtest.NewPeer(t, "alice")

		actorURL, err := alice.Resolve(ctx, "soga@"+ts.URLs.Host())
		if err != nil {
			t.Fatalf("webfinger: %v", err)
		}
		if actorURL != ts.URLs.Org("soga") {
			t.Fatalf("resolved %q", actorURL)
		}
		actor, err := alice.FetchActor(ctx, actorURL)
		if err != nil {
			t.Fatalf("fetch actor: %v", err)
		}
		if actor["type"] != "Organization" || actor["id"] != actorURL || actor["inbox"] != ts.URLs.OrgInbox("soga") {
			t.Fatalf("actor: %v %v %v", actor["type"], actor["id"], actor["inbox"])
		}

		follow := alice.Follow(actorURL)
		if code := send(t, alice, ts.URLs.OrgInbox("soga"), follow); code != http.StatusAccepted {
			t.Fatalf("follow: status %d", code)
		}
		accept, err := waitFor(alice, func(r fedtest.Received) bool { return r.Type() == "Accept" })
		if err != nil {
			t.Fatal(err)
		}
		if !accept.Accepted() {
			t.Fatalf("accept refused by the peer: %s", accept.Refused)
		}
		if accept.Actor() != actorURL || accept.Object() != follow["id"] {
			t.Fatalf("accept actor %q object %q, want %q %q", accept.Actor(), accept.Object(), actorURL, follow["id"])
		}
		if accept.KeyID != ts.URLs.OrgKey("soga") {
			t.Fatalf("accept signed by %q", accept.KeyID)
		}
		if n, _ := ts.Store.CountFollowers(ctx, org.ID); n != 1 {
			t.Fatalf("followers = %d", n)
		}
		// The followers collection counts alice too.
		if _, _, body := ts.get(t, "/orgs/soga/followers", "application/activity+json"); !strings.Contains(body, `"totalItems":1`) {
			t.Fatalf("followers collection: %s", body)
		}

		// A repeated Follow with a new id gets a fresh Accept.
		follow2 := alice.Follow(actorURL)
		if code := send(t, alice, ts.URLs.OrgInbox("soga"), follow2); code != http.StatusAccepted {
			t.Fatalf("second follow: %d", code)
		}
		if _, err := waitFor(alice, func(r fedtest.Received) bool { return r.Type() == "Accept" && r.Object() == follow2["id"] }); err != nil {
			t.Fatal(err)
		}

		post := publishedPost(t, ts, org, "01JD0000000000000000000001")
		like := alice.Like(post)
		for i := 0; i < 2; i++ { // the replay counts once
			if code := send(t, alice, ts.SharedInboxURL(), like); code != http.StatusAccepted {
				t.Fatalf("like #%d: status %d", i, code)
			}
		}
		boost := alice.Announce(post)
		if code := send(t, alice, ts.SharedInboxURL(), boost); code != http.StatusAccepted {
			t.Fatalf("boost: %d", code)
		}
		checkCounts(t, ts, "01JD0000000000000000000001", 1, 1)

		if code := send(t, alice, ts.SharedInboxURL(), alice.Undo(like)); code != http.StatusAccepted {
			t.Fatalf("undo like: %d", code)
		}
		if code := send(t, alice, ts.SharedInboxURL(), alice.Undo(boost)); code != http.StatusAccepted {
			t.Fatalf("undo boost: %d", code)
		}
		checkCounts(t, ts, "01JD0000000000000000000001", 0, 0)

		if code := send(t, alice, ts.URLs.OrgInbox("soga"), alice.Undo(follow2)); code != http.StatusAccepted {
			t.Fatalf("undo follow: %d", code)
		}
		if n, _ := ts.Store.CountFollowers(ctx, org.ID); n != 0 {
			t.Fatalf("followers after undo = %d", n)
		}
	})
}

func (ts *testServer) SharedInboxURL() string { return ts.URLs.SharedInbox() }

func checkCounts(t testing.TB, ts *testServer, postID string, wantLikes, wantBoosts int) {
	t.Helper()
	likes, boosts, err := ts.Store.CountInteractions(context.Background(), postID)
	if err != nil {
		t.Fatal(err)
	}
	if likes != wantLikes || boosts != wantBoosts {
		t.Fatalf("likes %d boosts %d, want %d %d", likes, boosts, wantLikes, wantBoosts)
	}
}

func waitFor(p *fedtest.Peer, match func(fedtest.Received) bool) (fedtest.Received, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return p.WaitFor(ctx, match)
}
