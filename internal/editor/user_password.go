package editor

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/soga/newsroom/internal/newsroom"
)

// ResetPassword sets a new password for someone who lost theirs. Their
// sessions end: whoever held the old password is logged out.
func (h *Handler) ResetPassword(w http.ResponseWriter, r *http.Request) {
	u, err := h.userFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	err = h.users.SetPassword(r.Context(), u.ID, r.PostFormValue("password"))
	if mergeErrors(&newsroom.ValidationError{}, err) {
		v := &newsroom.ValidationError{}
		v.Add("password", "password_too_short")
		orgs, lerr := h.store.ListOrgs(r.Context())
		ids, ierr := h.store.UserOrgIDs(r.Context(), u.ID)
		if lerr != nil || ierr != nil {
			h.serverError(w, r, fmt.Errorf("reset password form: %v %v", lerr, ierr))
			return
		}
		form := userForm{Email: u.Email, Name: u.Name, Lang: u.Lang, IsAdmin: u.IsAdmin, OrgIDs: ids}
		h.renderUser(w, r, "users.edit.title", userPage{Form: form, User: u, Orgs: orgs,
			Self:   currentFrom(r.Context()).user.ID == u.ID,
			Action: "/admin/users/edit/" + strconv.FormatInt(u.ID, 10)}, v)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/users", "password")
}
