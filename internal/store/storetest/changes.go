package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// Within is how soon WatchChanges must report a commit: a withdrawn post
// must leave every cache within a second.
const Within = time.Second

// Watch runs s.WatchChanges until t ends; each onChange sends on the
// returned channel. It waits for the call made when watching starts.
func Watch(t *testing.T, s store.Store) <-chan struct{} {
	t.Helper()
	changed := make(chan struct{}, 64)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.WatchChanges(ctx, func() {
			select {
			case changed <- struct{}{}:
			default:
			}
		}, func(err error) { t.Logf("watch changes: %v", err) })
	}()
	t.Cleanup(func() { cancel(); <-done })
	WantChange(t, changed, "when watching starts")
	return changed
}

// WantChange fails t unless changed reports within Within.
func WantChange(t *testing.T, changed <-chan struct{}, after string) {
	t.Helper()
	select {
	case <-changed:
	case <-time.After(Within):
		t.Fatalf("no change reported within %s %s", Within, after)
	}
}

// WantNoChange fails t if changed reports within Within.
func WantNoChange(t *testing.T, changed <-chan struct{}, after string) {
	t.Helper()
	select {
	case <-changed:
		t.Errorf("a change was reported %s", after)
	case <-time.After(Within):
	}
}

// testChanges checks that the writes of what public pages show are
// reported, and that inbox traffic, deliveries, jobs and rolled-back
// transactions are not.
func testChanges(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	p := newPost(t, s, org.ID, "01WATCHED", t0, nil)
	changed := Watch(t, s)

	like := newsroom.InboxRecord{
		Activity: newsroom.InboxActivity{ID: "https://a.example/likes/1", ActorID: "https://a.example/users/ada",
			Type: "Like", Raw: []byte(`{}`), ReceivedAt: t0},
		Interaction: &newsroom.Interaction{ActivityID: "https://a.example/likes/1", Kind: newsroom.InteractionLike,
			PostID: p.ID, ActorID: "https://a.example/users/ada"},
	}
	_, err := s.RecordInboxActivities(ctx, []newsroom.InboxRecord{like})
	ok(t, err)
	ok(t, s.AddFollower(ctx, follower(org.ID, "a.example", "ada", true)))
	_, err = s.AddReply(ctx, newsroom.Reply{ObjectID: "https://a.example/notes/1", PostID: p.ID,
		ActorID: "https://a.example/users/ada", Status: newsroom.ReplyPending, CreatedAt: t0})
	ok(t, err)
	ok(t, s.CreateDeliveries(ctx, "01NONE", nil))
	ok(t, s.InTx(ctx, func(tx store.Tx) error { return tx.Enqueue(ctx, TestJob{N: 1}) }))
	boom := errors.New("boom")
	err = s.InTx(ctx, func(tx store.Tx) error {
		newPost(t, tx, org.ID, "01ROLLEDBACK", t0, nil)
		return boom
	})
	wantErr(t, err, boom)
	WantNoChange(t, changed, "after a like, a follower, a pending reply, a job and a rollback")

	p.Title = "Corrected"
	ok(t, s.UpdatePost(ctx, p))
	WantChange(t, changed, "after a post was updated")

	org.Name = "La Gazette"
	ok(t, s.UpdateOrg(ctx, org))
	WantChange(t, changed, "after an organisation was updated")

	ok(t, s.PutMedia(ctx, newsroom.Media{ID: "m-watched", MIMEType: "image/png"}))
	WantChange(t, changed, "after an upload")
}
