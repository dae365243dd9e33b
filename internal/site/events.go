package site

import (
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// eventsPage lists upcoming events, soonest first, then past ones, latest
// first. Each list pages on its own: ?upcoming= continues the first,
// ?past= the second, and a continued page shows only its list.
type eventsPage struct {
	Upcoming     []item
	Past         []item
	NextUpcoming string
	NextPast     string
	ShowUpcoming bool
	ShowPast     bool
	Feeds        feedURLs
	Head         head
}

// Events serves /events.
func (h *Handler) Events(w http.ResponseWriter, r *http.Request) { h.cached(w, r, h.events) }

func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	upCursor, ok1 := decodeCursor(q.Get("upcoming"))
	pastCursor, ok2 := decodeCursor(q.Get("past"))
	if !ok1 || !ok2 || (upCursor != nil && pastCursor != nil) {
		h.NotFound(w, r)
		return
	}
	orgs, err := h.orgIndex(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	now := h.now()
	p := h.page(r)
	v := &eventsPage{ShowUpcoming: pastCursor == nil, ShowPast: upCursor == nil,
		Feeds: feedURLs{Atom: h.urls.SiteAtom(), RSS: h.urls.SiteRSS(), ICS: h.urls.SiteICS()}}
	if v.ShowUpcoming {
		posts, next, err := h.listPage(ctx, store.PostFilter{Kind: newsroom.KindEvent, Upcoming: now, Before: upCursor}, pageSize)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		v.Upcoming = h.items(ctx, posts, orgs, p.Lang)
		if next != "" {
			v.NextUpcoming = h.urls.Events() + "?upcoming=" + url.QueryEscape(next)
		}
	}
	if v.ShowPast {
		posts, next, err := h.listPage(ctx, store.PostFilter{Kind: newsroom.KindEvent, Past: now, Before: pastCursor}, pageSize)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		v.Past = h.items(ctx, posts, orgs, p.Lang)
		if next != "" {
			v.NextPast = h.urls.Events() + "?past=" + url.QueryEscape(next)
		}
	}
	p.Title = h.view.Translate(p.Lang, "public.events.title")
	p.Canonical = h.urls.Events()
	v.Head.Description = h.view.Translate(p.Lang, "public.events.description")
	v.Head.property("og:type", "website")
	v.Head.property("og:title", p.Title)
	v.Head.property("og:site_name", h.siteName(r))
	v.Head.property("og:url", h.urls.Events())
	v.Head.feedLinks(p.Title, v.Feeds.Atom, v.Feeds.RSS, v.Feeds.ICS)
	p.Data = v
	h.render(w, r, http.StatusOK, "site_events", p, time.Time{})
}

// sorted lists the organisations by name.
func (idx orgIndex) sorted() []*newsroom.Organisation {
	out := make([]*newsroom.Organisation, 0, len(idx))
	for _, o := range idx {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
