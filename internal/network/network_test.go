package network

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/audience"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/internal/urls"
)

const (
	member  = "https://member.test/users/ada"
	mallory = "https://mallory.test/users/mallory"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// resolverFunc stands for the member's server, which is not ours: the
// resolution itself is tested end to end against a peer.
type resolverFunc func(ctx context.Context, account string) (*newsroom.RemoteActor, error)

func (f resolverFunc) Resolve(ctx context.Context, account string) (*newsroom.RemoteActor, error) {
	return f(ctx, account)
}

type fixture struct {
	s   store.Store
	svc *Service
	org *newsroom.Organisation
	now time.Time
	seq int
}

func newFixture(t *testing.T, s store.Store, limit int) *fixture {
	t.Helper()
	org := &newsroom.Organisation{Handle: "soga", Name: "SOGA", ActorType: newsroom.ActorOrganization,
		DefaultLang: "fr", DefaultObjectType: newsroom.ObjectAuto}
	if err := s.CreateOrg(t.Context(), org); err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, org: org, now: t0}
	ids := 0
	f.svc = New(Deps{Store: s, URLs: urls.New(&url.URL{Scheme: "https", Host: "news.example.org"}), Limit: limit,
		NewID: func() string { ids++; return fmt.Sprintf("01JDNET%019d", ids) },
		Resolver: resolverFunc(func(_ context.Context, account string) (*newsroom.RemoteActor, error) {
			switch account {
			case "@ada@member.test":
				return &newsroom.RemoteActor{ID: member, Host: "member.test", PreferredUsername: "ada", Name: "Ada",
					Inbox: member + "/inbox", SharedInbox: "https://member.test/inbox"}, nil
			case "@soga@news.example.org":
				return &newsroom.RemoteActor{ID: "https://news.example.org/orgs/soga", Host: "news.example.org",
					PreferredUsername: "soga", Inbox: "https://news.example.org/orgs/soga/inbox"}, nil
			}
			return nil, errors.New("no such account")
		})})
	f.svc.Now = func() time.Time { return f.now }
	return f
}

func (f *fixture) rec(actor string) newsroom.InboxActivity {
	f.seq++
	id := fmt.Sprintf("%s/activities/%d", actor, f.seq)
	return newsroom.InboxActivity{ID: id, ActorID: actor, Type: "Create", Raw: []byte(`{"id":"` + id + `"}`), ReceivedAt: f.now}
}

func (f *fixture) post(n int) newsroom.RemotePost {
	id := fmt.Sprintf("%s/statuses/%d", member, n)
	return newsroom.RemotePost{ObjectID: id, ActorID: member, URL: id, ContentHTML: "<p>Nouvelles</p>",
		Tags: []string{"Inclusion"}, Lang: "fr", Published: f.now}
}

// following adds the member with rules and applies its Accept.
func (f *fixture) following(t *testing.T, r Rules) {
	t.Helper()
	a, err := f.svc.Add(t.Context(), f.org, "@ada@member.test", r)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Answer(t.Context(), f.rec(member), member, a.FollowID, true); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) count(t *testing.T, typ string) int {
	t.Helper()
	n, err := f.s.CountActivities(t.Context(), f.org.ID, typ)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) state(t *testing.T, object string) newsroom.BoostState {
	t.Helper()
	b, err := f.s.Boost(t.Context(), f.org.ID, object)
	if errors.Is(err, newsroom.ErrNotFound) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.State
}

// Only the account our Follow went to can answer it, by its id; our own
// organisations cannot be followed as members.
func TestAddAndAnswer(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s, 0)
		ctx := t.Context()
		a, err := f.svc.Add(ctx, f.org, "@ada@member.test", Rules{Tags: []string{"#Inclusion"}, Langs: []string{"fr-FR"}})
		if err != nil {
			t.Fatal(err)
		}
		if a.State != newsroom.NetworkPending || a.Acct != "ada@member.test" || a.Tags[0] != "inclusion" || a.Langs[0] != "fr" {
			t.Errorf("added %+v", a)
		}
		if n := f.count(t, "Follow"); n != 1 {
			t.Errorf("%d Follows stored", n)
		}
		if err := f.svc.Answer(ctx, f.rec(mallory), mallory, a.FollowID, true); !errors.Is(err, ErrNotFollowed) {
			t.Errorf("an Accept by another: %v", err)
		}
		if err := f.svc.Answer(ctx, f.rec(member), member, a.FollowID+"x", true); !errors.Is(err, ErrNotFollowed) {
			t.Errorf("an Accept of another Follow: %v", err)
		}
		rec := f.rec(member)
		if err := f.svc.Answer(ctx, rec, member, a.FollowID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Answer(ctx, rec, member, a.FollowID, false); !errors.Is(err, audience.ErrDuplicate) {
			t.Errorf("a replayed answer: %v", err)
		}
		if got, _ := s.NetworkAccount(ctx, f.org.ID, member); got.State != newsroom.NetworkFollowing {
			t.Errorf("state %s", got.State)
		}
		var v *newsroom.ValidationError
		if _, err := f.svc.Add(ctx, f.org, "@soga@news.example.org", Rules{}); !errors.As(err, &v) || v.Fields["account"] != "network.own" {
			t.Errorf("adding our own organisation: %v", err)
		}
		if _, err := f.svc.Add(ctx, f.org, "@nobody@member.test", Rules{}); !errors.Is(err, ErrUnresolved) {
			t.Errorf("an unknown account: %v", err)
		}
		if err := f.svc.Remove(ctx, f.org, "ada@member.test"); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, "Undo"); n != 1 {
			t.Errorf("%d Undos stored", n)
		}
	})
}

