package audience

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/sqlite"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/internal/urls"
)

// The service's effects, on both databases: what the inbox has verified
// and decided is applied here, once per activity id.

const (
	alice   = "https://alice.test/users/alice"
	mallory = "https://mallory.test/users/mallory"
	postID  = "01JD0000000000000000000001"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

type fixture struct {
	s   store.Store
	svc *Service
	org *newsroom.Organisation
	seq int
}

func newFixture(t *testing.T, s store.Store) *fixture {
	t.Helper()
	ctx := t.Context()
	org := &newsroom.Organisation{Handle: "soga", Name: "Social Good Accelerator", ActorType: newsroom.ActorOrganization,
		DefaultLang: "fr", DefaultObjectType: newsroom.ObjectAuto}
	if err := s.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	p := &newsroom.Post{ID: postID, OrgID: org.ID, Kind: newsroom.KindArticle, Status: newsroom.StatusPublished,
		ObjectType: newsroom.ObjectNote, Lang: "fr", Title: "Bonjour", BodyMD: "Texte", BodyHTML: "<p>Texte</p>",
		PublishedAt: t0, CreatedAt: t0}
	if err := s.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{alice, mallory} {
		host := strings.Split(id, "/")[2]
		if err := s.UpsertRemoteActor(ctx, &newsroom.RemoteActor{ID: id, Host: host, Type: "Person", Inbox: id + "/inbox",
			SharedInbox: "https://" + host + "/inbox", KeyID: id + "#main-key", PublicKeyPEM: "pem", FetchedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	seq := 0
	svc := New(s, urls.New(&url.URL{Scheme: "https", Host: "news.example.org"}), func() string {
		seq++
		return fmt.Sprintf("01JDSENT%018d", seq)
	})
	svc.Now = func() time.Time { return t0 }
	return &fixture{s: s, svc: svc, org: org}
}

// rec is a fresh activity of actor, as the inbox records it.
func (f *fixture) rec(actor, typ string) newsroom.InboxActivity {
	f.seq++
	id := fmt.Sprintf("%s/activities/%d", actor, f.seq)
	return newsroom.InboxActivity{ID: id, ActorID: actor, Type: typ, Raw: []byte(`{"id":"` + id + `"}`)}
}

func (f *fixture) follower(actor, followID string) newsroom.Follower {
	host := strings.Split(actor, "/")[2]
	return newsroom.Follower{OrgID: f.org.ID, ActorID: actor, Host: host, Inbox: actor + "/inbox",
		SharedInbox: "https://" + host + "/inbox", FollowID: followID}
}

func (f *fixture) accept(id string) *newsroom.Activity {
	return &newsroom.Activity{ID: id, OrgID: f.org.ID, Type: "Accept", JSON: []byte(`{"type":"Accept","id":"` + id + `"}`),
		CreatedAt: t0}
}

func (f *fixture) like(actor string, kind newsroom.InteractionKind) (newsroom.InboxActivity, newsroom.Interaction) {
	typ := "Like"
	if kind == newsroom.InteractionAnnounce {
		typ = "Announce"
	}
	rec := f.rec(actor, typ)
	return rec, newsroom.Interaction{ActivityID: rec.ID, Kind: kind, PostID: postID, ActorID: actor}
}

func (f *fixture) reply(actor string) (newsroom.InboxActivity, newsroom.Reply) {
	rec := f.rec(actor, "Create")
	note := rec.ID + "/note"
	return rec, newsroom.Reply{ObjectID: note, ActivityID: rec.ID, PostID: postID, ActorID: actor, URL: note,
		ContentHTML: "<p>Merci !</p>", Published: t0}
}

// job is a queued River job: its kind and its arguments as JSON.
type job struct{ kind, args string }

func queued(t *testing.T, s store.Store) []job {
	t.Helper()
	// rows is what database/sql's and pgx's rows share.
	var rows interface {
		Next() bool
		Scan(dest ...any) error
		Err() error
	}
	switch b := s.(type) {
	case *sqlite.Store:
		r, err := b.ReadDB().QueryContext(t.Context(), `SELECT kind, CAST(args AS TEXT) FROM river_job ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		rows = r
	case *postgres.Store:
		r, err := b.Pool().Query(t.Context(), `SELECT kind, args::text FROM river_job ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		rows = r
	default:
		t.Fatalf("unknown backend %T", s)
	}
	var out []job
	for rows.Next() {
		var j job
		if err := rows.Scan(&j.kind, &j.args); err != nil {
			t.Fatal(err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// acceptJobs returns the queued jobs that carry the Accept id to inbox.
func acceptJobs(t *testing.T, s store.Store, acceptID, inbox string) int {
	t.Helper()
	n := 0
	for _, j := range queued(t, s) {
		if strings.Contains(j.args, `"`+acceptID+`"`) && strings.Contains(j.args, `"`+inbox+`"`) {
			n++
		}
	}
	return n
}

func counts(t *testing.T, s store.Store) (likes, boosts int) {
	t.Helper()
	likes, boosts, err := s.CountInteractions(t.Context(), postID)
	if err != nil {
		t.Fatal(err)
	}
	return likes, boosts
}

func isFollower(t *testing.T, f *fixture, actor string) bool {
	t.Helper()
	ok, err := f.s.IsFollower(t.Context(), f.org.ID, actor)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func recorded(t *testing.T, s store.Store, rec newsroom.InboxActivity) bool {
	t.Helper()
	_, err := s.InboxActivityByID(t.Context(), rec.ID, rec.ActorID)
	if errors.Is(err, newsroom.ErrNotFound) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// A Follow stores the follower, its Accept and the job delivering it, in
// one go; the same Follow again changes nothing; a new Follow refreshes
// the follower and gets an Accept of its own.
func TestFollow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		rec := f.rec(alice, "Follow")
		if err := f.svc.Follow(ctx, rec, f.follower(alice, rec.ID), f.accept("01JDACCEPT0000000000000001")); err != nil {
			t.Fatal(err)
		}
		followers, err := s.ListFollowers(ctx, f.org.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := f.follower(alice, rec.ID)
		want.CreatedAt = t0
		if len(followers) == 1 && followers[0].CreatedAt.Equal(t0) {
			followers[0].CreatedAt = t0
		}
		if len(followers) != 1 || followers[0] != want {
			t.Fatalf("followers %+v, want [%+v]", followers, want)
		}
		acc, err := s.ActivityByID(ctx, "01JDACCEPT0000000000000001")
		if err != nil || acc.Type != "Accept" || acc.OrgID != f.org.ID {
			t.Fatalf("accept stored: %+v %v", acc, err)
		}
		if n := acceptJobs(t, s, acc.ID, alice+"/inbox"); n != 1 {
			t.Errorf("%d jobs deliver the Accept to alice's inbox, want 1", n)
		}
		if !recorded(t, s, rec) {
			t.Error("the Follow is not recorded")
		}

		// The same Follow again: nothing new, not even an Accept.
		err = f.svc.Follow(ctx, rec, f.follower(alice, rec.ID), f.accept("01JDACCEPT0000000000000002"))
		if !errors.Is(err, ErrDuplicate) {
			t.Fatalf("replayed Follow: %v, want ErrDuplicate", err)
		}
		if _, err := s.ActivityByID(ctx, "01JDACCEPT0000000000000002"); !errors.Is(err, newsroom.ErrNotFound) {
			t.Errorf("replayed Follow stored an Accept: %v", err)
		}
		if n := len(queued(t, s)); n != 1 {
			t.Errorf("%d jobs after the replay, want 1", n)
		}

		// A new Follow: the follower now names it, and a second Accept goes.
		again := f.rec(alice, "Follow")
		if err := f.svc.Follow(ctx, again, f.follower(alice, again.ID), f.accept("01JDACCEPT0000000000000003")); err != nil {
			t.Fatal(err)
		}
		followers, err = s.ListFollowers(ctx, f.org.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(followers) != 1 || followers[0].FollowID != again.ID {
			t.Errorf("followers after a second Follow: %+v", followers)
		}
		if n := acceptJobs(t, s, "01JDACCEPT0000000000000003", alice+"/inbox"); n != 1 {
			t.Errorf("%d jobs deliver the second Accept, want 1", n)
		}
	})
}

// A Follow whose Accept cannot be stored leaves no follower, no record
// and no job: all of it is one transaction.
func TestFollowAllOrNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		first := f.rec(mallory, "Follow")
		if err := f.svc.Follow(ctx, first, f.follower(mallory, first.ID), f.accept("01JDACCEPT0000000000000001")); err != nil {
			t.Fatal(err)
		}
		// alice's Follow answered with an Accept id already used.
		rec := f.rec(alice, "Follow")
		if err := f.svc.Follow(ctx, rec, f.follower(alice, rec.ID), f.accept("01JDACCEPT0000000000000001")); err == nil {
			t.Fatal("Follow with a clashing Accept id succeeded")
		}
		if isFollower(t, f, alice) || recorded(t, s, rec) {
			t.Error("the failed Follow left a follower or a record")
		}
		if n := len(queued(t, s)); n != 1 {
			t.Errorf("%d jobs, want mallory's Accept only", n)
		}
	})
}

// Likes and boosts count once per activity id and once per actor, kind
// and post; an undo removes only what its actor did.
func TestReactions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		react := func(rec newsroom.InboxActivity, i newsroom.Interaction) error {
			t.Helper()
			return f.svc.React(ctx, rec, i)
		}
		likeRec, like := f.like(alice, newsroom.InteractionLike)
		boostRec, boost := f.like(alice, newsroom.InteractionAnnounce)
		for _, err := range []error{react(likeRec, like), react(boostRec, boost)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		if l, b := counts(t, s); l != 1 || b != 1 {
			t.Fatalf("likes %d boosts %d, want 1 1", l, b)
		}

		tests := []struct {
			name       string
			do         func() error
			wantErr    error
			likes      int
			boosts     int
			recordedID string // an activity that must now be recorded
		}{
			{"the same Like again", func() error { return react(likeRec, like) }, ErrDuplicate, 1, 1, ""},
			{"another Like of the post by alice", func() error {
				rec, i := f.like(alice, newsroom.InteractionLike)
				return react(rec, i)
			}, nil, 1, 1, ""},
			{"mallory undoes alice's Like by its id", func() error {
				return f.svc.Unreact(ctx, f.rec(mallory, "Undo"), like.ActivityID, newsroom.InteractionLike, "", mallory)
			}, nil, 1, 1, ""},
			{"mallory undoes her Like of the post, which she never sent", func() error {
				return f.svc.Unreact(ctx, f.rec(mallory, "Undo"), mallory+"/activities/none", newsroom.InteractionLike, postID, mallory)
			}, nil, 1, 1, ""},
			{"alice undoes her Like by its id", func() error {
				return f.svc.Unreact(ctx, f.rec(alice, "Undo"), like.ActivityID, newsroom.InteractionLike, "", alice)
			}, nil, 0, 1, ""},
			{"alice undoes her boost by the post alone", func() error {
				return f.svc.Unreact(ctx, f.rec(alice, "Undo"), "", newsroom.InteractionAnnounce, postID, alice)
			}, nil, 0, 0, ""},
			{"alice undoes a Like already undone", func() error {
				return f.svc.Unreact(ctx, f.rec(alice, "Undo"), like.ActivityID, newsroom.InteractionLike, postID, alice)
			}, nil, 0, 0, ""},
			{"a Like whose interaction names another actor counts for the sender", func() error {
				rec, i := f.like(mallory, newsroom.InteractionLike)
				i.ActorID, i.ActivityID = alice, alice+"/activities/forged"
				return react(rec, i)
			}, nil, 1, 0, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.do(); !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				if l, b := counts(t, s); l != tt.likes || b != tt.boosts {
					t.Errorf("likes %d boosts %d, want %d %d", l, b, tt.likes, tt.boosts)
				}
			})
		}
		// mallory's like is hers: alice cannot undo it.
		if err := f.svc.Unreact(ctx, f.rec(alice, "Undo"), "", newsroom.InteractionLike, postID, alice); err != nil {
			t.Fatal(err)
		}
		if l, _ := counts(t, s); l != 1 {
			t.Errorf("likes %d after alice's undo of mallory's like, want 1", l)
		}
	})
}

// The same Like arriving many times at once is counted and recorded once:
// one caller gets nil, the others ErrDuplicate.
func TestConcurrentDuplicateLike(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		rec, like := f.like(alice, newsroom.InteractionLike)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = f.svc.React(context.Background(), rec, like)
			}()
		}
		wg.Wait()
		fresh := 0
		for _, err := range errs {
			switch {
			case err == nil:
				fresh++
			case !errors.Is(err, ErrDuplicate):
				t.Errorf("React: %v", err)
			}
		}
		if fresh != 1 {
			t.Errorf("%d calls applied the Like, want 1", fresh)
		}
		if l, _ := counts(t, s); l != 1 {
			t.Errorf("likes %d, want 1", l)
		}
	})
}

