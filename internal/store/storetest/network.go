package storetest

import (
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

func networkAccount(orgID int64, name string) *newsroom.NetworkAccount {
	return &newsroom.NetworkAccount{
		OrgID: orgID, ActorID: "https://member.example/users/" + name, Acct: name + "@member.example",
		Name: "Member " + name, Inbox: "https://member.example/users/" + name + "/inbox",
		SharedInbox: "https://member.example/inbox", State: newsroom.NetworkPending,
		FollowID: "https://news.example/activities/follow-" + name,
	}
}

func testNetworkAccounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	soga, other := newOrg(t, s, "soga"), newOrg(t, s, "other")
	soga.BoostsMembers, other.AllowsBoosts = true, true
	ok(t, s.UpdateOrg(ctx, soga))
	ok(t, s.UpdateOrg(ctx, other))
	if o, err := s.OrgByID(ctx, soga.ID); err != nil || !o.BoostsMembers || o.AllowsBoosts {
		t.Errorf("soga's flags: %+v %v", o, err)
	}
	if o, err := s.OrgByHandle(ctx, "other"); err != nil || o.BoostsMembers || !o.AllowsBoosts {
		t.Errorf("other's flags: %+v %v", o, err)
	}
	a := networkAccount(soga.ID, "ada")
	a.Tags, a.Langs, a.Review, a.AllowSensitive = []string{"inclusion", "numérique"}, []string{"fr"}, true, true
	ok(t, s.PutNetworkAccount(ctx, a))
	isNow(t, "CreatedAt", a.CreatedAt)
	got, err := s.NetworkAccount(ctx, soga.ID, a.ActorID)
	ok(t, err)
	equal(t, "NetworkAccount", *got, *a)

	// Adding it again (after a refusal, say) replaces the rules and the
	// follow, and keeps when it was first added.
	first := a.CreatedAt
	b := networkAccount(soga.ID, "ada")
	b.FollowID = "https://news.example/activities/follow-2"
	ok(t, s.PutNetworkAccount(ctx, b))
	got, err = s.NetworkAccount(ctx, soga.ID, a.ActorID)
	ok(t, err)
	if !got.CreatedAt.Equal(first) || got.FollowID != b.FollowID || got.Tags != nil || got.Review || got.AllowSensitive {
		t.Errorf("after a second put: %+v", got)
	}

	ok(t, s.PutNetworkAccount(ctx, networkAccount(other.ID, "ada")))
	ok(t, s.PutNetworkAccount(ctx, networkAccount(soga.ID, "bob")))
	byActor, err := s.NetworkAccountsByActor(ctx, a.ActorID)
	ok(t, err)
	if len(byActor) != 2 || byActor[0].OrgID != soga.ID || byActor[1].OrgID != other.ID {
		t.Errorf("NetworkAccountsByActor = %s", show(byActor))
	}

	ok(t, s.SetNetworkAccountState(ctx, soga.ID, a.ActorID, newsroom.NetworkFollowing))
	wantErr(t, s.SetNetworkAccountState(ctx, soga.ID, "https://member.example/users/nobody", newsroom.NetworkGone), newsroom.ErrNotFound)
	following, err := s.ListNetworkAccounts(ctx, soga.ID, newsroom.NetworkFollowing, 0, 0)
	ok(t, err)
	if len(following) != 1 || following[0].ActorID != a.ActorID {
		t.Errorf("following = %s", show(following))
	}
	all, err := s.ListNetworkAccounts(ctx, 0, "", 0, 0)
	ok(t, err)
	if len(all) != 3 {
		t.Errorf("every account = %s", show(all))
	}
	for _, c := range []struct {
		state newsroom.NetworkState
		want  int
	}{{newsroom.NetworkFollowing, 1}, {newsroom.NetworkPending, 1}, {"", 2}} {
		n, err := s.CountNetworkAccounts(ctx, soga.ID, c.state)
		ok(t, err)
		if n != c.want {
			t.Errorf("CountNetworkAccounts(%q) = %d, want %d", c.state, n, c.want)
		}
	}

	ok(t, s.InTx(ctx, func(tx store.Tx) error { return tx.LockNetworkAccount(ctx, soga.ID, a.ActorID) }))
	wantErr(t, s.LockNetworkAccount(ctx, soga.ID, "https://member.example/users/nobody"), newsroom.ErrNotFound)
	ok(t, s.RemoveNetworkAccount(ctx, soga.ID, a.ActorID))
	wantErr(t, s.RemoveNetworkAccount(ctx, soga.ID, a.ActorID), newsroom.ErrNotFound)
	_, err = s.NetworkAccount(ctx, soga.ID, a.ActorID)
	wantErr(t, err, newsroom.ErrNotFound)
	if _, err := s.NetworkAccount(ctx, other.ID, a.ActorID); err != nil {
		t.Errorf("the other organisation's follow went too: %v", err)
	}
}

