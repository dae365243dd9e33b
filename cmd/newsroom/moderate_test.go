package main

import (
	"context"
	"testing"

	"github.com/soga/newsroom/federation/fedtest"
)

// An editor removes a follower: their server receives a Reject of their
// Follow, signed by the organisation, and later posts no longer reach it.
func TestFollowerRemovedIsRejected(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		ctx := context.Background()
		alice := fedtest.NewPeer(t, "alice")
		followedBy(t, ts, org, alice)
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
