package editor

import "net/http"

// RemoveFeed stops importing a website feed; the posts it brought stay.
func (h *Handler) RemoveFeed(w http.ResponseWriter, r *http.Request) {
	org, src, err := h.sourceFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.feeds.Remove(r.Context(), src.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, feedsPath(org), "feed_removed")
}
