package storetest

import (
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// testPostStats checks PostStats against what the one-post queries say
// of each post: the latest Create or Update's progress (an edit's, a
// compacted fan-out's), reactions and replies, and zero for a post
// without activities or an unknown id.
func testPostStats(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	edited, compacted, quiet := newPost(t, s, org.ID, "01S1", t0, nil), newPost(t, s, org.ID, "01S2", t0, nil),
		newPost(t, s, org.ID, "01S3", t0, nil)
	activity := func(id, typ string, at time.Time, postID string, inboxes ...string) {
		t.Helper()
		ok(t, s.CreateActivity(ctx, &newsroom.Activity{ID: id, OrgID: org.ID, Type: typ, PostID: postID,
			JSON: []byte(`{"type":"` + typ + `"}`), CreatedAt: at}))
		ok(t, s.CreateDeliveries(ctx, id, inboxes))
	}
	delivered := func(id, inbox string, status newsroom.DeliveryStatus) {
		t.Helper()
		ok(t, s.UpdateDelivery(ctx, newsroom.Delivery{ActivityID: id, Inbox: inbox, Status: status, Attempts: 1, UpdatedAt: t0}))
	}
	a, b, c := "https://a.example/inbox", "https://b.example/inbox", "https://c.example/inbox"
	activity("01C1", "Create", t0, edited.ID, a, b, c)
	activity("01C2", "Update", t0.Add(time.Hour), edited.ID, a, b)
	delivered("01C2", a, newsroom.DeliveryDelivered)
	delivered("01C2", b, newsroom.DeliveryFailed)
	activity("01C3", "Create", t0, compacted.ID, a, b)
	delivered("01C3", a, newsroom.DeliveryDelivered)
	delivered("01C3", b, newsroom.DeliveryDelivered)
	ok(t, s.FanoutDone(ctx, "01C3"))
	_, err := s.CompactDeliveries(ctx, "01C3")
	ok(t, err)
	activity("01C4", "Delete", t0.Add(2*time.Hour), compacted.ID) // not a delivery of the post's content

	for i, kind := range []newsroom.InteractionKind{newsroom.InteractionLike, newsroom.InteractionLike, newsroom.InteractionAnnounce} {
		_, err := s.AddInteraction(ctx, newsroom.Interaction{ActivityID: "https://a.example/i/" + string(rune('a'+i)),
			Kind: kind, PostID: edited.ID, ActorID: "https://a.example/users/" + string(rune('a'+i))})
		ok(t, err)
	}
	for i, obj := range []string{"https://a.example/notes/1", "https://a.example/notes/2"} {
		_, err := s.AddReply(ctx, newsroom.Reply{ObjectID: obj, ActivityID: obj + "/create", PostID: compacted.ID,
			ActorID: "https://a.example/users/ada", ContentHTML: "<p>Bravo</p>", Published: t0, CreatedAt: t0})
		ok(t, err)
		if i == 0 {
			ok(t, s.SetReplyStatus(ctx, obj, newsroom.ReplyApproved))
		}
	}

	// Two activities at the same time: the latest is the greater id, as
	// LatestDelivered orders them, whatever their types.
	tied := newPost(t, s, org.ID, "01S4", t0, nil)
	activity("01C6", "Create", t0, tied.ID, a)
	activity("01C5", "Update", t0, tied.ID, a, b)
	// A draft: no activity at all, like the quiet post.
	draft := newPost(t, s, org.ID, "01S5", time.Time{}, func(p *newsroom.Post) { p.Status = newsroom.StatusDraft })

	ids := []string{edited.ID, compacted.ID, quiet.ID, tied.ID, draft.ID, "01NONE"}
	got, err := s.PostStats(ctx, ids)
	ok(t, err)
	equal(t, "PostStats", got, map[string]newsroom.PostStats{
		edited.ID: {Activity: "Update", ActivityID: "01C2", Progress: newsroom.DeliveryProgress{Total: 2, Delivered: 1, Failed: 1},
			Likes: 2, Boosts: 1},
		compacted.ID: {Activity: "Create", ActivityID: "01C3", Progress: newsroom.DeliveryProgress{Total: 2, Delivered: 2, Compacted: true},
			Replies: 2, PendingReplies: 1},
		quiet.ID: {},
		tied.ID:  {Activity: "Create", ActivityID: "01C6", Progress: newsroom.DeliveryProgress{Total: 1, Pending: 1}},
		draft.ID: {},
		"01NONE": {},
	})
	// The same as the one-post queries the lists used before.
	for _, id := range ids[:5] {
		want := newsroom.PostStats{}
		if latest, err := s.LatestDelivered(ctx, id); err == nil {
			want.Activity, want.ActivityID = latest.Type, latest.ID
			want.Progress, err = s.DeliveryProgress(ctx, latest.ID)
			ok(t, err)
		}
		want.Likes, want.Boosts, err = s.CountInteractions(ctx, id)
		ok(t, err)
		want.Replies, err = s.CountReplies(ctx, id, "")
		ok(t, err)
		want.PendingReplies, err = s.CountReplies(ctx, id, newsroom.ReplyPending)
		ok(t, err)
		equal(t, "PostStats of "+id, got[id], want)
	}
	none, err := s.PostStats(ctx, nil)
	ok(t, err)
	equal(t, "PostStats of no posts", len(none), 0)
	one, err := s.PostStats(ctx, []string{edited.ID})
	ok(t, err)
	equal(t, "PostStats of one post", one, map[string]newsroom.PostStats{edited.ID: got[edited.ID]})
}
