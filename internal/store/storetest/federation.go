package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

func follower(orgID int64, host, name string, shared bool) newsroom.Follower {
	f := newsroom.Follower{
		OrgID: orgID, ActorID: "https://" + host + "/users/" + name, Host: host,
		Inbox:    "https://" + host + "/users/" + name + "/inbox",
		FollowID: "https://" + host + "/follows/" + name,
	}
	if shared {
		f.SharedInbox = "https://" + host + "/inbox"
	}
	return f
}

func testActors(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := &newsroom.RemoteActor{
		ID: "https://social.example/users/ada", Host: "social.example", Type: "Person",
		PreferredUsername: "ada", Name: "Ada", Inbox: "https://social.example/users/ada/inbox",
		SharedInbox: "https://social.example/inbox", KeyID: "https://social.example/users/ada#main-key",
		PublicKeyPEM: "-----BEGIN PUBLIC KEY-----", FetchedAt: t0.In(cet),
	}
	ok(t, s.UpsertRemoteActor(ctx, a))
	want := *a
	want.FetchedAt = t0
	got, err := s.RemoteActorByID(ctx, a.ID)
	ok(t, err)
	equal(t, "RemoteActorByID", *got, want)
	got, err = s.RemoteActorByKeyID(ctx, a.KeyID)
	ok(t, err)
	equal(t, "RemoteActorByKeyID", *got, want)

	a.Name, a.PublicKeyPEM, a.FetchedAt = "Ada L.", "new key", t0.Add(time.Hour)
	ok(t, s.UpsertRemoteActor(ctx, a))
	got, err = s.RemoteActorByID(ctx, a.ID)
	ok(t, err)
	equal(t, "after a second upsert", *got, *a)

	b := &newsroom.RemoteActor{ID: "https://social.example/users/bob", Host: "social.example"}
	ok(t, s.UpsertRemoteActor(ctx, b))
	isNow(t, "FetchedAt set by UpsertRemoteActor", b.FetchedAt)

	got, err = s.RemoteActorByID(ctx, "https://social.example/users/nobody")
	wantErr(t, err, newsroom.ErrNotFound)
	if got != nil {
		t.Errorf("RemoteActorByID of a missing actor returned %+v", got)
	}
	_, err = s.RemoteActorByKeyID(ctx, "https://social.example/nokey")
	wantErr(t, err, newsroom.ErrNotFound)
}

func testFollowers(t *testing.T, s store.Store) {
	ctx := t.Context()
	org, other := newOrg(t, s, "gazette"), newOrg(t, s, "other")

	ada := follower(org.ID, "social.example", "ada", true)
	ada.CreatedAt = t0.In(cet)
	ok(t, s.AddFollower(ctx, ada))
	bob := follower(org.ID, "other.example", "bob", false)
	bob.CreatedAt = t0.Add(time.Hour)
	ok(t, s.AddFollower(ctx, bob))
	cat := follower(org.ID, "third.example", "cat", false)
	cat.CreatedAt = t0 // same time as ada: ordered by actor id
	ok(t, s.AddFollower(ctx, cat))
	ok(t, s.AddFollower(ctx, follower(other.ID, "social.example", "ada", true)))

	// Following again refreshes inboxes and follow id, keeping the date.
	ada.Inbox, ada.FollowID, ada.CreatedAt = "https://social.example/new/inbox", "https://social.example/follows/2", t0.Add(9*time.Hour)
	ok(t, s.AddFollower(ctx, ada))
	ada.CreatedAt = t0

	yes, err := s.IsFollower(ctx, org.ID, ada.ActorID)
	ok(t, err)
	equal(t, "IsFollower", yes, true)
	yes, err = s.IsFollower(ctx, org.ID, "https://social.example/users/nobody")
	ok(t, err)
	equal(t, "IsFollower of a stranger", yes, false)
	got, err := s.FollowerByActor(ctx, org.ID, ada.ActorID)
	ok(t, err)
	equal(t, "FollowerByActor", got, ada)
	_, err = s.FollowerByActor(ctx, other.ID, bob.ActorID)
	if !errors.Is(err, newsroom.ErrNotFound) {
		t.Errorf("FollowerByActor of a stranger: %v, want not found", err)
	}

	all, err := s.ListFollowers(ctx, org.ID, 0, 0)
	ok(t, err)
	equal(t, "ListFollowers", all, []newsroom.Follower{ada, cat, bob})
	page, err := s.ListFollowers(ctx, org.ID, 1, 1)
	ok(t, err)
	equal(t, "ListFollowers page 2", page, []newsroom.Follower{cat})
	n, err := s.CountFollowers(ctx, org.ID)
	ok(t, err)
	equal(t, "CountFollowers", n, 3)

	ok(t, s.RemoveFollower(ctx, org.ID, cat.ActorID))
	ok(t, s.RemoveFollower(ctx, org.ID, cat.ActorID))
	n, err = s.CountFollowers(ctx, org.ID)
	ok(t, err)
	equal(t, "CountFollowers after RemoveFollower", n, 2)
	n, err = s.CountFollowers(ctx, other.ID)
	ok(t, err)
	equal(t, "CountFollowers of the other org", n, 1)
}

