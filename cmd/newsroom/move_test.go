package main

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
)

// An organisation moves out: its new account (a peer) lists it in
// alsoKnownAs; `org move` sends the two followers' servers a Move they
// accept as Mastodon does, and the actor's Update carrying movedTo.
// Afterwards a new Follow gets a Reject, the page redirects to the new
// account, posts stay readable and point there, publishing is refused.
// Moving to an account that does not list us is refused first, with
// nothing sent.
func TestMoveOut(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		ctx := context.Background()
		alice, bob := fedtest.NewPeer(t, "alice"), fedtest.NewPeer(t, "bob")
		followedBy(t, ts, org, alice)
		followedBy(t, ts, org, bob)
		post, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindArticle,
			Title: "Avant le déménagement", Body: "Texte."})
		if err != nil {
			t.Fatal(err)
		}
		postURL := ts.URLs.Post("soga", post.ID)
		activityOf(t, ts, alice, "Create", postURL, nil)
		self := ts.URLs.Org("soga")
		newHome := fedtest.NewPeer(t, "soga")

		// Not listed yet: refused, nothing changes.
		code, out, errs := ts.command(t, "org", "move", "--org", "soga", "--to", "@"+newHome.Acct())
		if code == 0 || !strings.Contains(errs, "alsoKnownAs") {
			t.Fatalf("move to an account that does not list us: %d %q %q", code, out, errs)
		}
		if o, _ := ts.Store.OrgByID(ctx, org.ID); o.Moved() {
			t.Fatalf("moved after a refusal: %q", o.MovedTo)
		}

		newHome.SetAlsoKnownAs("https://elsewhere.example/users/x", self)
		if code, out, errs := ts.command(t, "org", "move", "--org", "soga", "--to", "@"+newHome.Acct()); code != 0 {
			t.Fatalf("org move: %d %q %q", code, out, errs)
		}
		for _, p := range []*fedtest.Peer{alice, bob} {
			r := waitLong(t, p, func(r fedtest.Received) bool { return r.Type() == "Move" })
			if r.KeyID != ts.URLs.OrgKey("soga") || r.Path != "/inbox" {
				t.Errorf("%s: Move signed by %q to %s", p.Name, r.KeyID, r.Path)
			}
			target, err := p.CheckMove(ctx, r)
			if err != nil || target != newHome.ActorID {
				t.Errorf("%s: Move as Mastodon checks it: %q %v\n%s", p.Name, target, err, r.Raw)
			}
			u := waitLong(t, p, func(r fedtest.Received) bool { return r.Accepted() && r.Type() == "Update" && r.Object() == self })
			if obj, _ := u.Activity["object"].(map[string]any); obj["movedTo"] != newHome.ActorID {
				t.Errorf("%s: the actor's Update has movedTo %v", p.Name, obj["movedTo"])
			}
		}
		actor, err := alice.FetchActor(ctx, self)
		if err != nil {
			t.Fatal(err)
		}
		if actor["movedTo"] != newHome.ActorID {
			t.Errorf("actor movedTo = %v", actor["movedTo"])
		}

		// A newcomer is refused.
		carol := fedtest.NewPeer(t, "carol")
		follow := carol.Follow(self)
		if code := send(t, carol, ts.URLs.OrgInbox("soga"), follow); code != http.StatusAccepted {
			t.Fatalf("follow: %d", code)
		}
		rej := waitLong(t, carol, func(r fedtest.Received) bool { return r.Accepted() && r.Type() == "Reject" })
		if rej.Object() != follow["id"] {
			t.Errorf("Reject of %q, want the Follow %q", rej.Object(), follow["id"])
		}
		if ok, _ := ts.Store.IsFollower(ctx, org.ID, carol.ActorID); ok {
			t.Error("the newcomer was added to the followers")
		}

		// The page sends people to the new account; posts stay, pointing there.
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Get(ts.URL + "/orgs/soga")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != newHome.ActorID {
			t.Errorf("org page: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		status, _, body := ts.get(t, "/orgs/soga/posts/"+post.ID, "text/html")
		if status != http.StatusOK || !strings.Contains(body, "Avant le déménagement") || !strings.Contains(body, `href="`+newHome.ActorID+`"`) {
			t.Errorf("post page after the move: %d, pointing to the new account: %v", status, strings.Contains(body, newHome.ActorID))
		}

		_, err = ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindArticle, Title: "Après", Body: "Non."})
		if v := (*newsroom.ValidationError)(nil); !errors.As(err, &v) || v.Fields["org"] != "moved" {
			t.Errorf("publishing after the move: %v", err)
		}
	})
}