// A reply waits for moderation; only its author can delete it.
func TestReplies(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		rec, r := f.reply(alice)
		if err := f.svc.Reply(ctx, rec, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.ReplyByObjectID(ctx, r.ObjectID)
		if err != nil {
			t.Fatal(err)
		}
		want := r
		want.Status, want.CreatedAt = newsroom.ReplyPending, t0
		if got.ObjectID != want.ObjectID || got.ActorID != alice || got.PostID != postID || got.Status != newsroom.ReplyPending ||
			got.ContentHTML != want.ContentHTML || !got.CreatedAt.Equal(t0) || got.ActivityID != rec.ID {
			t.Fatalf("reply %+v, want %+v", got, want)
		}
		if err := f.svc.Reply(ctx, rec, r); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("replayed reply: %v, want ErrDuplicate", err)
		}
		// An approved reply stays approved when the same note comes again.
		if err := s.SetReplyStatus(ctx, r.ObjectID, newsroom.ReplyApproved); err != nil {
			t.Fatal(err)
		}
		again := f.rec(alice, "Create")
		r2 := r
		r2.ActivityID, r2.ContentHTML = again.ID, "<p>edited</p>"
		if err := f.svc.Reply(ctx, again, r2); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ReplyByObjectID(ctx, r.ObjectID); err != nil || got.Status != newsroom.ReplyApproved ||
			got.ContentHTML != "<p>Merci !</p>" {
			t.Fatalf("reply after the same note again: %+v %v", got, err)
		}

		// mallory's Delete changes nothing; alice's removes it.
		if err := f.svc.DeleteObject(ctx, f.rec(mallory, "Delete"), r.ObjectID, mallory); err != nil {
			t.Fatalf("mallory's Delete: %v", err)
		}
		if _, err := s.ReplyByObjectID(ctx, r.ObjectID); err != nil {
			t.Fatalf("reply after mallory's Delete: %v", err)
		}
		if err := f.svc.DeleteObject(ctx, f.rec(alice, "Delete"), r.ObjectID, alice); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReplyByObjectID(ctx, r.ObjectID); !errors.Is(err, newsroom.ErrNotFound) {
			t.Fatalf("reply after alice's Delete: %v", err)
		}
		// A Delete of something we never had is recorded and harmless.
		del := f.rec(alice, "Delete")
		if err := f.svc.DeleteObject(ctx, del, alice+"/statuses/none", alice); err != nil {
			t.Fatal(err)
		}
		if !recorded(t, s, del) {
			t.Error("the Delete is not recorded")
		}
	})
}

