package site

import (
	"bytes"
	"context"
	"encoding/xml"
	"html"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/feeds"
	"github.com/julienschmidt/httprouter"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// maxAgeFeed is how long feed readers and calendars may keep a feed.
const maxAgeFeed = 5 * time.Minute

// SiteAtom serves /feed.atom: the latest posts of every organisation.
func (h *Handler) SiteAtom(w http.ResponseWriter, r *http.Request) {
	h.cached(w, r, func(w http.ResponseWriter, r *http.Request) { h.feed(w, r, false, "atom") })
}

// SiteRSS serves /feed.rss.
func (h *Handler) SiteRSS(w http.ResponseWriter, r *http.Request) {
	h.cached(w, r, func(w http.ResponseWriter, r *http.Request) { h.feed(w, r, false, "rss") })
}

// OrgAtom serves /orgs/{handle}/feed.atom.
func (h *Handler) OrgAtom(w http.ResponseWriter, r *http.Request) {
	h.cached(w, r, func(w http.ResponseWriter, r *http.Request) { h.feed(w, r, true, "atom") })
}

// OrgRSS serves /orgs/{handle}/feed.rss.
func (h *Handler) OrgRSS(w http.ResponseWriter, r *http.Request) {
	h.cached(w, r, func(w http.ResponseWriter, r *http.Request) { h.feed(w, r, true, "rss") })
}

// feedSource is what a feed lists: one organisation's posts or everyone's.
type feedSource struct {
	org    *newsroom.Organisation // nil for the whole site
	orgs   orgIndex
	filter store.PostFilter
}

// source finds what the feed of r covers; it reports false when it has
// answered r itself (unknown or misspelt organisation).
func (h *Handler) source(w http.ResponseWriter, r *http.Request, perOrg bool) (*feedSource, bool) {
	ctx := r.Context()
	if !perOrg {
		orgs, err := h.orgIndex(ctx)
		if err != nil {
			h.serverError(w, r, err)
			return nil, false
		}
		return &feedSource{orgs: orgs}, true
	}
	handle := httprouter.ParamsFromContext(r.Context()).ByName("handle")
	org, err := h.store.OrgByHandle(ctx, handle)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	if org.Handle != handle {
		h.redirect(w, r, h.urls.Org(org.Handle)+r.URL.Path[len("/orgs/")+len(handle):])
		return nil, false
	}
	return &feedSource{org: org, orgs: orgIndex{org.ID: org}, filter: store.PostFilter{OrgID: org.ID}}, true
}

func (h *Handler) feed(w http.ResponseWriter, r *http.Request, perOrg bool, format string) {
	src, ok := h.source(w, r, perOrg)
	if !ok {
		return
	}
	f, err := h.buildFeed(r.Context(), src, h.siteName(r))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var (
		doc   any
		ctype string
	)
	if format == "atom" {
		doc, ctype = h.atom(f), "application/atom+xml; charset=utf-8"
	} else {
		doc, ctype = h.rss(f, src), "application/rss+xml; charset=utf-8"
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		h.serverError(w, r, err)
		return
	}
	writeFeed(w, ctype, buf.Bytes())
}

func writeFeed(w http.ResponseWriter, ctype string, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAgeFeed.Seconds())))
	w.WriteHeader(http.StatusOK)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}

// feedPost keeps the post behind each feed item, for what the generic
// feed cannot say (language, plain-text summary).
type feedPost struct {
	item *feeds.Item
	post *newsroom.Post
	org  *newsroom.Organisation
}

// builtFeed is the generic feed and its posts.
type builtFeed struct {
	*feeds.Feed
	posts []feedPost
	atom  string // the feed's own URLs, by format
	rss   string
}

