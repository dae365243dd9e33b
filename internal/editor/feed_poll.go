package editor

import "net/http"

// PollFeed queues a poll of a website feed now, beside its regular ones.
func (h *Handler) PollFeed(w http.ResponseWriter, r *http.Request) {
	org, src, err := h.sourceFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.feeds.PollSoon(r.Context(), src.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, feedsPath(org), "feed_polling")
}
