// Package server holds the route table and the middleware every request
// goes through, and sends each URL to the site (HTML) or to federation
// (ActivityStreams) by what the client accepts.
package server

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/julienschmidt/httprouter"

	"github.com/soga/newsroom/federation"
	"github.com/soga/newsroom/federation/inbox"
	"github.com/soga/newsroom/internal/editor"
	"github.com/soga/newsroom/internal/foreground"
	"github.com/soga/newsroom/internal/metrics"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/view"
)

// DefaultBodyLimit caps request bodies unless a route says otherwise.
const DefaultBodyLimit = 1 << 20

// UploadBodyLimit caps the multipart forms of the routes that take
// images: a post's images as phones take them, and the text around them.
// The editor keeps at most media.MaxUploadBytes of an image; a larger one
// is read through only to be counted, so that the form comes back with
// "image too large" next to it and everything typed, rather than as a page
// of its own. Only a signed-in editor's form is read at all, and the
// route's own page answers a form declared larger, unread.
const UploadBodyLimit = posts.MaxMedia*uploadPhotoBytes + DefaultBodyLimit

// uploadPhotoBytes is what an image may weigh and still be answered next
// to its field: a phone's photo at full resolution (10–20 MB), well over
// what media.MaxUploadBytes keeps.
const uploadPhotoBytes = 20 << 20

// Deps are what the routes need.
type Deps struct {
	Logger  *slog.Logger
	Metrics *metrics.Metrics
	DB      Pinger
	View    *view.Engine
	Editor  *editor.Handler
	// Foreground, when set, lets a signed-in editor's requests go ahead
	// of the background work that waits on it.
	Foreground *foreground.Gate
	// Federation serves discovery and ActivityStreams documents; Inbox
	// receives activities.
	Federation *federation.Handler
	Inbox      *inbox.Handler
	// FollowersSync serves FEP-8fcf's partial followers collections;
	// without it, none.
	FollowersSync *federation.FollowersSync
	// Site serves the public HTML pages.
	Site SiteHandler
	// Cache keeps rendered ActivityStreams documents of actors and posts;
	// optional.
	Cache ResponseCache
	// MetricsToken lets requests that did not come straight from loopback
	// read /metrics on this handler.
	MetricsToken string
	// ServeMetrics puts /metrics on this handler; false when metrics have
	// their own listener.
	ServeMetrics bool
}

// Server is the HTTP front of newsroom.
type Server struct {
	log     *slog.Logger
	metrics *metrics.Metrics
	db      Pinger
	router  *httprouter.Router
	// uploads matches the routes that accept UploadBodyLimit, before the
	// body is read, to the handler answering a body over their limit.
	uploads *httprouter.Router
	// cop refuses cross-origin browser requests that change state, on top
	// of the editor's own form tokens.
	cop *http.CrossOriginProtection
}

// New builds the handler with every route.
func New(d Deps) http.Handler {
	s := &Server{log: d.Logger, metrics: d.Metrics, db: d.DB, router: httprouter.New(), uploads: httprouter.New(),
		cop: http.NewCrossOriginProtection()}
	s.router.RedirectTrailingSlash = true
	s.router.HandleMethodNotAllowed = true
	s.routes(d)
	var h http.Handler = s.router
	h = withBodyLimit(s.bodyLimit, h)
	h = withSecurityHeaders(h)
	h = withRecovery(s.log, h)
	h = withRequestID(h)
	return h
}

// handle registers h for method and pattern, instrumented under pattern.
func (s *Server) handle(method, pattern string, h http.HandlerFunc) {
	s.router.Handler(method, pattern, instrument(s.log, s.metrics, pattern, method, h))
}

// form registers a browser form route for GET and POST, with
// cross-origin protection.
func (s *Server) form(pattern string, h http.HandlerFunc) {
	s.handle(http.MethodGet, pattern, h)
	s.handle(http.MethodPost, pattern, s.cop.Handler(h).ServeHTTP)
}

