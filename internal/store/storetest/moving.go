package storetest

import (
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// An organisation's aliases and move are kept apart from its profile:
// UpdateOrg, which the profile form calls, leaves them as they are.
func testOrgMoving(t *testing.T, s store.Store) {
	ctx := t.Context()
	o := newOrg(t, s, "mover")
	aliases := []string{"https://old.example/users/mover", "https://older.example/@mover"}
	ok(t, s.SetOrgAliases(ctx, o.ID, aliases))
	got, err := s.OrgByID(ctx, o.ID)
	ok(t, err)
	equal(t, "aliases", got.AlsoKnownAs, aliases)
	if got.Moved() {
		t.Fatalf("moved before SetOrgMoved: %q", got.MovedTo)
	}

	at := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	ok(t, s.SetOrgMoved(ctx, o.ID, "https://new.example/users/mover", at))
	got.Name = "Renamed"
	ok(t, s.UpdateOrg(ctx, got))
	got, err = s.OrgByHandle(ctx, "mover")
	ok(t, err)
	equal(t, "moved to", got.MovedTo, "https://new.example/users/mover")
	equal(t, "moved at", got.MovedAt.UTC(), at)
	equal(t, "aliases after UpdateOrg", got.AlsoKnownAs, aliases)
	equal(t, "name", got.Name, "Renamed")

	ok(t, s.SetOrgAliases(ctx, o.ID, nil))
	ok(t, s.SetOrgMoved(ctx, o.ID, "", time.Time{}))
	got, err = s.OrgByID(ctx, o.ID)
	ok(t, err)
	if got.Moved() || !got.MovedAt.IsZero() || got.AlsoKnownAs != nil {
		t.Errorf("after clearing: moved to %q at %v, aliases %q", got.MovedTo, got.MovedAt, got.AlsoKnownAs)
	}
	wantErr(t, s.SetOrgAliases(ctx, 999999, aliases), newsroom.ErrNotFound)
	wantErr(t, s.SetOrgMoved(ctx, 999999, "x", at), newsroom.ErrNotFound)
}

// A follower that moved follows, as its new account, every organisation
// it followed, since the same day; an organisation the new account
// followed already keeps that follow.
func testMoveFollower(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b, c := newOrg(t, s, "mfa"), newOrg(t, s, "mfb"), newOrg(t, s, "mfc")
	old := follower(a.ID, "old.example", "ann", true)
	ok(t, s.AddFollower(ctx, old))
	old.OrgID = b.ID
	ok(t, s.AddFollower(ctx, old))
	target := follower(b.ID, "new.example", "ann", false)
	ok(t, s.AddFollower(ctx, target))
	ok(t, s.AddFollower(ctx, follower(c.ID, "old.example", "bob", true)))
	before, err := s.FollowerByActor(ctx, a.ID, old.ActorID)
	ok(t, err)

	target.OrgID = 0
	orgs, err := s.MoveFollower(ctx, old.ActorID, target)
	ok(t, err)
	equal(t, "organisations", orgs, []int64{a.ID, b.ID})

	for _, o := range []int64{a.ID, b.ID} {
		isF, err := s.IsFollower(ctx, o, old.ActorID)
		ok(t, err)
		if isF {
			t.Errorf("org %d: the old account still follows", o)
		}
	}
	got, err := s.FollowerByActor(ctx, a.ID, target.ActorID)
	ok(t, err)
	equal(t, "inbox", got.Inbox, target.Inbox)
	equal(t, "followed since", got.CreatedAt.UTC(), before.CreatedAt.UTC())
	inboxes, err := s.DeliveryInboxes(ctx, a.ID)
	ok(t, err)
	equal(t, "delivery inboxes", inboxes, []string{target.Inbox})
	got, err = s.FollowerByActor(ctx, b.ID, target.ActorID)
	ok(t, err)
	equal(t, "existing follow kept", got.FollowID, target.FollowID)
	n, err := s.CountFollowers(ctx, c.ID)
	ok(t, err)
	equal(t, "others' followers", n, 1)

	orgs, err = s.MoveFollower(ctx, "https://nobody.example/users/x", target)
	ok(t, err)
	equal(t, "nobody", len(orgs), 0)
}
