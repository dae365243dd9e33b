package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/delivery"
	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/federation/inbox"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// follow has peer follow the organisation and waits for the Accept.
func follow(t *testing.T, ts *testServer, p *fedtest.Peer, handle string) {
	t.Helper()
	if code := send(t, p, ts.URLs.OrgInbox(handle), p.Follow(ts.URLs.Org(handle))); code != http.StatusAccepted {
		t.Fatalf("follow: status %d", code)
	}
	if _, err := waitFor(p, func(r fedtest.Received) bool { return r.Type() == "Accept" }); err != nil {
		t.Fatal(err)
	}
}

var syncRE = regexp.MustCompile(`^collectionId="([^"]+)", url="([^"]+)", digest="([0-9a-f]{64})"$`)

// A post mentioning an account on a server where nobody follows the
// organisation reaches that account's inbox, with the Mention tag and the
// account in cc; the follower's server receives FEP-8fcf's header with the
// digest of its followers, and its signed fetch of the partial collection
// lists exactly them, while another server's signature gets its own (none)
// and an unsigned fetch nothing.
func TestMentionsAndFollowersSync(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		ts := startServer(t, backend)
		ts.createOrg(t, "soga", "Social Good Accelerator")
		alice := fedtest.NewPeer(t, "alice") // follows
		bob := fedtest.NewPeer(t, "bob")     // mentioned only
		follow(t, ts, alice, "soga")
		org, err := ts.Store.OrgByHandle(ctx, "soga")
		if err != nil {
			t.Fatal(err)
		}

		// An unknown account is refused, naming it.
		_, err = ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindPress,
			Title: "Merci", Body: "Merci @nobody@" + bob.Host + " !"})
		var v *newsroom.ValidationError
		if !errors.As(err, &v) || v.Fields["body"] != "mention_unknown @nobody@"+bob.Host {
			t.Fatalf("publish with an unknown account: %v", err)
		}

		p, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindPress,
			Title: "Merci", Body: "Merci @bob@" + bob.Host + ", et `@bob@" + bob.Host + "` en code."})
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(p.BodyHTML, `class="u-url mention"`); n != 1 || !strings.Contains(p.BodyHTML, `href="`+bob.URL+`/@bob"`) {
			t.Errorf("body: %s", p.BodyHTML)
		}
		isCreate := func(r fedtest.Received) bool { return r.Type() == "Create" && r.Accepted() }
		got, err := waitFor(bob, isCreate)
		if err != nil {
			t.Fatal(err)
		}
		obj, _ := got.Activity["object"].(map[string]any)
		var mention map[string]any
		for _, tag := range asSlice(obj["tag"]) {
			if m, _ := tag.(map[string]any); m["type"] == "Mention" {
				mention = m
			}
		}
		if mention["href"] != bob.ActorID || mention["name"] != "@bob@"+bob.Host {
			t.Errorf("Mention tag: %v", obj["tag"])
		}
		for what, cc := range map[string]any{"Create": got.Activity["cc"], "object": obj["cc"]} {
			if !slices.Contains(asSlice(cc), any(bob.ActorID)) {
				t.Errorf("%s cc %v lacks %s", what, cc, bob.ActorID)
			}
		}
		t.Logf("bob received at %s: tag %v, cc %v; %s: %s", got.Path, obj["tag"], got.Activity["cc"],
			delivery.SyncHeader, got.Header.Get(delivery.SyncHeader))

		// The follower's server gets the header of its followers.
		atAlice, err := waitFor(alice, isCreate)
		if err != nil {
			t.Fatal(err)
		}
		h := atAlice.Header.Get(delivery.SyncHeader)
		t.Logf("alice received %s: %s", delivery.SyncHeader, h)
		m := syncRE.FindStringSubmatch(h)
		if m == nil {
			t.Fatalf("%s: %q", delivery.SyncHeader, h)
		}
		if m[1] != ts.URLs.OrgFollowers("soga") || m[2] != ts.URLs.OrgFollowersSync("soga") || m[3] != ap.FollowersDigest([]string{alice.ActorID}) {
			t.Errorf("%s: %q", delivery.SyncHeader, h)
		}
		if bm := syncRE.FindStringSubmatch(got.Header.Get(delivery.SyncHeader)); bm == nil || bm[3] != ap.FollowersDigest(nil) {
			t.Errorf("bob's %s: %q", delivery.SyncHeader, got.Header.Get(delivery.SyncHeader))
		}

		doc, err := alice.Fetch(ctx, m[2])
		if err != nil {
			t.Fatal(err)
		}
		if doc["type"] != "OrderedCollection" || fmt.Sprint(asSlice(doc["orderedItems"])) != fmt.Sprint([]any{alice.ActorID}) {
			t.Errorf("alice's partial collection: %v", doc)
		}
		doc, err = bob.Fetch(ctx, m[2])
		if err != nil {
			t.Fatal(err)
		}
		if len(asSlice(doc["orderedItems"])) != 0 || doc["totalItems"] != float64(0) {
			t.Errorf("bob's server sees %v", doc)
		}
		if code, _, _ := fetch(t, m[2], "application/activity+json"); code != http.StatusUnauthorized {
			t.Errorf("unsigned fetch: status %d", code)
		}

		// The Delete goes where the post went.
		if err := ts.services.posts.Delete(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := waitFor(bob, func(r fedtest.Received) bool { return r.Type() == "Delete" && r.Accepted() }); err != nil {
			t.Fatal(err)
		}
	})
}

