package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// Page sizes of our collections. Mastodon reads followers and outbox for
// their totalItems only; the pages are for the curious and for auditing.
const (
	followersPageSize = 50
	outboxPageSize    = 20
)

// errBadPage is a page parameter that is not a positive integer.
var errBadPage = errors.New("invalid page")

// ServeFollowers answers GET /orgs/{handle}/followers: the actor ids of
// the organisation's followers, oldest first. Without a first page,
// Mastodon would show the list as hidden.
func (h *Handler) ServeFollowers(w http.ResponseWriter, r *http.Request, handle string) {
	org, ok := h.findOrg(w, r, handle)
	if !ok {
		return
	}
	ctx := r.Context()
	c := pagedCollection{id: h.urls.OrgFollowers(org.Handle), size: followersPageSize}
	total, err := h.collections.CountFollowers(ctx, org.ID)
	if err != nil {
		h.fail(w, r, fmt.Errorf("count followers of %s: %w", org.Handle, err))
		return
	}
	h.servePaged(w, r, c, total, func(offset int) ([]any, error) {
		followers, err := h.collections.ListFollowers(ctx, org.ID, offset, c.size)
		if err != nil {
			return nil, fmt.Errorf("list followers of %s: %w", org.Handle, err)
		}
		items := make([]any, len(followers))
		for i, f := range followers {
			items[i] = f.ActorID
		}
		return items, nil
	})
}

// ServeFollowing answers GET /orgs/{handle}/following: the members'
// accounts the organisation follows and that accepted, oldest first.
func (h *Handler) ServeFollowing(w http.ResponseWriter, r *http.Request, handle string) {
	org, ok := h.findOrg(w, r, handle)
	if !ok {
		return
	}
	c := pagedCollection{id: h.urls.OrgFollowing(org.Handle), size: followersPageSize}
	if h.following == nil {
		h.servePaged(w, r, c, 0, func(int) ([]any, error) { return nil, nil })
		return
	}
	ctx := r.Context()
	total, err := h.following.CountNetworkAccounts(ctx, org.ID, newsroom.NetworkFollowing)
	if err != nil {
		h.fail(w, r, fmt.Errorf("count following of %s: %w", org.Handle, err))
		return
	}
	h.servePaged(w, r, c, total, func(offset int) ([]any, error) {
		accounts, err := h.following.ListNetworkAccounts(ctx, org.ID, newsroom.NetworkFollowing, offset, c.size)
		if err != nil {
			return nil, fmt.Errorf("list following of %s: %w", org.Handle, err)
		}
		items := make([]any, len(accounts))
		for i, a := range accounts {
			items[i] = a.ActorID
		}
		return items, nil
	})
}

// ServeOutbox answers GET /orgs/{handle}/outbox: the Creates of the
// organisation's posts still published, newest first, each carrying its
// post as it is now (edits included), as /activities/{id} serves it.
func (h *Handler) ServeOutbox(w http.ResponseWriter, r *http.Request, handle string) {
	org, ok := h.findOrg(w, r, handle)
	if !ok {
		return
	}
	ctx := r.Context()
	c := pagedCollection{id: h.urls.OrgOutbox(org.Handle), size: outboxPageSize}
	total, err := h.collections.CountOutbox(ctx, org.ID)
	if err != nil {
		h.fail(w, r, fmt.Errorf("count the outbox of %s: %w", org.Handle, err))
		return
	}
	h.servePaged(w, r, c, total, func(offset int) ([]any, error) {
		activities, err := h.collections.ListOutbox(ctx, org.ID, offset, c.size)
		if err != nil {
			return nil, fmt.Errorf("list the outbox of %s: %w", org.Handle, err)
		}
		items := make([]any, 0, len(activities))
		for _, a := range activities {
			item, err := h.outboxItem(ctx, &a, org)
			if err != nil {
				// One damaged row must not take the whole outbox down.
				h.log.ErrorContext(ctx, "outbox item left out", slog.String("activity", a.ID), slog.Any("error", err))
				continue
			}
			if item != nil {
				items = append(items, item)
			}
		}
		return items, nil
	})
}

// outboxItem is a's entry in the outbox: the Create with its post as it is
// now, nil if the post was deleted since the list was read. A Create
// without a post is embedded as stored.
func (h *Handler) outboxItem(ctx context.Context, a *newsroom.Activity, org *newsroom.Organisation) (any, error) {
	if a.PostID == "" || h.posts == nil {
		if !json.Valid(a.JSON) {
			return nil, errors.New("stored activity is not valid JSON")
		}
		return json.RawMessage(a.JSON), nil
	}
	doc, gone, err := h.postActivity(ctx, a, org)
	if err != nil || gone {
		return nil, err
	}
	return doc, nil
}