// upload is form for a route whose POST may carry images; tooLarge
// answers a POST declared over its limit, and must not read its body.
func (s *Server) upload(pattern string, h, tooLarge http.HandlerFunc) {
	s.form(pattern, h)
	s.uploads.Handler(http.MethodPost, pattern, instrument(s.log, s.metrics, pattern, http.MethodPost, s.cop.Handler(tooLarge)))
}

// bodyLimit is the cap of r's body, larger for the multipart forms of
// upload routes, and the handler answering a body declared over it (nil:
// a plain 413).
func (s *Server) bodyLimit(r *http.Request) (int64, http.Handler) {
	if r.Method == http.MethodPost {
		if h, ps, _ := s.uploads.Lookup(r.Method, r.URL.Path); h != nil {
			tooLarge := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r, ps) })
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				return UploadBodyLimit, tooLarge
			}
			return DefaultBodyLimit, tooLarge
		}
	}
	return DefaultBodyLimit, nil
}

// post registers a state-changing browser route.
func (s *Server) post(pattern string, h http.HandlerFunc) {
	s.handle(http.MethodPost, pattern, s.cop.Handler(h).ServeHTTP)
}

// SiteHandler is the public website (internal/site). Handlers read path
// parameters with httprouter.ParamsFromContext.
type SiteHandler interface {
	Home(w http.ResponseWriter, r *http.Request)
	Org(w http.ResponseWriter, r *http.Request)
	Post(w http.ResponseWriter, r *http.Request)
	PostICS(w http.ResponseWriter, r *http.Request)
	Tag(w http.ResponseWriter, r *http.Request)
	Events(w http.ResponseWriter, r *http.Request)
	Network(w http.ResponseWriter, r *http.Request)
	Follow(w http.ResponseWriter, r *http.Request)
	Media(w http.ResponseWriter, r *http.Request)
	SiteAtom(w http.ResponseWriter, r *http.Request)
	SiteRSS(w http.ResponseWriter, r *http.Request)
	SiteICS(w http.ResponseWriter, r *http.Request)
	OrgAtom(w http.ResponseWriter, r *http.Request)
	OrgRSS(w http.ResponseWriter, r *http.Request)
	OrgICS(w http.ResponseWriter, r *http.Request)
	NotFound(w http.ResponseWriter, r *http.Request)
	Favicon(w http.ResponseWriter, r *http.Request)
	Theme(w http.ResponseWriter, r *http.Request)
}

// ResponseCache keeps rendered responses in memory (site.Cache).
type ResponseCache interface {
	// Wrap caches next's answers under representation.
	Wrap(representation string, next http.HandlerFunc) http.HandlerFunc
}

// cacheAS caches an ActivityStreams document when there is a cache.
func (s *Server) cacheAS(d Deps, h http.HandlerFunc) http.HandlerFunc {
	if d.Cache == nil {
		return h
	}
	return d.Cache.Wrap("activity+json", h)
}

// routes is the whole URL space of newsroom, in one place.
func (s *Server) routes(d Deps) {
	s.handle(http.MethodGet, "/healthz", s.healthz)
	s.handle(http.MethodGet, "/readyz", s.readyz)
	if d.ServeMetrics && d.Metrics != nil {
		s.router.Handler(http.MethodGet, "/metrics", metricsGate(d.MetricsToken, d.Metrics.Handler()))
	}
	if d.View != nil {
		s.get("/static/:name", func(w http.ResponseWriter, r *http.Request) {
			d.View.ServeAsset(w, r, httprouter.ParamsFromContext(r.Context()).ByName("name"))
		})
	}
	if d.Federation != nil {
		s.federationRoutes(d)
	}
	if d.Site != nil {
		s.siteRoutes(d)
	}
	if ed := d.Editor; ed != nil {
		s.form("/setup/:token", ed.Setup)
		s.form("/login", ed.Login)
		s.form("/login/forgot", ed.Forgot)
		s.form("/invite/:token", ed.Invitation)
		s.form("/reset/:token", ed.PasswordReset)
		s.post("/logout", ed.RequireUser(ed.Logout))
		s.editorRoutes(ed, d.Foreground)
	}
}