func testDeliveryInboxes(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	ok(t, s.AddDomainBlock(ctx, newsroom.DomainBlock{Domain: "blocked.example"}))
	for _, f := range []newsroom.Follower{
		follower(org.ID, "social.example", "ada", true),
		follower(org.ID, "social.example", "bob", true), // same shared inbox
		follower(org.ID, "social.example", "cat", false),
		follower(org.ID, "solo.example", "dan", false),
		follower(org.ID, "sub.blocked.example", "eve", true),
		follower(org.ID, "blocked.example", "fay", false),
		follower(org.ID, "notblocked.example", "gus", false),
		follower(org.ID, "dead.example", "hal", true),
	} {
		ok(t, s.AddFollower(ctx, f))
	}
	for day := range store.UnavailableAfterDays {
		_, err := s.RecordDomainFailure(ctx, "dead.example", t0.AddDate(0, 0, day))
		ok(t, err)
	}
	_, err := s.RecordDomainFailure(ctx, "solo.example", t0) // failing, still available
	ok(t, err)

	got, err := s.DeliveryInboxes(ctx, org.ID)
	ok(t, err)
	equal(t, "DeliveryInboxes", got, []string{
		"https://notblocked.example/users/gus/inbox",
		"https://social.example/inbox",
		"https://social.example/users/cat/inbox",
		"https://solo.example/users/dan/inbox",
	})

	ok(t, s.RecordDomainSuccess(ctx, "dead.example"))
	got, err = s.DeliveryInboxes(ctx, org.ID)
	ok(t, err)
	equal(t, "DeliveryInboxes count once dead.example answers", len(got), 5)
}

func testRemoveFollowersByInbox(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := newOrg(t, s, "alpha"), newOrg(t, s, "beta")
	for _, f := range []newsroom.Follower{
		follower(a.ID, "social.example", "ada", true),
		follower(b.ID, "social.example", "ada", true),
		follower(a.ID, "social.example", "bob", true),
		follower(a.ID, "solo.example", "cat", false),
		follower(a.ID, "solo.example", "dan", false),
	} {
		ok(t, s.AddFollower(ctx, f))
	}
	n, err := s.RemoveFollowersByInbox(ctx, "https://social.example/inbox")
	ok(t, err)
	equal(t, "removed through a shared inbox", n, int64(3))
	n, err = s.RemoveFollowersByInbox(ctx, "https://solo.example/users/cat/inbox")
	ok(t, err)
	equal(t, "removed through a personal inbox", n, int64(1))
	all, err := s.ListFollowers(ctx, a.ID, 0, 0)
	ok(t, err)
	equal(t, "left", len(all), 1)
	equal(t, "left", all[0].ActorID, "https://solo.example/users/dan")
}

func testInteractions(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	p := newPost(t, s, org.ID, "01P", t0, nil)
	like := func(id, actor string) newsroom.Interaction {
		return newsroom.Interaction{ActivityID: id, Kind: newsroom.InteractionLike, PostID: p.ID, ActorID: actor}
	}
	count := func(wantLikes, wantAnnounces int) {
		t.Helper()
		likes, announces, err := s.CountInteractions(ctx, p.ID)
		ok(t, err)
		equal(t, "likes", likes, wantLikes)
		equal(t, "announces", announces, wantAnnounces)
	}

	added, err := s.AddInteraction(ctx, like("https://a.example/likes/1", "https://a.example/users/ada"))
	ok(t, err)
	equal(t, "first Like", added, true)
	added, err = s.AddInteraction(ctx, like("https://a.example/likes/1", "https://a.example/users/ada"))
	ok(t, err)
	equal(t, "replayed Like", added, false)
	// Another actor of the same server sending ada's id (to squat it, or
	// ada sending one it squatted first) still has its Like counted.
	added, err = s.AddInteraction(ctx, like("https://a.example/likes/1", "https://a.example/users/mal"))
	ok(t, err)
	equal(t, "another actor's Like under the same id", added, true)
	added, err = s.AddInteraction(ctx, like("https://a.example/likes/2", "https://a.example/users/ada"))
	ok(t, err)
	equal(t, "second Like of the same post by the same actor", added, false)
	_, err = s.AddInteraction(ctx, like("https://b.example/likes/1", "https://b.example/users/bob"))
	ok(t, err)
	_, err = s.AddInteraction(ctx, newsroom.Interaction{ActivityID: "https://a.example/boosts/1",
		Kind: newsroom.InteractionAnnounce, PostID: p.ID, ActorID: "https://a.example/users/ada", CreatedAt: t0})
	ok(t, err)
	count(3, 1)

	ok(t, s.RemoveInteraction(ctx, "https://a.example/likes/1", "https://b.example/users/bob"))
	count(3, 1)
	ok(t, s.RemoveInteraction(ctx, "https://a.example/likes/1", "https://a.example/users/ada"))
	count(2, 1) // mal's Like of the same id stays
	ok(t, s.RemoveInteraction(ctx, "https://a.example/likes/1", "https://a.example/users/ada"))

	ok(t, s.RemoveInteractionByObject(ctx, newsroom.InteractionLike, p.ID, "https://a.example/users/ada"))
	count(2, 1)
	ok(t, s.RemoveInteractionByObject(ctx, newsroom.InteractionAnnounce, p.ID, "https://a.example/users/ada"))
	count(2, 0)
	ok(t, s.RemoveInteraction(ctx, "https://a.example/likes/1", "https://a.example/users/mal"))
	count(1, 0)

	likes, announces, err := s.CountInteractions(ctx, "01NOPOST")
	ok(t, err)
	equal(t, "counts of an unknown post", [2]int{likes, announces}, [2]int{0, 0})
}

