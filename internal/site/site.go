// Package site serves the public website: the home, organisation, post,
// tag and events pages, the Atom, RSS and iCalendar feeds, and uploaded
// media. Pages are what fediverse servers turn into link cards and what
// readers open, often all at once when a post goes out, so every response
// goes through an in-memory Cache and carries no cookie and nothing from
// another origin.
package site

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/soga/newsroom/internal/httperr"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/settings"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
	"github.com/soga/newsroom/internal/view"
)

// Store is the part of the store the site reads.
type Store interface {
	OrgByHandle(ctx context.Context, handle string) (*newsroom.Organisation, error)
	ListOrgs(ctx context.Context) ([]newsroom.Organisation, error)
	// PostByID returns tombstones too, with Status deleted.
	PostByID(ctx context.Context, id string) (*newsroom.Post, error)
	ListPosts(ctx context.Context, f store.PostFilter) ([]newsroom.Post, error)
	MediaByID(ctx context.Context, id string) (*newsroom.Media, error)
}

// Settings are the site's identity and zone (settings.Service).
type Settings interface {
	Get(ctx context.Context) settings.Site
}

// Deps are what New needs. Cache is optional; without it every request
// renders.
type Deps struct {
	Store Store
	// Boosts lists what organisations boosted; without it /network is
	// not found.
	Boosts BoostSource
	View   *view.Engine
	URLs   urls.Builder
	Cache  *Cache
	// Settings name the site; nil keeps the defaults.
	Settings Settings
	// Media holds the images /media/ serves; nil means files in MediaDir.
	Media    media.Blobs
	MediaDir string
	Logger   *slog.Logger
	Now      func() time.Time
	// Reactions gives post pages their likes, boosts and approved
	// replies; without it they show none.
	Reactions ReactionStore
}

// Handler serves the public site; its methods are the routes. Path
// parameters are the router's (httprouter.ParamsFromContext).
type Handler struct {
	store    Store
	boosts   BoostSource
	view     *view.Engine
	urls     urls.Builder
	cache    *Cache
	settings Settings
	media    media.Blobs
	log      *slog.Logger
	now      func() time.Time
	// policy sanitises post bodies once more before they are shown, with
	// the publishing service's own rules (images only from our /media/): a
	// page must not depend on every writer of the table having done so.
	policy *posts.Sanitizer
	langs  langMemo
	// reactionStore gives post pages their counts and approved replies;
	// nil shows none.
	reactionStore ReactionStore
}

// New returns the site handler.
func New(d Deps) *Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Media == nil {
		d.Media = media.NewFiles(d.MediaDir)
	}
	return &Handler{store: d.Store, boosts: d.Boosts, view: d.View, urls: d.URLs, cache: d.Cache, settings: d.Settings, media: d.Media,
		log: d.Logger, now: d.Now, policy: posts.NewSanitizer(d.URLs), reactionStore: d.Reactions}
}

// Page sizes of lists and feeds.
const (
	pageSize     = 20
	feedSize     = 30
	upcomingSize = 10
)

// maxAgePage is how long browsers and shared caches may keep a page. Short,
// because an edit or a deletion should show soon, and the server-side
// cache absorbs the load anyway.
const maxAgePage = 60 * time.Second

// cached serves next through the cache, keyed by the reader's language:
// pages, and the error pages of feeds, are written in it.
func (h *Handler) cached(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	if h.cache == nil {
		next(w, r)
		return
	}
	h.cache.serve(w, r, htmlVariant(h.langs.pick(r)), next)
}

// htmlVariants are the cache variants of pages, one per interface
// language, made once rather than for every request.
var htmlVariants = func() map[string]string {
	m := make(map[string]string, len(view.Langs))
	for _, l := range view.Langs {
		m[l.String()] = "html:" + l.String()
	}
	return m
}()

func htmlVariant(lang string) string {
	if v, ok := htmlVariants[lang]; ok {
		return v
	}
	return "html:" + lang
}

// page starts a view.Page in the reader's language, with the site's
// identity and zone.
func (h *Handler) page(r *http.Request) *view.Page {
	p := &view.Page{Lang: h.langs.pick(r)}
	site := h.site(r.Context())
	p.SetSite(site.SiteSettings, site.Logo, h.logoURL(site))
	p.Zone = site.Zone
	return p
}

// site is the site's settings, or the defaults.
func (h *Handler) site(ctx context.Context) settings.Site {
	if h.settings == nil {
		return settings.Site{Zone: time.UTC}
	}
	return h.settings.Get(ctx)
}

// logoURL is the small image of the site's logo, "" without one.
func (h *Handler) logoURL(s settings.Site) string {
	if s.Logo == nil {
		return ""
	}
	return h.urls.Media(media.SmallName(*s.Logo))
}

// siteName is the name of the site: the one set, else the default in the
// reader's language.
func (h *Handler) siteName(r *http.Request) string {
	return h.siteNameIn(r.Context(), h.langs.pick(r))
}

func (h *Handler) siteNameIn(ctx context.Context, lang string) string {
	if s := h.site(ctx); s.Name != "" {
		return s.Name
	}
	return h.view.Translate(lang, "site.name")
}

// render writes a page with the headers every public page carries.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *view.Page, modified time.Time) {
	var buf bytes.Buffer
	if err := h.view.Render(&buf, name, p); err != nil {
		h.serverError(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Language", p.Lang)
	hd.Add("Vary", "Accept-Language")
	hd.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAgePage.Seconds())))
	// Lists change when a post is deleted or edited, which no timestamp
	// of theirs shows, so only post pages pass one; the cache stamps the
	// others with the time they were rendered.
	if !modified.IsZero() {
		hd.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away; nothing to do
}

// message is the data of the error pages.
type message struct {
	Title, Text string
}

// NotFound answers unknown URLs with a page in the reader's language.
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	h.status(w, r, http.StatusNotFound, "public.notfound.title", "public.notfound.text")
}

// gone answers for a deleted post: its URL stays gone forever.
func (h *Handler) gone(w http.ResponseWriter, r *http.Request) {
	h.status(w, r, http.StatusGone, "public.gone.title", "public.gone.text")
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	p := h.page(r)
	p.Title = h.view.Translate(p.Lang, title)
	p.Data = message{Title: title, Text: text}
	h.render(w, r, status, "site_message", p, time.Time{})
}

// fail maps an error to a page: not found, gone, or a logged 500 whose
// cause stays in the log.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch httperr.Status(err) {
	case http.StatusNotFound:
		h.NotFound(w, r)
	case http.StatusGone:
		h.gone(w, r)
	default:
		h.serverError(w, r, err)
	}
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "public page failed", "path", r.URL.Path, "err", err)
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "internal server error", http.StatusInternalServerError)
}
