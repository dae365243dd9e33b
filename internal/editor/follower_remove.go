package editor

import (
	"net/http"
)

// RemoveFollower stops delivering an organisation's posts to one follower,
// whose server is sent a Reject of their Follow.
func (h *Handler) RemoveFollower(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.audience.RemoveFollower(r.Context(), org.ID, r.PostFormValue("actor_id")); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/orgs/"+org.Handle+"/followers", "removed")
}
