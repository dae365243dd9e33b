package editor

import (
	"errors"
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
	"github.com/soga/newsroom/internal/view"
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
	p.Data = form
	h.renderPreSession(w, r, "setup", p)
}

// renderPreSession renders a form of someone not logged in yet, with its
// double-submit token, as 422 when it carries errors.
func (h *Handler) renderPreSession(w http.ResponseWriter, r *http.Request, name string, p *view.Page) {
	p.CSRF = h.preSessionToken(w, r)
	status := http.StatusOK
	if p.Errors != nil {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, status, name, p)
}

func (h *Handler) setupInvalid(w http.ResponseWriter, r *http.Request) {
	h.deadLink(w, r, "setup.invalid.title", "setup.invalid.text")
}

// deadLink says that a one-time link was used or has expired, and leads
// to the login page.
func (h *Handler) deadLink(w http.ResponseWriter, r *http.Request, title, text string) {
	p := h.page(r, title)
	p.Data = map[string]string{"Title": title, "Text": text, "Link": "/login", "LinkText": "login.link"}
	h.render(w, r, http.StatusNotFound, "message", p)
}
