package site

import (
	"net/http"
	"net/url"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// listPage is a page of posts: the home and tag pages.
type listPage struct {
	Heading  string // already translated, or the tag
	Items    []item
	Upcoming []item // the home page's next events, on its first page
	Orgs     []orgLink
	Next     string
	IsFirst  bool
	Feeds    feedURLs
	Head     head
}

type orgLink struct {
	Name, URL string
}

// Home serves /: the latest posts of every organisation and the next
// events.
func (h *Handler) Home(w http.ResponseWriter, r *http.Request) { h.cached(w, r, h.home) }

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	before, ok := decodeCursor(r.URL.Query().Get("before"))
	if !ok {
		h.NotFound(w, r)
		return
	}
	orgs, err := h.orgIndex(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	posts, next, err := h.listPage(ctx, store.PostFilter{Before: before}, pageSize)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	p := h.page(r)
	v := &listPage{Items: h.items(ctx, posts, orgs, p.Lang), IsFirst: before == nil,
		Feeds: feedURLs{Atom: h.urls.SiteAtom(), RSS: h.urls.SiteRSS(), ICS: h.urls.SiteICS()}}
	if v.IsFirst {
		events, _, err := h.listPage(ctx, store.PostFilter{Kind: newsroom.KindEvent, Upcoming: h.now()}, 5)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		v.Upcoming = h.items(ctx, events, orgs, p.Lang)
		for _, o := range orgs.sorted() {
			v.Orgs = append(v.Orgs, orgLink{Name: o.Name, URL: h.urls.Org(o.Handle)})
		}
	}
	if next != "" {
		v.Next = h.urls.Abs("/?before=" + url.QueryEscape(next))
		v.Head.link("next", v.Next, "", "")
	}
	name := h.siteName(r)
	v.Head.Description = h.view.Translate(p.Lang, "public.home.description")
	v.Head.property("og:type", "website")
	v.Head.property("og:title", name)
	v.Head.property("og:site_name", name)
	v.Head.property("og:description", v.Head.Description)
	v.Head.property("og:url", h.urls.Base()+"/")
	v.Head.feedLinks(name, v.Feeds.Atom, v.Feeds.RSS, v.Feeds.ICS)
	p.Canonical = h.urls.Base() + "/"
	p.Data = v
	h.render(w, r, http.StatusOK, "site_home", p, time.Time{})
}
