package site

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/soga/newsroom/internal/htmltext"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// postPage is everything the post page and its metadata show.
type postPage struct {
	Canonical      string
	Lang           string // of the text shown
	Title          string
	Summary        string
	Description    string // for meta description and cards
	Body           template.HTML
	ContentWarning string
	Kind           string // message id of the kind's label
	OrgName        string
	OrgURL         string
	// ObjectID is the post's ActivityStreams id, its plain URL, which
	// answers with the object when asked for activity+json: the same for
	// every language version and for a post imported from elsewhere.
	ObjectID string
	Creator  string // @handle@host for fediverse:creator
	OrgIcon  *image
	// SiteLogo is the site's logo, the publisher's in JSON-LD.
	SiteLogo string
	// More are a few other posts of the organisation, newest first.
	More []moreLink
	// Images are shown above the body; images are all the post's, for
	// its card and metadata.
	Images, images []image
	CardImage      *image
	Tags           []tagLink
	Published      time.Time
	Updated        time.Time
	// Source is the member's own article a post was imported from, and
	// SourceHost its site's name as readers know it.
	Source, SourceHost string
	Event              *eventView
	event              *newsroom.Event
	// Alternates are every language version, this one included, for
	// hreflang; Other is the version this page links to.
	Alternates []alternate
	Other      *alternate
	Head       head
	// Reactions are the likes, boosts and approved replies; nil hides them.
	Reactions *reactionsView
	// MovedTo is the account the organisation moved to, "" if it has not:
	// its posts stay readable here, pointing there.
	MovedTo string
}

type tagLink struct {
	Name, URL string
}

type alternate struct {
	Lang, URL, Name string
}

// Post serves /orgs/{handle}/posts/{id}. A bilingual post has one URL per
// language: the post's own language at the plain URL, its translation at
// ?lang=xx. Each version is a whole page in its language, with its own
// canonical URL and hreflang links to the other, which is what search
// engines and link-card readers expect.
func (h *Handler) Post(w http.ResponseWriter, r *http.Request) { h.cached(w, r, h.post) }