func testReplies(t *testing.T, s store.Store) {
	ctx := t.Context()
	org, other := newOrg(t, s, "gazette"), newOrg(t, s, "other")
	p1 := newPost(t, s, org.ID, "01P1", t0, nil)
	p2 := newPost(t, s, org.ID, "01P2", t0, nil)
	p3 := newPost(t, s, other.ID, "01P3", t0, nil)

	r := newsroom.Reply{
		ObjectID: "https://a.example/notes/1", ActivityID: "https://a.example/create/1",
		PostID: p1.ID, ActorID: "https://a.example/users/ada", URL: "https://a.example/@ada/1",
		ContentHTML: "<p>Bravo</p>", Published: t0.Add(time.Minute).In(cet), CreatedAt: t0.Add(2 * time.Minute),
	}
	added, err := s.AddReply(ctx, r)
	ok(t, err)
	equal(t, "AddReply", added, true)
	added, err = s.AddReply(ctx, r)
	ok(t, err)
	equal(t, "AddReply again", added, false)

	got, err := s.ReplyByObjectID(ctx, r.ObjectID)
	ok(t, err)
	want := r
	want.Status, want.Published = newsroom.ReplyPending, t0.Add(time.Minute)
	equal(t, "ReplyByObjectID", *got, want)
	_, err = s.ReplyByObjectID(ctx, "https://a.example/notes/none")
	wantErr(t, err, newsroom.ErrNotFound)

	add := func(id string, post string, published time.Time) {
		t.Helper()
		_, err := s.AddReply(ctx, newsroom.Reply{ObjectID: id, PostID: post,
			ActorID: "https://b.example/users/bob", Published: published})
		ok(t, err)
	}
	add("https://b.example/notes/2", p1.ID, t0) // earlier than r
	add("https://b.example/notes/3", p2.ID, t0.Add(time.Hour))
	add("https://b.example/notes/4", p3.ID, t0)

	ok(t, s.SetReplyStatus(ctx, r.ObjectID, newsroom.ReplyApproved))
	wantErr(t, s.SetReplyStatus(ctx, "https://a.example/notes/none", newsroom.ReplyHidden), newsroom.ErrNotFound)

	objectIDs := func(rs []newsroom.Reply) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.ObjectID
		}
		return out
	}
	for _, c := range []struct {
		name   string
		org    int64
		post   string
		status newsroom.ReplyStatus
		offset int
		limit  int
		want   []string
	}{
		{"post", org.ID, p1.ID, "", 0, 0, []string{"https://b.example/notes/2", r.ObjectID}},
		{"post approved", org.ID, p1.ID, newsroom.ReplyApproved, 0, 0, []string{r.ObjectID}},
		{"org pending", org.ID, "", newsroom.ReplyPending, 0, 0, []string{"https://b.example/notes/2", "https://b.example/notes/3"}},
		{"org limited", org.ID, "", "", 0, 1, []string{"https://b.example/notes/2"}},
		{"org second page", org.ID, "", newsroom.ReplyPending, 1, 1, []string{"https://b.example/notes/3"}},
		{"org past the end", org.ID, "", newsroom.ReplyPending, 2, 1, []string{}},
		{"other org", other.ID, "", "", 0, 0, []string{"https://b.example/notes/4"}},
	} {
		rs, err := s.ListReplies(ctx, c.org, c.post, c.status, c.offset, c.limit)
		ok(t, err)
		equal(t, "ListReplies "+c.name, objectIDs(rs), c.want)
	}
	n, err := s.CountReplies(ctx, p1.ID, "")
	ok(t, err)
	equal(t, "CountReplies", n, 2)
	n, err = s.CountReplies(ctx, p1.ID, newsroom.ReplyPending)
	ok(t, err)
	equal(t, "CountReplies pending", n, 1)

	wantErr(t, s.DeleteReply(ctx, r.ObjectID, "https://b.example/users/bob"), newsroom.ErrNotFound)
	_, err = s.ReplyByObjectID(ctx, r.ObjectID)
	ok(t, err)
	ok(t, s.DeleteReply(ctx, r.ObjectID, r.ActorID))
	_, err = s.ReplyByObjectID(ctx, r.ObjectID)
	wantErr(t, err, newsroom.ErrNotFound)
	wantErr(t, s.DeleteReply(ctx, r.ObjectID, r.ActorID), newsroom.ErrNotFound)
}

