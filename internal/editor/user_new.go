package editor

import (
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

// NewUser creates an account without a password and shows the
// administrator the one-time link to hand over, with which its owner
// chooses their password: nobody else ever knows it.
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
		link, err := h.users.Invite(r.Context(), users.NewUser{Email: form.Email, Name: form.Name,
			IsAdmin: form.IsAdmin, Lang: form.Lang, OrgIDs: form.OrgIDs})
		if err == nil {
			h.showLink(w, r, newsroom.TokenInvite, link)
			return
		}
		if !mergeErrors(&v, err) {
			h.fail(w, r, err)
			return
		}
	}
	h.renderUser(w, r, "users.new", userPage{Form: form, Orgs: orgs, Action: "/admin/users/new"}, &v)
}
