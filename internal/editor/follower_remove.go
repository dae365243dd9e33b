package editor

import (
	"net/http"
)

// RemoveFollower stops delivering an organisation's posts to one follower.
// Their server is not sent a Reject yet, so it may still list the follow
// until the person unfollows or follows again.
func (h *Handler) RemoveFollower(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.store.RemoveFollower(r.Context(), org.ID, r.PostFormValue("actor_id")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.cache.Invalidate()
	redirect(w, r, "/admin/orgs/"+org.Handle+"/followers", "removed")
}
