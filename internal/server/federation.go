package server

import (
	"net/http"

	"github.com/julienschmidt/httprouter"

	"github.com/soga/newsroom/federation"
)

// withHandle adapts a federation handler that takes the organisation's
// handle.
func withHandle(f func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f(w, r, httprouter.ParamsFromContext(r.Context()).ByName("handle"))
	}
}

// varyAccept is the Vary of a negotiated answer, shared by all of them:
// its capacity is its length, so adding to it copies.
var varyAccept = []string{"Accept"}

// negotiate sends one URL to the ActivityStreams document or to the HTML
// page, by Accept. Without an HTML page yet, browsers get the document.
func negotiate(as, html http.HandlerFunc) http.HandlerFunc {
	if html == nil {
		return as
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if federation.WantsActivityJSON(r) {
			as(w, r)
			return
		}
		h := w.Header()
		if v := h["Vary"]; len(v) > 0 {
			h["Vary"] = append(v, "Accept")
		} else {
			h["Vary"] = varyAccept
		}
		html(w, r)
	}
}

// withPost adapts a federation handler that takes a post's handle and id
// from the route.
func withPost(h func(w http.ResponseWriter, r *http.Request, handle, id string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		params := httprouter.ParamsFromContext(r.Context())
		h(w, r, params.ByName("handle"), params.ByName("id"))
	}
}

func (s *Server) federationRoutes(d Deps) {
	f, in := d.Federation, d.Inbox
	s.get("/.well-known/webfinger", f.ServeWebFinger)
	s.get("/.well-known/host-meta", f.ServeHostMeta)
	s.get("/.well-known/host-meta.json", f.ServeHostMetaJSON)
	s.get("/.well-known/nodeinfo", f.ServeNodeInfoIndex)
	s.get("/nodeinfo/2.1", f.ServeNodeInfo21)
	s.get("/nodeinfo/2.0", f.ServeNodeInfo20)
	s.get("/actor", f.ServeInstanceActor)
	s.get("/activities/:id", func(w http.ResponseWriter, r *http.Request) {
		f.ServeActivity(w, r, httprouter.ParamsFromContext(r.Context()).ByName("id"))
	})
	var orgPage http.HandlerFunc
	if d.Site != nil {
		orgPage = d.Site.Org
	}
	s.get("/orgs/:handle", negotiate(s.cacheAS(d, withHandle(f.ServeActor)), orgPage))
	// The site serves a post's HTML page once it has a Post method.
	var postPage http.HandlerFunc
	if sp, ok := d.Site.(interface {
		Post(w http.ResponseWriter, r *http.Request)
	}); ok {
		postPage = sp.Post
	}
	s.get("/orgs/:handle/posts/:id", negotiate(s.cacheAS(d, withPost(f.ServePost)), postPage))
	s.get("/orgs/:handle/posts/:id/likes", s.cacheAS(d, withPost(f.ServePostLikes)))
	s.get("/orgs/:handle/posts/:id/shares", s.cacheAS(d, withPost(f.ServePostShares)))
	s.get("/orgs/:handle/quote-authorizations/:id", withPost(f.ServeQuoteAuthorization))
	s.get("/orgs/:handle/followers", withHandle(f.ServeFollowers))
	s.get("/orgs/:handle/following", withHandle(f.ServeFollowing))
	s.get("/orgs/:handle/outbox", withHandle(f.ServeOutbox))
	s.get("/orgs/:handle/featured", withHandle(f.ServeFeatured))
	if d.FollowersSync != nil {
		s.get("/orgs/:handle/followers_synchronization", withHandle(d.FollowersSync.ServeHTTP))
	}
	if in != nil {
		s.handle(http.MethodPost, "/orgs/:handle/inbox", withHandle(in.ServeHTTP))
		shared := func(w http.ResponseWriter, r *http.Request) { in.ServeHTTP(w, r, "") }
		s.handle(http.MethodPost, "/inbox", shared)
		s.handle(http.MethodPost, "/actor/inbox", shared)
	}
}
