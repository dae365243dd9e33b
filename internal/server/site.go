package server

import "net/http"

// get registers a GET route and its HEAD: link checkers and some card
// fetchers ask HEAD first.
func (s *Server) get(pattern string, h http.HandlerFunc) {
	s.handle(http.MethodGet, pattern, h)
	s.handle(http.MethodHead, pattern, h)
}

// siteRoutes are the public pages, feeds and media. The organisation and
// post URLs are also ActivityPub ids: when federation serves them, it
// registers them with negotiate and the site's page as the HTML side.
func (s *Server) siteRoutes(d Deps) {
	site := d.Site
	get := s.get
	get("/", site.Home)
	if h, _, _ := s.router.Lookup(http.MethodGet, "/orgs/x"); h == nil {
		get("/orgs/:handle", site.Org)
	}
	if h, _, _ := s.router.Lookup(http.MethodGet, "/orgs/x/posts/y"); h == nil {
		get("/orgs/:handle/posts/:id", site.Post)
	}
	get("/orgs/:handle/posts/:id/event.ics", site.PostICS)
	get("/orgs/:handle/feed.atom", site.OrgAtom)
	get("/orgs/:handle/feed.rss", site.OrgRSS)
	get("/orgs/:handle/events.ics", site.OrgICS)
	get("/tags/:tag", site.Tag)
	get("/events", site.Events)
	get("/network", site.Network)
	get("/follow", site.Follow)
	get("/media/:name", site.Media)
	get("/feed.atom", site.SiteAtom)
	get("/feed.rss", site.SiteRSS)
	get("/events.ics", site.SiteICS)
	get("/favicon.ico", site.Favicon)
	get("/theme.css", site.Theme)
	s.router.NotFound = instrument(s.log, s.metrics, "not_found", "", http.HandlerFunc(site.NotFound))
}