// An actor deleting itself takes its follows, reactions and replies with
// it, and nobody else's.
func TestDeleteActor(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		var replies []newsroom.Reply
		for i, actor := range []string{alice, mallory} {
			rec := f.rec(actor, "Follow")
			if err := f.svc.Follow(ctx, rec, f.follower(actor, rec.ID), f.accept(fmt.Sprintf("01JDACCEPT%016d", i))); err != nil {
				t.Fatal(err)
			}
			for _, kind := range []newsroom.InteractionKind{newsroom.InteractionLike, newsroom.InteractionAnnounce} {
				rec, i := f.like(actor, kind)
				if err := f.svc.React(ctx, rec, i); err != nil {
					t.Fatal(err)
				}
			}
			rec, r := f.reply(actor)
			if err := f.svc.Reply(ctx, rec, r); err != nil {
				t.Fatal(err)
			}
			replies = append(replies, r)
		}
		if err := f.svc.DeleteActor(ctx, f.rec(alice, "Delete"), alice); err != nil {
			t.Fatal(err)
		}
		if isFollower(t, f, alice) || !isFollower(t, f, mallory) {
			t.Error("followers: alice should be gone and mallory left")
		}
		if l, b := counts(t, s); l != 1 || b != 1 {
			t.Errorf("likes %d boosts %d, want mallory's 1 1", l, b)
		}
		if _, err := s.ReplyByObjectID(ctx, replies[0].ObjectID); !errors.Is(err, newsroom.ErrNotFound) {
			t.Errorf("alice's reply: %v, want gone", err)
		}
		if _, err := s.ReplyByObjectID(ctx, replies[1].ObjectID); err != nil {
			t.Errorf("mallory's reply: %v", err)
		}
		if _, err := s.RemoteActorByID(ctx, alice); !errors.Is(err, newsroom.ErrNotFound) {
			t.Errorf("alice's actor: %v, want gone", err)
		}
		if _, err := s.RemoteActorByID(ctx, mallory); err != nil {
			t.Errorf("mallory's actor: %v", err)
		}
		// A stranger's deletion is recorded and harmless.
		del := f.rec("https://carol.test/users/carol", "Delete")
		if err := f.svc.DeleteActor(ctx, del, "https://carol.test/users/carol"); err != nil {
			t.Fatal(err)
		}
		if !recorded(t, s, del) {
			t.Error("the stranger's Delete is not recorded")
		}
	})
}

