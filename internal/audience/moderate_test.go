package audience

import (
	"encoding/json"
	"testing"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// Removing a follower stores a Reject of their Follow and the job taking
// it to their inbox, with the removal; removing them again sends nothing.
func TestRemoveFollower(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		for _, actor := range []string{alice, mallory} {
			rec := f.rec(actor, "Follow")
			if err := f.svc.Follow(ctx, rec, f.follower(actor, rec.ID), f.accept("01JDACCEPT"+rec.ID[len(rec.ID)-1:])); err != nil {
				t.Fatal(err)
			}
		}
		follow, err := s.FollowerByActor(ctx, f.org.ID, alice)
		if err != nil {
			t.Fatal(err)
		}
		before := len(queued(t, s))

		if err := f.svc.RemoveFollower(ctx, f.org.ID, alice); err != nil {
			t.Fatal(err)
		}
		if isFollower(t, f, alice) || !isFollower(t, f, mallory) {
			t.Fatal("alice still follows, or mallory was removed too")
		}
		const rejectID = "01JDSENT000000000000000001"
		act, err := s.ActivityByID(ctx, rejectID)
		if err != nil || act.Type != "Reject" || act.OrgID != f.org.ID {
			t.Fatalf("reject stored: %+v %v", act, err)
		}
		var doc struct {
			Type   string
			Actor  string
			Object struct{ ID, Type, Actor, Object string }
		}
		if err := json.Unmarshal(act.JSON, &doc); err != nil {
			t.Fatal(err)
		}
		org := "https://news.example.org/orgs/soga"
		if doc.Type != "Reject" || doc.Actor != org || doc.Object.ID != follow.FollowID ||
			doc.Object.Type != "Follow" || doc.Object.Actor != alice || doc.Object.Object != org {
			t.Errorf("reject = %s", act.JSON)
		}
		if n := acceptJobs(t, s, rejectID, alice+"/inbox"); n != 1 {
			t.Errorf("%d jobs deliver the Reject to alice's inbox, want 1", n)
		}
		for _, j := range queued(t, s) {
			if j.kind != "deliver_accept" {
				t.Errorf("job of kind %q", j.kind)
			}
		}

		// Again, or someone who never followed: nothing to tell anyone.
		if err := f.svc.RemoveFollower(ctx, f.org.ID, alice); err != nil {
			t.Fatal(err)
		}
		if n := len(queued(t, s)); n != before+1 {
			t.Errorf("%d jobs after removing alice twice, want %d", n, before+1)
		}
	})
}
