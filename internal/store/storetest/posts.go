package storetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

func putMedia(t *testing.T, s store.Queries, ids ...string) {
	t.Helper()
	for _, id := range ids {
		ok(t, s.PutMedia(t.Context(), newsroom.Media{ID: id, MIMEType: "image/png"}))
	}
}

// fullPost sets every field of a post.
func fullPost(orgID, authorID int64) *newsroom.Post {
	return &newsroom.Post{
		ID: "01JPOST0000000000000000001", OrgID: orgID,
		Kind: newsroom.KindEvent, Status: newsroom.StatusScheduled, ObjectType: newsroom.ObjectNote,
		Lang: "fr", Title: "Fête du quartier", Summary: "Venez nombreux",
		BodyMD: "**Samedi**", BodyHTML: "<p><strong>Samedi</strong></p>",
		Translation: &newsroom.Translation{Lang: "en", Title: "Street party",
			Summary: "Come along", BodyMD: "**Saturday**", BodyHTML: "<p><strong>Saturday</strong></p>"},
		Tags:           []string{"quartier", "fete", "ete"},
		ContentWarning: "bruit",
		SourceURL:      "https://gazette.example/fete",
		Event: &newsroom.Event{
			Start: t0.Add(48 * time.Hour).In(cet), End: t0.Add(52 * time.Hour),
			Timezone: "Europe/Paris", PlaceName: "Place du marché", Street: "1 rue Haute",
			PostalCode: "75001", Locality: "Paris", Region: "Île-de-France", Country: "FR",
			OnlineURL: "https://live.example/fete", Status: "CONFIRMED",
		},
		Media: []newsroom.PostMedia{
			{MediaID: "m3", Alt: "the stage"}, {MediaID: "m1", Alt: "the crowd"}, {MediaID: "m2", Alt: ""},
		},
		AuthorID:    authorID,
		PublishAt:   t0.Add(time.Hour).In(cet),
		PublishedAt: t0.Add(time.Hour + time.Microsecond),
		UpdatedAt:   t0.Add(2 * time.Hour),
		DeletedAt:   time.Time{},
	}
}

// inUTC is p as a store returns it: every time in UTC.
func inUTC(p newsroom.Post) newsroom.Post {
	utc := func(t *time.Time) {
		if !t.IsZero() {
			*t = t.UTC()
		}
	}
	for _, t := range []*time.Time{&p.PublishAt, &p.PublishedAt, &p.UpdatedAt, &p.CreatedAt, &p.DeletedAt} {
		utc(t)
	}
	if p.Event != nil {
		ev := *p.Event
		utc(&ev.Start)
		utc(&ev.End)
		p.Event = &ev
	}
	return p
}

func testPostRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	author := newUser(t, s, "ada@example.org")
	putMedia(t, s, "m1", "m2", "m3")

	p := fullPost(org.ID, author.ID)
	ok(t, s.CreatePost(ctx, p))
	isNow(t, "CreatedAt", p.CreatedAt)
	equal(t, "Version", p.Version, int64(1))

	got, err := s.PostByID(ctx, p.ID)
	ok(t, err)
	equal(t, "PostByID", *got, inUTC(*p))

	wantErr(t, s.CreatePost(ctx, fullPost(org.ID, author.ID)), newsroom.ErrConflict)
	got, err = s.PostByID(ctx, "01JMISSING")
	wantErr(t, err, newsroom.ErrNotFound)
	if got != nil {
		t.Errorf("PostByID of a missing post returned %+v", got)
	}

	// A bare post: no translation, event, tags, media or author.
	bare := newPost(t, s, org.ID, "01JPOST0000000000000000002", time.Time{}, func(p *newsroom.Post) {
		p.Status = newsroom.StatusDraft
	})
	got, err = s.PostByID(ctx, bare.ID)
	ok(t, err)
	equal(t, "bare post", *got, *bare)

	// An event draft without a start keeps its (empty) event.
	draft := newPost(t, s, org.ID, "01JPOST0000000000000000003", time.Time{}, func(p *newsroom.Post) {
		p.Kind, p.Status, p.Event = newsroom.KindEvent, newsroom.StatusDraft, &newsroom.Event{PlaceName: "TBD"}
		p.Translation = &newsroom.Translation{}
	})
	got, err = s.PostByID(ctx, draft.ID)
	ok(t, err)
	equal(t, "event draft", *got, *draft)
}

