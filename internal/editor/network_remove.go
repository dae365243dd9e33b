package editor

import "net/http"

// RemoveNetworkAccount stops following a member's account; its server is
// sent the Undo of our Follow.
func (h *Handler) RemoveNetworkAccount(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.network.Remove(r.Context(), org, r.PostFormValue("actor_id")); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/orgs/"+org.Handle+"/network", "removed")
}
