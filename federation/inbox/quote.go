package inbox

import (
	"context"
	"errors"
	"net/http"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/newsroom"
)

// quoteTerms are the properties a quoting post names the quoted one by:
// FEP-044f's quote, and the older quoteUrl (Misskey, Akkoma), quoteUri
// (Fedibird) and _misskey_quote that Mastodon also reads.
var quoteTerms = []string{"quote", "quoteUrl", "quoteUri", "_misskey_quote"}

// rawID is the id of a JSON-LD value given as a link or an object.
func rawID(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		id, _ := v["id"].(string)
		return id
	}
	return ""
}

// quoteRequest answers a FEP-044f QuoteRequest for one of our posts. Its
// actor signed it (checked before); its instrument, the quoting post,
// must be that actor's, live on the actor's host and quote our post. An
// embedded instrument is trusted only when it says so itself (the rule
// of Create); otherwise it is fetched from its id, by a signed GET
// through the address-checked client. QuoteRequest is not in go-fed's
// vocabulary, so the activity is read from its JSON; the quoting post,
// a Note or Article, is read with go-fed.
func (h *Handler) quoteRequest(ctx context.Context, rec newsroom.InboxActivity, a *Activity, signer *newsroom.RemoteActor) error {
	target := rawID(a.Raw["object"])
	postID := h.ourPost(ctx, target)
	if postID == "" {
		return h.audience.Ignore(ctx, rec)
	}
	post, err := h.store.PostByID(ctx, postID)
	if err != nil {
		return err
	}
	handle, _, _ := h.urls.PostFromURL(target)
	org := h.ourOrg(ctx, h.urls.Org(handle))
	if org == nil {
		return h.audience.Ignore(ctx, rec)
	}
	objectID := rawID(a.Raw["instrument"])
	if !isHTTPURL(objectID) || !transport.SameHost(objectID, a.Actor) {
		return fail(http.StatusBadRequest, "QuoteRequest without a quoting post on the actor's host")
	}
	raw, _ := a.Raw["instrument"].(map[string]any)
	if raw == nil || rawID(raw["attributedTo"]) != a.Actor {
		if raw, err = h.fetchObject(ctx, objectID); err != nil {
			return failWith(http.StatusBadRequest, "quoting post unavailable", err)
		}
	}
	if _, ok := raw["@context"]; !ok {
		// An embedded object inherits the activity's context, which
		// go-fed needs to see on the object itself.
		withContext := make(map[string]any, len(raw)+1)
		for k, v := range raw {
			withContext[k] = v
		}
		withContext["@context"] = a.Raw["@context"]
		raw = withContext
	}
	t, err := toType(ctx, raw)
	if err != nil {
		return fail(http.StatusBadRequest, "quoting post is not an ActivityStreams object")
	}
	note, ok := t.(noter)
	if !ok || !postTypes[note.GetTypeName()] || typeID(t) != objectID {
		return fail(http.StatusBadRequest, "quoting post is not a post")
	}
	if attributedTo(t) != a.Actor {
		return fail(http.StatusForbidden, "quoting post not attributed to the sender")
	}
	if !quotes(raw, target) {
		return fail(http.StatusBadRequest, "quoting post does not quote this post")
	}
	// A quote may wait for an editor like a reply: it counts against the
	// same limits per author and per server.
	if !h.allowReply(signer) {
		return fail(http.StatusTooManyRequests, "too many requests; try again later")
	}
	p, _ := h.remotePost(&Activity{ObjectID: objectID, Actor: a.Actor, Raw: map[string]any{"object": raw}}, note)
	inbox := signer.Inbox
	if inbox == "" {
		inbox = signer.SharedInbox
	}
	q := newsroom.Quote{ID: h.newID(), RequestID: a.ID, ActorID: a.Actor, Inbox: inbox,
		ObjectID: objectID, URL: p.URL, ContentHTML: p.ContentHTML}
	return h.audience.Quote(ctx, rec, org, post, q)
}

// quotes reports whether the post raw names target as what it quotes.
func quotes(raw map[string]any, target string) bool {
	for _, k := range quoteTerms {
		if rawID(raw[k]) == target {
			return true
		}
	}
	return false
}

// fetchObject fetches a remote object by a signed GET; the fetcher checks
// that the document's id is where it was served from.
func (h *Handler) fetchObject(ctx context.Context, id string) (map[string]any, error) {
	if h.keys == nil || h.keys.fetcher == nil {
		return nil, errors.New("no fetcher")
	}
	body, err := h.keys.fetcher.Fetch(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkShape(body); err != nil {
		return nil, err
	}
	return decodeMap(body)
}

// applyExtension dispatches an activity of a type go-fed does not know.
func (h *Handler) applyExtension(ctx context.Context, a *Activity, signer *newsroom.RemoteActor, org *newsroom.Organisation, body []byte) error {
	rec := h.record(a, org, body)
	if a.Type == "QuoteRequest" {
		return h.quoteRequest(ctx, rec, a, signer)
	}
	return h.audience.Ignore(ctx, rec)
}
