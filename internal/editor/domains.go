package editor

import (
	"net/http"
	"strings"

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
		err := h.blocks.BlockInput(r.Context(), newsroom.DomainBlock{Domain: form.Domain, Reason: form.Reason, CreatedAt: h.now().UTC()})
		if err == nil {
			redirect(w, r, "/admin/domains", "blocked")
			return
		}
		if !mergeErrors(&v, err) {
			h.fail(w, r, err)
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
