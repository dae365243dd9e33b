package federation

import (
	"context"
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
)

// QuoteSource finds the quotes of our posts (the store's Quotes).
type QuoteSource interface {
	QuoteByID(ctx context.Context, id string) (*newsroom.Quote, error)
}

// ServeQuoteAuthorization answers GET
// /orgs/{handle}/quote-authorizations/{id}: our consent to a quote, which
// the quoting server fetches (signed or not) to check it before showing
// the quote, and again later. Once revoked it answers 410, so a server
// that missed our Delete learns it on its next check; a request that
// was refused or still waits has no authorization (404).
func (h *Handler) ServeQuoteAuthorization(w http.ResponseWriter, r *http.Request, handle, id string) {
	org, ok := h.findOrg(w, r, handle)
	if !ok {
		return
	}
	if h.quotes == nil || h.posts == nil {
		h.fail(w, r, newsroom.ErrNotFound)
		return
	}
	q, err := h.quotes.QuoteByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.posts.PostByID(r.Context(), q.PostID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	switch {
	case p.OrgID != org.ID:
		h.fail(w, r, newsroom.ErrNotFound)
	case q.Status == newsroom.QuoteRevoked:
		writeError(w, http.StatusGone, "gone")
	case q.Status != newsroom.QuoteApproved:
		h.fail(w, r, newsroom.ErrNotFound)
	default:
		// Not cached: a revocation must show at the next check.
		writeActivity(w, r, h.convert.QuoteAuthorization(org, *q), 0)
	}
}
