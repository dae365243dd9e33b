package editor

import (
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
	"github.com/soga/newsroom/internal/view"
)

// ResetLink makes a one-time link with which someone who lost their
// password chooses another, for an administrator to hand over. Their
// sessions end when they use it, not before: a mistaken click logs
// nobody out.
func (h *Handler) ResetLink(w http.ResponseWriter, r *http.Request) {
	u, err := h.userFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	link, err := h.users.ResetLink(r.Context(), u.ID, users.ResetLifetime)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showLink(w, r, newsroom.TokenReset, link)
}

type linkPage struct {
	Heading, Text string
	URL           string
}

// showLink is the page, shown once, that gives an administrator a link
// to hand over: only its hash is stored, so it cannot be shown again.
func (h *Handler) showLink(w http.ResponseWriter, r *http.Request, purpose newsroom.TokenPurpose, link *users.Link) {
	heading, text := "users.invite.title", "users.invite.text"
	if purpose == newsroom.TokenReset {
		heading, text = "users.resetlink.title", "users.resetlink.text"
	}
	p := h.page(r, heading)
	p.Data = linkPage{Heading: heading, URL: h.urls.Abs("/" + string(purpose) + "/" + link.Token),
		Text: h.view.Translate(p.Lang, text, "Email", link.User.Email, "Expires", view.FormatDate(link.Expires, p.Lang)+" "+link.Expires.Format("15:04 MST"))}
	h.render(w, r, http.StatusOK, "admin_user_link", p)
}
