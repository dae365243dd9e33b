package editor

import (
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

// NewUser creates an account. The administrator chooses a first password
// and hands it over; the person changes it on their account page.
func (h *Handler) NewUser(w http.ResponseWriter, r *http.Request) {
	orgs, err := h.store.ListOrgs(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var form userForm
	var v newsroom.ValidationError
	if r.Method == http.MethodPost {
		form = parseUserForm(r)
		_, err := h.users.Create(r.Context(), users.NewUser{Email: form.Email, Name: form.Name,
			Password: r.PostFormValue("password"), IsAdmin: form.IsAdmin, Lang: form.Lang, OrgIDs: form.OrgIDs})
		if err == nil {
			redirect(w, r, "/admin/users", "created")
			return
		}
		if !mergeErrors(&v, err) {
			h.fail(w, r, err)
			return
		}
	}
	h.renderUser(w, r, "users.new", userPage{Form: form, Orgs: orgs, Action: "/admin/users/new"}, &v)
}