func (h *Handler) buildFeed(ctx context.Context, src *feedSource, siteName string) (*builtFeed, error) {
	f := src.filter
	f.Limit = feedSize
	posts, err := h.store.ListPosts(ctx, published(f))
	if err != nil {
		return nil, err
	}
	out := &builtFeed{Feed: &feeds.Feed{Title: siteName, Link: &feeds.Link{Href: h.urls.Base() + "/"}},
		atom: h.urls.SiteAtom(), rss: h.urls.SiteRSS()}
	if o := src.org; o != nil {
		out.Title = o.Name + " · " + siteName
		out.Link.Href = h.urls.Org(o.Handle)
		out.Description = truncate(o.Bio, 300)
		out.atom, out.rss = h.urls.OrgAtom(o.Handle), h.urls.OrgRSS(o.Handle)
	}
	if out.Description == "" {
		out.Description = siteName
	}
	for i := range posts {
		p := &posts[i]
		org, ok := src.orgs[p.OrgID]
		if !ok {
			continue
		}
		link := h.urls.Post(org.Handle, p.ID)
		it := &feeds.Item{
			Title: p.Title, Link: &feeds.Link{Href: link}, Id: link, IsPermaLink: "true",
			Description: summaryOf(p, 500), Content: h.policy.Sanitize(p.BodyHTML),
			Author: &feeds.Author{Name: org.Name}, Created: p.PublishedAt, Updated: lastChange(p),
		}
		out.Items = append(out.Items, it)
		out.posts = append(out.posts, feedPost{item: it, post: p, org: org})
		if u := lastChange(p); u.After(out.Updated) {
			out.Updated = u
		}
	}
	if out.Updated.IsZero() {
		out.Updated = time.Unix(0, 0).UTC()
	}
	return out, nil
}

// atomFeed is gorilla's AtomFeed with room for two links: the page
// (alternate) and the feed's own URL (self), which Atom asks for and feed
// readers use to follow a feed that moved.
type atomFeed struct {
	XMLName  xml.Name `xml:"feed"`
	Xmlns    string   `xml:"xmlns,attr"`
	Title    string   `xml:"title"`
	Id       string   `xml:"id"`
	Updated  string   `xml:"updated"`
	Subtitle string   `xml:"subtitle,omitempty"`
	Links    []*feeds.AtomLink
	Author   *feeds.AtomAuthor  `xml:"author,omitempty"`
	Entries  []*feeds.AtomEntry `xml:"entry"`
}

// atom adjusts gorilla's Atom document: the feed's id is its own URL, the
// page is the alternate link, summaries are plain text, and entries carry
// their publication date.
func (h *Handler) atom(f *builtFeed) *atomFeed {
	af := (&feeds.Atom{Feed: f.Feed}).AtomFeed()
	af.Id = f.atom
	for i, e := range af.Entries {
		p := f.posts[i]
		if e.Summary != nil {
			e.Summary.Type = "text"
		}
		e.Published = p.post.PublishedAt.UTC().Format(time.RFC3339)
		e.Updated = lastChange(p.post).UTC().Format(time.RFC3339)
		e.Author.Uri = h.urls.Org(p.org.Handle)
	}
	return &atomFeed{Xmlns: af.Xmlns, Title: af.Title, Id: af.Id, Updated: af.Updated, Subtitle: af.Subtitle,
		Links: []*feeds.AtomLink{
			{Href: f.Link.Href, Rel: "alternate", Type: "text/html"},
			{Href: f.atom, Rel: "self", Type: "application/atom+xml"},
		},
		Author: af.Author, Entries: af.Entries}
}

// rss adjusts gorilla's RSS document: RSS wants an email address as
// author, which organisations need not publish, so authors are left out;
// descriptions are HTML in RSS, so our plain-text summaries are escaped;
// the channel's language is the organisation's.
func (h *Handler) rss(f *builtFeed, src *feedSource) any {
	f.Description = html.EscapeString(f.Description)
	for _, it := range f.Items {
		it.Author = nil
		it.Description = html.EscapeString(it.Description)
	}
	rf := (&feeds.Rss{Feed: f.Feed}).RssFeed()
	if src.org != nil {
		rf.Language = src.org.DefaultLang
	}
	return rf.FeedXml()
}
