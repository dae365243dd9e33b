package editor

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

// EditUser changes an account's name, language, role and organisations.
// Administrators cannot take their own role away: the last one would
// lock everybody out of this page.
func (h *Handler) EditUser(w http.ResponseWriter, r *http.Request) {
	u, err := h.userFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := h.store.ListOrgs(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	ids, err := h.store.UserOrgIDs(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	self := currentFrom(r.Context()).user.ID == u.ID
	form := userForm{Email: u.Email, Name: u.Name, Lang: u.Lang, IsAdmin: u.IsAdmin, OrgIDs: ids}
	var v newsroom.ValidationError
	if r.Method == http.MethodPost {
		form = parseUserForm(r)
		form.Email = u.Email
		if self {
			form.IsAdmin = u.IsAdmin
		}
		err := h.users.Update(r.Context(), u.ID, users.Profile{Name: form.Name, Lang: form.Lang,
			IsAdmin: form.IsAdmin, OrgIDs: form.OrgIDs})
		if err == nil {
			redirect(w, r, "/admin/users", "saved")
			return
		}
		if !mergeErrors(&v, err) {
			h.fail(w, r, err)
			return
		}
	}
	h.renderUser(w, r, "users.edit.title", userPage{Form: form, User: u, Orgs: orgs, Self: self,
		Action: "/admin/users/edit/" + strconv.FormatInt(u.ID, 10)}, &v)
}

// userFor is the account named by the route's :id.
func (h *Handler) userFor(r *http.Request) (*newsroom.User, error) {
	raw := param(r, "id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", raw, newsroom.ErrNotFound)
	}
	return h.store.UserByID(r.Context(), id)
}
