package editor

import "net/http"

// Orgs lists every organisation, for administrators.
func (h *Handler) Orgs(w http.ResponseWriter, r *http.Request) {
	list, err := h.store.ListOrgs(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	p := h.page(r, "orgs.title")
	p.Data = list
	h.render(w, r, http.StatusOK, "admin_orgs", p)
}
