package main

import (
	"context"
	"reflect"
	"testing"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
)

// followedSoga starts a server on backend with @soga, followed by alice.
func followedSoga(t *testing.T, backend string) (*testServer, *newsroom.Organisation, *fedtest.Peer) {
	t.Helper()
	ts := startServer(t, backend)
	org := ts.createOrg(t, "soga", "Social Good Accelerator")
	alice := fedtest.NewPeer(t, "alice")
	followedBy(t, ts, org, alice)
	return ts, org, alice
}

// An editor removes a follower: their server receives a Reject of their
// Follow, signed by the organisation.
func TestFollowerRemovedIsRejected(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts, org, alice := followedSoga(t, backend)
		ctx := context.Background()
		f, err := ts.Store.FollowerByActor(ctx, org.ID, alice.ActorID)
		if err != nil {
			t.Fatal(err)
		}

		if err := ts.services.audience.RemoveFollower(ctx, org.ID, alice.ActorID); err != nil {
			t.Fatal(err)
		}
		if ok, _ := ts.Store.IsFollower(ctx, org.ID, alice.ActorID); ok {
			t.Fatal("alice still follows")
		}
		r, err := waitFor(alice, func(r fedtest.Received) bool { return r.Type() == "Reject" })
		if err != nil {
			t.Fatal(err)
		}
		if !r.Accepted() {
			t.Fatalf("reject refused by the peer: %s", r.Refused)
		}
		if r.KeyID != ts.URLs.OrgKey("soga") || r.Actor() != ts.URLs.Org("soga") {
			t.Fatalf("reject signed by %q, actor %q", r.KeyID, r.Actor())
		}
		obj, _ := r.Activity["object"].(map[string]any)
		if r.Object() != f.FollowID || obj["type"] != "Follow" || obj["actor"] != alice.ActorID || obj["object"] != ts.URLs.Org("soga") {
			t.Fatalf("reject object %v, want alice's Follow %s", r.Activity["object"], f.FollowID)
		}
	})
}

// An edit of the profile reaches followers as a signed Update whose
// object is the actor document with the new name, as the actor's URL
// serves it.
func TestProfileEditSendsActorUpdate(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts, org, alice := followedSoga(t, backend)
		ctx := context.Background()

		edit, err := ts.Store.OrgByID(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		edit.Name, edit.Bio = "SOGA, the accelerator", "New presentation"
		if err := ts.services.orgs.Update(ctx, edit); err != nil {
			t.Fatal(err)
		}
		actorURL := ts.URLs.Org("soga")
		obj := activityOf(t, ts, alice, "Update", actorURL, nil)
		if obj["type"] != "Organization" || obj["name"] != "SOGA, the accelerator" ||
			obj["summary"] != "<p>New presentation</p>" || obj["inbox"] != ts.URLs.OrgInbox("soga") {
			t.Fatalf("updated actor: %v", obj)
		}
		served, err := alice.FetchActor(ctx, actorURL)
		if err != nil {
			t.Fatal(err)
		}
		delete(served, "@context")
		if !reflect.DeepEqual(obj, served) {
			t.Errorf("the Update carries %v\nthe actor's URL serves %v", obj, served)
		}
	})
}
