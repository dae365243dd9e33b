package editor

import (
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
)

type deletePage struct {
	Post *newsroom.Post
	Org  *newsroom.Organisation
}

// DeletePost asks for confirmation (GET) and deletes (POST). A published
// post is followed by a Delete to every server that received it; its
// address then answers 410 Gone.
func (h *Handler) DeletePost(w http.ResponseWriter, r *http.Request) {
	post, org, err := h.postFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.Method == http.MethodPost {
		if err := h.posts.Delete(r.Context(), post.ID); err != nil {
			h.fail(w, r, err)
			return
		}
		redirect(w, r, "/admin/orgs/"+org.Handle+"/posts", "deleted")
		return
	}
	p := h.page(r, "post.delete.title")
	p.Data = deletePage{Post: post, Org: org}
	h.render(w, r, http.StatusOK, "admin_post_delete", p)
}
