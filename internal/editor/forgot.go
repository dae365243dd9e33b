package editor

import (
	"context"
	"net/http"
	"time"

	"github.com/soga/newsroom/internal/clientip"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

// Mailer sends a plain-text message (mail.Mailer).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

type forgotForm struct {
	Email string
	Mail  bool // the site can send email
	Sent  bool
}

// Forgot serves /login/forgot. With SMTP configured it emails a reset
// link to the address typed, answering the same whether or not an
// account has it (and as fast: the work is done after the answer);
// without, it says to ask an administrator. Requests are limited per
// client address and per typed address, so that nobody can fill a
// mailbox or our SMTP quota.
func (h *Handler) Forgot(w http.ResponseWriter, r *http.Request) {
	p := h.page(r, "forgot.title")
	form := forgotForm{Mail: h.mail != nil}
	status := http.StatusOK
	if r.Method == http.MethodPost && form.Mail {
		if !h.checkPreSessionToken(r) {
			h.csrfFailure(w, r)
			return
		}
		form.Email = r.PostFormValue("email")
		keys := []string{"ip:" + clientip.Key(h.clientIP.Addr(r))}
		if len(form.Email) <= users.MaxEmail {
			keys = append(keys, "account:"+newsroom.NormaliseEmail(form.Email))
		}
		if !h.resets.Allow(keys...) {
			p.Errors = map[string]string{"form": "throttled"}
			status = http.StatusTooManyRequests
		} else {
			if len(form.Email) <= users.MaxEmail {
				go h.mailResetLink(context.WithoutCancel(r.Context()), form.Email, p.Lang)
			}
			form.Sent = true
		}
	}
	p.CSRF = h.preSessionToken(w, r)
	p.Data = form
	h.render(w, r, status, "forgot", p)
}

// mailResetLink looks the address up, makes the link and sends it, all
// after the answer, which therefore takes as long whether or not an
// account has the address. A failure is logged; the person, told to
// check their mail or ask an administrator, does that.
func (h *Handler) mailResetLink(ctx context.Context, email, lang string) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	link, err := h.users.ResetLinkByEmail(ctx, email)
	if err != nil {
		h.log.ErrorContext(ctx, "reset link not made", "error", err)
		return
	}
	if link == nil {
		return
	}
	lang = pickLang(link.User.Lang, lang)
	body := h.view.Translate(lang, "mail.reset.body", "Site", h.urls.Host(), "Link", h.urls.Abs("/reset/"+link.Token))
	if err := h.mail.Send(ctx, link.User.Email, h.view.Translate(lang, "mail.reset.subject"), body); err != nil {
		h.log.WarnContext(ctx, "reset link not sent", "user", link.User.ID, "error", err)
		return
	}
	h.log.InfoContext(ctx, "reset link sent", "user", link.User.ID)
}

// pickLang is the account's own language when it chose one.
func pickLang(own, fallback string) string {
	if own != "" {
		return own
	}
	return fallback
}
