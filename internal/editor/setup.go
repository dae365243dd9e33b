package editor

import (
	"errors"
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

type setupForm struct {
	Email, Name string
}

// Setup shows and handles the one-time form that creates the first
// administrator.
func (h *Handler) Setup(w http.ResponseWriter, r *http.Request) {
	token := param(r, "token")
	p := h.page(r, "setup.title")
	form := setupForm{}
	if r.Method != http.MethodPost {
		switch err := h.users.CheckSetupToken(r.Context(), token); {
		case errors.Is(err, newsroom.ErrNotFound):
			h.setupInvalid(w, r)
			return
		case err != nil:
			h.serverError(w, r, err)
			return
		}
	} else {
		if !h.checkPreSessionToken(r) {
			h.csrfFailure(w, r)
			return
		}
		form = setupForm{Email: r.PostFormValue("email"), Name: r.PostFormValue("name")}
		u, err := h.users.CompleteSetup(r.Context(), token, users.NewUser{
			Email: form.Email, Name: form.Name, Password: r.PostFormValue("password"), Lang: p.Lang})
		var v *newsroom.ValidationError
		switch {
		case err == nil:
			if err := h.startSession(r.Context(), w, u); err != nil {
				h.serverError(w, r, err)
				return
			}
			http.Redirect(w, r, "/admin/", http.StatusSeeOther)
			return
		case errors.As(err, &v):
			p.Errors = v.Fields
		case errors.Is(err, newsroom.ErrNotFound):
			h.setupInvalid(w, r)
			return
		default:
			h.serverError(w, r, err)
			return
		}
	}
	p.CSRF = h.preSessionToken(w, r)
	p.Data = form
	status := http.StatusOK
	if p.Errors != nil {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, status, "setup", p)
}

func (h *Handler) setupInvalid(w http.ResponseWriter, r *http.Request) {
	p := h.page(r, "setup.invalid.title")
	p.Data = map[string]string{"Title": "setup.invalid.title", "Text": "setup.invalid.text", "Link": "/login", "LinkText": "login.link"}
	h.render(w, r, http.StatusNotFound, "message", p)
}
