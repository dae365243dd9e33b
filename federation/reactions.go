package federation

import (
	"context"
	"net/http"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// ReactionSource counts the likes and boosts of a post (the store's
// Interactions).
type ReactionSource interface {
	CountInteractions(ctx context.Context, postID string) (likes, announces int, err error)
}

// addReactions gives a post's object its likes and shares collections
// with their totalItems, as Mastodon's objects carry them.
func (h *Handler) addReactions(ctx context.Context, doc map[string]any, org *newsroom.Organisation, p *newsroom.Post) error {
	if h.reactions == nil {
		return nil
	}
	likes, shares, err := h.reactions.CountInteractions(ctx, p.ID)
	if err != nil {
		return err
	}
	if doc["likes"], err = h.convert.Counted(h.urls.PostLikes(org.Handle, p.ID), likes); err != nil {
		return err
	}
	doc["shares"], err = h.convert.Counted(h.urls.PostShares(org.Handle, p.ID), shares)
	return err
}

// ServePostLikes answers GET /orgs/{handle}/posts/{id}/likes: the count.
func (h *Handler) ServePostLikes(w http.ResponseWriter, r *http.Request, handle, id string) {
	h.serveCounted(w, r, handle, id, "likes")
}

// ServePostShares answers GET /orgs/{handle}/posts/{id}/shares: the count.
func (h *Handler) ServePostShares(w http.ResponseWriter, r *http.Request, handle, id string) {
	h.serveCounted(w, r, handle, id, "shares")
}

// serveCounted serves one of the collections the post's object embeds,
// under the id it gives there, for servers that dereference it.
func (h *Handler) serveCounted(w http.ResponseWriter, r *http.Request, handle, id, which string) {
	org, ok := h.findOrg(w, r, handle)
	if !ok {
		return
	}
	if h.posts == nil || h.reactions == nil {
		h.fail(w, r, newsroom.ErrNotFound)
		return
	}
	p, err := h.posts.PostByID(r.Context(), id)
	if err == nil && (p.OrgID != org.ID || p.Status != newsroom.StatusPublished) {
		err = newsroom.ErrNotFound
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	doc := map[string]any{}
	if err := h.addReactions(r.Context(), doc, org, p); err != nil {
		h.fail(w, r, err)
		return
	}
	m := doc[which].(map[string]any)
	m["@context"] = ap.ActivityStreamsNS
	writeActivity(w, r, m, maxAgeCollection)
}
