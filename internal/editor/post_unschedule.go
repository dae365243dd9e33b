package editor

import (
	"errors"
	"net/http"

	"github.com/soga/newsroom/internal/posts"
)

// Unschedule calls back a scheduled post: it becomes a draft again, to be
// edited and scheduled or published later. A post whose time came while
// the editor clicked is published already, and the dashboard says so.
func (h *Handler) Unschedule(w http.ResponseWriter, r *http.Request) {
	post, _, err := h.postFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_, err = h.posts.Unschedule(r.Context(), post.ID)
	switch {
	case errors.Is(err, posts.ErrAlreadyPublished):
		redirect(w, r, "/admin/", "too_late")
	case err != nil:
		h.fail(w, r, err)
	default:
		redirect(w, r, "/admin/", "unscheduled")
	}
}
