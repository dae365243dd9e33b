package fedtest

import (
	"net/http"
	"slices"
	"testing"

	"github.com/soga/newsroom/federation/ap"
)

// TestPeerAsMember: a member's account accepts a Follow on its own, keeps
// the follower, and publishes to it: a signed Create of a public Note with
// its hashtags and language, then its edit and deletion; an Undo of the
// Follow stops the deliveries.
func TestPeerAsMember(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	member, org := NewPeer(t, "member"), NewPeer(t, "org")
	member.AnswerFollows("Accept")

	follow := org.Follow(member.ActorID)
	if resp, err := org.Send(ctx, member.Inbox, follow); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("follow: %v %v", resp, err)
	}
	accept, err := org.WaitFor(ctx, func(r Received) bool { return r.Type() == "Accept" })
	if err != nil || !accept.Accepted() || accept.Object() != follow["id"] || accept.KeyID != member.KeyID {
		t.Fatalf("accept %+v %v", accept, err)
	}
	if got := member.FollowerIDs(); !slices.Equal(got, []string{org.ActorID}) {
		t.Fatalf("followers %v", got)
	}

	note, create, err := member.Publish(ctx, Post{Content: "<p>Atelier</p>", Tags: []string{"Inclusion"}, Lang: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := org.WaitFor(ctx, func(r Received) bool { return r.Type() == "Create" })
	if err != nil || !got.Accepted() || got.Activity["id"] != create["id"] || got.Object() != note["id"] {
		t.Fatalf("create %+v %v", got, err)
	}
	obj := got.Activity["object"].(map[string]any)
	tags, _ := obj["tag"].([]any)
	if obj["attributedTo"] != member.ActorID || !slices.Contains(obj["to"].([]any), any(ap.Public)) || len(tags) != 1 ||
		tags[0].(map[string]any)["name"] != "#Inclusion" || obj["contentMap"].(map[string]any)["fr"] != "<p>Atelier</p>" {
		t.Errorf("note %v", obj)
	}
	// The status is served at its id.
	if doc, err := org.Fetch(ctx, note["id"].(string)); err != nil || doc["content"] != "<p>Atelier</p>" {
		t.Errorf("fetch status: %v %v", doc, err)
	}

	if _, err := member.Edit(ctx, note, "<p>Privé</p>", true); err != nil {
		t.Fatal(err)
	}
	upd, err := org.WaitFor(ctx, func(r Received) bool { return r.Type() == "Update" })
	if err != nil || slices.Contains(upd.Activity["object"].(map[string]any)["to"].([]any), any(ap.Public)) {
		t.Fatalf("update %+v %v", upd, err)
	}
	if _, err := member.DeleteStatus(ctx, note["id"].(string)); err != nil {
		t.Fatal(err)
	}
	del, err := org.WaitFor(ctx, func(r Received) bool { return r.Type() == "Delete" })
	if err != nil || del.Object() != note["id"] || del.Activity["object"].(map[string]any)["type"] != "Tombstone" {
		t.Fatalf("delete %+v %v", del, err)
	}

	if resp, err := org.Send(ctx, member.Inbox, org.Undo(follow)); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("undo: %v %v", resp, err)
	}
	if got := member.FollowerIDs(); len(got) != 0 {
		t.Errorf("followers after the undo: %v", got)
	}
}
