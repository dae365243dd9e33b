// Package editor is the web app where communication staff log in and
// publish: /setup, /login and everything under /admin/. Every page is
// server-rendered and works without JavaScript.
package editor

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/soga/newsroom/internal/audience"
	"github.com/soga/newsroom/internal/clientip"
	"github.com/soga/newsroom/internal/domains"
	"github.com/soga/newsroom/internal/feeds"
	"github.com/soga/newsroom/internal/httperr"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/network"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/orgs"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/ratelimit"
	"github.com/soga/newsroom/internal/settings"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
	"github.com/soga/newsroom/internal/users"
	"github.com/soga/newsroom/internal/view"
)

// SessionLifetime is how long a login lasts.
const SessionLifetime = 14 * 24 * time.Hour

// Handler holds the editor's dependencies; its methods are the routes.
type Handler struct {
	store    store.Store
	users    *users.Service
	orgs     *orgs.Service
	posts    *posts.Service
	markdown *posts.Renderer
	media    *media.Store
	audience *audience.Service
	feeds    *feeds.Service
	network  *network.Service
	settings *settings.Service
	blocks   *domains.Blocklist
	view     *view.Engine
	urls     urls.Builder
	log      *slog.Logger
	now      func() time.Time
	secure   bool              // cookies only over https
	throttle *ratelimit.Window // failed logins, per address and per account
	clientIP clientip.Resolver
	// replyPolicy sanitises remote replies once more before display: they
	// were cleaned on arrival, but a page must not depend on what another
	// part of the program did with hostile HTML.
	replyPolicy *posts.Sanitizer
	// mail sends reset links from the login page; nil when no SMTP
	// server is configured.
	mail   Mailer
	resets *ratelimit.Window // reset links asked, per address and per account
}

// Deps are what New needs. Posts, Orgs, Audience and Media may be nil
// for a login-only editor, as some tests build it. The services empty
// the public pages themselves after what they write.
type Deps struct {
	Store    store.Store
	Users    *users.Service
	Orgs     *orgs.Service
	Posts    *posts.Service
	Audience *audience.Service
	Media    *media.Store
	// Feeds imports organisations' websites; nil in tests that do not
	// show its page.
	Feeds *feeds.Service
	// Network follows members' accounts; nil hides nothing but fails its pages.
	Network *network.Service
	// Settings are the site's identity and zone; nil keeps the defaults
	// and fails the settings page.
	Settings *settings.Service
	// Blocks is the blocklist the inbox reads, so that a block made here
	// takes effect at once; default: one of its own.
	Blocks *domains.Blocklist
	View   *view.Engine
	URLs   urls.Builder
	Logger *slog.Logger
	Now    func() time.Time
	// Secure marks cookies Secure; true when the base URL is https.
	Secure bool
	// ClientIP finds a request's client behind the trusted proxies, for
	// the login throttle.
	ClientIP clientip.Resolver
	// Mail sends password reset links; nil when no SMTP server is
	// configured, and the login page then says to ask an administrator.
	Mail Mailer
}

// New returns the editor.
func New(d Deps) *Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Blocks == nil {
		d.Blocks = domains.New(d.Store, nil)
	}
	return &Handler{store: d.Store, users: d.Users, orgs: d.Orgs, posts: d.Posts, audience: d.Audience, media: d.Media, blocks: d.Blocks, feeds: d.Feeds,
		network: d.Network, settings: d.Settings,
		markdown: posts.NewRenderer(d.URLs), replyPolicy: posts.NewSanitizer(d.URLs),
		view: d.View, urls: d.URLs, log: d.Logger,
		now: d.Now, secure: d.Secure, throttle: ratelimit.New(25, 5*time.Minute, d.Now), clientIP: d.ClientIP,
		mail: d.Mail, resets: ratelimit.New(5, time.Hour, d.Now)}
}

