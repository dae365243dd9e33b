package inbox

import (
	"context"
	"errors"
	"html"
	"net/http"
	"sort"
	"strings"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/htmltext"
	"github.com/soga/newsroom/internal/network"
	"github.com/soga/newsroom/internal/newsroom"
)

// postTypes are the objects a person publishes: Mastodon's Note, the
// Article of WordPress and other blogs, Lemmy's Page.
var postTypes = map[string]bool{"Note": true, "Article": true, "Page": true}

// publicNames are the ways a document says "public": the full IRI, and
// the compacted forms some servers send.
var publicNames = map[string]bool{ap.Public: true, "as:Public": true, "Public": true}

// answer applies an Accept or Reject of one of our Follows. Whose Follow
// it was is read from our own records by the Follow's id, never from an
// embedded copy; and only the followed account may answer it (the signer
// is the actor, checked before dispatch).
func (h *Handler) answer(ctx context.Context, rec newsroom.InboxActivity, a *Activity) error {
	if h.network == nil || a.ObjectID == "" {
		return h.audience.Ignore(ctx, rec)
	}
	err := h.network.Answer(ctx, rec, a.Actor, a.ObjectID, a.Type == "Accept")
	if errors.Is(err, network.ErrNotFollowed) {
		return h.audience.Ignore(ctx, rec)
	}
	return err
}

// endNetwork stops boosting actorID for orgID (every organisation for 0).
func (h *Handler) endNetwork(ctx context.Context, actorID string, orgID int64, state newsroom.NetworkState) error {
	if h.network == nil {
		return nil
	}
	return h.network.End(ctx, actorID, orgID, state)
}

// updatePost applies an edit of a post: a boosted one made non-public is
// unboosted; any other edit only refreshes what the Network page shows.
func (h *Handler) updatePost(ctx context.Context, rec newsroom.InboxActivity, a *Activity, note noter) error {
	if attributedTo(note) != a.Actor || !transport.SameHost(a.ObjectID, a.Actor) {
		return fail(http.StatusForbidden, "object not attributed to the sender")
	}
	post, public := h.remotePost(a, note)
	err := h.network.Update(ctx, rec, post, public)
	if errors.Is(err, network.ErrNotBoosted) {
		return h.audience.Ignore(ctx, rec)
	}
	return err
}

// remotePost reads what the rules and the public pages need of a post,
// and whether it is public. Its HTML is sanitised to text and links.
func (h *Handler) remotePost(a *Activity, note noter) (newsroom.RemotePost, bool) {
	p := newsroom.RemotePost{ObjectID: a.ObjectID, ActorID: a.Actor, URL: a.ObjectID}
	if c := note.GetActivityStreamsContent(); c != nil && c.Len() > 0 {
		if c.At(0).IsXMLSchemaString() {
			p.ContentHTML = c.At(0).GetXMLSchemaString()
		} else if c.At(0).IsRDFLangString() {
			m := c.At(0).GetRDFLangString()
			langs := make([]string, 0, len(m))
			for l := range m {
				langs = append(langs, l)
			}
			sort.Strings(langs)
			if len(langs) > 0 {
				p.Lang, p.ContentHTML = langs[0], m[langs[0]]
			}
		}
	}
	p.ContentHTML = htmltext.SanitizeRemote(p.ContentHTML)
	if len(p.ContentHTML) > maxReplyHTML {
		// Mastodon keeps 500 characters of a status, Misskey 3,000: what is
		// longer is a page of text, kept as its first characters.
		p.ContentHTML = "<p>" + html.EscapeString(htmltext.Excerpt(htmltext.PlainText(p.ContentHTML), maxReplyPlainText)) + "</p>"
	}
	if pub := note.GetActivityStreamsPublished(); pub != nil && pub.IsXMLSchemaDateTime() {
		p.Published = pub.Get().UTC()
	} else {
		p.Published = h.now().UTC()
	}
	if u := note.GetActivityStreamsUrl(); u != nil && u.Len() > 0 && u.At(0).IsIRI() {
		if s := u.At(0).GetIRI().String(); isHTTPURL(s) && transport.SameHost(s, a.Actor) {
			p.URL = s
		}
	}
	if irt := note.GetActivityStreamsInReplyTo(); irt != nil && irt.Len() > 0 {
		p.InReplyTo = iterID(irt.At(0))
	}
	// go-fed v1.0.0 knows neither Hashtag nor sensitive: they are read
	// from the JSON, as convert writes them.
	obj, _ := a.Raw["object"].(map[string]any)
	p.Sensitive, _ = obj["sensitive"].(bool)
	tags, _ := obj["tag"].([]any)
	if t, ok := obj["tag"].(map[string]any); ok {
		tags = []any{t}
	}
	for _, t := range tags {
		m, _ := t.(map[string]any)
		if name, _ := m["name"].(string); m["type"] == "Hashtag" && name != "" {
			p.Tags = append(p.Tags, strings.TrimPrefix(name, "#"))
		}
	}
	if p.Lang == "" {
		if cm, ok := obj["contentMap"].(map[string]any); ok {
			for l := range cm {
				if p.Lang == "" || l < p.Lang {
					p.Lang = l
				}
			}
		}
	}
	public := false
	if to := note.GetActivityStreamsTo(); to != nil {
		for i := 0; i < to.Len(); i++ {
			public = public || publicNames[iterID(to.At(i))]
		}
	}
	if cc := note.GetActivityStreamsCc(); cc != nil {
		for i := 0; i < cc.Len(); i++ {
			public = public || publicNames[iterID(cc.At(i))]
		}
	}
	return p, public
}