// Unfollow (from an Undo or a Block) removes only its own actor's follow.
func TestUnfollow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		rec := f.rec(alice, "Follow")
		if err := f.svc.Follow(ctx, rec, f.follower(alice, rec.ID), f.accept("01JDACCEPT0000000000000001")); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Unfollow(ctx, f.rec(mallory, "Block"), f.org.ID, mallory); err != nil {
			t.Fatal(err)
		}
		if !isFollower(t, f, alice) {
			t.Fatal("mallory's unfollow removed alice")
		}
		undo := f.rec(alice, "Undo")
		if err := f.svc.Unfollow(ctx, undo, f.org.ID, alice); err != nil {
			t.Fatal(err)
		}
		if isFollower(t, f, alice) {
			t.Fatal("alice still follows after her Undo")
		}
		// Replayed after a new Follow, the old Undo does not remove it.
		again := f.rec(alice, "Follow")
		if err := f.svc.Follow(ctx, again, f.follower(alice, again.ID), f.accept("01JDACCEPT0000000000000002")); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Unfollow(ctx, undo, f.org.ID, alice); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("replayed Undo: %v, want ErrDuplicate", err)
		}
		if !isFollower(t, f, alice) {
			t.Fatal("a replayed Undo removed a newer Follow")
		}
	})
}

