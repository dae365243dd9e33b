package editor

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

const (
	sessionCookie = "newsroom_session"
	csrfCookie    = "newsroom_csrf"
)

func (h *Handler) setCookie(w http.ResponseWriter, name, value string, maxAge int, sameSite http.SameSite) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.secure, SameSite: sameSite})
}

// startSession logs u in on this browser.
func (h *Handler) startSession(ctx context.Context, w http.ResponseWriter, u *newsroom.User) error {
	token, hash := users.NewToken()
	csrf, _ := users.NewToken()
	now := h.now()
	s := newsroom.Session{TokenHash: hash, UserID: u.ID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	if err := h.store.CreateSession(ctx, s); err != nil {
		return err
	}
	// Expired sessions already fail to load; logins are rare enough to
	// sweep their rows here rather than in a job of their own.
	if _, err := h.store.DeleteExpiredSessions(ctx, now); err != nil {
		h.log.Warn("sweep expired sessions", "err", err)
	}
	h.setCookie(w, sessionCookie, token, int(SessionLifetime.Seconds()), http.SameSiteLaxMode)
	return nil
}

// loadSession returns the request's session, user and the organisations
// the user edits, or ErrNotFound.
func (h *Handler) loadSession(r *http.Request) (*current, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return nil, newsroom.ErrNotFound
	}
	l, err := h.store.SessionByTokenHash(r.Context(), users.HashToken(c.Value), h.now())
	if err != nil {
		return nil, err
	}
	return &current{user: &l.User, session: &l.Session, orgIDs: l.OrgIDs}, nil
}

// RequireUser wraps an admin route: logged-out requests go to the login
// page, and state-changing requests must carry the session's form token.
func (h *Handler) RequireUser(next http.HandlerFunc) http.HandlerFunc {
	return h.requireUser(next, false)
}

// RequireUserKeepingForm is RequireUser for the post forms, where what
// was typed is precious. When the form's token is not the session's (the
// editor logged in again since opening it, in another tab say), next runs
// all the same with current.staleForm set: it must act on nothing, store
// no upload, and show the form again as it was sent, whose token, the
// session's, lets the editor send it once more.
func (h *Handler) RequireUserKeepingForm(next http.HandlerFunc) http.HandlerFunc {
	return h.requireUser(next, true)
}

func (h *Handler) requireUser(next http.HandlerFunc, keepForm bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cur, err := h.loadSession(r)
		if errors.Is(err, newsroom.ErrNotFound) {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			h.loggedOut(w, r)
			return
		}
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), userKey, cur)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if isMultipart(r) {
				files, err := readMultipart(r)
				var tooBig *http.MaxBytesError
				switch {
				case errors.As(err, &tooBig) || errors.Is(err, errFormTooLarge):
					h.tooLarge(w, r.WithContext(ctx))
					return
				case err != nil:
					// A browser's form reads; a client gone mid-way does not.
					h.log.Info("unreadable form", "path", r.URL.Path, "err", err)
					http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
					return
				}
				defer files.remove()
				ctx = withFiles(ctx, files)
			}
			if !tokenEqual(r.PostFormValue("csrf_token"), cur.session.CSRFToken) {
				if !keepForm {
					h.sessionChanged(w, r.WithContext(ctx))
					return
				}
				h.log.Info("form token of another session: the form is shown again", "path", r.URL.Path)
				cur.staleForm = true
			}
		}
		next(w, r.WithContext(ctx))
	}
}

// RequireAdmin is RequireUser for administrators only.
func (h *Handler) RequireAdmin(next http.HandlerFunc) http.HandlerFunc {
	return h.RequireUser(func(w http.ResponseWriter, r *http.Request) {
		if !currentFrom(r.Context()).user.IsAdmin {
			h.fail(w, r, newsroom.ErrForbidden)
			return
		}
		next(w, r)
	})
}

// preSessionToken gives forms shown before login (setup, login) a
// double-submit token: a cookie and a hidden field that must match.
func (h *Handler) preSessionToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	token, _ := users.NewToken()
	h.setCookie(w, csrfCookie, token, 0, http.SameSiteStrictMode)
	return token
}

func (h *Handler) checkPreSessionToken(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	return err == nil && tokenEqual(r.PostFormValue("csrf_token"), c.Value)
}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}

func tokenEqual(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// TooLarge answers a form declared larger than the server reads, without
// reading it: the page tooLarge shows, in the editor's language, or, to
// someone not logged in, what a form sent without a session gets.
func (h *Handler) TooLarge(w http.ResponseWriter, r *http.Request) {
	cur, err := h.loadSession(r)
	switch {
	case errors.Is(err, newsroom.ErrNotFound):
		h.loggedOut(w, r)
	case err != nil:
		h.serverError(w, r, err)
	default:
		h.tooLarge(w, r.WithContext(context.WithValue(r.Context(), userKey, cur)))
	}
}

// tooLarge answers a form over its limits: nothing was done, the limits
// in words, and a link back to the form.
func (h *Handler) tooLarge(w http.ResponseWriter, r *http.Request) {
	h.log.Info("form too large", "path", r.URL.Path, "length", r.Header.Get("Content-Length"))
	h.message(w, r, http.StatusRequestEntityTooLarge, "error.upload_too_large", r.URL.Path, "form.back")
}

// csrfFailure answers a form shown before login (setup, login, links)
// whose token is not its cookie's: the cookie is gone, with the browser
// closed or cookies refused. The link opens the form again.
func (h *Handler) csrfFailure(w http.ResponseWriter, r *http.Request) {
	h.log.Info("form token mismatch", "path", r.URL.Path)
	h.message(w, r, http.StatusForbidden, "error.csrf", r.URL.RequestURI(), "form.back")
}

// sessionChanged answers a form whose token is not the session's: the
// editor logged in again since the page was opened, in another tab say,
// since cross-origin forms are refused before (http.CrossOriginProtection).
// Nothing was done; the link goes back to the page of the form.
func (h *Handler) sessionChanged(w http.ResponseWriter, r *http.Request) {
	h.log.Info("form token of another session", "path", r.URL.Path)
	if back := formPage(r); back != "" {
		h.message(w, r, http.StatusForbidden, "error.session_changed", back, "page.back")
		return
	}
	h.message(w, r, http.StatusForbidden, "error.session_changed", "/admin/", "admin.nav.home")
}

// loggedOut answers a form sent without a session: the editor logged
// out, in another tab say, or the session ended. Nothing was done; the
// link goes to the login page, which then brings the editor back to the
// page of the form.
func (h *Handler) loggedOut(w http.ResponseWriter, r *http.Request) {
	back := formPage(r)
	if back == "" {
		back = "/admin/"
	}
	h.message(w, r, http.StatusUnauthorized, "error.logged_out", "/login?next="+url.QueryEscape(back), "login.link")
}

// formPage is the page a form was sent from, on this site: the Referer,
// which our Referrer-Policy sends within the site, or "" when the browser
// does not say. Forms that only post have no page at their own URL.
func formPage(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Host != r.Host || u.Path == "" {
		return ""
	}
	back := u.RequestURI()
	if safeNext(back) != back {
		return ""
	}
	return back
}

// safeNext keeps post-login redirects on our own site: a path, with no
// scheme, host, backslash or control character. Browsers drop tabs and
// newlines from URLs and read a backslash as a slash, so "/\t/evil.example"
// would take the reader to evil.example.
func safeNext(next string) string {
	const home = "/admin/"
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return home
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return home
	}
	return next
}
