package site

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"github.com/soga/newsroom/internal/newsroom"
)

// Follow serves GET /follow?handle=…&server=…, the target of the
// remote-follow form: a reader names their own server and is sent to its
// follow page for our actor (Mastodon's /authorize_interaction, which
// Akkoma, Pleroma and GoToSocial answer too). Only a host name is taken
// from the input, so this redirect cannot be pointed anywhere else.
func (h *Handler) Follow(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	form := followForm{Handle: newsroom.NormaliseHandle(q.Get("handle")), Server: strings.TrimSpace(q.Get("server"))}
	if form.Handle == "" {
		h.NotFound(w, r)
		return
	}
	org, err := h.store.OrgByHandle(r.Context(), form.Handle)
	if errors.Is(err, newsroom.ErrNotFound) {
		h.NotFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	host, ok := remoteHost(form.Server)
	if !ok {
		form.Error = "public.follow.invalid"
		if form.Server == "" {
			form.Error = "public.follow.required"
		}
		p := h.page(r)
		p.Title = h.view.Translate(p.Lang, "public.follow.title")
		p.Data = &orgPage{Name: org.Name, Handle: org.Handle, Address: "@" + h.urls.Handle(org.Handle), Follow: form}
		w.Header().Set("Content-Security-Policy", orgPolicy)
		h.render(w, r, http.StatusBadRequest, "site_follow", p, time.Time{})
		return
	}
	target := "https://" + host + "/authorize_interaction?uri=" + url.QueryEscape(h.urls.Org(org.Handle))
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// remoteHost extracts a server's host name from what people type: a bare
// host, @user@host, or a profile URL. It refuses addresses, ports and
// anything that is not a plausible public DNS name.
func remoteHost(input string) (string, bool) {
	s := strings.TrimSpace(input)
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
			return "", false
		}
		s = u.Host
	} else {
		if i := strings.IndexAny(s, "/?#"); i >= 0 {
			s = s[:i]
		}
		if i := strings.LastIndexByte(s, '@'); i >= 0 {
			s = s[i+1:]
		}
	}
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	host, err := idna.Lookup.ToASCII(s)
	if err != nil || len(host) > 253 || !strings.Contains(host, ".") {
		return "", false
	}
	labels := strings.Split(host, ".")
	for _, l := range labels {
		if !validLabel(l) {
			return "", false
		}
	}
	if tld := labels[len(labels)-1]; strings.Trim(tld, "0123456789") == "" {
		return "", false // an IPv4 address, not a name
	}
	return host, true
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
