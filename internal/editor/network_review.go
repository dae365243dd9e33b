package editor

import "net/http"

// ReviewBoost approves (boosts) or refuses a member's post waiting for
// review.
func (h *Handler) ReviewBoost(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	object := r.PostFormValue("object_id")
	done := "boosted"
	if r.PostFormValue("decision") == "refuse" {
		err, done = h.network.Refuse(r.Context(), org, object), "refused"
	} else {
		err = h.network.Approve(r.Context(), org, object)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/orgs/"+org.Handle+"/network", done)
}
