package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// PostSource finds our posts (the store's Posts), tombstones included.
type PostSource interface {
	PostByID(ctx context.Context, id string) (*newsroom.Post, error)
}

// maxAgePost: every follower's server fetches a new post within seconds
// of its delivery; a minute of caching absorbs that stampede, and edits
// reach followers by Update anyway.
const maxAgePost = 60 * time.Second

// ServePost answers GET /orgs/{handle}/posts/{id} for ActivityStreams
// clients: the Note, Article or Event as published; 410 with the
// Tombstone once deleted; 404 for drafts and scheduled posts, which do
// not exist for the public yet.
func (h *Handler) ServePost(w http.ResponseWriter, r *http.Request, handle, id string) {
	org, ok := h.findOrg(w, r, handle)
	if !ok {
		return
	}
	if h.posts == nil {
		h.fail(w, r, newsroom.ErrNotFound)
		return
	}
	ctx := r.Context()
	p, err := h.posts.PostByID(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if p.OrgID != org.ID {
		h.fail(w, r, newsroom.ErrNotFound)
		return
	}
	switch p.Status {
	case newsroom.StatusPublished:
	case newsroom.StatusDeleted:
		h.serveTombstone(w, r, org, p)
		return
	default:
		h.fail(w, r, newsroom.ErrNotFound)
		return
	}
	media, err := h.postMedia(ctx, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	doc, err := h.convert.Object(org, p, media)
	if err == nil {
		err = h.addReactions(ctx, doc, org, p)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeActivity(w, r, doc, maxAgePost)
}

// serveTombstone answers 410 with the Tombstone, which tells a server that
// fetches a deleted post what it was and that it is gone for good.
func (h *Handler) serveTombstone(w http.ResponseWriter, r *http.Request, org *newsroom.Organisation, p *newsroom.Post) {
	doc, err := h.convert.Tombstone(org, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeActivityStatus(w, r, http.StatusGone, doc)
}

// postMedia loads the media rows of p's attachments. A missing row drops
// that picture, not the post.
func (h *Handler) postMedia(ctx context.Context, p *newsroom.Post) ([]newsroom.Media, error) {
	if h.media == nil {
		return nil, nil
	}
	rows := make([]newsroom.Media, 0, len(p.Media))
	for _, pm := range p.Media {
		m, err := h.media.MediaByID(ctx, pm.MediaID)
		if errors.Is(err, newsroom.ErrNotFound) {
			h.log.WarnContext(ctx, "post media not found", slog.String("post", p.ID), slog.String("media", pm.MediaID))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("media %s of post %s: %w", pm.MediaID, p.ID, err)
		}
		rows = append(rows, *m)
	}
	return rows, nil
}