// A post imported from a website feed keeps the link to its original,
// through creation, update and listing.
func testPostSourceURL(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	p := newPost(t, s, org.ID, "01JPOST0000000000000000001", t0, func(p *newsroom.Post) {
		p.SourceURL = "https://gazette.example/2026/12/fete"
	})
	got, err := s.PostByID(ctx, p.ID)
	ok(t, err)
	equal(t, "SourceURL after CreatePost", got.SourceURL, p.SourceURL)

	p.SourceURL = "https://gazette.example/fete?v=2"
	ok(t, s.UpdatePost(ctx, p))
	got, err = s.PostByID(ctx, p.ID)
	ok(t, err)
	equal(t, "SourceURL after UpdatePost", got.SourceURL, p.SourceURL)

	written := newPost(t, s, org.ID, "01JPOST0000000000000000002", t0.Add(time.Hour), nil)
	posts, err := s.ListPosts(ctx, store.PostFilter{OrgID: org.ID})
	ok(t, err)
	if len(posts) != 2 {
		t.Fatalf("ListPosts returned %d posts, want 2", len(posts))
	}
	equal(t, "SourceURL of a post written here", posts[0].SourceURL, written.SourceURL)
	equal(t, "SourceURL of the imported post", posts[1].SourceURL, p.SourceURL)
}

func testPostUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	putMedia(t, s, "m1", "m2", "m3", "m4")
	p := fullPost(org.ID, 0)
	ok(t, s.CreatePost(ctx, p))

	p.Status, p.Title = newsroom.StatusPublished, "Fête annulée"
	p.Translation, p.Event = nil, nil
	p.Tags = []string{"ete", "annulation", "ete"}
	p.Media = []newsroom.PostMedia{{MediaID: "m4", Alt: "poster"}, {MediaID: "m3", Alt: "stage"}}
	p.UpdatedAt = t0.Add(3 * time.Hour)
	ok(t, s.UpdatePost(ctx, p))
	equal(t, "Version after UpdatePost", p.Version, int64(2))

	got, err := s.PostByID(ctx, p.ID)
	ok(t, err)
	want := inUTC(*p)
	want.Tags = []string{"ete", "annulation"}
	equal(t, "after UpdatePost", *got, want)

	ok(t, s.UpdatePost(ctx, p))
	equal(t, "Version after a second UpdatePost", p.Version, int64(3))

	wantErr(t, s.UpdatePost(ctx, &newsroom.Post{ID: "01JMISSING", OrgID: org.ID,
		Kind: newsroom.KindArticle, Status: newsroom.StatusDraft}), newsroom.ErrNotFound)
}

// An update written over a version other than the stored one is refused
// and changes nothing: the edit it would undo stays.
func testPostUpdateStale(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	p := newPost(t, s, org.ID, "01JPOST0000000000000000001", t0, func(p *newsroom.Post) {
		p.Tags = []string{"fete"}
	})
	stale := *p
	p.Title, p.Tags = "Fête annulée", []string{"annulation"}
	ok(t, s.UpdatePost(ctx, p))

	stale.Title, stale.Tags = "Fête maintenue", []string{"maintien"}
	wantErr(t, s.UpdatePost(ctx, &stale), newsroom.ErrConflict)
	got, err := s.PostByID(ctx, p.ID)
	ok(t, err)
	equal(t, "after a stale UpdatePost", *got, inUTC(*p))
}