func testInbox(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	shared := newsroom.InboxActivity{ID: "https://a.example/likes/1", ActorID: "https://a.example/users/ada",
		Type: "Like", Raw: []byte(`{"type":"Like",  "id":"https://a.example/likes/1"}`), ReceivedAt: t0}
	personal := newsroom.InboxActivity{ID: "https://a.example/follows/1", ActorID: "https://a.example/users/ada",
		Type: "Follow", OrgID: org.ID, Raw: []byte(`{"type":"Follow"}`), ReceivedAt: t0.In(cet)}
	for _, a := range []newsroom.InboxActivity{shared, personal} {
		added, err := s.RecordInboxActivity(ctx, a)
		ok(t, err)
		equal(t, "RecordInboxActivity", added, true)
		added, err = s.RecordInboxActivity(ctx, a)
		ok(t, err)
		equal(t, "RecordInboxActivity again", added, false)
		got, err := s.InboxActivityByID(ctx, a.ID, a.ActorID)
		ok(t, err)
		a.ReceivedAt = a.ReceivedAt.UTC()
		equal(t, "InboxActivityByID", *got, a)
	}
	_, err := s.InboxActivityByID(ctx, "https://a.example/none", shared.ActorID)
	wantErr(t, err, newsroom.ErrNotFound)

	// Another actor of the same server sends ada's Follow id, squatting
	// it or having it squatted: that is another activity, recorded once,
	// and each actor finds only its own under the id.
	squat := newsroom.InboxActivity{ID: personal.ID, ActorID: "https://a.example/users/mal",
		Type: "Like", Raw: []byte(`{"type":"Like"}`), ReceivedAt: t0.Add(time.Minute)}
	added, err := s.RecordInboxActivity(ctx, squat)
	ok(t, err)
	equal(t, "the same id from another actor", added, true)
	added, err = s.RecordInboxActivity(ctx, squat)
	ok(t, err)
	equal(t, "the other actor's activity again", added, false)
	got, err := s.InboxActivityByID(ctx, personal.ID, squat.ActorID)
	ok(t, err)
	equal(t, "the other actor's activity", *got, squat)
	got, err = s.InboxActivityByID(ctx, personal.ID, personal.ActorID)
	ok(t, err)
	equal(t, "ada's activity of the same id", got.Type, "Follow")
	_, err = s.InboxActivityByID(ctx, personal.ID, "https://a.example/users/bea")
	wantErr(t, err, newsroom.ErrNotFound)
}

func testInboxBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	p1 := newPost(t, s, org.ID, "01P1", t0, nil)
	p2 := newPost(t, s, org.ID, "01P2", t0, nil)
	ada, bob := "https://a.example/users/ada", "https://b.example/users/bob"
	rec := func(id, actor, typ string, orgID int64, kind newsroom.InteractionKind, post string) newsroom.InboxRecord {
		r := newsroom.InboxRecord{Activity: newsroom.InboxActivity{ID: id, ActorID: actor, Type: typ, OrgID: orgID,
			Raw: []byte(`{"id":"` + id + `"}`), ReceivedAt: t0}}
		if kind != "" {
			r.Interaction = &newsroom.Interaction{ActivityID: id, Kind: kind, PostID: post, ActorID: actor}
		}
		return r
	}
	// Recorded before, one at a time.
	_, err := s.RecordInboxActivity(ctx, rec("https://a.example/likes/0", ada, "Like", 0, "", "").Activity)
	ok(t, err)

	batch := []newsroom.InboxRecord{
		rec("https://a.example/likes/1", ada, "Like", 0, newsroom.InteractionLike, p1.ID),
		rec("https://a.example/likes/0", ada, "Like", 0, newsroom.InteractionLike, p2.ID), // seen before
		rec("https://b.example/boosts/1", bob, "Announce", org.ID, newsroom.InteractionAnnounce, p1.ID),
		rec("https://a.example/likes/1", ada, "Like", 0, newsroom.InteractionLike, p1.ID), // repeated in the batch
		rec("https://a.example/likes/2", ada, "Like", 0, newsroom.InteractionLike, p1.ID), // same actor, post, kind
		rec("https://b.example/deletes/1", bob, "Delete", 0, "", ""),                      // no interaction
		rec("https://b.example/likes/2", bob, "Like", 0, newsroom.InteractionLike, p2.ID),
	}
	fresh, err := s.RecordInboxActivities(ctx, batch)
	ok(t, err)
	equal(t, "fresh", fresh, []bool{true, false, true, false, true, true, true})

	count := func(post string, wantLikes, wantAnnounces int) {
		t.Helper()
		likes, announces, err := s.CountInteractions(ctx, post)
		ok(t, err)
		equal(t, "counts of "+post, [2]int{likes, announces}, [2]int{wantLikes, wantAnnounces})
	}
	// likes/0 was seen before, so its Like of p2 is not counted; likes/2
	// is recorded but ada already likes p1.
	count(p1.ID, 1, 1)
	count(p2.ID, 1, 0)
	got, err := s.InboxActivityByID(ctx, "https://b.example/boosts/1", bob)
	ok(t, err)
	equal(t, "recorded activity", *got, batch[2].Activity)
	_, err = s.InboxActivityByID(ctx, "https://b.example/deletes/1", bob)
	ok(t, err)

	// A replay of the whole batch changes nothing.
	fresh, err = s.RecordInboxActivities(ctx, batch)
	ok(t, err)
	equal(t, "fresh on replay", fresh, make([]bool, len(batch)))
	count(p1.ID, 1, 1)
	count(p2.ID, 1, 0)

	// The one-at-a-time path sees what the batch wrote.
	added, err := s.RecordInboxActivity(ctx, batch[0].Activity)
	ok(t, err)
	equal(t, "RecordInboxActivity after the batch", added, false)

	// An id is another actor's activity when another actor sends it, in
	// the same batch or a later one, and its Like is counted; an actor's
	// own repeats are still not.
	p3 := newPost(t, s, org.ID, "01P3", t0, nil)
	mal := "https://a.example/users/mal"
	squats := []newsroom.InboxRecord{
		rec("https://a.example/likes/1", mal, "Like", 0, newsroom.InteractionLike, p3.ID), // ada's id, new from mal
		rec("https://a.example/likes/1", ada, "Like", 0, newsroom.InteractionLike, p3.ID), // ada's, seen before
		rec("https://a.example/likes/9", ada, "Announce", 0, newsroom.InteractionAnnounce, p3.ID),
		rec("https://a.example/likes/9", mal, "Announce", 0, newsroom.InteractionAnnounce, p3.ID), // same id, same batch
		rec("https://a.example/likes/1", mal, "Like", 0, newsroom.InteractionLike, p3.ID),         // mal's repeat
	}
	fresh, err = s.RecordInboxActivities(ctx, squats)
	ok(t, err)
	equal(t, "fresh with ids shared by two actors", fresh, []bool{true, false, true, true, false})
	count(p3.ID, 1, 2)
	got, err = s.InboxActivityByID(ctx, "https://a.example/likes/1", mal)
	ok(t, err)
	equal(t, "mal's activity of ada's id", *got, squats[0].Activity)
	got, err = s.InboxActivityByID(ctx, "https://a.example/likes/1", ada)
	ok(t, err)
	equal(t, "ada's activity of the same id", *got, batch[0].Activity)
	fresh, err = s.RecordInboxActivities(ctx, squats)
	ok(t, err)
	equal(t, "fresh on replay of the shared ids", fresh, make([]bool, len(squats)))
	count(p3.ID, 1, 2)

	// A large batch goes through whole.
	var big []newsroom.InboxRecord
	for i := range 1200 {
		actor := fmt.Sprintf("https://c.example/users/u%d", i)
		big = append(big, rec(fmt.Sprintf("https://c.example/likes/%d", i), actor, "Like", 0, newsroom.InteractionLike, p2.ID))
	}
	fresh, err = s.RecordInboxActivities(ctx, big)
	ok(t, err)
	if slices.Contains(fresh, false) {
		t.Fatal("a fresh Like of a large batch reported as seen")
	}
	count(p2.ID, 1201, 0)

	// A Like of a post that does not exist fails the batch, and nothing
	// of the batch is kept.
	_, err = s.RecordInboxActivities(ctx, []newsroom.InboxRecord{
		rec("https://d.example/likes/1", "https://d.example/users/dee", "Like", 0, newsroom.InteractionLike, p1.ID),
		rec("https://d.example/likes/2", "https://d.example/users/dee", "Like", 0, newsroom.InteractionLike, "01NOPOST"),
	})
	if err == nil {
		t.Fatal("a Like of a missing post was recorded")
	}
	_, err = s.InboxActivityByID(ctx, "https://d.example/likes/1", "https://d.example/users/dee")
	wantErr(t, err, newsroom.ErrNotFound)
}

