package storetest

import (
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// A post's mentions are kept in order through creation, update (which
// replaces them) and listing, and a post without any reads as nil.
func testPostMentions(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	ada := newsroom.Mention{Name: "@ada@social.example", Actor: "https://social.example/users/ada",
		URL: "https://social.example/@ada", Inbox: "https://social.example/inbox"}
	local := newsroom.Mention{Name: "@quartier@news.example", Actor: "https://news.example/orgs/quartier",
		URL: "https://news.example/orgs/quartier"}
	bob := newsroom.Mention{Name: "@bob@bücher.example", Actor: "https://xn--bcher-kva.example/u/bob",
		URL: "https://xn--bcher-kva.example/@bob", Inbox: "https://xn--bcher-kva.example/u/bob/inbox"}
	p := newPost(t, s, org.ID, "01JPOST0000000000000000001", t0, func(p *newsroom.Post) {
		p.Mentions = []newsroom.Mention{bob, ada, local}
	})
	got, err := s.PostByID(ctx, p.ID)
	ok(t, err)
	equal(t, "Mentions after CreatePost", got.Mentions, []newsroom.Mention{bob, ada, local})

	p.Mentions = []newsroom.Mention{ada}
	ok(t, s.UpdatePost(ctx, p))
	got, err = s.PostByID(ctx, p.ID)
	ok(t, err)
	equal(t, "Mentions after UpdatePost", got.Mentions, []newsroom.Mention{ada})

	other := newPost(t, s, org.ID, "01JPOST0000000000000000002", t0.Add(time.Hour), nil)
	posts, err := s.ListPosts(ctx, store.PostFilter{OrgID: org.ID})
	ok(t, err)
	if len(posts) != 2 {
		t.Fatalf("ListPosts returned %d posts, want 2", len(posts))
	}
	equal(t, "Mentions of a post without", posts[0].Mentions, []newsroom.Mention(nil))
	equal(t, "Mentions listed", posts[1].Mentions, []newsroom.Mention{ada})
	equal(t, "listed order", posts[0].ID, other.ID)

	p.Mentions = nil
	ok(t, s.UpdatePost(ctx, p))
	got, err = s.PostByID(ctx, p.ID)
	ok(t, err)
	equal(t, "Mentions after removing them", got.Mentions, []newsroom.Mention(nil))
}

// FollowersOnHosts returns exactly the followers of the organisation on
// the hosts asked, ports told apart.
func testFollowersOnHosts(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	other := newOrg(t, s, "quartier")
	for _, f := range []newsroom.Follower{
		follower(org.ID, "a.example", "zoe", true),
		follower(org.ID, "a.example", "ada", true),
		follower(org.ID, "b.example", "bob", false),
		follower(org.ID, "a.example:8443", "cat", false),
		follower(other.ID, "a.example", "dan", true),
	} {
		ok(t, s.AddFollower(ctx, f))
	}
	got, err := s.FollowersOnHosts(ctx, org.ID, []string{"a.example"})
	ok(t, err)
	equal(t, "one host", got, []string{"https://a.example/users/ada", "https://a.example/users/zoe"})
	got, err = s.FollowersOnHosts(ctx, org.ID, []string{"b.example", "a.example:8443", "none.example"})
	ok(t, err)
	equal(t, "several hosts", got, []string{"https://a.example:8443/users/cat", "https://b.example/users/bob"})
	got, err = s.FollowersOnHosts(ctx, org.ID, []string{"none.example"})
	ok(t, err)
	equal(t, "no follower there", len(got), 0)
	got, err = s.FollowersOnHosts(ctx, org.ID, nil)
	ok(t, err)
	equal(t, "no host", len(got), 0)
}
