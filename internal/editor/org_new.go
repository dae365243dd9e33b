package editor

import (
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
)

// NewOrg creates an organisation: a new actor, with its own key pair,
// that fediverse users can follow at once.
func (h *Handler) NewOrg(w http.ResponseWriter, r *http.Request) {
	// A new organisation writes, until told otherwise, in the language of
	// the administrator creating it.
	form := orgForm{DefaultLang: h.uiLang(r), DefaultObjectType: string(newsroom.ObjectAuto), Actor: string(newsroom.ActorOrganization)}
	var v newsroom.ValidationError
	if r.Method == http.MethodPost {
		form = parseOrgForm(r)
		if form.Handle == "" {
			// Most handles are the name, lowercased and hyphenated.
			form.Handle = newsroom.SuggestHandle(form.Name)
		}
		if err := h.takeOrgImages(r, &form, &v); err != nil {
			h.serverError(w, r, err)
			return
		}
		o := &newsroom.Organisation{Handle: form.Handle}
		form.apply(o)
		if v.Err() != nil {
			mergeErrors(&v, h.orgs.Validate(*o))
		} else {
			err := h.orgs.Create(r.Context(), o)
			if err == nil {
				redirect(w, r, "/admin/organisations", "created")
				return
			}
			if !mergeErrors(&v, err) {
				h.fail(w, r, err)
				return
			}
		}
	}
	h.renderOrg(w, r, "orgs.new", orgPage{Form: form, New: true, Action: "/admin/organisations/new"}, &v)
}