func (h *Handler) post(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	params := httprouter.ParamsFromContext(ctx)
	handle, id := params.ByName("handle"), params.ByName("id")
	p, err := h.store.PostByID(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	org, err := h.store.OrgByHandle(ctx, handle)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if p.OrgID != org.ID {
		h.NotFound(w, r)
		return
	}
	if org.Handle != handle {
		target := h.urls.Post(org.Handle, p.ID)
		if lang := r.URL.Query().Get("lang"); lang != "" {
			target += "?lang=" + url.QueryEscape(lang)
		}
		h.redirect(w, r, target)
		return
	}
	switch p.Status {
	case newsroom.StatusDeleted:
		h.gone(w, r)
		return
	case newsroom.StatusPublished:
	default:
		h.NotFound(w, r) // drafts and scheduled posts do not exist yet
		return
	}
	lang := r.URL.Query().Get("lang")
	if lang == p.Lang {
		h.redirect(w, r, h.urls.Post(org.Handle, p.ID))
		return
	}
	if lang != "" && (p.Translation == nil || p.Translation.Lang != lang) {
		h.NotFound(w, r)
		return
	}
	pg := h.page(r)
	v, err := h.postPage(ctx, org, p, lang, pg.Lang)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	pg.Title = v.Title
	pg.Canonical = v.Canonical
	v.SiteLogo = pg.LogoURL
	v.MovedTo = org.MovedTo
	v.Head, err = h.postHead(v, h.siteNameIn(r.Context(), pg.Lang))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if v.More, err = h.moreFrom(ctx, org, p.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	pg.Data = v
	h.render(w, r, http.StatusOK, "site_post", pg, lastChange(p))
}

// moreLink is a link to another post of the organisation.
type moreLink struct {
	Title, URL, Lang string
}

// moreSize is how many other posts a post page links.
const moreSize = 4

// moreFrom lists the organisation's latest posts other than id.
func (h *Handler) moreFrom(ctx context.Context, org *newsroom.Organisation, id string) ([]moreLink, error) {
	posts, err := h.store.ListPosts(ctx, published(store.PostFilter{OrgID: org.ID, Limit: moreSize + 1}))
	if err != nil {
		return nil, err
	}
	var out []moreLink
	for _, p := range posts {
		if p.ID != id && len(out) < moreSize {
			out = append(out, moreLink{Title: p.Title, URL: h.urls.Post(org.Handle, p.ID), Lang: p.Lang})
		}
	}
	return out, nil
}

// redirect sends a permanent redirect to the canonical URL of a page.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, target string) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}

func lastChange(p *newsroom.Post) time.Time {
	if p.UpdatedAt.After(p.PublishedAt) {
		return p.UpdatedAt
	}
	return p.PublishedAt
}

// postPage gathers a post's page in lang: "" for its own language, or
// its translation's.
func (h *Handler) postPage(ctx context.Context, org *newsroom.Organisation, p *newsroom.Post, lang, uiLang string) (*postPage, error) {
	base := h.urls.Post(org.Handle, p.ID)
	v := &postPage{
		Canonical: base, Lang: p.Lang, Title: p.Title, Summary: p.Summary,
		Body: template.HTML(h.policy.Sanitize(p.BodyHTML)), ContentWarning: p.ContentWarning,
		Kind: "public.kind." + string(p.Kind), OrgName: org.Name, OrgURL: h.urls.Org(org.Handle),
		ObjectID: base, Creator: "@" + h.urls.Handle(org.Handle),
		Published: p.PublishedAt, Updated: p.UpdatedAt, event: p.Event,
	}
	if tr := p.Translation; tr != nil {
		own := alternate{Lang: p.Lang, URL: base, Name: langName(p.Lang)}
		other := alternate{Lang: tr.Lang, URL: base + "?lang=" + tr.Lang, Name: langName(tr.Lang)}
		v.Alternates = []alternate{own, other}
		v.Other = &other
		if lang == tr.Lang {
			v.Canonical, v.Lang, v.Title, v.Summary = other.URL, tr.Lang, tr.Title, tr.Summary
			v.Body = template.HTML(h.policy.Sanitize(tr.BodyHTML))
			v.Other = &own
		}
	}
	if p.SourceURL != "" {
		// The member's article is the original; ours is a copy, and says
		// so to search engines and card readers.
		v.Source, v.SourceHost, v.Canonical = p.SourceURL, sourceHost(p.SourceURL), p.SourceURL
	}
	v.Description = v.Summary
	if v.Description == "" {
		v.Description = htmltext.PlainText(string(v.Body))
	}
	v.Description = truncate(v.Description, 300)
	if p.Event != nil {
		v.Event = h.eventView(org.Handle, p, uiLang)
	}
	for _, t := range p.Tags {
		v.Tags = append(v.Tags, tagLink{Name: t, URL: h.urls.Tag(newsroom.TagKey(t))})
	}
	for _, m := range p.Media {
		img, err := h.image(ctx, m.MediaID, m.Alt)
		if err != nil {
			return nil, err
		}
		if img != nil {
			v.images = append(v.images, *img)
			// An image the body already shows (news imported from a
			// member's site keeps its pictures in place) is attached
			// only for the fediverse, where bodies lose their images.
			if !strings.Contains(p.BodyHTML, img.URL) {
				v.Images = append(v.Images, *img)
			}
		}
	}
	icon, err := h.image(ctx, org.IconMediaID, org.Name)
	if err != nil {
		return nil, err
	}
	v.OrgIcon = icon
	if v.Reactions, err = h.reactions(ctx, p); err != nil {
		return nil, err
	}
	switch {
	case len(v.images) > 0:
		v.CardImage = &v.images[0]
	case icon != nil:
		v.CardImage = icon
	}
	return v, nil
}

// image describes an uploaded image, or returns nil when there is none to
// show: a missing row hides the picture rather than the page.
func (h *Handler) image(ctx context.Context, mediaID, alt string) (*image, error) {
	if mediaID == "" {
		return nil, nil
	}
	m, err := h.store.MediaByID(ctx, mediaID)
	if errors.Is(err, newsroom.ErrNotFound) {
		h.log.WarnContext(ctx, "image not found", "media", mediaID)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if _, ok := media.Extension(m.MIMEType); !ok {
		return nil, nil
	}
	img := &image{URL: h.urls.Media(media.FileName(*m)), Small: h.urls.Media(media.SmallName(*m)),
		Alt: alt, Type: m.MIMEType, Width: m.Width, Height: m.Height}
	// The small variant fits media.SmallDimension on its longest side.
	if long := max(m.Width, m.Height); long > media.SmallDimension {
		img.SmallWidth = m.Width * media.SmallDimension / long
	}
	return img, nil
}

// sourceHost is the host of a source link without its "www.", as people
// name a website.
func sourceHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return raw
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}
