package storetest

import (
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

func testFeedSources(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "emmaus")
	other := newOrg(t, s, "mednum")
	src := &newsroom.FeedSource{OrgID: org.ID, FeedURL: "https://emmaus-connect.example/feed/",
		SiteURL: "https://emmaus-connect.example/", Review: true, Kind: newsroom.KindPress, Backfill: 5, NextPollAt: t0}
	ok(t, s.CreateFeedSource(ctx, src))
	if src.ID == 0 {
		t.Fatal("CreateFeedSource did not set ID")
	}
	isNow(t, "CreatedAt", src.CreatedAt)
	got, err := s.FeedSourceByID(ctx, src.ID)
	ok(t, err)
	equal(t, "FeedSourceByID", got, src)

	dup := *src
	wantErr(t, s.CreateFeedSource(ctx, &dup), newsroom.ErrConflict)
	// Another organisation may import the same feed.
	theirs := &newsroom.FeedSource{OrgID: other.ID, FeedURL: src.FeedURL, Kind: newsroom.KindArticle, Backfill: 20}
	ok(t, s.CreateFeedSource(ctx, theirs))

	src.ETag, src.LastModified = `"abc"`, "Tue, 01 Dec 2026 10:00:00 GMT"
	src.LastPollAt, src.NextPollAt = t0.In(cet), t0.Add(15*60e9)
	src.LastStatus, src.LastError, src.Imported, src.Failures = 503, "the site answered 503", 7, 2
	src.LastErrorKey, src.LastErrorDetail = "later", "503"
	src.Disabled, src.Backfilled = true, true
	ok(t, s.UpdateFeedSource(ctx, src))
	got, err = s.FeedSourceByID(ctx, src.ID)
	ok(t, err)
	src.LastPollAt = src.LastPollAt.UTC()
	equal(t, "after UpdateFeedSource", got, src)

	list, err := s.ListFeedSources(ctx, org.ID)
	ok(t, err)
	equal(t, "ListFeedSources(org)", len(list), 1)
	list, err = s.ListFeedSources(ctx, 0)
	ok(t, err)
	equal(t, "ListFeedSources(all)", len(list), 2)

	it := newsroom.FeedItem{OrgID: org.ID, GUIDHash: "h1", SourceID: src.ID, PostID: "01POST", ContentHash: "c1",
		Delivered: true, UpdatedAt: t0}
	ok(t, s.PutFeedItem(ctx, it))
	gotIt, err := s.FeedItem(ctx, org.ID, "h1")
	ok(t, err)
	equal(t, "FeedItem", *gotIt, it)
	_, err = s.FeedItem(ctx, other.ID, "h1")
	wantErr(t, err, newsroom.ErrNotFound) // items are per organisation

	wantErr(t, s.AddFeedItem(ctx, it), newsroom.ErrConflict)
	other2 := it
	other2.GUIDHash = "h2"
	ok(t, s.AddFeedItem(ctx, other2))

	it.ContentHash, it.Delivered = "c2", false
	ok(t, s.PutFeedItem(ctx, it))
	gotIt, err = s.FeedItem(ctx, org.ID, "h1")
	ok(t, err)
	equal(t, "FeedItem after a second put", *gotIt, it)

	// Removing the source keeps its items, so adding it again imports
	// nothing twice.
	ok(t, s.DeleteFeedSource(ctx, src.ID))
	_, err = s.FeedSourceByID(ctx, src.ID)
	wantErr(t, err, newsroom.ErrNotFound)
	wantErr(t, s.DeleteFeedSource(ctx, src.ID), newsroom.ErrNotFound)
	gotIt, err = s.FeedItem(ctx, org.ID, "h1")
	ok(t, err)
	equal(t, "item of a removed source", gotIt.SourceID, int64(0))
	wantErr(t, s.UpdateFeedSource(ctx, src), newsroom.ErrNotFound)
}
