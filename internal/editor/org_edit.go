package editor

import (
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
)

// EditOrg changes an organisation's profile. The handle never changes: it
// is part of the actor's address that followers know.
func (h *Handler) EditOrg(w http.ResponseWriter, r *http.Request) {
	org, err := h.store.OrgByHandle(r.Context(), param(r, "handle"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := orgFormFrom(org)
	var v newsroom.ValidationError
	if r.Method == http.MethodPost {
		form = parseOrgForm(r)
		form.Handle = org.Handle
		if err := h.takeOrgImages(r, &form, &v); err != nil {
			h.serverError(w, r, err)
			return
		}
		o := *org
		form.apply(&o)
		if v.Err() != nil {
			mergeErrors(&v, h.orgs.Validate(o))
		} else {
			err := h.orgs.Update(r.Context(), &o)
			if err == nil {
				redirect(w, r, "/admin/organisations", "saved")
				return
			}
			if !mergeErrors(&v, err) {
				h.fail(w, r, err)
				return
			}
		}
	}
	h.renderOrg(w, r, "orgs.edit", orgPage{Form: form, Action: "/admin/organisations/edit/" + org.Handle}, &v)
}
