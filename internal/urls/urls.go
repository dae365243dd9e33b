// Package urls builds every public URL and ActivityPub id from the
// configured base URL. An HTML page and the ActivityStreams document of the
// same thing share one URL; the server picks the representation by Accept.
package urls

import (
	"net/url"
	"strings"
)

// Builder makes absolute URLs under one base URL.
type Builder struct {
	base string // scheme://host[:port], no trailing slash
	host string // host[:port] as it appears in handles
}

// New returns a Builder for base, which must be an absolute http(s) URL
// without a path (validated by config).
func New(base *url.URL) Builder {
	return Builder{base: strings.TrimRight(base.Scheme+"://"+base.Host, "/"), host: base.Host}
}

// Base returns the base URL without a trailing slash.
func (b Builder) Base() string { return b.base }

// Host returns the host (with port when not default) used in handles.
func (b Builder) Host() string { return b.host }

// Abs makes path absolute.
func (b Builder) Abs(path string) string { return b.base + path }

func (b Builder) Org(handle string) string          { return b.base + "/orgs/" + handle }
func (b Builder) OrgKey(handle string) string       { return b.Org(handle) + "#main-key" }
func (b Builder) OrgInbox(handle string) string     { return b.Org(handle) + "/inbox" }
func (b Builder) OrgOutbox(handle string) string    { return b.Org(handle) + "/outbox" }
func (b Builder) OrgFollowers(handle string) string { return b.Org(handle) + "/followers" }
func (b Builder) OrgFollowing(handle string) string { return b.Org(handle) + "/following" }

// OrgFollowersSync is the partial followers collection of FEP-8fcf: the
// followers on the server that asks.
func (b Builder) OrgFollowersSync(handle string) string {
	return b.Org(handle) + "/followers_synchronization"
}
func (b Builder) OrgFeatured(handle string) string { return b.Org(handle) + "/featured" }
func (b Builder) OrgAtom(handle string) string     { return b.Org(handle) + "/feed.atom" }
func (b Builder) OrgRSS(handle string) string      { return b.Org(handle) + "/feed.rss" }
func (b Builder) OrgICS(handle string) string      { return b.Org(handle) + "/events.ics" }

// Post is the id and page of a post.
func (b Builder) Post(handle, id string) string { return b.Org(handle) + "/posts/" + id }

// PostICS is the calendar download of an event post.
func (b Builder) PostICS(handle, id string) string { return b.Post(handle, id) + "/event.ics" }

// PostReplies is the replies collection of a post.
func (b Builder) PostReplies(handle, id string) string { return b.Post(handle, id) + "/replies" }

// PostLikes and PostShares are the collections that count a post's likes
// and boosts, as Mastodon serves them.
func (b Builder) PostLikes(handle, id string) string  { return b.Post(handle, id) + "/likes" }
func (b Builder) PostShares(handle, id string) string { return b.Post(handle, id) + "/shares" }

// QuoteAuthorization is the id of our consent to quote a post of handle
// (FEP-044f), which the quoting server fetches to check it.
func (b Builder) QuoteAuthorization(handle, id string) string {
	return b.Org(handle) + "/quote-authorizations/" + id
}

func (b Builder) Activity(id string) string { return b.base + "/activities/" + id }
func (b Builder) SharedInbox() string       { return b.base + "/inbox" }
func (b Builder) InstanceActor() string     { return b.base + "/actor" }
func (b Builder) InstanceKey() string       { return b.base + "/actor#main-key" }
func (b Builder) InstanceInbox() string     { return b.base + "/actor/inbox" }

// Tag is the page of the tag whose newsroom.TagKey is key.
func (b Builder) Tag(key string) string    { return b.base + "/tags/" + url.PathEscape(key) }
func (b Builder) Events() string           { return b.base + "/events" }
func (b Builder) Media(name string) string { return b.base + "/media/" + name }
func (b Builder) SiteAtom() string         { return b.base + "/feed.atom" }
func (b Builder) SiteRSS() string          { return b.base + "/feed.rss" }
func (b Builder) SiteICS() string          { return b.base + "/events.ics" }

// Handle is the fediverse address of an organisation, without the leading @.
func (b Builder) Handle(handle string) string { return handle + "@" + b.host }

// Acct is the WebFinger resource of an organisation.
func (b Builder) Acct(handle string) string { return "acct:" + b.Handle(handle) }

// HandleFromOrgURL returns the handle of an organisation actor URL of ours,
// or "" when u is not one.
func (b Builder) HandleFromOrgURL(u string) string {
	rest, ok := strings.CutPrefix(u, b.base+"/orgs/")
	if !ok || rest == "" || strings.ContainsAny(rest, "/?#") {
		return ""
	}
	return rest
}

// PostFromURL returns the handle and post id of a post URL of ours.
func (b Builder) PostFromURL(u string) (handle, id string, ok bool) {
	rest, found := strings.CutPrefix(u, b.base+"/orgs/")
	if !found {
		return "", "", false
	}
	handle, id, found = strings.Cut(rest, "/posts/")
	if !found || handle == "" || id == "" || strings.ContainsAny(handle, "/?#") || strings.ContainsAny(id, "/?#") {
		return "", "", false
	}
	return handle, id, true
}