// Update refreshes the cached actor; Ignore only records.
func TestUpdateAndIgnore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		upd := &newsroom.RemoteActor{ID: alice, Host: "alice.test", Type: "Person", Name: "Alice", Inbox: alice + "/inbox2",
			SharedInbox: "https://alice.test/inbox", KeyID: alice + "#main-key", PublicKeyPEM: "pem", FetchedAt: t0}
		rec := f.rec(alice, "Update")
		if err := f.svc.UpdateActor(ctx, rec, upd); err != nil {
			t.Fatal(err)
		}
		got, err := s.RemoteActorByID(ctx, alice)
		if err != nil || got.Name != "Alice" || got.Inbox != alice+"/inbox2" {
			t.Fatalf("actor after Update: %+v %v", got, err)
		}
		upd.Name = "Replayed"
		if err := f.svc.UpdateActor(ctx, rec, upd); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("replayed Update: %v, want ErrDuplicate", err)
		}
		if got, _ := s.RemoteActorByID(ctx, alice); got.Name != "Alice" {
			t.Errorf("a replayed Update changed the actor: %q", got.Name)
		}

		ign := f.rec(alice, "EmojiReact")
		if err := f.svc.Ignore(ctx, ign); err != nil {
			t.Fatal(err)
		}
		got2, err := s.InboxActivityByID(ctx, ign.ID, ign.ActorID)
		if err != nil || got2.Type != "EmojiReact" || got2.ActorID != alice || !got2.ReceivedAt.Equal(t0) {
			t.Fatalf("ignored activity recorded as %+v %v", got2, err)
		}
		if err := f.svc.Ignore(ctx, ign); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("replayed ignored activity: %v, want ErrDuplicate", err)
		}
		if l, b := counts(t, s); l != 0 || b != 0 {
			t.Errorf("likes %d boosts %d after Update and Ignore", l, b)
		}
	})
}