// Of concurrent updates of the same loaded version, exactly one is
// written: the others get ErrConflict, on either database.
func testPostUpdateRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	p := newPost(t, s, org.ID, "01JPOST0000000000000000001", t0, nil)
	const n = 8
	var wg sync.WaitGroup
	var won, lost atomic.Int32
	for i := range n {
		edit := *p
		edit.Title = fmt.Sprintf("Édition %d", i)
		wg.Go(func() {
			err := s.InTx(ctx, func(tx store.Tx) error { return tx.UpdatePost(ctx, &edit) })
			switch {
			case err == nil:
				won.Add(1)
			case errors.Is(err, newsroom.ErrConflict):
				lost.Add(1)
			default:
				t.Errorf("UpdatePost %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	equal(t, "updates written", won.Load(), int32(1))
	equal(t, "updates refused", lost.Load(), int32(n-1))
	got, err := s.PostByID(ctx, p.ID)
	ok(t, err)
	equal(t, "version", got.Version, int64(2))
}

func testPostTombstone(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	p := newPost(t, s, org.ID, "01JPOST0000000000000000001", t0, func(p *newsroom.Post) {
		p.Tags = []string{"news"}
	})
	p.Status, p.DeletedAt = newsroom.StatusDeleted, t0.Add(time.Hour)
	ok(t, s.UpdatePost(ctx, p))

	got, err := s.PostByID(ctx, p.ID)
	ok(t, err)
	equal(t, "tombstone status", got.Status, newsroom.StatusDeleted)
	equal(t, "tombstone DeletedAt", got.DeletedAt, t0.Add(time.Hour))
	withOrg, gotOrg, err := s.PostWithOrg(ctx, p.ID)
	ok(t, err)
	equal(t, "PostWithOrg of a tombstone", *withOrg, *got)
	equal(t, "PostWithOrg's organisation", gotOrg.Handle, org.Handle)

	// The id is never reused.
	wantErr(t, s.CreatePost(ctx, &newsroom.Post{ID: p.ID, OrgID: org.ID,
		Kind: newsroom.KindArticle, Status: newsroom.StatusDraft}), newsroom.ErrConflict)

	posts, err := s.ListPosts(ctx, store.PostFilter{Status: newsroom.StatusPublished})
	ok(t, err)
	equal(t, "published posts", len(posts), 0)
}

func testPostList(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := newOrg(t, s, "alpha"), newOrg(t, s, "beta")
	newPost(t, s, a.ID, "01A", t0, func(p *newsroom.Post) { p.Tags = []string{"velo", "ville"} })
	newPost(t, s, a.ID, "01B", t0.Add(2*time.Hour), func(p *newsroom.Post) { p.Kind = newsroom.KindPress })
	newPost(t, s, a.ID, "01C", t0.Add(time.Hour), func(p *newsroom.Post) { p.Tags = []string{"velo"} })
	newPost(t, s, a.ID, "01D", time.Time{}, func(p *newsroom.Post) { p.Status = newsroom.StatusDraft; p.Tags = []string{"velo"} })
	newPost(t, s, b.ID, "01E", t0.Add(3*time.Hour), func(p *newsroom.Post) { p.Tags = []string{"velo"} })
	newPost(t, s, b.ID, "01F", t0.Add(4*time.Hour), func(p *newsroom.Post) {
		p.Status, p.DeletedAt = newsroom.StatusDeleted, t0.Add(5*time.Hour)
	})

	published := newsroom.StatusPublished
	for _, c := range []struct {
		name string
		f    store.PostFilter
		want []string
	}{
		{"everything, drafts last", store.PostFilter{}, []string{"01F", "01E", "01B", "01C", "01A", "01D"}},
		{"org", store.PostFilter{OrgID: a.ID}, []string{"01B", "01C", "01A", "01D"}},
		{"org published", store.PostFilter{OrgID: a.ID, Status: published}, []string{"01B", "01C", "01A"}},
		{"published", store.PostFilter{Status: published}, []string{"01E", "01B", "01C", "01A"}},
		{"kind", store.PostFilter{Kind: newsroom.KindPress}, []string{"01B"}},
		{"tag", store.PostFilter{Tag: "velo", Status: published}, []string{"01E", "01C", "01A"}},
		{"tag and org", store.PostFilter{Tag: "velo", OrgID: a.ID}, []string{"01C", "01A", "01D"}},
		{"unknown tag", store.PostFilter{Tag: "auto"}, []string{}},
		{"limit", store.PostFilter{Status: published, Limit: 2}, []string{"01E", "01B"}},
	} {
		posts, err := s.ListPosts(ctx, c.f)
		ok(t, err)
		equal(t, c.name, ids(posts), c.want)
		n, err := s.CountPosts(ctx, c.f)
		ok(t, err)
		if c.f.Limit == 0 {
			equal(t, c.name+" count", n, len(c.want))
		}
	}

	posts, err := s.ListPosts(ctx, store.PostFilter{Tag: "ville"})
	ok(t, err)
	equal(t, "tags of a listed post", posts[0].Tags, []string{"velo", "ville"})
}

// testPostWithOrg: PostWithOrg reads what PostByID and OrgByID read, the
// organisation's aliases and the post's children included.
func testPostWithOrg(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := newOrg(t, s, "alpha"), newOrg(t, s, "beta")
	ok(t, s.SetOrgAliases(ctx, b.ID, []string{"https://old.example/users/beta", "https://older.example/beta"}))
	newPost(t, s, a.ID, "01A", t0, nil)
	newPost(t, s, b.ID, "01B", t0, func(p *newsroom.Post) {
		p.Tags = []string{"velo", "ville"}
		p.Translation = &newsroom.Translation{Lang: "en", Title: "Post"}
	})
	for _, id := range []string{"01A", "01B"} {
		post, org, err := s.PostWithOrg(ctx, id)
		ok(t, err)
		wantPost, err := s.PostByID(ctx, id)
		ok(t, err)
		wantOrg, err := s.OrgByID(ctx, wantPost.OrgID)
		ok(t, err)
		equal(t, "PostWithOrg's post "+id, *post, *wantPost)
		equal(t, "PostWithOrg's organisation "+id, *org, *wantOrg)
	}
	_, _, err := s.PostWithOrg(ctx, "01NONE")
	wantErr(t, err, newsroom.ErrNotFound)
}

// testPostsByStatus: ListPostsByStatus gives each status what ListPosts
// with that status and limit gives, in its order (drafts and scheduled
// posts, never published, newest id first), and nothing of another
// organisation's or of a status not asked for.
func testPostsByStatus(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := newOrg(t, s, "alpha"), newOrg(t, s, "beta")
	draft, scheduled, published := newsroom.StatusDraft, newsroom.StatusScheduled, newsroom.StatusPublished
	for i, at := range []time.Duration{3, 1, 4, 1, 5} { // a tie on the time: the greater id first
		newPost(t, s, a.ID, fmt.Sprintf("01P%d", i), t0.Add(at*time.Hour), nil)
	}
	for i := range 4 {
		newPost(t, s, a.ID, fmt.Sprintf("01D%d", i), time.Time{}, func(p *newsroom.Post) { p.Status = draft })
	}
	for i := range 2 {
		newPost(t, s, a.ID, fmt.Sprintf("01S%d", i), time.Time{}, func(p *newsroom.Post) {
			p.Status, p.PublishAt = scheduled, t0.Add(time.Duration(10-i)*time.Hour)
		})
	}
	newPost(t, s, a.ID, "01X", t0, func(p *newsroom.Post) { p.Status, p.DeletedAt = newsroom.StatusDeleted, t0 })
	newPost(t, s, b.ID, "01Q", t0.Add(9*time.Hour), nil)
	newPost(t, s, b.ID, "01E", time.Time{}, func(p *newsroom.Post) { p.Status = draft })

	for _, limits := range []map[newsroom.PostStatus]int{
		{draft: 50, scheduled: 50, published: 50},
		{draft: 2, scheduled: 1, published: 3},
		{published: 0, draft: 1},
		{scheduled: 5},
		{newsroom.StatusDeleted: 5, published: 1},
	} {
		got, err := s.ListPostsByStatus(ctx, a.ID, limits)
		ok(t, err)
		want := map[newsroom.PostStatus][]newsroom.Post{}
		for status, limit := range limits {
			list, err := s.ListPosts(ctx, store.PostFilter{OrgID: a.ID, Status: status, Limit: limit})
			ok(t, err)
			if len(list) > 0 {
				want[status] = list
			}
		}
		equal(t, fmt.Sprintf("ListPostsByStatus %v", limits), got, want)
	}
	got, err := s.ListPostsByStatus(ctx, a.ID, map[newsroom.PostStatus]int{draft: 2, scheduled: 5, published: 3})
	ok(t, err)
	equal(t, "drafts", ids(got[draft]), []string{"01D3", "01D2"})
	equal(t, "scheduled", ids(got[scheduled]), []string{"01S1", "01S0"})
	equal(t, "published", ids(got[published]), []string{"01P4", "01P2", "01P0"})
	none, err := s.ListPostsByStatus(ctx, a.ID, nil)
	ok(t, err)
	equal(t, "ListPostsByStatus of no status", len(none), 0)
	none, err = s.ListPostsByStatus(ctx, 999, map[newsroom.PostStatus]int{published: 5})
	ok(t, err)
	equal(t, "ListPostsByStatus of an unknown org", len(none), 0)
}

// testPostTagKey: tags are stored as typed and found by their key, in any
// case and with or without spaces, beyond ASCII (which SQL's lower() on
// SQLite would miss).
func testPostTagKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "alpha")
	newPost(t, s, org.ID, "01A", t0, func(p *newsroom.Post) {
		p.Tags = []string{"Économie sociale", "InclusionNumérique", "économieSociale", "VÉLO"}
	})
	newPost(t, s, org.ID, "01B", t0.Add(time.Hour), func(p *newsroom.Post) { p.Tags = []string{"inclusion numérique"} })

	got, err := s.PostByID(ctx, "01A")
	ok(t, err)
	equal(t, "tags as typed, one per key", got.Tags, []string{"Économie sociale", "InclusionNumérique", "VÉLO"})
	for _, c := range []struct {
		tag  string
		want []string
	}{
		{"inclusionnumérique", []string{"01B", "01A"}},
		{"INCLUSIONNUMÉRIQUE", []string{"01B", "01A"}},
		{"Inclusion Numérique", []string{"01B", "01A"}},
		{"économiesociale", []string{"01A"}},
		{"vélo", []string{"01A"}},
		{"velo", []string{}},
	} {
		posts, err := s.ListPosts(ctx, store.PostFilter{Tag: c.tag})
		ok(t, err)
		equal(t, "tag "+c.tag, ids(posts), c.want)
	}
}

func testPostPagination(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	// Seven posts, three sharing a publication time, and two drafts.
	times := []time.Time{t0, t0.Add(time.Hour), t0.Add(time.Hour), t0.Add(time.Hour),
		t0.Add(2 * time.Hour), t0.Add(3 * time.Hour), t0.Add(3*time.Hour + time.Microsecond)}
	for i, at := range times {
		newPost(t, s, org.ID, "01P"+string(rune('A'+i)), at, nil)
	}
	for _, id := range []string{"01PX", "01PY"} {
		newPost(t, s, org.ID, id, time.Time{}, func(p *newsroom.Post) { p.Status = newsroom.StatusDraft })
	}
	all, err := s.ListPosts(ctx, store.PostFilter{OrgID: org.ID})
	ok(t, err)
	equal(t, "full list", ids(all), []string{"01PG", "01PF", "01PE", "01PD", "01PC", "01PB", "01PA", "01PY", "01PX"})

	for _, limit := range []int{1, 2, 4} {
		f := store.PostFilter{OrgID: org.ID, Limit: limit}
		var paged []newsroom.Post
		for range 20 {
			page, err := s.ListPosts(ctx, f)
			ok(t, err)
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			f.Before = f.CursorAfter(page[len(page)-1])
		}
		equal(t, fmt.Sprintf("pages of %d", limit), ids(paged), ids(all))
	}
}

func testPostEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	now := t0
	event := func(id string, start, end time.Time) {
		newPost(t, s, org.ID, id, t0.Add(-30*24*time.Hour), func(p *newsroom.Post) {
			p.Kind = newsroom.KindEvent
			p.Event = &newsroom.Event{Start: start, End: end, Timezone: "Europe/Paris"}
		})
	}
	h := time.Hour
	event("01EPAST", now.Add(-48*h), now.Add(-47*h))                        // ended
	event("01EOPEN", now.Add(-2*h), time.Time{})                            // open-ended, started before now
	event("01ENOW", now.Add(-h), now.Add(h))                                // under way
	event("01ESOON", now.Add(24*h), now.Add(26*h))                          // upcoming
	event("01ELATER", now.Add(72*h), time.Time{})                           // upcoming, open-ended
	event("01ETIE", now.Add(24*h), now.Add(25*h))                           // same start as 01ESOON
	event("01EEND", now.Add(-3*h), now)                                     // ends exactly now: still upcoming
	newPost(t, s, org.ID, "01ARTICLE", now.Add(-h), nil)                    // not an event
	newPost(t, s, org.ID, "01EDRAFT", time.Time{}, func(p *newsroom.Post) { // no start yet
		p.Kind, p.Status, p.Event = newsroom.KindEvent, newsroom.StatusDraft, &newsroom.Event{}
	})

	upcoming := store.PostFilter{Kind: newsroom.KindEvent, Upcoming: now}
	posts, err := s.ListPosts(ctx, upcoming)
	ok(t, err)
	wantUpcoming := []string{"01EEND", "01ENOW", "01ESOON", "01ETIE", "01ELATER"}
	equal(t, "upcoming, soonest first", ids(posts), wantUpcoming)
	n, err := s.CountPosts(ctx, upcoming)
	ok(t, err)
	equal(t, "upcoming count", n, len(wantUpcoming))

	past := store.PostFilter{Kind: newsroom.KindEvent, Past: now}
	posts, err = s.ListPosts(ctx, past)
	ok(t, err)
	wantPast := []string{"01EOPEN", "01EPAST"}
	equal(t, "past, latest first", ids(posts), wantPast)

	for _, f := range []store.PostFilter{upcoming, past} {
		want := wantUpcoming
		if !f.Past.IsZero() {
			want = wantPast
		}
		f.Limit = 2
		var paged []string
		for range 10 {
			page, err := s.ListPosts(ctx, f)
			ok(t, err)
			if len(page) == 0 {
				break
			}
			paged = append(paged, ids(page)...)
			f.Before = f.CursorAfter(page[len(page)-1])
		}
		equal(t, "paged events", paged, want)
	}
}