// A follower moves to another account that lists it in alsoKnownAs: the
// followers list and the CSV show the new account, and the next post is
// delivered to it. Forged Moves change nothing: one whose target does
// not list the origin, one signed by someone else, and one to a server
// we block.
func TestIncomingMove(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		ctx := context.Background()
		old, newer, mallory := fedtest.NewPeer(t, "ann"), fedtest.NewPeer(t, "ann"), fedtest.NewPeer(t, "mallory")
		followedBy(t, ts, org, old)
		followedBy(t, ts, org, mallory)
		inbox := ts.URLs.OrgInbox("soga")

		// The target does not list the origin.
		if code := send(t, old, inbox, old.Move(newer.ActorID)); code != http.StatusAccepted {
			t.Fatalf("move: %d", code)
		}
		// Someone else's Move of ann, signed by mallory.
		forged := mallory.Move(newer.ActorID)
		forged["object"] = old.ActorID
		newer.SetAlsoKnownAs(old.ActorID)
		if code := send(t, mallory, inbox, forged); code == http.StatusAccepted {
			if ok, _ := ts.Store.IsFollower(ctx, org.ID, newer.ActorID); ok {
				t.Fatal("a Move signed by someone else moved the follower")
			}
		}
		// A target on a blocked server.
		blocked := fedtest.NewPeer(t, "ann")
		blocked.SetAlsoKnownAs(old.ActorID)
		if err := ts.Store.AddDomainBlock(ctx, newsroom.DomainBlock{Domain: blocked.Host}); err != nil {
			t.Fatal(err)
		}
		if code := send(t, old, inbox, old.Move(blocked.ActorID)); code != http.StatusAccepted {
			t.Fatalf("move to a blocked server: %d", code)
		}
		if ok, _ := ts.Store.IsFollower(ctx, org.ID, blocked.ActorID); ok {
			t.Fatal("a follower moved to a blocked server")
		}
		if ok, _ := ts.Store.IsFollower(ctx, org.ID, old.ActorID); !ok {
			t.Fatal("a forged Move removed the follower")
		}
		if ok, _ := ts.Store.IsFollower(ctx, org.ID, newer.ActorID); ok {
			t.Fatal("a forged Move added its target")
		}

		if code := send(t, old, inbox, old.Move(newer.ActorID)); code != http.StatusAccepted {
			t.Fatalf("move: %d", code)
		}
		isOld, _ := ts.Store.IsFollower(ctx, org.ID, old.ActorID)
		isNew, _ := ts.Store.IsFollower(ctx, org.ID, newer.ActorID)
		if isOld || !isNew {
			t.Fatalf("after the Move: old follows %v, new follows %v", isOld, isNew)
		}
		code, out, errs := ts.command(t, "org", "followers", "--org", "soga", "--csv")
		if code != 0 {
			t.Fatalf("followers: %d %s", code, errs)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var accts []string
		for _, r := range rows[1:] {
			accts = append(accts, r[0])
		}
		if strings.Join(rows[0], ",") != "Account address,Show boosts,Notify on new posts,Languages" ||
			!slices.Contains(accts, newer.Acct()) || slices.Contains(accts, old.Acct()) || len(accts) != 2 {
			t.Errorf("followers CSV:\n%s", out)
		}

		post, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindPress, Title: "Après", Body: "Texte."})
		if err != nil {
			t.Fatal(err)
		}
		activityOf(t, ts, newer, "Create", ts.URLs.Post("soga", post.ID), nil)
	})
}

// A member account an organisation follows moves to an account that lists
// it: the organisation follows the new account, with the same rules, and
// sends the old one the Undo of its Follow, as Mastodon's MoveWorker does.
func TestNetworkFollowsMove(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		ctx := context.Background()
		member, moved := fedtest.NewPeer(t, "member"), fedtest.NewPeer(t, "member")
		member.AnswerFollows("Accept")
		moved.AnswerFollows("Accept")
		memberFollowed(t, ts, org, member, "--tag", "climat")
		moved.SetAlsoKnownAs(member.ActorID)
		if code := send(t, member, ts.URLs.SharedInbox(), member.Move(moved.ActorID)); code != http.StatusAccepted {
			t.Fatalf("move: %d", code)
		}
		waitState(t, ts, org, moved.ActorID, newsroom.NetworkFollowing)
		activityFrom(t, moved, ts, "Follow", moved.ActorID)
		undo := activityFrom(t, member, ts, "Undo", "")
		if inner, _ := undo.Activity["object"].(map[string]any); inner["type"] != "Follow" {
			t.Errorf("Undo of %v", inner["type"])
		}
		if _, err := ts.Store.NetworkAccount(ctx, org.ID, member.ActorID); !errors.Is(err, newsroom.ErrNotFound) {
			t.Errorf("the old account is still followed: %v", err)
		}
		a, err := ts.Store.NetworkAccount(ctx, org.ID, moved.ActorID)
		if err != nil || !slices.Equal(a.Tags, []string{"climat"}) {
			t.Errorf("new account's rules: %+v %v", a, err)
		}
	})
}
