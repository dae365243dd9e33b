package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
)

// memberFollowed makes org follow member from the command line, with
// rules, and waits until the member's Accept made it "following".
func memberFollowed(t *testing.T, ts *testServer, org *newsroom.Organisation, member *fedtest.Peer, rules ...string) {
	t.Helper()
	args := append([]string{"add", "--org", org.Handle}, rules...)
	if code, out, errs := ts.command(t, "network", append(args, "@"+member.Acct())...); code != 0 {
		t.Fatalf("network add: exit %d: %s %s", code, out, errs)
	}
	waitState(t, ts, org, member.ActorID, newsroom.NetworkFollowing)
}

func waitState(t *testing.T, ts *testServer, org *newsroom.Organisation, actorID string, want newsroom.NetworkState) {
	t.Helper()
	eventually(t, "network account state", func() string {
		a, err := ts.Store.NetworkAccount(context.Background(), org.ID, actorID)
		if err != nil {
			return err.Error()
		}
		if a.State != want {
			return "state " + string(a.State) + ", want " + string(want)
		}
		return ""
	})
}

// announcesOf returns the Announces (or Undos of one) of object a peer
// accepted, signed by org.
func announcesOf(p *fedtest.Peer, ts *testServer, org, object string) (announces, undos []fedtest.Received) {
	for _, r := range p.Received() {
		if !r.Accepted() || r.Actor() != ts.URLs.Org(org) || r.KeyID != ts.URLs.OrgKey(org) {
			continue
		}
		switch r.Type() {
		case "Announce":
			if r.Object() == object {
				announces = append(announces, r)
			}
		case "Undo":
			if inner, _ := r.Activity["object"].(map[string]any); inner["type"] == "Announce" && inner["object"] == object {
				undos = append(undos, r)
			}
		}
	}
	return announces, undos
}

func boostState(t *testing.T, ts *testServer, org *newsroom.Organisation, object string) newsroom.BoostState {
	t.Helper()
	b, err := ts.Store.Boost(context.Background(), org.ID, object)
	if err != nil {
		return ""
	}
	return b.State
}