func testActivities(t *testing.T, s store.Store) {
	ctx := t.Context()
	org, other := newOrg(t, s, "gazette"), newOrg(t, s, "other")
	p := newPost(t, s, org.ID, "01P", t0, nil)
	create := func(id, typ string, at time.Time, postID string) *newsroom.Activity {
		t.Helper()
		a := &newsroom.Activity{ID: id, OrgID: org.ID, Type: typ, PostID: postID,
			JSON: []byte(`{"id":"` + id + `", "type":"` + typ + `"}`), CreatedAt: at}
		ok(t, s.CreateActivity(ctx, a))
		return a
	}
	a1 := create("01A1", "Create", t0, p.ID)
	create("01A2", "Create", t0.Add(2*time.Hour), p.ID)
	create("01A3", "Create", t0.Add(time.Hour), p.ID)
	create("01A4", "Update", t0.Add(3*time.Hour), p.ID)
	accept := create("01A5", "Accept", t0.Add(4*time.Hour), "")
	ok(t, s.CreateActivity(ctx, &newsroom.Activity{ID: "01B1", OrgID: other.ID, Type: "Create", JSON: []byte("{}")}))

	got, err := s.ActivityByID(ctx, a1.ID)
	ok(t, err)
	equal(t, "ActivityByID", got, a1)
	got, err = s.ActivityByID(ctx, accept.ID)
	ok(t, err)
	equal(t, "ActivityByID without a post", got, accept)
	_, err = s.ActivityByID(ctx, "01NONE")
	wantErr(t, err, newsroom.ErrNotFound)
	wantErr(t, s.CreateActivity(ctx, &newsroom.Activity{ID: a1.ID, OrgID: org.ID, Type: "Create", JSON: []byte("{}")}), newsroom.ErrConflict)

	activityIDs := func(as []newsroom.Activity) []string {
		out := make([]string, len(as))
		for i, a := range as {
			out[i] = a.ID
		}
		return out
	}
	list, err := s.ListActivities(ctx, org.ID, "Create", 0, 10)
	ok(t, err)
	equal(t, "ListActivities", activityIDs(list), []string{"01A2", "01A3", "01A1"})
	list, err = s.ListActivities(ctx, org.ID, "Create", 1, 1)
	ok(t, err)
	equal(t, "ListActivities with offset", activityIDs(list), []string{"01A3"})
	list, err = s.ListActivities(ctx, org.ID, "Create", 3, 10)
	ok(t, err)
	equal(t, "ListActivities past the end", len(list), 0)
	n, err := s.CountActivities(ctx, org.ID, "Create")
	ok(t, err)
	equal(t, "CountActivities", n, 3)
	n, err = s.CountActivities(ctx, other.ID, "Update")
	ok(t, err)
	equal(t, "CountActivities of none", n, 0)

	// The outbox lists the Creates of posts still published: a deleted
	// post's Create, still stored, is no longer listed nor counted.
	gone := newPost(t, s, org.ID, "01Q", t0, nil)
	create("01A6", "Create", t0.Add(5*time.Hour), gone.ID)
	outbox, err := s.ListOutbox(ctx, org.ID, 0, 10)
	ok(t, err)
	equal(t, "ListOutbox", activityIDs(outbox), []string{"01A6", "01A2", "01A3", "01A1"})
	gone.Status, gone.DeletedAt = newsroom.StatusDeleted, t0.Add(6*time.Hour)
	ok(t, s.UpdatePost(ctx, gone))
	outbox, err = s.ListOutbox(ctx, org.ID, 1, 2)
	ok(t, err)
	equal(t, "ListOutbox without the deleted post, with offset", activityIDs(outbox), []string{"01A3", "01A1"})
	n, err = s.CountOutbox(ctx, org.ID)
	ok(t, err)
	equal(t, "CountOutbox", n, 3)
	n, err = s.CountOutbox(ctx, other.ID)
	ok(t, err)
	equal(t, "CountOutbox of a Create without a post", n, 0)

	// The latest Create or Update of a post; the Accept, later, is not one.
	latest, err := s.LatestDelivered(ctx, p.ID)
	ok(t, err)
	equal(t, "LatestDelivered", latest.ID, "01A4")
	_, err = s.LatestDelivered(ctx, "01NONE")
	wantErr(t, err, newsroom.ErrNotFound)
}

func testDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	act := &newsroom.Activity{ID: "01A", OrgID: org.ID, Type: "Create", JSON: []byte("{}")}
	ok(t, s.CreateActivity(ctx, act))

	inboxes := []string{"https://a.example/inbox", "https://b.example/inbox", "https://c.example/inbox"}
	ok(t, s.CreateDeliveries(ctx, act.ID, inboxes[:2]))
	ok(t, s.UpdateDelivery(ctx, newsroom.Delivery{ActivityID: act.ID, Inbox: inboxes[0],
		Status: newsroom.DeliveryDelivered, Attempts: 1, UpdatedAt: t0}))
	ok(t, s.CreateDeliveries(ctx, act.ID, inboxes)) // the first two are kept as they are
	ok(t, s.CreateDeliveries(ctx, act.ID, nil))
	ok(t, s.UpdateDelivery(ctx, newsroom.Delivery{ActivityID: act.ID, Inbox: inboxes[2],
		Status: newsroom.DeliveryFailed, Attempts: 16, LastError: "410 Gone", UpdatedAt: t0.In(cet)}))
	wantErr(t, s.UpdateDelivery(ctx, newsroom.Delivery{ActivityID: act.ID, Inbox: "https://z.example/inbox",
		Status: newsroom.DeliveryFailed}), newsroom.ErrNotFound)

	p, err := s.DeliveryProgress(ctx, act.ID)
	ok(t, err)
	equal(t, "DeliveryProgress", p, newsroom.DeliveryProgress{Total: 3, Delivered: 1, Pending: 1, Failed: 1})
	p, err = s.DeliveryProgress(ctx, "01NONE")
	ok(t, err)
	equal(t, "DeliveryProgress of nothing", p, newsroom.DeliveryProgress{})

	all, err := s.ListDeliveries(ctx, act.ID, "", 0)
	ok(t, err)
	equal(t, "ListDeliveries", len(all), 3)
	equal(t, "delivered", all[0], newsroom.Delivery{ActivityID: act.ID, Inbox: inboxes[0],
		Status: newsroom.DeliveryDelivered, Attempts: 1, UpdatedAt: t0})
	equal(t, "pending status", all[1].Status, newsroom.DeliveryPending)
	isNow(t, "pending UpdatedAt", all[1].UpdatedAt)
	failed, err := s.ListDeliveries(ctx, act.ID, newsroom.DeliveryFailed, 10)
	ok(t, err)
	equal(t, "failed deliveries", failed, []newsroom.Delivery{{ActivityID: act.ID, Inbox: inboxes[2],
		Status: newsroom.DeliveryFailed, Attempts: 16, LastError: "410 Gone", UpdatedAt: t0}})
	limited, err := s.ListDeliveries(ctx, act.ID, "", 2)
	ok(t, err)
	equal(t, "limited deliveries", len(limited), 2)

	one, err := s.DeliveryByInbox(ctx, act.ID, inboxes[0])
	ok(t, err)
	equal(t, "DeliveryByInbox", *one, newsroom.Delivery{ActivityID: act.ID, Inbox: inboxes[0],
		Status: newsroom.DeliveryDelivered, Attempts: 1, UpdatedAt: t0})
	_, err = s.DeliveryByInbox(ctx, act.ID, "https://z.example/inbox")
	wantErr(t, err, newsroom.ErrNotFound)

	// Several outcomes at once; a row that does not exist is skipped.
	ok(t, s.UpdateDeliveries(ctx, []newsroom.Delivery{
		{ActivityID: act.ID, Inbox: inboxes[1], Status: newsroom.DeliveryDelivered, Attempts: 2, UpdatedAt: t0.In(cet)},
		{ActivityID: act.ID, Inbox: "https://z.example/inbox", Status: newsroom.DeliveryDelivered, Attempts: 1},
		{ActivityID: act.ID, Inbox: inboxes[2], Status: newsroom.DeliveryPending, Attempts: 3, LastError: "503", UpdatedAt: t0},
	}))
	all, err = s.ListDeliveries(ctx, act.ID, "", 0)
	ok(t, err)
	equal(t, "after UpdateDeliveries", all, []newsroom.Delivery{
		{ActivityID: act.ID, Inbox: inboxes[0], Status: newsroom.DeliveryDelivered, Attempts: 1, UpdatedAt: t0},
		{ActivityID: act.ID, Inbox: inboxes[1], Status: newsroom.DeliveryDelivered, Attempts: 2, UpdatedAt: t0},
		{ActivityID: act.ID, Inbox: inboxes[2], Status: newsroom.DeliveryPending, Attempts: 3, LastError: "503", UpdatedAt: t0},
	})
	ok(t, s.UpdateDeliveries(ctx, nil))
}

