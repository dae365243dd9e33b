package storetest

import (
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// testPolicies: an organisation's default and a post's override are
// stored and read back field by field, and an unset field stays unset.
func testPolicies(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	got, err := s.OrgByID(ctx, org.ID)
	ok(t, err)
	equal(t, "policy of a new organisation", got.Policy, newsroom.InteractionPolicy{})

	org.Policy = newsroom.InteractionPolicy{Quote: newsroom.ApprovalManual, Reply: newsroom.ApprovalFollowers,
		Like: newsroom.ApprovalAnyone, Announce: newsroom.ApprovalNobody}
	ok(t, s.UpdateOrg(ctx, org))
	got, err = s.OrgByHandle(ctx, "gazette")
	ok(t, err)
	equal(t, "updated policy", got.Policy, org.Policy)

	p := newPost(t, s, org.ID, "01POL", t0, nil)
	p.Policy = newsroom.InteractionPolicy{Reply: newsroom.ApprovalNobody}
	ok(t, s.UpdatePost(ctx, p))
	gp, err := s.PostByID(ctx, p.ID)
	ok(t, err)
	equal(t, "post policy", gp.Policy, newsroom.InteractionPolicy{Reply: newsroom.ApprovalNobody})
	equal(t, "effective policy", newsroom.EffectivePolicy(got, gp), newsroom.InteractionPolicy{
		Quote: newsroom.ApprovalManual, Reply: newsroom.ApprovalNobody, Like: newsroom.ApprovalAnyone, Announce: newsroom.ApprovalNobody})
}

// testQuotes: a quoting post is recorded once per quoted post, decided
// once, and listed by organisation, post and status.
func testQuotes(t *testing.T, s store.Store) {
	ctx := t.Context()
	org, other := newOrg(t, s, "gazette"), newOrg(t, s, "other")
	p1 := newPost(t, s, org.ID, "01Q1", t0, nil)
	p2 := newPost(t, s, org.ID, "01Q2", t0, nil)
	p3 := newPost(t, s, other.ID, "01Q3", t0, nil)

	q := newsroom.Quote{ID: "01QA", RequestID: "https://a.example/requests/1", PostID: p1.ID,
		ActorID: "https://a.example/users/ada", Inbox: "https://a.example/inbox",
		ObjectID: "https://a.example/notes/1", URL: "https://a.example/@ada/1",
		ContentHTML: "<p>Lisez ceci</p>", Status: newsroom.QuotePending, CreatedAt: t0.In(cet)}
	added, err := s.AddQuote(ctx, q)
	ok(t, err)
	equal(t, "AddQuote", added, true)
	again := q
	again.ID, again.RequestID = "01QB", "https://a.example/requests/2"
	added, err = s.AddQuote(ctx, again)
	ok(t, err)
	equal(t, "AddQuote of the same object", added, false)
	// The same quoting post may quote another of our posts.
	again.PostID = p2.ID
	added, err = s.AddQuote(ctx, again)
	ok(t, err)
	equal(t, "AddQuote of another post", added, true)
	_, err = s.AddQuote(ctx, newsroom.Quote{ID: "01QC", RequestID: "r", PostID: p3.ID, ActorID: "a", Inbox: "i",
		ObjectID: "https://b.example/notes/9", Status: newsroom.QuoteApproved, CreatedAt: t0.Add(time.Hour)})
	ok(t, err)

	got, err := s.QuoteByID(ctx, q.ID)
	ok(t, err)
	want := q
	want.CreatedAt = t0
	equal(t, "QuoteByID", *got, want)
	got, err = s.QuoteByObject(ctx, p1.ID, q.ObjectID)
	ok(t, err)
	equal(t, "QuoteByObject", *got, want)
	_, err = s.QuoteByID(ctx, "none")
	wantErr(t, err, newsroom.ErrNotFound)

	ok(t, s.DecideQuote(ctx, q.ID, newsroom.QuotePending, newsroom.QuoteApproved, t0.Add(time.Minute)))
	// A second decision from pending finds nothing: it was decided.
	wantErr(t, s.DecideQuote(ctx, q.ID, newsroom.QuotePending, newsroom.QuoteRejected, t0), newsroom.ErrNotFound)
	got, err = s.QuoteByID(ctx, q.ID)
	ok(t, err)
	equal(t, "status", got.Status, newsroom.QuoteApproved)
	equal(t, "decided at", got.DecidedAt, t0.Add(time.Minute))

	ids := func(qs []newsroom.Quote, err error) []string {
		t.Helper()
		ok(t, err)
		var out []string
		for _, q := range qs {
			out = append(out, q.ID)
		}
		return out
	}
	equal(t, "org's quotes", ids(s.ListQuotes(ctx, org.ID, "", "", 0, 10)), []string{"01QA", "01QB"})
	equal(t, "pending", ids(s.ListQuotes(ctx, org.ID, "", newsroom.QuotePending, 0, 10)), []string{"01QB"})
	equal(t, "of post 1", ids(s.ListQuotes(ctx, 0, p1.ID, "", 0, 10)), []string{"01QA"})
	equal(t, "other org", ids(s.ListQuotes(ctx, other.ID, "", "", 0, 10)), []string{"01QC"})
	equal(t, "page 2", ids(s.ListQuotes(ctx, org.ID, "", "", 1, 10)), []string{"01QB"})
}