// asSlice reads a JSON property that may be one value or several.
func asSlice(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	return []any{v}
}

// The resolver the posts use finds an account on a loopback server by
// WebFinger and its actor, tells an account its server does not know
// (newsroom.ErrNotFound) from a server that cannot be asked, and never
// asks a private address that is not allowed.
func TestMentionResolver(t *testing.T) {
	st := testdb.SQLite(t)
	bob := fedtest.NewPeer(t, "bob")
	resolverWith := func(allowed []netip.Prefix) mentionResolver {
		client := transport.NewClient(transport.Options{AllowedNets: allowed})
		key, _, err := transport.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		priv, err := transport.ParsePrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		keys := inbox.NewKeys(st, &transport.Fetcher{Client: client, KeyID: "http://news.test/actor#main-key", Key: priv})
		return mentionResolver{&inbox.Resolver{Keys: keys, Client: client, Scheme: "http"}}
	}
	ctx := context.Background()
	r := resolverWith([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	a, err := r.Resolve(ctx, "bob@"+bob.Host)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != bob.ActorID || a.SharedInbox != bob.SharedInbox || a.URL != bob.URL+"/@bob" {
		t.Errorf("resolved %+v", a)
	}
	if _, err := r.Resolve(ctx, "nobody@"+bob.Host); !errors.Is(err, newsroom.ErrNotFound) {
		t.Errorf("unknown account: %v", err)
	}
	before := len(bob.Requests())
	_, err = resolverWith(nil).Resolve(ctx, "bob@"+bob.Host)
	if err == nil || errors.Is(err, newsroom.ErrNotFound) || !errors.Is(err, transport.ErrForbiddenAddress) {
		t.Errorf("private address: %v", err)
	}
	if n := len(bob.Requests()); n != before {
		t.Errorf("the refused server got %d requests", n-before)
	}
}

// A member's server whose Collection-Synchronization header agrees with
// our follows is not asked anything; when its digest differs (it lost our
// follow), we fetch its partial collection, signed, and send the Follow
// again, which it accepts: the organisation follows the member once more.
func TestFollowersSyncReceived(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		member := fedtest.NewPeer(t, "member")
		member.AnswerFollows("Accept")
		memberFollowed(t, ts, org, member)
		ourOrigin, _ := ap.Origin(ts.URL)
		fetches := func() int {
			n := 0
			for _, r := range member.Requests() {
				if r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/followers_synchronization") {
					n++
				}
			}
			return n
		}
		post := func(text string) {
			t.Helper()
			_, create, err := member.Publish(ctx, fedtest.Post{Content: "<p>" + text + "</p>"})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := member.SendWithSync(ctx, ts.URLs.SharedInbox(), create, member.SyncHeader(ourOrigin))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("delivery: status %d", resp.StatusCode)
			}
		}
		follows := func() int {
			n := 0
			for _, r := range member.Received() {
				if r.Type() == "Follow" && r.Accepted() && r.Actor() == ts.URLs.Org("soga") {
					n++
				}
			}
			return n
		}

		// In agreement: nothing to check.
		post("Bonjour")
		first := follows()
		post("Encore")
		// The inbox queues a check before it answers: none was queued.
		if n := testdb.CountJobs(t, ts.Store, "followers_sync"); n != 0 || fetches() != 0 {
			t.Fatalf("%d checks queued, %d fetches of the partial collection while the digests agree", n, fetches())
		}

		// The member's server loses the follow.
		member.Forget(ts.URLs.Org("soga"))
		post("Après la perte")
		eventually(t, "a new Follow", func() string {
			if fetches() == 0 {
				return "no fetch of the partial collection"
			}
			if follows() <= first {
				return "no new Follow"
			}
			return ""
		})
		waitState(t, ts, org, member.ActorID, newsroom.NetworkFollowing)
		if !slices.Contains(member.FollowerIDs(), ts.URLs.Org("soga")) {
			t.Errorf("the member's followers: %v", member.FollowerIDs())
		}
	})
}
