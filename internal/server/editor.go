package server

import (
	"net/http"

	"github.com/soga/newsroom/internal/editor"
	"github.com/soga/newsroom/internal/foreground"
)

// editorRoutes are the pages under /admin/. Every one needs a session;
// the administration pages need an administrator. httprouter refuses a
// parameter beside a fixed name in the same segment, hence "edit/:handle"
// rather than ":handle/edit" under /admin/organisations.
//
// A signed-in editor's requests go ahead of a fan-out's signatures (fg);
// the sign-in itself does not, so that nobody without an account can
// hold back deliveries.
func (s *Server) editorRoutes(ed *editor.Handler, fg *foreground.Gate) {
	user := func(h http.HandlerFunc) http.HandlerFunc { return ed.RequireUser(fg.Handler(h)) }
	admin := func(h http.HandlerFunc) http.HandlerFunc { return ed.RequireAdmin(fg.Handler(h)) }
	// The post forms come back as sent when their token is an earlier
	// session's, acting on nothing.
	poster := func(h http.HandlerFunc) http.HandlerFunc { return ed.RequireUserKeepingForm(fg.Handler(h)) }
	get := func(pattern string, h http.HandlerFunc) { s.handle(http.MethodGet, pattern, h) }
	upload := func(pattern string, h http.HandlerFunc) { s.upload(pattern, h, ed.TooLarge) }

	get("/admin/", user(ed.Home))
	s.form("/admin/account", user(ed.Account))
	s.post("/admin/account/password", user(ed.AccountPassword))

	get("/admin/orgs/:handle/posts", user(ed.Posts))
	upload("/admin/orgs/:handle/compose", poster(ed.Compose))
	upload("/admin/posts/:id/edit", poster(ed.EditPost))
	s.form("/admin/posts/:id/delete", user(ed.DeletePost))
	s.post("/admin/posts/:id/unschedule", user(ed.Unschedule))
	get("/admin/posts/:id/delivery", user(ed.PostDelivery))
	get("/admin/orgs/:handle/replies", user(ed.Replies))
	s.post("/admin/orgs/:handle/replies", user(ed.ModerateReply))
	get("/admin/orgs/:handle/quotes", user(ed.Quotes))
	s.post("/admin/orgs/:handle/quotes", user(ed.ModerateQuote))
	get("/admin/orgs/:handle/followers", user(ed.Followers))
	s.post("/admin/orgs/:handle/followers", user(ed.RemoveFollower))
	get("/admin/orgs/:handle/followers.csv", user(ed.FollowersCSV))
	s.form("/admin/orgs/:handle/move", admin(ed.Move))

	s.form("/admin/orgs/:handle/network", admin(ed.Network))
	s.post("/admin/orgs/:handle/network/remove", admin(ed.RemoveNetworkAccount))
	s.post("/admin/orgs/:handle/network/review", admin(ed.ReviewBoost))

	get("/admin/organisations", admin(ed.Orgs))
	upload("/admin/organisations/new", admin(ed.NewOrg))
	upload("/admin/organisations/edit/:handle", admin(ed.EditOrg))
	s.form("/admin/orgs/:handle/feeds", admin(ed.Feeds))
	s.post("/admin/orgs/:handle/feeds/remove", admin(ed.RemoveFeed))
	s.post("/admin/orgs/:handle/feeds/poll", admin(ed.PollFeed))
	get("/admin/users", admin(ed.Users))
	s.form("/admin/users/new", admin(ed.NewUser))
	s.form("/admin/users/edit/:id", admin(ed.EditUser))
	s.post("/admin/users/link/:id", admin(ed.ResetLink))
	s.form("/admin/domains", admin(ed.Domains))
	upload("/admin/site", admin(ed.SiteSettings))
	s.post("/admin/domains/remove", admin(ed.Unblock))
}