func testDomainBlocks(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	for _, f := range []newsroom.Follower{
		follower(org.ID, "example.com", "ada", false),
		follower(org.ID, "sub.example.com", "bob", true),
		follower(org.ID, "notexample.com", "cat", false),
		follower(org.ID, "example.org", "dan", false),
		// A block covers every port of the domain and its subdomains.
		follower(org.ID, "example.com:8443", "eve", false),
		follower(org.ID, "sub.example.com:8443", "fay", true),
		follower(org.ID, "127.0.0.1:4000", "gus", false),
		follower(org.ID, "127.0.0.10", "hal", false),
	} {
		ok(t, s.AddFollower(ctx, f))
	}
	ok(t, s.AddDomainBlock(ctx, newsroom.DomainBlock{Domain: "Example.COM", Reason: "spam", CreatedAt: t0}))
	ok(t, s.AddDomainBlock(ctx, newsroom.DomainBlock{Domain: "127.0.0.1", Reason: "test"}))

	left, err := s.ListFollowers(ctx, org.ID, 0, 0)
	ok(t, err)
	hosts := make([]string, len(left))
	for i, f := range left {
		hosts[i] = f.Host
	}
	slices.Sort(hosts)
	equal(t, "followers left after the block", hosts, []string{"127.0.0.10", "example.org", "notexample.com"})

	for host, want := range map[string]bool{
		"example.com": true, "sub.example.com": true, "a.b.example.com": true, "EXAMPLE.com.": true,
		"notexample.com": false, "example.com.evil": false, "com": false, "example.org": false,
		"example.com:8443": true, "sub.example.com:443": true, "127.0.0.1:4000": true, "127.0.0.10": false,
		"[::1]:8080": false, "example.com:": true,
	} {
		got, err := s.IsDomainBlocked(ctx, host)
		ok(t, err)
		equal(t, "IsDomainBlocked("+host+")", got, want)
	}

	ok(t, s.AddDomainBlock(ctx, newsroom.DomainBlock{Domain: "bad.example", Reason: "abuse"}))
	blocks, err := s.ListDomainBlocks(ctx)
	ok(t, err)
	equal(t, "ListDomainBlocks", len(blocks), 3)
	equal(t, "first block", blocks[1], newsroom.DomainBlock{Domain: "bad.example", Reason: "abuse", CreatedAt: blocks[1].CreatedAt})
	isNow(t, "block CreatedAt", blocks[1].CreatedAt)
	equal(t, "second block", blocks[2], newsroom.DomainBlock{Domain: "example.com", Reason: "spam", CreatedAt: t0})

	ok(t, s.RemoveDomainBlock(ctx, "example.com"))
	blocked, err := s.IsDomainBlocked(ctx, "sub.example.com")
	ok(t, err)
	equal(t, "blocked after RemoveDomainBlock", blocked, false)
	wantErr(t, s.RemoveDomainBlock(ctx, "example.com"), newsroom.ErrNotFound)
}

func testDomainHealth(t *testing.T, s store.Store) {
	ctx := t.Context()
	const host = "slow.example"
	h, err := s.DomainHealth(ctx, host)
	ok(t, err)
	equal(t, "health of an unknown host", h, newsroom.DomainHealth{Host: host})

	fail := func(at time.Time) newsroom.DomainHealth {
		t.Helper()
		h, err := s.RecordDomainFailure(ctx, host, at)
		ok(t, err)
		return h
	}
	h = fail(t0)
	equal(t, "first failure", h, newsroom.DomainHealth{Host: host, FailureDays: 1, LastFailure: t0})
	h = fail(t0.Add(time.Hour))
	equal(t, "second failure the same day", h.FailureDays, 1)
	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	for n := 1; n <= 5; n++ {
		h = fail(day(n))
	}
	equal(t, "six days", h, newsroom.DomainHealth{Host: host, FailureDays: 6, LastFailure: day(5)})
	h = fail(day(5).Add(time.Hour).In(cet))
	equal(t, "again on the sixth day", h.FailureDays, 6)
	h = fail(day(-1)) // reported late: a distinct earlier day still counts
	equal(t, "seventh day", h, newsroom.DomainHealth{Host: host, FailureDays: 7,
		LastFailure: day(5).Add(time.Hour), Unavailable: true})
	got, err := s.DomainHealth(ctx, host)
	ok(t, err)
	equal(t, "DomainHealth", got, h)

	ok(t, s.RecordDomainSuccess(ctx, host))
	got, err = s.DomainHealth(ctx, host)
	ok(t, err)
	equal(t, "health after a success", got, newsroom.DomainHealth{Host: host})
	h = fail(day(10))
	equal(t, "failures count afresh", h.FailureDays, 1)
	ok(t, s.RecordDomainSuccess(ctx, "never-failed.example"))
}

