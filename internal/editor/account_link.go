package editor

import (
	"errors"
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
)

type accountLinkForm struct {
	Email string
	Intro string // message id of the text above the form
}

// Invitation serves /invite/:token, where someone an administrator
// created chooses their password.
func (h *Handler) Invitation(w http.ResponseWriter, r *http.Request) {
	h.accountLink(w, r, newsroom.TokenInvite)
}

// PasswordReset serves /reset/:token, where someone who lost their
// password chooses another.
func (h *Handler) PasswordReset(w http.ResponseWriter, r *http.Request) {
	h.accountLink(w, r, newsroom.TokenReset)
}

// accountLink shows and handles the password form of a one-time link;
// once the password is saved the person is logged in, and the link, the
// account's other links and its sessions are spent.
func (h *Handler) accountLink(w http.ResponseWriter, r *http.Request, purpose newsroom.TokenPurpose) {
	token := param(r, "token")
	title, intro := "link.invite.title", "link.invite.intro"
	if purpose == newsroom.TokenReset {
		title, intro = "link.reset.title", "link.reset.intro"
	}
	u, err := h.users.CheckLink(r.Context(), token, purpose)
	switch {
	case errors.Is(err, newsroom.ErrNotFound):
		h.linkInvalid(w, r)
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	p := h.page(r, title)
	if r.Method == http.MethodPost {
		if !h.checkPreSessionToken(r) {
			h.csrfFailure(w, r)
			return
		}
		password := r.PostFormValue("password")
		if len(password) > maxPasswordLen {
			password = "" // refused as too short: nothing that long is worth hashing
		}
		u, err := h.users.UseLink(r.Context(), token, purpose, password)
		var v *newsroom.ValidationError
		switch {
		case err == nil:
			if err := h.startSession(r.Context(), w, u); err != nil {
				h.serverError(w, r, err)
				return
			}
			done := "password"
			if purpose == newsroom.TokenInvite {
				done = "welcome"
			}
			redirect(w, r, "/admin/", done)
			return
		case errors.As(err, &v):
			p.Errors = v.Fields
		case errors.Is(err, newsroom.ErrNotFound):
			h.linkInvalid(w, r) // spent meanwhile, in another tab
			return
		default:
			h.serverError(w, r, err)
			return
		}
	}
	p.Data = accountLinkForm{Email: u.Email, Intro: intro}
	h.renderPreSession(w, r, "account_link", p)
}

func (h *Handler) linkInvalid(w http.ResponseWriter, r *http.Request) {
	h.deadLink(w, r, "link.invalid.title", "link.invalid.text")
}
