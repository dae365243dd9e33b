package editor

import (
	"errors"
	"net/http"

	"github.com/soga/newsroom/internal/clientip"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

// maxPasswordLen bounds what a login hashes: no password manager makes
// passwords near 1,024 bytes, and hashing longer ones is work an attacker
// chooses. Addresses are bounded by users.MaxEmail (RFC 5321).
const maxPasswordLen = 1024

type loginForm struct {
	Email, Next string
}

// Login shows the login form and logs people in, throttled per address
// and per account.
func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
	p := h.page(r, "login.title")
	form := loginForm{Next: safeNext(r.URL.Query().Get("next"))}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		if !h.checkPreSessionToken(r) {
			h.csrfFailure(w, r)
			return
		}
		form = loginForm{Email: r.PostFormValue("email"), Next: safeNext(r.PostFormValue("next"))}
		password := r.PostFormValue("password")
		keys := []string{"ip:" + clientip.Key(h.clientIP.Addr(r))}
		tooLong := len(form.Email) > users.MaxEmail || len(password) > maxPasswordLen
		if tooLong {
			// Counted against the address only, and not shown back.
			form.Email = ""
		} else {
			keys = append(keys, "account:"+newsroom.NormaliseEmail(form.Email))
		}
		switch {
		case !h.throttle.Allowed(keys...):
			p.Errors = map[string]string{"form": "throttled"}
			status = http.StatusTooManyRequests
		case tooLong:
			h.throttle.Add(keys...)
			p.Errors = map[string]string{"form": "bad_credentials"}
			status = http.StatusUnauthorized
		default:
			u, err := h.users.Authenticate(r.Context(), form.Email, password)
			switch {
			case err == nil:
				if err := h.startSession(r.Context(), w, u); err != nil {
					h.serverError(w, r, err)
					return
				}
				http.Redirect(w, r, form.Next, http.StatusSeeOther)
				return
			case errors.Is(err, users.ErrBadCredentials):
				h.throttle.Add(keys...)
				h.log.Info("failed login", "ip", h.clientIP.Addr(r))
				p.Errors = map[string]string{"form": "bad_credentials"}
				status = http.StatusUnauthorized
			default:
				h.serverError(w, r, err)
				return
			}
		}
	}
	p.CSRF = h.preSessionToken(w, r)
	p.Data = form
	h.render(w, r, status, "login", p)
}

// Logout ends the session (POST only, behind RequireUser's form token).
func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	cur := currentFrom(r.Context())
	if err := h.store.DeleteSession(r.Context(), cur.session.TokenHash); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.setCookie(w, sessionCookie, "", -1, http.SameSiteLaxMode)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