// The limit counts an account's boosts in the last window; an hour later
// it boosts again. Our own objects are never boosted.
func TestCreateLimit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s, 2)
		ctx := t.Context()
		f.following(t, Rules{})
		for i := range 3 {
			if err := f.svc.Create(ctx, f.rec(member), f.post(i)); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.count(t, "Announce"); n != 2 {
			t.Fatalf("%d announces under a limit of 2", n)
		}
		if s := f.state(t, f.post(2).ObjectID); s != "" {
			t.Errorf("the third post: %q", s)
		}
		f.now = f.now.Add(DefaultWindow + time.Minute)
		if err := f.svc.Create(ctx, f.rec(member), f.post(3)); err != nil {
			t.Fatal(err)
		}
		if s := f.state(t, f.post(3).ObjectID); s != newsroom.BoostDone {
			t.Errorf("an hour later: %q", s)
		}
		ours := f.post(4)
		ours.ObjectID = "https://news.example.org/orgs/soga/posts/01JD"
		if err := f.svc.Create(ctx, f.rec(member), ours); !errors.Is(err, ErrNotFollowed) {
			t.Errorf("our own post: %v", err)
		}
		// A reply to someone else is not news; a reply in the author's
		// own thread is.
		reply := f.post(5)
		reply.InReplyTo = mallory + "/statuses/1"
		if err := f.svc.Create(ctx, f.rec(member), reply); !errors.Is(err, ErrNotFollowed) {
			t.Errorf("a reply to someone else: %v", err)
		}
		thread := f.post(6)
		thread.InReplyTo = f.post(3).ObjectID
		if err := f.svc.Create(ctx, f.rec(member), thread); err != nil {
			t.Fatal(err)
		}
		if s := f.state(t, thread.ObjectID); s != newsroom.BoostDone {
			t.Errorf("a thread of the author's own: %q", s)
		}
		// Only the author unboosts.
		if err := f.svc.Delete(ctx, f.rec(mallory), thread.ObjectID, mallory); !errors.Is(err, ErrNotBoosted) {
			t.Errorf("a Delete by another: %v", err)
		}
		if err := f.svc.Delete(ctx, f.rec(member), thread.ObjectID, member); err != nil {
			t.Fatal(err)
		}
		if s := f.state(t, thread.ObjectID); s != newsroom.BoostUndone {
			t.Errorf("after the Delete: %q", s)
		}
	})
}

// Under review a post waits; approving boosts it once, refusing never.
func TestReview(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s, 0)
		ctx := t.Context()
		f.following(t, Rules{Review: true})
		for i := range 2 {
			if err := f.svc.Create(ctx, f.rec(member), f.post(i)); err != nil {
				t.Fatal(err)
			}
		}
		queue, err := f.svc.Queue(ctx, f.org)
		if err != nil || len(queue) != 2 || f.count(t, "Announce") != 0 {
			t.Fatalf("queue %v %v, %d announces", queue, err, f.count(t, "Announce"))
		}
		if err := f.svc.Approve(ctx, f.org, f.post(0).ObjectID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Approve(ctx, f.org, f.post(0).ObjectID); !errors.Is(err, newsroom.ErrNotFound) {
			t.Errorf("approving twice: %v", err)
		}
		if err := f.svc.Refuse(ctx, f.org, f.post(1).ObjectID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Approve(ctx, f.org, f.post(1).ObjectID); !errors.Is(err, newsroom.ErrNotFound) {
			t.Errorf("approving a refused post: %v", err)
		}
		if n := f.count(t, "Announce"); n != 1 {
			t.Errorf("%d announces", n)
		}
		if s := f.state(t, f.post(1).ObjectID); s != newsroom.BoostRefused {
			t.Errorf("refused post: %q", s)
		}
	})
}