// ServeFeatured answers GET /orgs/{handle}/featured, the pinned posts
// Mastodon shows on top of a profile. Pinning does not exist yet, so it is
// always empty.
func (h *Handler) ServeFeatured(w http.ResponseWriter, r *http.Request, handle string) {
	org, ok := h.findOrg(w, r, handle)
	if !ok {
		return
	}
	id, err := url.Parse(h.urls.OrgFeatured(org.Handle))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := streams.NewActivityStreamsOrderedCollection()
	c.SetJSONLDId(ap.IDProperty(id))
	c.SetActivityStreamsTotalItems(totalItems(0))
	m, err := ap.Serialize(c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	m["orderedItems"] = []any{}
	writeActivity(w, r, m, maxAgeCollection)
}

// pagedCollection is an OrderedCollection served as a summary linking to
// numbered pages: ID, ID?page=1, ID?page=2…
type pagedCollection struct {
	id   string
	size int
}

func (c pagedCollection) pageURL(n int) string { return c.id + "?page=" + strconv.Itoa(n) }

// lastPage is the number of the last page; an empty collection still has
// an (empty) first page.
func (c pagedCollection) lastPage(total int) int {
	return max(1, (total+c.size-1)/c.size)
}

// servePaged answers for a collection of total items: the summary without
// a page parameter, otherwise the page that items loads from an offset.
func (h *Handler) servePaged(w http.ResponseWriter, r *http.Request, c pagedCollection, total int, items func(offset int) ([]any, error)) {
	n, paged, err := pageParam(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid page")
		return
	}
	var doc map[string]any
	if !paged {
		doc, err = c.summary(total)
	} else if n > c.lastPage(total) {
		err = newsroom.ErrNotFound
	} else {
		var list []any
		if list, err = items((n - 1) * c.size); err == nil {
			doc, err = c.page(n, total, list)
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeActivity(w, r, doc, maxAgeCollection)
}

// pageParam reads ?page=N. paged is false when there is no page parameter.
func pageParam(r *http.Request) (n int, paged bool, err error) {
	values, ok := r.URL.Query()["page"]
	if !ok {
		return 0, false, nil
	}
	if len(values) != 1 {
		return 0, true, errBadPage
	}
	n, err = strconv.Atoi(values[0])
	if err != nil || n < 1 {
		return 0, true, errBadPage
	}
	return n, true, nil
}

// summary is the collection itself: its size and where its pages are.
func (c pagedCollection) summary(total int) (map[string]any, error) {
	var p ap.IRIParser
	oc := streams.NewActivityStreamsOrderedCollection()
	oc.SetJSONLDId(ap.IDProperty(p.Parse(c.id)))
	oc.SetActivityStreamsTotalItems(totalItems(total))
	first := streams.NewActivityStreamsFirstProperty()
	first.SetIRI(p.Parse(c.pageURL(1)))
	oc.SetActivityStreamsFirst(first)
	last := streams.NewActivityStreamsLastProperty()
	last.SetIRI(p.Parse(c.pageURL(c.lastPage(total))))
	oc.SetActivityStreamsLast(last)
	if p.Err != nil {
		return nil, fmt.Errorf("collection %s: %w", c.id, p.Err)
	}
	return ap.Serialize(oc)
}

// page is page n of the collection holding items. Items are placed after
// serialising so that stored activities go out byte for byte as they were
// delivered; go-fed would re-serialise them through its own types.
func (c pagedCollection) page(n, total int, items []any) (map[string]any, error) {
	var p ap.IRIParser
	pg := streams.NewActivityStreamsOrderedCollectionPage()
	pg.SetJSONLDId(ap.IDProperty(p.Parse(c.pageURL(n))))
	partOf := streams.NewActivityStreamsPartOfProperty()
	partOf.SetIRI(p.Parse(c.id))
	pg.SetActivityStreamsPartOf(partOf)
	pg.SetActivityStreamsTotalItems(totalItems(total))
	if n < c.lastPage(total) {
		next := streams.NewActivityStreamsNextProperty()
		next.SetIRI(p.Parse(c.pageURL(n + 1)))
		pg.SetActivityStreamsNext(next)
	}
	if n > 1 {
		prev := streams.NewActivityStreamsPrevProperty()
		prev.SetIRI(p.Parse(c.pageURL(n - 1)))
		pg.SetActivityStreamsPrev(prev)
	}
	if p.Err != nil {
		return nil, fmt.Errorf("collection page %s: %w", c.id, p.Err)
	}
	m, err := ap.Serialize(pg)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []any{}
	}
	m["orderedItems"] = items
	return m, nil
}

func totalItems(n int) vocab.ActivityStreamsTotalItemsProperty {
	p := streams.NewActivityStreamsTotalItemsProperty()
	p.Set(n)
	return p
}
