// Package editor is the web app where communication staff log in and
// publish: /setup, /login and everything under /admin/. Every page is
// server-rendered and works without JavaScript.
package editor

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
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
	view     *view.Engine
	urls     urls.Builder
	log      *slog.Logger
	now      func() time.Time
	secure   bool // cookies only over https
	throttle *Throttle
}

// Deps are what New needs.
type Deps struct {
	Store  store.Store
	Users  *users.Service
	View   *view.Engine
	URLs   urls.Builder
	Logger *slog.Logger
	Now    func() time.Time
	// Secure marks cookies Secure; true when the base URL is https.
	Secure bool
}

// New returns the editor.
func New(d Deps) *Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Handler{store: d.Store, users: d.Users, view: d.View, urls: d.URLs, log: d.Logger,
		now: d.Now, secure: d.Secure, throttle: NewThrottle(25, 5*time.Minute, d.Now)}
}

type ctxKey int

const userKey ctxKey = iota

// current is the logged-in user and session of a request.
type current struct {
	user    *newsroom.User
	session *newsroom.Session
}

func currentFrom(ctx context.Context) *current {
	c, _ := ctx.Value(userKey).(*current)
	return c
}

// page starts a view.Page for r in the reader's language.
func (h *Handler) page(r *http.Request, title string) *view.Page {
	p := &view.Page{Title: title}
	userLang := ""
	if c := currentFrom(r.Context()); c != nil {
		userLang = c.user.Lang
		p.User = c.user
		p.CSRF = c.session.CSRFToken
	}
	p.Lang = view.PickLang(userLang, r)
	if title != "" {
		p.Title = h.view.Translate(p.Lang, title)
	}
	return p
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
