package site

import (
	"net/http"
	"net/url"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/view"
)

// orgPage is an organisation's profile, its posts and how to follow it.
type orgPage struct {
	Handle   string // the bare handle, for the follow form
	Name     string
	Bio      []string
	Website  string
	Icon     *image
	Address  string // @handle@host, to copy into a fediverse app
	Items    []item
	Next     string // URL of the next page, or ""
	Feeds    feedURLs
	Follow   followForm
	Head     head
	IsFirst  bool
	ActorURL string
}

type feedURLs struct {
	Atom, RSS, ICS string
}

// followForm is the remote-follow form, kept with the reader's input when
// it comes back with an error.
type followForm struct {
	Handle, Server, Error string
}

// orgPolicy is the server's policy with one change: the remote-follow form
// submits to our /follow, which redirects to the reader's own server, and
// browsers check form-action against every redirect of a submission.
const orgPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'"

// Org serves the HTML page of /orgs/{handle}.
func (h *Handler) Org(w http.ResponseWriter, r *http.Request) { h.cached(w, r, h.org) }

func (h *Handler) org(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	handle := httprouter.ParamsFromContext(r.Context()).ByName("handle")
	org, err := h.store.OrgByHandle(ctx, handle)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if org.Handle != handle {
		target := h.urls.Org(org.Handle)
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		h.redirect(w, r, target)
		return
	}
	if org.Moved() {
		// Temporary, so that browsers and caches keep asking: a move
		// made by mistake can be undone.
		w.Header().Set("Cache-Control", "public, max-age=300")
		http.Redirect(w, r, org.MovedTo, http.StatusFound)
		return
	}
	before, ok := decodeCursor(r.URL.Query().Get("before"))
	if !ok {
		h.NotFound(w, r)
		return
	}
	posts, next, err := h.listPage(ctx, store.PostFilter{OrgID: org.ID, Before: before}, pageSize)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	p := h.page(r)
	v, err := h.orgPage(r, p, org, posts, next)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.IsFirst = before == nil
	p.Title = org.Name
	p.Canonical = h.urls.Org(org.Handle)
	p.Data = v
	w.Header().Set("Content-Security-Policy", orgPolicy)
	h.render(w, r, http.StatusOK, "site_org", p, time.Time{})
}

func (h *Handler) orgPage(r *http.Request, p *view.Page, org *newsroom.Organisation, posts []newsroom.Post, next string) (*orgPage, error) {
	icon, err := h.image(r.Context(), org.IconMediaID, org.Name)
	if err != nil {
		return nil, err
	}
	v := &orgPage{
		Handle: org.Handle, Name: org.Name, Bio: paragraphs(org.Bio), Icon: icon,
		Address: "@" + h.urls.Handle(org.Handle), ActorURL: h.urls.Org(org.Handle),
		Items:  h.items(r.Context(), posts, orgIndex{org.ID: org}, p.Lang),
		Feeds:  feedURLs{Atom: h.urls.OrgAtom(org.Handle), RSS: h.urls.OrgRSS(org.Handle), ICS: h.urls.OrgICS(org.Handle)},
		Follow: followForm{Handle: org.Handle},
	}
	if next != "" {
		v.Next = h.urls.Org(org.Handle) + "?before=" + url.QueryEscape(next)
	}
	if isWebURL(org.Website) {
		v.Website = org.Website
	}
	hd := &v.Head
	hd.Description = truncate(org.Bio, 300)
	hd.property("og:type", "profile")
	hd.property("og:title", org.Name)
	hd.property("og:description", hd.Description)
	hd.property("og:url", v.ActorURL)
	hd.property("og:site_name", h.siteName(r))
	if icon != nil {
		hd.property("og:image", icon.URL)
		hd.property("og:image:alt", icon.Alt)
	}
	hd.link("alternate", v.ActorURL, "application/activity+json", "")
	hd.feedLinks(org.Name, v.Feeds.Atom, v.Feeds.RSS, v.Feeds.ICS)
	if v.Website != "" {
		hd.link("me", v.Website, "", "")
	}
	if next != "" {
		hd.link("next", v.Next, "", "")
	}
	return v, nil
}