// The association follows a member's own account from the command line;
// the member (a Mastodon-like peer) accepts. What the member publishes
// publicly with a matching hashtag reaches the association's follower as
// an Announce of the post, and the member too; other posts do not, a
// replay boosts once, a deletion sends the Undo, and review mode waits for
// an editor.
func TestNetworkBoostsMemberPosts(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts, org, reader, member := networkSetup(t, backend)
		ctx := context.Background()
		member.AnswerFollows("Accept")

		memberFollowed(t, ts, org, member, "--tag", "#Inclusion", "--lang", "fr")
		if !slices.Contains(member.FollowerIDs(), ts.URLs.Org("soga")) {
			t.Fatalf("member's followers: %v", member.FollowerIDs())
		}
		follow, err := waitFor(member, func(r fedtest.Received) bool { return r.Type() == "Follow" })
		if err != nil || follow.KeyID != ts.URLs.OrgKey("soga") || follow.Object() != member.ActorID {
			t.Fatalf("follow %v: %+v", err, follow)
		}
		if _, _, body := ts.get(t, "/orgs/soga/following", "application/activity+json"); !strings.Contains(body, `"totalItems":1`) {
			t.Fatalf("following collection: %s", body)
		}
		if _, _, body := ts.get(t, "/orgs/soga/following?page=1", "application/activity+json"); !strings.Contains(body, member.ActorID) {
			t.Fatalf("following page: %s", body)
		}
		code, out, _ := ts.command(t, "network", "list")
		if code != 0 || !strings.Contains(out, member.Acct()) || !strings.Contains(out, "following") || !strings.Contains(out, "#inclusion") {
			t.Fatalf("network list: %d %s", code, out)
		}

		// A public post with the hashtag, in French: boosted to the
		// reader, and the member is told.
		note, create, err := member.Publish(ctx, fedtest.Post{Content: "<p>Atelier <a href=\"x\">#Inclusion</a> <img src=\"http://evil.example/p.png\"></p>",
			Tags: []string{"Inclusion"}, Lang: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		noteID := note["id"].(string)
		ann := activityFrom(t, reader, ts, "Announce", noteID)
		if ann.Activity["to"] != ap.Public && !slices.Contains(asList(ann.Activity["to"]), any(ap.Public)) {
			t.Errorf("announce to = %v", ann.Activity["to"])
		}
		if cc := asList(ann.Activity["cc"]); !slices.Contains(cc, any(member.ActorID)) || !slices.Contains(cc, any(ts.URLs.OrgFollowers("soga"))) {
			t.Errorf("announce cc = %v", cc)
		}
		if !strings.HasPrefix(ann.Activity["id"].(string), ts.URLs.Activity("")) {
			t.Errorf("announce id %v", ann.Activity["id"])
		}
		activityFrom(t, member, ts, "Announce", noteID)
		b, err := ts.Store.Boost(ctx, org.ID, noteID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.ContentHTML, "<img") || !strings.Contains(b.ContentHTML, "Atelier") || b.AuthorAcct != member.Acct() {
			t.Errorf("boost snapshot: %+v", b)
		}
		eventually(t, "the Network page", func() string {
			_, _, page := ts.get(t, "/network", "text/html")
			if !strings.Contains(page, "Atelier") || !strings.Contains(page, "@"+member.Acct()) || !strings.Contains(page, `href="`+noteID+`"`) {
				return "the boost is not on /network yet"
			}
			if strings.Contains(page, "evil.example") || strings.Contains(page, "<img") {
				return "the page carries the remote image"
			}
			return ""
		})

		// The same Create again, and the same post in a new Create: no
		// second boost.
		if code := send(t, member, ts.URLs.OrgInbox("soga"), create); code != http.StatusAccepted {
			t.Fatalf("replay: %d", code)
		}
		if code := send(t, member, ts.URLs.SharedInbox(), member.CreateOf(note)); code != http.StatusAccepted {
			t.Fatalf("second create: %d", code)
		}

		// Not boosted: no hashtag; another language; a reply to someone
		// else; followers only; sensitive.
		skipped := []fedtest.Post{
			{Content: "<p>Sans mot-dièse</p>", Lang: "fr"},
			{Content: "<p>Workshop</p>", Tags: []string{"Inclusion"}, Lang: "en"},
			{Content: "<p>@bob oui</p>", Tags: []string{"Inclusion"}, Lang: "fr", InReplyTo: "http://elsewhere.example/users/bob/statuses/1"},
			{Content: "<p>Privé</p>", Tags: []string{"Inclusion"}, Lang: "fr", Private: true},
			{Content: "<p>Sensible</p>", Tags: []string{"Inclusion"}, Lang: "fr", Sensitive: true},
		}
		for _, p := range skipped {
			n, _, err := member.Publish(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if s := boostState(t, ts, org, n["id"].(string)); s != "" {
				t.Errorf("%s: boost %s", p.Content, s)
			}
		}
		// A reply in the author's own thread is news too.
		thread, _, err := member.Publish(ctx, fedtest.Post{Content: "<p>Suite</p>", Tags: []string{"inclusion"}, Lang: "fr-BE", InReplyTo: noteID})
		if err != nil {
			t.Fatal(err)
		}
		activityFrom(t, reader, ts, "Announce", thread["id"].(string))

		// An edit sends nothing; a deletion sends the Undo of the Announce
		// to the same audience.
		if _, err := member.Edit(ctx, note, "<p>Atelier #Inclusion, corrigé</p>", false); err != nil {
			t.Fatal(err)
		}
		if b, _ := ts.Store.Boost(ctx, org.ID, noteID); b == nil || !strings.Contains(b.ContentHTML, "corrigé") || b.State != newsroom.BoostDone {
			t.Errorf("after the edit: %+v", b)
		}
		if _, err := member.DeleteStatus(ctx, noteID); err != nil {
			t.Fatal(err)
		}
		undo := activityFrom(t, reader, ts, "Undo", "")
		if inner, _ := undo.Activity["object"].(map[string]any); inner["id"] != ann.Activity["id"] || inner["object"] != noteID {
			t.Errorf("undo carries %v, want the announce %v", inner, ann.Activity["id"])
		}
		if _, err := waitFor(member, func(r fedtest.Received) bool { return r.Type() == "Undo" && r.KeyID == ts.URLs.OrgKey("soga") }); err != nil {
			t.Fatal(err)
		}
		if s := boostState(t, ts, org, noteID); s != newsroom.BoostUndone {
			t.Errorf("after the delete: %s", s)
		}
		// The Announce taken back is gone from its URL too.
		annPath := strings.TrimPrefix(ann.Activity["id"].(string), ts.URLs.Activity(""))
		if code, _, body := ts.get(t, "/activities/"+annPath, "application/activity+json"); code != http.StatusGone ||
			!strings.Contains(body, `"formerType":"Announce"`) {
			t.Errorf("GET the withdrawn Announce: %d %s", code, body)
		}

		// Making a boosted post followers-only un-boosts it.
		if _, err := member.Edit(ctx, thread, "<p>Suite, privée</p>", true); err != nil {
			t.Fatal(err)
		}
		eventually(t, "undo of the post made private", func() string {
			if _, undos := announcesOf(reader, ts, "soga", thread["id"].(string)); len(undos) != 1 {
				return "no undo yet"
			}
			return ""
		})

		// Review mode: matching posts wait for an editor; approving boosts.
		memberFollowed(t, ts, org, member, "--review")
		queued, _, err := member.Publish(ctx, fedtest.Post{Content: "<p>À relire</p>", Lang: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		queuedID := queued["id"].(string)
		if s := boostState(t, ts, org, queuedID); s != newsroom.BoostQueued {
			t.Fatalf("under review: %q", s)
		}
		if err := ts.services.network.Approve(ctx, org, queuedID); err != nil {
			t.Fatal(err)
		}
		activityFrom(t, reader, ts, "Announce", queuedID)
		if err := ts.services.network.Approve(ctx, org, queuedID); err == nil {
			t.Error("approving twice: no error")
		}

		// Every boost reached the reader once.
		for _, id := range []string{noteID, thread["id"].(string), queuedID} {
			if anns, _ := announcesOf(reader, ts, "soga", id); len(anns) != 1 {
				t.Errorf("%s: %d announces", id, len(anns))
			}
		}

		// Removing the account sends the Undo of our Follow.
		if code, out, errs := ts.command(t, "network", "remove", "@"+member.Acct()); code != 0 {
			t.Fatalf("network remove: %d %s %s", code, out, errs)
		}
		eventually(t, "member unfollowed", func() string {
			if slices.Contains(member.FollowerIDs(), ts.URLs.Org("soga")) {
				return "still a follower"
			}
			return ""
		})
	})
}

// networkSetup starts a server with organisation soga, followed by a
// reader peer, and a member peer that soga does not follow yet.
func networkSetup(t *testing.T, backend string) (*testServer, *newsroom.Organisation, *fedtest.Peer, *fedtest.Peer) {
	t.Helper()
	ts := startServer(t, backend)
	org := ts.createOrg(t, "soga", "Social Good Accelerator")
	reader := fedtest.NewPeer(t, "reader")
	followedBy(t, ts, org, reader)
	return ts, org, reader, fedtest.NewPeer(t, "member")
}

// activityFrom waits until p accepted an activity of typ from org soga,
// about object ("" for any), signed with its key.
func activityFrom(t *testing.T, p *fedtest.Peer, ts *testServer, typ, object string) fedtest.Received {
	t.Helper()
	r, err := waitFor(p, func(r fedtest.Received) bool {
		return r.Accepted() && r.Type() == typ && r.KeyID == ts.URLs.OrgKey("soga") && (object == "" || r.Object() == object)
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// An organisation that boosts its members boosts, in the transaction that
// publishes it, the post of a member organisation that allows it, and
// undoes it when the post is deleted; nobody else's, and not its own.
func TestNetworkBoostsLocalMembers(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts, soga, reader, _ := networkSetup(t, backend)
		ctx := context.Background()
		soga.BoostsMembers, soga.AllowsBoosts = true, true
		if err := ts.Store.UpdateOrg(ctx, soga); err != nil {
			t.Fatal(err)
		}
		member := ts.createOrg(t, "emmaus", "Emmaüs Connect")
		member.AllowsBoosts = true
		if err := ts.Store.UpdateOrg(ctx, member); err != nil {
			t.Fatal(err)
		}
		other := ts.createOrg(t, "other", "Not opted in")
		svc := newPosts(ts.Store, ts.URLs, ts.Cache, nil)
		publish := func(org *newsroom.Organisation, title string) string {
			t.Helper()
			p, err := svc.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindArticle, Title: title, Body: "Texte de " + title})
			if err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		id := publish(member, "Atelier")
		object := ts.URLs.Post("emmaus", id)
		ann := activityFrom(t, reader, ts, "Announce", object)
		if cc := asList(ann.Activity["cc"]); !slices.Contains(cc, any(ts.URLs.Org("emmaus"))) {
			t.Errorf("announce cc = %v", cc)
		}
		for _, org := range []*newsroom.Organisation{other, soga} {
			pid := publish(org, "Rien")
			if s := boostState(t, ts, soga, ts.URLs.Post(org.Handle, pid)); s != "" {
				t.Errorf("@%s's post: boost %s", org.Handle, s)
			}
		}
		eventually(t, "the Network page", func() string {
			if _, _, page := ts.get(t, "/network", "text/html"); !strings.Contains(page, "Texte de Atelier") {
				return "not on /network"
			}
			return ""
		})
		if err := svc.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		undo := activityFrom(t, reader, ts, "Undo", "")
		if inner, _ := undo.Activity["object"].(map[string]any); inner["id"] != ann.Activity["id"] {
			t.Errorf("undo of %v, want %v", inner["id"], ann.Activity["id"])
		}
		if anns, _ := announcesOf(reader, ts, "soga", object); len(anns) != 1 {
			t.Errorf("%d announces", len(anns))
		}
	})
}
