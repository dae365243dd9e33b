package site

import (
	"context"
	"html/template"
	"net/http"
	"time"

	"github.com/soga/newsroom/internal/htmltext"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/view"
)

// BoostSource reads what organisations boosted (the store's Network).
type BoostSource interface {
	ListBoosts(ctx context.Context, orgID int64, state newsroom.BoostState, offset, limit int) ([]newsroom.Boost, error)
}

// networkSize is how many boosts the Network page shows, newest first.
const networkSize = 50

// boostItem is a member's post as the Network page shows it.
type boostItem struct {
	Content    template.HTML
	Lang       string
	AuthorName string
	AuthorAcct string
	URL        string
	Date       string
	Published  time.Time
	OrgName    string
	OrgURL     string
}

type networkPage struct {
	Items []boostItem
	Head  head
}

// Network serves /network: the members' posts our organisations boosted,
// newest first, from the snapshot taken when they arrived.
func (h *Handler) Network(w http.ResponseWriter, r *http.Request) { h.cached(w, r, h.network) }

func (h *Handler) network(w http.ResponseWriter, r *http.Request) {
	if h.boosts == nil {
		h.NotFound(w, r)
		return
	}
	ctx := r.Context()
	orgs, err := h.orgIndex(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	boosts, err := h.boosts.ListBoosts(ctx, 0, newsroom.BoostDone, 0, networkSize)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	p := h.page(r)
	v := &networkPage{}
	for _, b := range boosts {
		org, ok := orgs[b.OrgID]
		if !ok {
			continue
		}
		name := b.AuthorName
		if name == "" {
			name = b.AuthorAcct
		}
		// Text and links of members' posts: never an image, a style or
		// anything that would load from their server.
		v.Items = append(v.Items, boostItem{Content: template.HTML(htmltext.SanitizeRemote(b.ContentHTML)), Lang: b.Lang,
			AuthorName: name, AuthorAcct: b.AuthorAcct, URL: b.URL, Date: view.FormatDate(b.Published.In(p.Zone), p.Lang),
			Published: b.Published, OrgName: org.Name, OrgURL: h.urls.Org(org.Handle)})
	}
	p.Title = h.view.Translate(p.Lang, "public.network.title")
	p.Canonical = h.urls.Abs("/network")
	v.Head.Description = h.view.Translate(p.Lang, "public.network.description")
	v.Head.property("og:type", "website")
	v.Head.property("og:title", p.Title)
	v.Head.property("og:site_name", h.siteName(r))
	v.Head.property("og:url", p.Canonical)
	p.Data = v
	h.render(w, r, http.StatusOK, "site_network", p, time.Time{})
}