// flashes are the messages a redirect may ask the next page to show.
var flashes = map[string]bool{"draft": true, "published": true, "scheduled": true, "updated": true,
	"deleted": true, "saved": true, "created": true, "password": true, "approved": true, "hidden": true,
	"removed": true, "blocked": true, "unblocked": true, "feed_added": true, "feed_removed": true, "feed_polling": true,
	"following": true, "boosted": true, "refused": true, "unscheduled": true, "too_late": true, "welcome": true,
	"aliases": true, "moved": true, "quote_approved": true, "quote_rejected": true}

type ctxKey int

const (
	userKey  ctxKey = iota
	filesKey        // the files of the request's form (uploaded)
)

// current is the logged-in user and session of a request.
type current struct {
	user    *newsroom.User
	session *newsroom.Session
	orgIDs  []int64 // the organisations the user edits, read with the session
	// staleForm says that the form sent does not carry the session's
	// token, on a route that shows it again (RequireUserKeepingForm).
	staleForm bool
}

func currentFrom(ctx context.Context) *current {
	c, _ := ctx.Value(userKey).(*current)
	return c
}

// uiLang is the language of the interface r is answered in: the user's
// choice, else the browser's.
func (h *Handler) uiLang(r *http.Request) string {
	userLang := ""
	if c := currentFrom(r.Context()); c != nil {
		userLang = c.user.Lang
	}
	return view.PickLang(userLang, r)
}

// page starts a view.Page for r in the reader's language.
func (h *Handler) page(r *http.Request, title string) *view.Page {
	p := &view.Page{Title: title}
	if c := currentFrom(r.Context()); c != nil {
		p.User = c.user
		p.CSRF = c.session.CSRFToken
	}
	p.Lang = h.uiLang(r)
	site := h.site(r.Context())
	logoURL := ""
	if site.Logo != nil {
		logoURL = h.urls.Media(media.SmallName(*site.Logo))
	}
	p.SetSite(site.SiteSettings, site.Logo, logoURL)
	if loc, ok := newsroom.LoadZone(h.zoneName(r)); ok {
		p.Zone = loc
	}
	if done := r.URL.Query().Get("done"); flashes[done] {
		p.Flash = "flash." + done
	}
	if title != "" {
		p.Title = h.view.Translate(p.Lang, title)
	}
	return p
}

// site is the site's settings, or the defaults.
func (h *Handler) site(ctx context.Context) settings.Site {
	if h.settings == nil {
		return settings.Site{Zone: time.UTC}
	}
	return h.settings.Get(ctx)
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *view.Page) {
	w.Header().Set("Cache-Control", "no-store")
	if err := h.view.RenderHTTP(w, status, name, p); err != nil {
		h.log.Error("render", "page", name, "err", err)
	}
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Error("editor", "path", r.URL.Path, "err", err)
	http.Error(w, "internal server error", http.StatusInternalServerError)
}

// errorPages are the messages of the statuses fail explains to editors.
var errorPages = map[int]string{
	http.StatusNotFound:  "error.notfound",
	http.StatusForbidden: "error.forbidden",
	http.StatusGone:      "error.gone",
	http.StatusConflict:  "error.conflict",
}

// fail answers err: domain errors become their status with a translated
// page, anything else a logged 500 whose text never reaches the browser.
// Invalid input never gets here: forms show it next to its fields.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := httperr.Status(err)
	msg, ok := errorPages[status]
	if !ok {
		h.serverError(w, r, err)
		return
	}
	h.log.Info("editor refused", "path", r.URL.Path, "status", status, "err", err)
	h.message(w, r, status, msg, "/admin/", "admin.nav.home")
}

// message answers status with the message page: msg as its heading, the
// message msg+".text" below, and a link to link reading linkText.
func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, msg, link, linkText string) {
	p := h.page(r, msg)
	p.Data = map[string]string{"Title": msg, "Text": msg + ".text", "Link": link, "LinkText": linkText}
	h.render(w, r, status, "message", p)
}

// redirect sends the browser to path after a successful form, with a
// message id shown once on the next page.
func redirect(w http.ResponseWriter, r *http.Request, path, done string) {
	if done != "" {
		path += "?done=" + done
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// param is the path parameter name of the route r matched.
func param(r *http.Request, name string) string {
	return httprouter.ParamsFromContext(r.Context()).ByName(name)
}
