package editor

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// listLimit bounds each section of the posts list. Older posts remain on
// the public site; the editor shows what people still work on.
const listLimit = 50

type postRow struct {
	Post     newsroom.Post
	URL      string
	Activity string // Create or Update: the delivery the progress is about
	Progress newsroom.DeliveryProgress
	Likes    int
	Boosts   int
	Replies  int
	Pending  int // replies awaiting moderation
	// When is the scheduled time; the page shows it in the user's zone.
	When time.Time
}

type postsPage struct {
	Org                          *newsroom.Organisation
	Drafts, Scheduled, Published []postRow
}

// Posts lists an organisation's drafts, scheduled and published posts,
// with how far each published post travelled and how people reacted.
func (h *Handler) Posts(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	data := postsPage{Org: org}
	lists, err := h.store.ListPostsByStatus(ctx, org.ID, map[newsroom.PostStatus]int{
		newsroom.StatusDraft: listLimit, newsroom.StatusScheduled: listLimit, newsroom.StatusPublished: listLimit})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for status, dst := range map[newsroom.PostStatus]*[]postRow{
		newsroom.StatusDraft: &data.Drafts, newsroom.StatusScheduled: &data.Scheduled, newsroom.StatusPublished: &data.Published,
	} {
		for _, p := range lists[status] {
			*dst = append(*dst, h.postRowOf(org, p))
		}
	}
	if err := h.addStats(ctx, org, data.Published); err != nil {
		h.serverError(w, r, err)
		return
	}
	p := h.page(r, "posts.title")
	p.Data = data
	h.render(w, r, http.StatusOK, "admin_posts", p)
}

// postRowOf is p as the lists show it, before addStats.
func (h *Handler) postRowOf(org *newsroom.Organisation, p newsroom.Post) postRow {
	return postRow{Post: p, URL: h.urls.Post(org.Handle, p.ID), When: p.PublishAt}
}

// addStats fills delivery progress and reaction counts. The progress is
// that of each post's latest Create or Update: an edit is delivered anew
// to every follower, and that journey is the one still under way.
func (h *Handler) addStats(ctx context.Context, org *newsroom.Organisation, rows []postRow) error {
	ids := make([]string, len(rows))
	for i, row := range rows {
		ids[i] = row.Post.ID
	}
	stats, err := h.store.PostStats(ctx, ids)
	if err != nil {
		return fmt.Errorf("posts of %s: %w", org.Handle, err)
	}
	for i := range rows {
		row := &rows[i]
		s := stats[row.Post.ID]
		row.Activity, row.Progress = s.Activity, s.Progress
		row.Likes, row.Boosts, row.Replies, row.Pending = s.Likes, s.Boosts, s.Replies, s.PendingReplies
	}
	return nil
}