func testBoosts(t *testing.T, s store.Store) {
	ctx := t.Context()
	soga, other := newOrg(t, s, "soga"), newOrg(t, s, "other")
	ada := "https://member.example/users/ada"
	boost := func(orgID int64, n int, published time.Time, state newsroom.BoostState) *newsroom.Boost {
		return &newsroom.Boost{OrgID: orgID, ObjectID: ada + "/statuses/" + string(rune('0'+n)), ActorID: ada,
			State: state, ContentHTML: "<p>Bonjour</p>", AuthorName: "Ada", AuthorAcct: "ada@member.example",
			URL: "https://member.example/@ada/" + string(rune('0'+n)), Lang: "fr", Published: published.In(cet)}
	}
	b1 := boost(soga.ID, 1, t0, newsroom.BoostDone)
	b1.AnnounceID = "01JANNOUNCE1"
	fresh, err := s.AddBoost(ctx, b1)
	ok(t, err)
	if !fresh {
		t.Fatal("first AddBoost not fresh")
	}
	// A replayed Create finds the boost there and changes nothing.
	again := boost(soga.ID, 1, t0, newsroom.BoostQueued)
	if fresh, err := s.AddBoost(ctx, again); err != nil || fresh {
		t.Fatalf("second AddBoost: fresh %v err %v", fresh, err)
	}
	got, err := s.Boost(ctx, soga.ID, b1.ObjectID)
	ok(t, err)
	want := *b1
	want.Published = t0
	equal(t, "Boost", *got, want)

	_, err = s.AddBoost(ctx, boost(other.ID, 1, t0, newsroom.BoostQueued))
	ok(t, err)
	_, err = s.AddBoost(ctx, boost(soga.ID, 2, t0.Add(time.Hour), newsroom.BoostQueued))
	ok(t, err)
	_, err = s.AddBoost(ctx, boost(soga.ID, 3, t0.Add(-time.Hour), newsroom.BoostDone))
	ok(t, err)

	byObject, err := s.BoostsByObject(ctx, b1.ObjectID)
	ok(t, err)
	if len(byObject) != 2 || byObject[0].OrgID != soga.ID || byObject[1].OrgID != other.ID {
		t.Errorf("BoostsByObject = %s", show(byObject))
	}
	done, err := s.ListBoosts(ctx, 0, newsroom.BoostDone, 0, 0)
	ok(t, err)
	if len(done) != 2 || done[0].ObjectID != b1.ObjectID || done[1].ObjectID != ada+"/statuses/3" {
		t.Errorf("boosted, newest first = %s", show(done))
	}
	queued, err := s.ListBoosts(ctx, soga.ID, newsroom.BoostQueued, 0, 10)
	ok(t, err)
	if len(queued) != 1 || queued[0].ObjectID != ada+"/statuses/2" {
		t.Errorf("queued of soga = %s", show(queued))
	}

	q := queued[0]
	q.State, q.AnnounceID, q.ContentHTML = newsroom.BoostDone, "01JANNOUNCE2", "<p>Edited</p>"
	ok(t, s.UpdateBoost(ctx, &q))
	got, err = s.Boost(ctx, soga.ID, q.ObjectID)
	ok(t, err)
	if got.State != newsroom.BoostDone || got.AnnounceID != "01JANNOUNCE2" || got.ContentHTML != "<p>Edited</p>" {
		t.Errorf("after UpdateBoost: %+v", got)
	}
	missing := boost(soga.ID, 9, t0, newsroom.BoostDone)
	wantErr(t, s.UpdateBoost(ctx, missing), newsroom.ErrNotFound)
	_, err = s.Boost(ctx, soga.ID, missing.ObjectID)
	wantErr(t, err, newsroom.ErrNotFound)

	n, err := s.CountBoostsSince(ctx, soga.ID, ada, time.Now().Add(-time.Minute))
	ok(t, err)
	if n != 3 {
		t.Errorf("CountBoostsSince a minute ago = %d, want 3", n)
	}
	n, err = s.CountBoostsSince(ctx, soga.ID, ada, time.Now().Add(time.Minute))
	ok(t, err)
	if n != 0 {
		t.Errorf("CountBoostsSince in a minute = %d, want 0", n)
	}
}