func testDeleteRemoteActor(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	p := newPost(t, s, org.ID, "01P", t0, nil)
	ada := follower(org.ID, "a.example", "ada", true)
	bob := follower(org.ID, "b.example", "bob", true)
	for _, f := range []newsroom.Follower{ada, bob} {
		ok(t, s.UpsertRemoteActor(ctx, &newsroom.RemoteActor{ID: f.ActorID, Host: f.Host}))
		ok(t, s.AddFollower(ctx, f))
		_, err := s.AddInteraction(ctx, newsroom.Interaction{ActivityID: f.ActorID + "/like",
			Kind: newsroom.InteractionLike, PostID: p.ID, ActorID: f.ActorID})
		ok(t, err)
		_, err = s.AddReply(ctx, newsroom.Reply{ObjectID: f.ActorID + "/note", PostID: p.ID, ActorID: f.ActorID})
		ok(t, err)
	}

	ok(t, s.DeleteRemoteActor(ctx, ada.ActorID))
	_, err := s.RemoteActorByID(ctx, ada.ActorID)
	wantErr(t, err, newsroom.ErrNotFound)
	yes, err := s.IsFollower(ctx, org.ID, ada.ActorID)
	ok(t, err)
	equal(t, "still following", yes, false)
	likes, _, err := s.CountInteractions(ctx, p.ID)
	ok(t, err)
	equal(t, "likes left", likes, 1)
	_, err = s.ReplyByObjectID(ctx, ada.ActorID+"/note")
	wantErr(t, err, newsroom.ErrNotFound)

	_, err = s.RemoteActorByID(ctx, bob.ActorID)
	ok(t, err)
	_, err = s.ReplyByObjectID(ctx, bob.ActorID+"/note")
	ok(t, err)
	ok(t, s.DeleteRemoteActor(ctx, ada.ActorID))
}

// CheckActivityKeysMigration checks migration 0016 on a backend's empty,
// unmigrated database: the inbox activities and interactions written under
// the old key, the activity id alone, are kept as they were and their
// replays are still duplicates; another actor may then send the same ids,
// and pruning goes by the new key. migrateBefore applies every migration
// older than version; record writes an inbox activity as the schema
// before 0016 took it (the store's own statements name the new key).
func CheckActivityKeysMigration(t *testing.T, s migratingStore, migrateBefore func(version int), record func(a newsroom.InboxActivity)) {
	t.Helper()
	ctx := t.Context()
	migrateBefore(16)
	org := newOrg(t, s, "gazette")
	p := newPost(t, s, org.ID, "01P", t0, nil)
	ada, mal := "https://a.example/users/ada", "https://a.example/users/mal"
	follow := newsroom.InboxActivity{ID: "https://a.example/follows/1", ActorID: ada, Type: "Follow", OrgID: org.ID,
		Raw: []byte(`{"type":"Follow"}`), ReceivedAt: t0}
	like := newsroom.InboxActivity{ID: "https://a.example/likes/1", ActorID: ada, Type: "Like",
		Raw: []byte(`{"type":"Like"}`), ReceivedAt: t0.Add(time.Minute)}
	adaLikes := newsroom.Interaction{ActivityID: like.ID, Kind: newsroom.InteractionLike, PostID: p.ID, ActorID: ada, CreatedAt: t0}
	record(follow)
	record(like)
	added, err := s.AddInteraction(ctx, adaLikes)
	ok(t, err)
	equal(t, "a Like before the migration", added, true)

	ok(t, s.Migrate(ctx))
	ok(t, s.CheckSchema(ctx))
	for _, a := range []newsroom.InboxActivity{follow, like} {
		got, err := s.InboxActivityByID(ctx, a.ID, a.ActorID)
		ok(t, err)
		equal(t, "an activity kept by the migration", *got, a)
		added, err := s.RecordInboxActivity(ctx, a)
		ok(t, err)
		equal(t, "its replay after the migration", added, false)
	}
	added, err = s.AddInteraction(ctx, adaLikes)
	ok(t, err)
	equal(t, "a replayed Like after the migration", added, false)

	// mal sends ada's ids: new activities, and a Like that counts.
	malLike := newsroom.InboxActivity{ID: like.ID, ActorID: mal, Type: "Like", Raw: []byte(`{}`), ReceivedAt: t0.Add(2 * time.Minute)}
	malFollow := newsroom.InboxActivity{ID: follow.ID, ActorID: mal, Type: "Like", Raw: []byte(`{}`), ReceivedAt: t0.Add(2 * time.Minute)}
	fresh, err := s.RecordInboxActivities(ctx, []newsroom.InboxRecord{
		{Activity: malLike, Interaction: &newsroom.Interaction{ActivityID: like.ID, Kind: newsroom.InteractionLike, PostID: p.ID, ActorID: mal}},
		{Activity: malFollow},
	})
	ok(t, err)
	equal(t, "ada's ids sent by mal", fresh, []bool{true, true})
	likes, _, err := s.CountInteractions(ctx, p.ID)
	ok(t, err)
	equal(t, "likes", likes, 2)
	got, err := s.InboxActivityByID(ctx, follow.ID, ada)
	ok(t, err)
	equal(t, "ada's Follow beside mal's activity of its id", got.Type, "Follow")

	n, err := s.PruneInboxActivities(ctx, t0.Add(time.Hour), 10)
	ok(t, err)
	equal(t, "pruned", n, int64(4))
}
