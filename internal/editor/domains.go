package editor

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/idna"

	"github.com/soga/newsroom/internal/newsroom"
)

type domainForm struct {
	Domain, Reason string
}

type domainsPage struct {
	Form   domainForm
	Blocks []newsroom.DomainBlock
}

// Domains lists blocked domains and blocks one more. A block drops that
// domain's followers at once and refuses its requests from then on.
func (h *Handler) Domains(w http.ResponseWriter, r *http.Request) {
	var form domainForm
	var v newsroom.ValidationError
	if r.Method == http.MethodPost {
		form = domainForm{Domain: strings.TrimSpace(r.PostFormValue("domain")), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
		domain, ok := normaliseDomain(form.Domain)
		switch {
		case !ok:
			v.Add("domain", "domain_invalid")
		case len(form.Reason) > 500:
			v.Add("reason", "too_long")
		default:
			err := h.blocks.Block(r.Context(), newsroom.DomainBlock{Domain: domain, Reason: form.Reason, CreatedAt: h.now().UTC()})
			if err != nil {
				h.fail(w, r, err)
				return
			}
			redirect(w, r, "/admin/domains", "blocked")
			return
		}
	}
	h.renderDomains(w, r, form, &v)
}

func (h *Handler) renderDomains(w http.ResponseWriter, r *http.Request, form domainForm, v *newsroom.ValidationError) {
	blocks, err := h.blocks.List(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	p := h.page(r, "domains.title")
	p.Errors = v.Fields
	p.Data = domainsPage{Form: form, Blocks: blocks}
	h.render(w, r, formStatus(r, v), "admin_domains", p)
}

// Unblock lifts a block. Followers that were dropped do not come back by
// themselves; people follow again.
func (h *Handler) Unblock(w http.ResponseWriter, r *http.Request) {
	if err := h.blocks.Unblock(r.Context(), r.PostFormValue("domain")); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/domains", "unblocked")
}

var hostnameRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$`)

// normaliseDomain accepts what people paste, a host or a URL, and returns
// the host as the blocklist compares it: lowercase, ASCII (IDNA), without
// a port or a trailing dot.
func normaliseDomain(s string) (string, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", false
		}
		s = u.Hostname()
	}
	s = strings.TrimPrefix(s, "@")
	if i := strings.LastIndexByte(s, '@'); i >= 0 { // an account address
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, ".")
	ascii, err := idna.Lookup.ToASCII(s)
	if err != nil || len(ascii) > 253 || !hostnameRE.MatchString(ascii) {
		return "", false
	}
	return ascii, true
}
