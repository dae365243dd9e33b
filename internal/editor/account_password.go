package editor

import (
	"errors"
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

// AccountPassword changes the user's own password. The current one is
// asked again, so a browser left open is not enough to take the account;
// every other session ends and this browser gets a fresh one.
func (h *Handler) AccountPassword(w http.ResponseWriter, r *http.Request) {
	cur := currentFrom(r.Context())
	var v newsroom.ValidationError
	current, next := r.PostFormValue("current_password"), r.PostFormValue("new_password")
	key := "account:" + cur.user.Email
	if !h.throttle.Allowed(key) {
		v.Add("current_password", "throttled")
	} else if _, err := h.users.Authenticate(r.Context(), cur.user.Email, current); errors.Is(err, users.ErrBadCredentials) {
		h.throttle.Add(key)
		v.Add("current_password", "password_wrong")
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := newsroom.ValidatePassword(next); err != nil {
		v.Add("new_password", "password_too_short")
	}
	if v.Err() != nil {
		h.renderAccount(w, r, accountForm{Lang: cur.user.Lang}, &v)
		return
	}
	if err := h.users.SetPassword(r.Context(), cur.user.ID, next); err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.startSession(r.Context(), w, cur.user); err != nil {
		h.serverError(w, r, err)
		return
	}
	redirect(w, r, "/admin/account", "password")
}
